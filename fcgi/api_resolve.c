/*
 * api_resolve.c - POST /api/v1/resolve: can this selection be installed?
 * No account needed; rate-limited per client address.  An unsolvable
 * selection is a normal answer (200, "ok": false, problems with solutions);
 * a malformed request is 422 naming the field.
 */
#include "api.h"
#include "ratelimit.h"
#include "resolver.h"

void
api_resolve_post(struct app *app, struct api_req *req, struct api_resp *resp)
{
	char			 field[256], err[512];
	json_t			*answer = NULL;
	int			 wait;

	wait = rl_take("resolve", req->remote_addr, app->conf->lim_resolve_rate,
	    app->conf->lim_resolve_burst);
	if (wait > 0) {
		api_header(resp, "Retry-After: %d", wait);
		api_error(resp, 429, "too_many_requests", NULL,
		    "too many resolves from this address (limit %d a minute); try again in %d seconds",
		    app->conf->lim_resolve_rate, wait);
		return;
	}
	switch (resolver_resolve(app->conf, req->json, &answer, field, err, sizeof(err))) {
	case RESOLVER_OK:
		api_json(resp, 200, answer);
		break;
	case RESOLVER_BAD_REQUEST:
		api_error(resp, 422, "invalid", field, "%s", err);
		break;
	case RESOLVER_UNAVAILABLE:
		api_header(resp, "Retry-After: 30");
		api_error(resp, 503, "catalog_unavailable", NULL,
		    "no package repositories have been synced yet (debatectl repo sync)");
		break;
	}
}
