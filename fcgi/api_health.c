/*
 * api_health.c - GET /api/v1/health (is the database reachable?) and
 * GET /api/v1/version (touches nothing).
 */
#include "api.h"

void
api_health_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	PGresult	*res;
	int		 up;

	(void)req;
	res = db_exec(app->db, DB_PING, NULL);
	up = db_ok(res);
	PQclear(res);
	if (!up)
		api_header(resp, "Retry-After: 5");
	api_json(resp, up ? 200 : 503, json_pack("{s:s, s:s, s:s}",
	    "status", up ? "ok" : "degraded", "database", up ? "ok" : "down",
	    "version", DEBATE_VERSION));
}

void
api_version_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	(void)app;
	(void)req;
	api_json(resp, 200, json_pack("{s:s, s:s}", "version", DEBATE_VERSION, "api", "v1"));
}
