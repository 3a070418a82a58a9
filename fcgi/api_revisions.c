/*
 * api_revisions.c - a configuration's history and products: its revisions,
 * the diff of two, the effective configuration, and the archiso profile as a
 * tarball.
 */
#include "api.h"
#include "cfg.h"
#include "overlay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET /api/v1/configurations/{id}/revisions */
void
api_config_revisions(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[2] = { NULL, req->user.id };
	PGresult	*res;
	json_t		*list;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_CFG_REVISIONS, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else if ((list = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else
		api_json(resp, 200, json_pack("{s:s, s:o}", "id", p[0], "revisions", list));
	PQclear(res);
}

/* A revision number from text; -1 unless 1..2^31. */
static long
revno(const char *s)
{
	char	*end;
	long	 n = strtol(s, &end, 10);

	return *s && *end == '\0' && n >= 1 && n <= 2147483647L ? n : -1;
}

/* GET /api/v1/configurations/{id}/revisions/{n} */
void
api_config_revision(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[3] = { NULL, req->user.id, req->params[1] };
	PGresult	*res;
	json_t		*j;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	if (revno(req->params[1]) < 0) {
		api_error(resp, 404, "not_found", NULL, "no such revision");
		return;
	}
	res = db_exec(app->db, DB_CFG_GET, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration or revision");
	else if ((j = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else
		api_json(resp, 200, j);
	PQclear(res);
}

/* GET /api/v1/configurations/{id}/diff?from=A&to=B (default: head-1 to head) */
void
api_config_diff(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[4] = { NULL, req->user.id, NULL, NULL };
	char		 from[16], to[16];
	PGresult	*res = NULL;
	json_t		*a = NULL, *b = NULL, *d;
	long		 head, f, t;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_CFG_HEAD, p);
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		goto out;
	}
	if (PQntuples(res) == 0) {
		api_error(resp, 404, "not_found", NULL, "no such configuration");
		goto out;
	}
	head = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	res = NULL;
	if (api_query_long(req, resp, "to", head, 1, head, &t) == -1 ||
	    api_query_long(req, resp, "from", t > 1 ? t - 1 : 1, 1, head, &f) == -1)
		goto out;
	snprintf(from, sizeof(from), "%ld", f);
	snprintf(to, sizeof(to), "%ld", t);
	p[2] = from;
	p[3] = to;
	res = db_exec(app->db, DB_CFG_DOCS, p);
	if (!db_ok(res) || PQntuples(res) != 1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	a = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	b = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
	if (a == NULL || b == NULL || (d = overlay_diff(a, b)) == NULL) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	api_json(resp, 200, json_pack("{s:s, s:I, s:I, s:o}", "id", p[0], "from", (json_int_t)f,
	    "to", (json_int_t)t, "diff", d));
out:
	json_decref(a);
	json_decref(b);
	PQclear(res);
}

/* Load {id, revision, config_hash, draft, solvable, effective} of the head; NULL after resp. */
static json_t *
effective_of(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[3] = { NULL, req->user.id, NULL };
	PGresult	*res;
	json_t		*j = NULL;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return NULL;
	res = db_exec(app->db, DB_CFG_EFFECTIVE, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else if ((j = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	PQclear(res);
	return j;
}

/*
 * GET /api/v1/configurations/{id}/effective.  PostgreSQL's JSON text goes out
 * as it is: parsing and printing a large effective configuration again would
 * cost more than the query.
 */
void
api_config_effective(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[3] = { NULL, req->user.id, NULL };
	PGresult	*res;
	char		*text;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_CFG_EFFECTIVE, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else if ((text = strdup(PQgetvalue(res, 0, 0))) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else
		api_raw(resp, 200, "application/json", text, strlen(text));
	PQclear(res);
}

/* GET /api/v1/configurations/{id}/profile.tar.gz */
void
api_config_profile(struct app *app, struct api_req *req, struct api_resp *resp)
{
	json_t	*j = effective_of(app, req, resp);
	char	 err[512], *tar;
	size_t	 len;

	if (j == NULL)
		return;
	if (!json_is_true(json_object_get(j, "solvable"))) {
		api_error(resp, 409, "unsolvable", NULL,
		    "this revision's packages cannot be installed together; fix it before building");
	} else if ((tar = cfg_profile_tarball(app->conf, json_object_get(j, "effective"), &len,
	    err, sizeof(err))) == NULL) {
		fprintf(stderr, "debate-fcgi[profile]: %s\n", err);
		api_error(resp, 500, "internal", NULL, "the profile could not be written");
	} else {
		api_header(resp, "Content-Disposition: attachment; filename=\"debate-%.8s-r%lld.tar.gz\"",
		    json_string_value(json_object_get(j, "id")),
		    (long long)json_integer_value(json_object_get(j, "revision")));
		api_raw(resp, 200, "application/gzip", tar, len);
	}
	json_decref(j);
}
