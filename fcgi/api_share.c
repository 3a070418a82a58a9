/*
 * api_share.c - sharing and forking.  A share link carries a random token;
 * only its SHA-256 is stored, creating a new link revokes the old one, and
 * DELETE revokes it.  Anyone with the link may read the configuration's head
 * and, signed in, fork it into their own account.
 */
#include "api.h"
#include "auth.h"

#include <stdio.h>
#include <string.h>

static void
reply_view(struct app *app, struct api_resp *resp, PGresult *res, int status, const char *what)
{
	json_t *j;

	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such %s", what);
	else if ((j = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else
		api_json(resp, status, j);
}

/* POST /api/v1/configurations/{id}/share -> 201 {"token","url"} */
void
api_config_share_post(struct app *app, struct api_req *req, struct api_resp *resp)
{
	char		 token[65], hash[65], url[128];
	const char	*p[3] = { NULL, req->user.id, hash };
	PGresult	*res;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	auth_token_new(token, hash);
	res = db_exec(app->db, DB_CFG_SHARE_SET, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else {
		snprintf(url, sizeof(url), "/api/v1/shared/%s", token);
		api_json(resp, 201, json_pack("{s:s, s:s}", "token", token, "url", url));
	}
	PQclear(res);
}

/* DELETE /api/v1/configurations/{id}/share: the link stops working. */
void
api_config_share_delete(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[2] = { NULL, req->user.id };
	PGresult	*res;

	if ((p[0] = api_config_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_CFG_SHARE_CLEAR, p);
	if (!db_ok(res))
		api_db_error(app, resp, res);
	else if (PQntuples(res) == 0)
		api_error(resp, 404, "not_found", NULL, "no such configuration");
	else
		api_json(resp, 204, NULL);
	PQclear(res);
}

/* POST /api/v1/configurations/{id}/fork: a copy of my own configuration. */
void
api_config_fork(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*p[3] = { req->user.id, NULL, NULL };
	PGresult	*res;

	if ((p[1] = api_config_id(req, resp)) == NULL)
		return;
	res = db_exec(app->db, DB_CFG_FORK, p);
	reply_view(app, resp, res, 201, "configuration");
	PQclear(res);
}

/* The token of the path hashed, or -1 (a malformed token is simply not found). */
static int
token_hash(const char *token, char hash[65])
{
	size_t i;

	for (i = 0; token[i]; i++)
		if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f')))
			return -1;
	if (i != 64)
		return -1;
	auth_token_hash(token, hash);
	return 0;
}

/* GET /api/v1/shared/{token}: read-only, no account needed. */
void
api_shared_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	char		 hash[65];
	const char	*p[1] = { hash };
	PGresult	*res;

	if (token_hash(req->params[0], hash) == -1) {
		api_error(resp, 404, "not_found", NULL, "no such shared configuration");
		return;
	}
	res = db_exec(app->db, DB_CFG_SHARED_GET, p);
	reply_view(app, resp, res, 200, "shared configuration");
	PQclear(res);
}

/* POST /api/v1/shared/{token}/fork: copy a shared configuration into my account. */
void
api_shared_fork(struct app *app, struct api_req *req, struct api_resp *resp)
{
	char		 hash[65];
	const char	*p[3] = { req->user.id, NULL, hash };
	PGresult	*res;

	if (token_hash(req->params[0], hash) == -1) {
		api_error(resp, 404, "not_found", NULL, "no such shared configuration");
		return;
	}
	res = db_exec(app->db, DB_CFG_FORK, p);
	reply_view(app, resp, res, 201, "shared configuration");
	PQclear(res);
}
