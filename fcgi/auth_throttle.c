/*
 * auth_throttle.c - failed logins are counted per account and per address in a
 * sliding window (accounts.login_failures, shared by every process and host);
 * over either limit the answer is 429 with Retry-After until the oldest
 * failure leaves the window.
 */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>

int
auth_throttle_check(struct app *app, const char *name, const char *addr,
    struct api_resp *resp)
{
	const struct conf *c = app->conf;
	char		 window[16];
	const char	*params[3] = { name, addr, window };
	PGresult	*res;
	long		 acc, adr, wait_acc, wait_adr, wait = 0;
	int		 rc = 0;

	snprintf(window, sizeof(window), "%d", c->lim_login_window);
	res = db_exec(app->db, DB_LOGIN_THROTTLE, params);
	if (!db_ok(res) || PQntuples(res) != 1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		rc = -1;
		goto out;
	}
	acc = atol(PQgetvalue(res, 0, 0));
	adr = atol(PQgetvalue(res, 0, 1));
	wait_acc = atol(PQgetvalue(res, 0, 2));
	wait_adr = atol(PQgetvalue(res, 0, 3));
	if (acc >= c->lim_login_account)
		wait = wait_acc;
	if (adr >= c->lim_login_address && wait_adr > wait)
		wait = wait_adr;
	if (acc >= c->lim_login_account || adr >= c->lim_login_address) {
		if (wait < 1)
			wait = 1;
		api_header(resp, "Retry-After: %ld", wait);
		api_error(resp, 429, "too_many_attempts", NULL,
		    "too many failed logins for this %s; try again in %ld seconds",
		    acc >= c->lim_login_account ? "account" : "address", wait);
		rc = 1;
	}
out:
	PQclear(res);
	return rc;
}

void
auth_throttle_fail(struct app *app, const char *name, const char *addr)
{
	const char *params[2] = { name, addr };

	PQclear(db_exec(app->db, DB_LOGIN_FAIL_ADD, params));
}

void
auth_throttle_clear(struct app *app, const char *name)
{
	const char *params[1] = { name };

	PQclear(db_exec(app->db, DB_LOGIN_FAIL_CLEAR, params));
}
