/*
 * api_sessions.c - POST /api/v1/sessions (log in), DELETE /api/v1/sessions
 * (log out), GET /api/v1/me (who am I).
 */
#include "api.h"
#include "auth.h"

#include <string.h>

static json_t *
user_json(const struct api_user *u)
{
	return json_pack("{s:s, s:s, s:s}", "id", u->id, "name", u->name,
	    "created_at", u->created_at);
}

/*
 * Log in.  Throttled per account and per address before the password is even
 * looked at; unknown names cost the same time as wrong passwords and get the
 * same answer.
 */
void
api_sessions_post(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*name, *password, *addr;
	const char	*params[1];
	PGresult	*res = NULL;
	int		 ok;

	if ((name = api_body_string(req, resp, "name")) == NULL ||
	    (password = api_body_string(req, resp, "password")) == NULL)
		goto out;
	if (strlen(name) > 1024 || strlen(password) > AUTH_PASSWORD_MAX) {
		api_error(resp, 401, "invalid_credentials", NULL, "wrong name or password");
		goto out;
	}
	addr = req->remote_addr ? req->remote_addr : "";
	if (auth_throttle_check(app, name, addr, resp) != 0)
		goto out;
	params[0] = name;
	res = db_exec(app->db, DB_USER_BY_NAME, params);
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		goto out;
	}
	if (PQntuples(res) == 1)
		ok = auth_password_verify(PQgetvalue(res, 0, 2), password);
	else {
		auth_password_dummy(app->conf, password);
		ok = 0;
	}
	if (!ok) {
		auth_throttle_fail(app, name, addr);
		api_error(resp, 401, "invalid_credentials", NULL, "wrong name or password");
		goto out;
	}
	auth_throttle_clear(app, name);
	if (api_session_start(app, req, resp, PQgetvalue(res, 0, 0)) == -1)
		goto out;
	api_json(resp, 201, json_pack("{s:{s:s, s:s}}", "user",
	    "id", PQgetvalue(res, 0, 0), "name", PQgetvalue(res, 0, 1)));
out:
	PQclear(res);
}

/* Log out: forget the session (if any) and clear the cookie.  Always 204. */
void
api_sessions_delete(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*params[1] = { req->token_hash };
	PGresult	*res;

	if (req->has_user) {
		res = db_exec(app->db, DB_SESSION_DELETE, params);
		if (!db_ok(res)) {
			api_db_error(app, resp, res);
			PQclear(res);
			return;
		}
		PQclear(res);
	}
	auth_cookie_set(app->conf, req, resp, NULL);
	api_json(resp, 204, NULL);
}

void
api_me_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	(void)app;
	api_json(resp, 200, user_json(&req->user));
}
