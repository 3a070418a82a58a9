/*
 * api_builds.c - /api/v1/builds: submit, list, read, cancel, download.
 *
 * A submission freezes the configuration's effective revision and hashes it
 * against the repositories as they are now.  A successful build of that hash
 * with its ISO on disk answers 200 at once (no job); a build of that hash
 * already queued or running is joined (202, same build); otherwise, within the
 * account's limits, a new build and its job are created in one transaction
 * (202).  Builds are visible to the accounts that requested them.
 */
#include "api.h"
#include "overlay.h"
#include "q.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
reply_build(struct app *app, struct api_req *req, struct api_resp *resp, const char *id,
    int status)
{
	const char	*p[2] = { id, req->user.id };
	PGresult	*res = db_exec(app->db, DB_BUILD_GET, p);
	json_t		*j;

	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such build");
	else if ((j = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else {
		if (status == 201 || status == 202)
			api_header(resp, "Location: /api/v1/builds/%s", id);
		api_json(resp, status, j);
	}
	PQclear(res);
}

static int
request_add(struct app *app, const char *build, const char *owner, const char *cfg,
    const char *rev, int cached)
{
	const char	*p[5] = { build, owner, cfg, rev, cached ? "true" : "false" };
	PGresult	*res = db_exec(app->db, DB_REQUEST_ADD, p);
	int		 ok = db_ok(res);

	PQclear(res);
	return ok ? 0 : -1;
}

/* 0 within every limit; else 1 with a 429 naming the limit. */
static int
over_limits(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const struct conf	*c = app->conf;
	const char		*p[1] = { req->user.id };
	PGresult		*res = db_exec(app->db, DB_BUILD_LIMITS, p);
	long long		 live, day, wait, bytes;
	int			 rc = 1;

	if (!db_ok(res) || PQntuples(res) != 1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	live = atoll(PQgetvalue(res, 0, 0));
	day = atoll(PQgetvalue(res, 0, 1));
	wait = atoll(PQgetvalue(res, 0, 2));
	bytes = atoll(PQgetvalue(res, 0, 3));
	if (live >= c->lim_builds_live) {
		api_header(resp, "Retry-After: 60");
		api_error(resp, 429, "limit_builds_concurrent", NULL,
		    "you have %lld builds queued or running; the limit (builds_concurrent) is %d",
		    live, c->lim_builds_live);
	} else if (day >= c->lim_builds_day) {
		api_header(resp, "Retry-After: %lld", wait > 0 ? wait : 60);
		api_error(resp, 429, "limit_builds_per_day", NULL,
		    "you started %lld builds in the last day; the limit (builds_per_day) is %d",
		    day, c->lim_builds_day);
	} else if (bytes >= c->lim_storage) {
		api_header(resp, "Retry-After: 3600");
		api_error(resp, 429, "limit_storage", NULL,
		    "your ISOs take %lld bytes; the limit (storage) is %ld", bytes, c->lim_storage);
	} else
		rc = 0;
out:
	PQclear(res);
	return rc;
}

static int
txn(struct app *app, const char *sql)
{
	PGconn		*pg = db_conn(app->db);
	PGresult	*res = pg ? PQexec(pg, sql) : NULL;
	int		 ok = db_ok(res);

	PQclear(res);
	return ok ? 0 : -1;
}

/*
 * Create the build, my request, its first progress row and its job in one
 * transaction.  Returns 1 with id filled, 0 when a build of this hash became
 * live meanwhile (join it instead), -1 with resp written.
 */
static int
create_build(struct app *app, struct api_req *req, struct api_resp *resp, const char *hash,
    const char *cfg, const char *rev, const char *effective, char id[40])
{
	const char		*p[5] = { hash, cfg, rev, effective, "interactive" };
	struct q_job_spec	 spec = { 0 };
	char			 payload[128], job[Q_JOB_ID_LEN], err[256];
	PGresult		*res = NULL;
	int			 rc = -1;

	if (txn(app, "BEGIN") == -1) {
		api_db_error(app, resp, NULL);
		return -1;
	}
	res = db_exec(app->db, DB_BUILD_INSERT, p);
	if (!db_ok(res))
		goto fail;
	if (PQntuples(res) == 0) {
		rc = 0;
		goto rollback;
	}
	snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (request_add(app, id, req->user.id, cfg, rev, 0) == -1)
		goto fail;
	{
		const char *pp[4] = { id, "queued", "0", "waiting for a builder" };

		res = db_exec(app->db, DB_PROGRESS_ADD, pp);
		if (!db_ok(res))
			goto fail;
		PQclear(res);
		res = NULL;
	}
	snprintf(payload, sizeof(payload), "{\"build_id\":\"%s\"}", id);
	spec.kind = "build";
	spec.payload = payload;
	spec.account_id = req->user.id;
	spec.priority = Q_PRIO_INTERACTIVE;
	spec.dedupe_key = hash;
	/* One retry for a passing fault; a build that fails twice needs a person. */
	spec.max_attempts = 2;
	if (q_enqueue(db_conn(app->db), &spec, job, err, sizeof(err)) == -1) {
		fprintf(stderr, "debate-fcgi[builds]: enqueue: %s\n", err);
		goto fail;
	}
	{
		const char *pp[2] = { id, job };

		res = db_exec(app->db, DB_BUILD_SET_JOB, pp);
		if (!db_ok(res))
			goto fail;
	}
	if (txn(app, "COMMIT") == -1)
		goto fail;
	PQclear(res);
	return 1;
fail:
	api_db_error(app, resp, res);
rollback:
	PQclear(res);
	txn(app, "ROLLBACK");
	return rc;
}

/* POST /api/v1/builds {"configuration_id", "revision"?} */
void
api_builds_post(struct app *app, struct api_req *req, struct api_resp *resp)
{
	json_t		*cfgv = json_object_get(req->json, "configuration_id");
	json_t		*revv = json_object_get(req->json, "revision"), *eff = NULL, *sums = NULL;
	const char	*cfg, *p[3];
	char		 revbuf[16], hash[65], id[40];
	PGresult	*res = NULL;
	int		 attempt;

	if (!json_is_string(cfgv)) {
		api_error(resp, 422, "invalid", "configuration_id", "configuration_id is required");
		return;
	}
	if (revv != NULL && (!json_is_integer(revv) || json_integer_value(revv) < 1 ||
	    json_integer_value(revv) > 2147483647)) {
		api_error(resp, 422, "invalid", "revision", "revision must be a revision number");
		return;
	}
	cfg = json_string_value(cfgv);
	if (!api_is_uuid(cfg)) {
		api_error(resp, 404, "not_found", "configuration_id", "no such configuration");
		return;
	}
	snprintf(revbuf, sizeof(revbuf), "%lld", revv ? (long long)json_integer_value(revv) : 0LL);
	p[0] = cfg;
	p[1] = req->user.id;
	p[2] = revv ? revbuf : NULL;
	res = db_exec(app->db, DB_BUILD_SOURCE, p);
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		goto out;
	}
	if (PQntuples(res) == 0) {
		api_error(resp, 404, "not_found", "configuration_id", "no such configuration or revision");
		goto out;
	}
	snprintf(revbuf, sizeof(revbuf), "%s", PQgetvalue(res, 0, 0));
	if (strcmp(PQgetvalue(res, 0, 1), "t") == 0 || strcmp(PQgetvalue(res, 0, 2), "t") != 0) {
		api_error(resp, 409, "unsolvable", "configuration_id",
		    "revision %s is a draft or its packages cannot be installed together; fix it first",
		    revbuf);
		goto out;
	}
	eff = json_loads(PQgetvalue(res, 0, 3), 0, NULL);
	PQclear(res);
	res = db_exec(app->db, DB_REPO_CHECKSUMS, NULL);
	if (!db_ok(res) || eff == NULL ||
	    (sums = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL ||
	    overlay_hash(eff, sums, hash) == -1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	PQclear(res);
	res = NULL;
	for (attempt = 0; attempt < 3; attempt++) {
		const char	*hp[1] = { hash };
		char		*text;
		int		 made;

		res = db_exec(app->db, DB_BUILD_FIND, hp);
		if (!db_ok(res)) {
			api_db_error(app, resp, res);
			goto out;
		}
		if (PQntuples(res) == 1) {
			int done = strcmp(PQgetvalue(res, 0, 1), "succeeded") == 0;

			snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
			/* A finished ISO must still be on disk to be handed out. */
			if (!done || access(PQgetvalue(res, 0, 2), R_OK) == 0) {
				if (request_add(app, id, req->user.id, cfg, revbuf, done) == -1) {
					api_db_error(app, resp, NULL);
					goto out;
				}
				reply_build(app, req, resp, id, done ? 200 : 202);
				goto out;
			}
		}
		PQclear(res);
		res = NULL;
		if (over_limits(app, req, resp))
			goto out;
		if ((text = json_dumps(eff, JSON_COMPACT)) == NULL)
			goto out;
		made = create_build(app, req, resp, hash, cfg, revbuf, text, id);
		free(text);
		if (made == -1)
			goto out;
		if (made == 1) {
			reply_build(app, req, resp, id, 202);
			goto out;
		}
	}
	api_error(resp, 503, "busy", NULL, "try again");
out:
	PQclear(res);
	json_decref(eff);
	json_decref(sums);
}

/* GET /api/v1/builds?state=&limit=&offset= */
void
api_builds_list(struct app *app, struct api_req *req, struct api_resp *resp)
{
	static const char *const states[] = { "queued", "running", "succeeded",
	    "failed", "cancelled" };
	char		 state[32] = "";
	const char	*p[4] = { req->user.id, state, NULL, NULL };
	size_t		 i;

	if (api_query_get(req->query, "state", state, sizeof(state)) == -1)
		state[0] = '!';
	for (i = 0; state[0] && i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			break;
	if (state[0] && i == sizeof(states) / sizeof(states[0])) {
		api_error(resp, 422, "invalid", "state",
		    "state must be one of queued, running, succeeded, failed, cancelled");
		return;
	}
	api_list_page(app, req, resp, DB_BUILD_LIST, p, 4, "builds");
}

static const char *
build_id(struct api_req *req, struct api_resp *resp)
{
	if (!api_is_uuid(req->params[0])) {
		api_error(resp, 404, "not_found", NULL, "no such build");
		return NULL;
	}
	return req->params[0];
}

void
api_build_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char *id = build_id(req, resp);

	if (id != NULL)
		reply_build(app, req, resp, id, 200);
}

/*
 * DELETE /api/v1/builds/{id}: I no longer want it.  When other accounts still
 * do, I only leave it (204).  Otherwise a queued build is cancelled at once
 * (200, cancelled) and a running one is asked to stop: its builder learns it
 * within a heartbeat (202).
 */
void
api_build_delete(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[2] = { NULL, req->user.id };
	PGresult	*res = NULL, *r2 = NULL;
	char		 err[256], job[32];

	if ((p[0] = build_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_BUILD_CANCEL_INFO, p);
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		goto out;
	}
	if (PQntuples(res) == 0) {
		api_error(resp, 404, "not_found", NULL, "no such build");
		goto out;
	}
	snprintf(job, sizeof(job), "%s", PQgetvalue(res, 0, 1));
	if (atoll(PQgetvalue(res, 0, 2)) > 0) {
		r2 = db_exec(app->db, DB_REQUEST_DELETE, p);
		if (!db_ok(r2))
			api_db_error(app, resp, r2);
		else
			api_json(resp, 204, NULL);
		goto out;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "queued") != 0 && strcmp(PQgetvalue(res, 0, 0), "running") != 0) {
		api_error(resp, 409, "finished", NULL, "this build is %s already", PQgetvalue(res, 0, 0));
		goto out;
	}
	if (job[0] && q_cancel(db_conn(app->db), job, err, sizeof(err)) == -1) {
		fprintf(stderr, "debate-fcgi[builds]: cancel: %s\n", err);
		api_db_error(app, resp, NULL);
		goto out;
	}
	r2 = db_exec(app->db, DB_BUILD_CANCEL_QUEUED, p);
	if (!db_ok(r2)) {
		api_db_error(app, resp, r2);
		goto out;
	}
	if (PQntuples(r2) == 1) {
		const char *pp[4] = { p[0], "cancelled", "0", "cancelled before it started" };

		PQclear(r2);
		r2 = db_exec(app->db, DB_PROGRESS_ADD, pp);
		reply_build(app, req, resp, p[0], 200);
	} else
		reply_build(app, req, resp, p[0], 202);
out:
	PQclear(res);
	PQclear(r2);
}

/*
 * GET /api/v1/builds/{id}/iso: nginx sends the file (X-Accel-Redirect to an
 * internal location over [builder] artifacts), never this process.
 */
void
api_build_iso(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[2] = { NULL, req->user.id };
	const char	*path, *base;
	PGresult	*res;

	if ((p[0] = build_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_BUILD_ARTIFACT, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		api_error(resp, 404, "not_found", NULL, "this build has no ISO");
	else {
		path = PQgetvalue(res, 0, 0);
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		api_header(resp, "X-Accel-Redirect: /.debate-artifacts/%s", base);
		api_header(resp, "Content-Disposition: attachment; filename=\"%s\"", base);
		api_raw(resp, 200, "application/octet-stream", NULL, 0);
	}
	PQclear(res);
}

/*
 * GET /api/v1/builds/{id}/events: Server-Sent Events.  Rows after
 * Last-Event-ID (header, or ?last_event_id=) are replayed; a finished build's
 * stream ends with its "done" or "failed" event, a live one goes to the hub.
 */
void
api_build_events(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[2] = { NULL, req->user.id };
	char		 after[24] = "0", q[24], *buf = NULL;
	size_t		 len = 0, cap = 0;
	long long	 last = 0;
	const char	*state;
	PGresult	*res = NULL;
	int		 i, n;

	if ((p[0] = build_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_BUILD_CANCEL_INFO, p);	/* is it mine? */
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		goto out;
	}
	if (PQntuples(res) == 0) {
		api_error(resp, 404, "not_found", NULL, "no such build");
		goto out;
	}
	PQclear(res);
	if (req->last_event_id != NULL && *req->last_event_id)
		last = atoll(req->last_event_id);
	else if (api_query_get(req->query, "last_event_id", q, sizeof(q)) == 1)
		last = atoll(q);
	if (last < 0)
		last = 0;
	snprintf(after, sizeof(after), "%lld", last);
	{
		const char *pp[2] = { p[0], after };

		res = db_exec(app->db, DB_PROGRESS_AFTER, pp);
	}
	if (!db_ok(res) || PQntuples(res) == 0) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	n = PQntuples(res);
	state = PQgetvalue(res, 0, 2);
	for (i = 0; i < n; i++) {
		char	line[8192];
		int	k;

		if (PQgetisnull(res, i, 0))
			continue;
		last = atoll(PQgetvalue(res, i, 0));
		k = snprintf(line, sizeof(line), "id: %lld\nevent: progress\ndata: %s\n\n", last,
		    PQgetvalue(res, i, 1));
		if (k < 0 || (size_t)k >= sizeof(line))
			continue;
		if (len + (size_t)k + 256 > cap) {
			char *nb = realloc(buf, cap = (cap + (size_t)k + 256) * 2);

			if (nb == NULL)
				goto out;
			buf = nb;
		}
		memcpy(buf + len, line, (size_t)k);
		len += (size_t)k;
	}
	if (cap < len + 256) {
		char *nb = realloc(buf, len + 256);

		if (nb == NULL)
			goto out;
		buf = nb;
	}
	if (strcmp(state, "succeeded") == 0 || strcmp(state, "failed") == 0 ||
	    strcmp(state, "cancelled") == 0) {
		len += (size_t)snprintf(buf + len, 256, "event: %s\ndata: {\"state\":\"%s\"}\n\n",
		    strcmp(state, "succeeded") == 0 ? "done" : "failed", state);
		api_raw(resp, 200, "text/event-stream", buf, len);
		buf = NULL;
		goto out;
	}
	api_raw(resp, 200, "text/event-stream", buf, len);
	buf = NULL;
	resp->stream = 1;
	snprintf(resp->stream_build, sizeof(resp->stream_build), "%s", p[0]);
	resp->stream_seq = last;
out:
	free(buf);
	PQclear(res);
}
