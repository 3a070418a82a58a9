/*
 * api_list.c - one paged list answer for every "mine, newest first" listing
 * (configurations, builds): ?limit= and ?offset= read and bounded, one
 * statement that returns a single row (total, JSON array of items), and the
 * body {"total","limit","offset",KEY:[…]}.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * Run STMT with the NP parameters P, the last two of which this fills with
 * limit and offset (P must have room for them).  Writes the answer, or the
 * error (422 for a bad limit/offset, 503/500 from the database) to RESP.
 */
void
api_list_page(struct app *app, struct api_req *req, struct api_resp *resp,
    enum db_stmt stmt, const char **p, size_t np, const char *key)
{
	char		 lim[24], off[24];
	long		 limit, offset;
	PGresult	*res = NULL;
	json_t		*items;

	if (np < 2 ||
	    api_query_long(req, resp, "limit", 50, 1, 500, &limit) == -1 ||
	    api_query_long(req, resp, "offset", 0, 0, 10000000, &offset) == -1)
		return;
	snprintf(lim, sizeof(lim), "%ld", limit);
	snprintf(off, sizeof(off), "%ld", offset);
	p[np - 2] = lim;
	p[np - 1] = off;
	res = db_exec(app->db, stmt, p);
	if (!db_ok(res) || PQntuples(res) != 1) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	if ((items = json_loads(PQgetvalue(res, 0, 1), 0, NULL)) == NULL) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	/* "o" steals items */
	api_json(resp, 200, json_pack("{s:I, s:I, s:I, s:o}", "total",
	    (json_int_t)atoll(PQgetvalue(res, 0, 0)), "limit", (json_int_t)limit,
	    "offset", (json_int_t)offset, key, items));
out:
	PQclear(res);
}
