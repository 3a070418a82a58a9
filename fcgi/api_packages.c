/*
 * api_packages.c - the package catalogue: search, one package, groups.  None of
 * these need an account.  PostgreSQL builds the JSON (db_stmt.c); here it is
 * only parsed and wrapped.
 */
#include "api.h"
#include "resolver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define Q_MAX 256

/* Parse the JSON text of column col of row 0 (new reference) or NULL. */
static json_t *
json_col(const PGresult *res, int col)
{
	return json_loads(PQgetvalue(res, 0, col), 0, NULL);
}

/*
 * GET /api/v1/packages?q=&repo=&limit=&offset=: answered in process from the
 * resolver's pool (solve_search.c), the same data resolve uses.
 */
void
api_packages_search(struct app *app, struct api_req *req, struct api_resp *resp)
{
	char		 q[Q_MAX + 1] = "", repo[Q_MAX + 1] = "";
	long		 limit, offset;
	size_t		 total = 0;
	json_t		*items = NULL;

	if (api_query_get(req->query, "q", q, sizeof(q)) == -1) {
		api_error(resp, 422, "invalid", "q", "q must be at most %d bytes of text", Q_MAX);
		return;
	}
	if (api_query_get(req->query, "repo", repo, sizeof(repo)) == -1) {
		api_error(resp, 422, "invalid", "repo", "repo is not a repository name");
		return;
	}
	if (api_query_long(req, resp, "limit", 50, 1, 500, &limit) == -1 ||
	    api_query_long(req, resp, "offset", 0, 0, 1000000, &offset) == -1)
		return;
	if (resolver_search(app->conf, q, repo, (size_t)limit, (size_t)offset, &items,
	    &total) != RESOLVER_OK) {
		api_header(resp, "Retry-After: 30");
		api_error(resp, 503, "catalog_unavailable", NULL,
		    "no package repositories have been synced yet (debatectl repo sync)");
		return;
	}
	api_json(resp, 200, json_pack("{s:s, s:I, s:I, s:I, s:o}", "q", q, "total",
	    (json_int_t)total, "limit", (json_int_t)limit, "offset", (json_int_t)offset,
	    "packages", items));
}

static void
package_get(struct app *app, struct api_resp *resp, const char *repo, const char *name)
{
	const char	*params[2] = { repo, name };
	PGresult	*res = db_exec(app->db, DB_PKG_GET, params);
	json_t		*pkg;

	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		goto out;
	}
	if (PQntuples(res) == 0) {
		if (*repo)
			api_error(resp, 404, "not_found", NULL, "no package %s in repository %s",
			    name, repo);
		else
			api_error(resp, 404, "not_found", NULL, "no package %s in any repository",
			    name);
		goto out;
	}
	if ((pkg = json_col(res, 0)) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else
		api_json(resp, 200, pkg);
out:
	PQclear(res);
}

/* GET /api/v1/packages/{repo}/{name} */
void
api_package_get_in_repo(struct app *app, struct api_req *req, struct api_resp *resp)
{
	package_get(app, resp, req->params[0], req->params[1]);
}

/* GET /api/v1/packages/{name}: from the highest-priority repository that has it. */
void
api_package_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	package_get(app, resp, "", req->params[0]);
}

/* GET /api/v1/groups */
void
api_groups_list(struct app *app, struct api_req *req, struct api_resp *resp)
{
	PGresult	*res = db_exec(app->db, DB_GROUPS, NULL);
	json_t		*groups;

	(void)req;
	if (!db_ok(res) || PQntuples(res) != 1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	if ((groups = json_col(res, 0)) == NULL)
		api_error(resp, 500, "internal", NULL, "internal error");
	else
		api_json(resp, 200, json_pack("{s:o}", "groups", groups));
out:
	PQclear(res);
}

/* GET /api/v1/groups/{name} */
void
api_group_get(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const char	*params[1] = { req->params[0] };
	PGresult	*res = db_exec(app->db, DB_GROUP_GET, params);
	json_t		*members;

	if (!db_ok(res) || PQntuples(res) != 1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	if ((members = json_col(res, 0)) == NULL) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	if (json_array_size(members) == 0) {
		json_decref(members);
		api_error(resp, 404, "not_found", NULL, "no group %s", req->params[0]);
		goto out;
	}
	api_json(resp, 200, json_pack("{s:s, s:o}", "name", req->params[0], "packages", members));
out:
	PQclear(res);
}
