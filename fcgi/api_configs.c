/*
 * api_configs.c - /api/v1/configurations: create, list, read, replace,
 * patch, delete.  Every save is a new immutable revision (cfg_save.c); every
 * statement names the signed-in owner, so another account's configuration is
 * simply not found (404).
 */
#include "api.h"
#include "cfg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Answer with the JSON text in row 0, column 0 of res. */
static void
reply_row(struct api_resp *resp, int status, const PGresult *res)
{
	json_t *j = json_loads(PQgetvalue(res, 0, 0), 0, NULL);

	if (j == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else
		api_json(resp, status, j);
}

/* The id in the path, or NULL after a 404 (ids are UUIDs; anything else is not found). */
const char *
api_config_id(struct api_req *req, struct api_resp *resp)
{
	if (!api_is_uuid(req->params[0])) {
		api_error(resp, 404, "not_found", NULL, "no such configuration");
		return NULL;
	}
	return req->params[0];
}

/* Text forms of a prepared revision's columns, for statements. */
struct rev_text {
	char	*doc, *eff, *problems;
	char	 name[1024], description[16384];
};

static void
rev_text_clear(struct rev_text *t)
{
	free(t->doc);
	free(t->eff);
	free(t->problems);
}

static int
rev_text(const struct cfg_rev *rev, struct rev_text *t)
{
	const char *name = json_string_value(json_object_get(rev->doc, "name"));
	const char *desc = json_string_value(json_object_get(rev->doc, "description"));

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name && *name ? name : "Untitled configuration");
	snprintf(t->description, sizeof(t->description), "%s", desc ? desc : "");
	t->doc = json_dumps(rev->doc, JSON_COMPACT);
	t->eff = json_dumps(rev->effective, JSON_COMPACT);
	if (rev->problems != NULL)
		t->problems = json_dumps(rev->problems, JSON_COMPACT);
	return t->doc && t->eff && (rev->problems == NULL || t->problems) ? 0 : -1;
}

void
api_configs_post(struct app *app, struct api_req *req, struct api_resp *resp)
{
	struct cfg_rev	 rev;
	struct rev_text	 t = { 0 };
	const char	*p[9];
	PGresult	*res = NULL;

	if (cfg_rev_prepare(app, req->json, &rev, resp) == -1)
		goto out;
	if (rev_text(&rev, &t) == -1) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	p[0] = req->user.id;
	p[1] = t.name;
	p[2] = t.description;
	p[3] = t.doc;
	p[4] = t.eff;
	p[5] = rev.hash;
	p[6] = rev.draft ? "true" : "false";
	p[7] = rev.solvable ? "true" : "false";
	p[8] = t.problems;
	res = db_exec(app->db, DB_CFG_CREATE, p);
	if (!db_ok(res) || PQntuples(res) != 1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	reply_row(resp, 201, res);
	api_header(resp, "Location: /api/v1/configurations/%s",
	    json_string_value(json_object_get(resp->body, "id")));
out:
	PQclear(res);
	rev_text_clear(&t);
	cfg_rev_clear(&rev);
}

void
api_configs_list(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char *p[3] = { req->user.id, NULL, NULL };

	api_list_page(app, req, resp, DB_CFG_LIST, p, 3, "configurations");
}

void
api_config_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[3] = { NULL, req->user.id, NULL };
	PGresult	*res;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_CFG_GET, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else
		reply_row(resp, 200, res);
	PQclear(res);
}

/*
 * Store rev as the next revision of configuration id.  When the client named
 * the revision it edited, a configuration saved since answers 409.
 */
static void
save_revision(struct app *app, struct api_req *req, struct api_resp *resp, const char *id,
    struct cfg_rev *rev, long expected)
{
	struct rev_text	 t = { 0 };
	char		 exp[24];
	const char	*p[11];
	PGresult	*res = NULL;

	if (rev_text(rev, &t) == -1) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	snprintf(exp, sizeof(exp), "%ld", expected);
	p[0] = id;
	p[1] = req->user.id;
	p[2] = expected > 0 ? exp : NULL;
	p[3] = t.name;
	p[4] = t.description;
	p[5] = t.doc;
	p[6] = t.eff;
	p[7] = rev->hash;
	p[8] = rev->draft ? "true" : "false";
	p[9] = rev->solvable ? "true" : "false";
	p[10] = t.problems;
	res = db_exec(app->db, DB_CFG_UPDATE, p);
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		goto out;
	}
	if (PQntuples(res) == 1) {
		reply_row(resp, 200, res);
		goto out;
	}
	/* Nothing updated: not ours (404), or saved since the client's revision (409). */
	PQclear(res);
	p[2] = NULL;
	res = db_exec(app->db, DB_CFG_HEAD, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else
		api_error(resp, 409, "conflict", "revision",
		    "revision %ld was edited, but the configuration is at revision %s now; "
		    "reload it and apply your change again", expected, PQgetvalue(res, 0, 0));
out:
	PQclear(res);
	rev_text_clear(&t);
}

/* PUT: the body is the whole new document. */
void
api_config_put(struct app *app, struct api_req *req, struct api_resp *resp)
{
	struct cfg_rev	 rev;
	const char	*id;

	memset(&rev, 0, sizeof(rev));
	if ((id = api_config_id(req, resp)) == NULL)
		return;
	if (cfg_rev_prepare(app, req->json, &rev, resp) == 0)
		save_revision(app, req, resp, id, &rev, rev.expected);
	cfg_rev_clear(&rev);
}

/*
 * PATCH: the body is a JSON merge patch (RFC 7396) on the current document;
 * the save is refused (409) if another save lands between read and write.
 */
void
api_config_patch(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[2] = { NULL, req->user.id };
	struct cfg_rev	 rev;
	PGresult	*res = NULL;
	json_t		*base = NULL, *patched = NULL, *flags;
	long		 head;

	memset(&rev, 0, sizeof(rev));
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
	if ((base = json_loads(PQgetvalue(res, 0, 1), 0, NULL)) == NULL) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	/* "draft" and "revision" are flags of this save, not document members. */
	flags = json_deep_copy(req->json);
	json_object_del(flags, "draft");
	json_object_del(flags, "revision");
	patched = cfg_merge_patch(base, flags);
	json_decref(flags);
	if (json_object_get(req->json, "draft") != NULL)
		json_object_set(patched, "draft", json_object_get(req->json, "draft"));
	if (json_object_get(req->json, "revision") != NULL)
		json_object_set(patched, "revision", json_object_get(req->json, "revision"));
	if (cfg_rev_prepare(app, patched, &rev, resp) == 0)
		save_revision(app, req, resp, p[0], &rev, rev.expected > 0 ? rev.expected : head);
out:
	PQclear(res);
	json_decref(base);
	json_decref(patched);
	cfg_rev_clear(&rev);
}

void
api_config_delete(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[2] = { NULL, req->user.id };
	PGresult	*res;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_CFG_DELETE, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else
		api_json(resp, 204, NULL);
	PQclear(res);
}
