/*
 * api_users.c - POST /api/v1/users: sign up.  {"name","password"} -> 201 with
 * the account, signed in (session cookie set).  409 when the name is taken
 * (names compare case-insensitively), 422 for a bad name or weak password.
 */
#include "api.h"
#include "auth.h"

#include <string.h>

const char *
api_body_string(struct api_req *req, struct api_resp *resp, const char *key)
{
	json_t *v = json_object_get(req->json, key);

	if (v == NULL) {
		api_error(resp, 422, "invalid", key, "%s is required", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		api_error(resp, 422, "invalid", key, "%s must be a string", key);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		api_error(resp, 422, "invalid", key, "%s must not contain NUL", key);
		return NULL;
	}
	return json_string_value(v);
}

int
api_session_start(struct app *app, struct api_req *req, struct api_resp *resp,
    const char *user_id)
{
	char		 token[65], hash[65], ttl[16];
	const char	*params[3] = { hash, user_id, ttl };
	PGresult	*res;
	int		 rc = 0;

	auth_token_new(token, hash);
	snprintf(ttl, sizeof(ttl), "%d", app->conf->web_session_ttl);
	res = db_exec(app->db, DB_SESSION_INSERT, params);
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		rc = -1;
	} else
		auth_cookie_set(app->conf, req, resp, token);
	PQclear(res);
	return rc;
}

void
api_users_post(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*name, *password, *why;
	char		 hash[AUTH_HASH_MAX];
	const char	*params[2];
	PGresult	*res = NULL;

	if ((name = api_body_string(req, resp, "name")) == NULL ||
	    (password = api_body_string(req, resp, "password")) == NULL)
		goto out;
	if ((why = auth_name_check(name)) != NULL) {
		api_error(resp, 422, "invalid", "name", "%s", why);
		goto out;
	}
	if ((why = auth_password_check(password, name)) != NULL) {
		api_error(resp, 422, "weak_password", "password", "%s", why);
		goto out;
	}
	if (auth_password_hash(app->conf, password, hash) == -1) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	params[0] = name;
	params[1] = hash;
	res = db_exec(app->db, DB_USER_INSERT, params);
	if (!db_ok(res)) {
		if (res != NULL && strcmp(db_sqlstate(res), "23505") == 0)
			api_error(resp, 409, "name_taken", "name", "that name is taken");
		else
			api_db_error(app, resp, res);
		goto out;
	}
	if (api_session_start(app, req, resp, PQgetvalue(res, 0, 0)) == -1)
		goto out;
	api_header(resp, "Location: /api/v1/me");
	api_json(resp, 201, json_pack("{s:s, s:s, s:s}", "id", PQgetvalue(res, 0, 0),
	    "name", PQgetvalue(res, 0, 1), "created_at", PQgetvalue(res, 0, 2)));
out:
	PQclear(res);
}
