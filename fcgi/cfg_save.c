/*
 * cfg_save.c - from a submitted document to a revision ready to store.
 * Order: shape and values (overlay_validate, every error at once), the merge,
 * then the resolver on the layered package selection, then the hash over the
 * effective configuration and the repositories it was resolved against.
 */
#include "cfg.h"
#include "overlay.h"
#include "resolver.h"

#include <stdio.h>
#include <string.h>

void
cfg_rev_clear(struct cfg_rev *rev)
{
	json_decref(rev->doc);
	json_decref(rev->effective);
	json_decref(rev->problems);
	memset(rev, 0, sizeof(*rev));
}

json_t *
cfg_merge_patch(const json_t *target, const json_t *patch)
{
	json_t		*out, *v;
	const char	*k;

	if (!json_is_object(patch))
		return json_deep_copy(patch);
	out = json_is_object(target) ? json_deep_copy(target) : json_object();
	json_object_foreach((json_t *)patch, k, v) {
		if (json_is_null(v))
			json_object_del(out, k);
		else
			json_object_set_new(out, k, cfg_merge_patch(json_object_get(out, k), v));
	}
	return out;
}

/* The resolver's layered request: each layer's packages, remove and pins. */
static json_t *
resolve_request(const json_t *doc)
{
	json_t		*layers = json_object(), *src = json_object_get(doc, "layers"), *l;
	const char	*name;

	json_object_foreach(src, name, l) {
		json_t		*out = json_object();
		const char	*keys[] = { "packages", "remove", "pins" };
		size_t		 i;

		for (i = 0; i < 3; i++)
			if (json_object_get(l, keys[i]) != NULL)
				json_object_set(out, keys[i], json_object_get(l, keys[i]));
		json_object_set_new(layers, name, out);
	}
	return json_pack("{s:o}", "layers", layers);
}

/* Split off "draft" and "revision"; 0 or -1 with a 422. */
static int
take_flags(json_t *doc, struct cfg_rev *rev, struct api_resp *resp)
{
	json_t *d = json_object_get(doc, "draft"), *r = json_object_get(doc, "revision");

	rev->expected = -1;
	if (d != NULL && !json_is_boolean(d)) {
		api_error(resp, 422, "invalid", "draft", "draft must be true or false");
		return -1;
	}
	if (r != NULL && (!json_is_integer(r) || json_integer_value(r) < 1)) {
		api_error(resp, 422, "invalid", "revision",
		    "revision must be the revision number you edited");
		return -1;
	}
	rev->draft = d != NULL && json_is_true(d);
	rev->expected = r != NULL ? (long)json_integer_value(r) : -1;
	json_object_del(doc, "draft");
	json_object_del(doc, "revision");
	return 0;
}

static int
resolve(struct app *app, struct cfg_rev *rev, struct api_resp *resp)
{
	char		 field[256], err[512];
	json_t		*req = resolve_request(rev->doc), *ans = NULL;
	int		 rc = -1;

	switch (resolver_resolve(app->conf, req, &ans, field, err, sizeof(err))) {
	case RESOLVER_OK:
		break;
	case RESOLVER_BAD_REQUEST:
		api_error(resp, 422, "invalid", field, "%s", err);
		goto out;
	case RESOLVER_UNAVAILABLE:
		if (rev->draft) {
			rev->solvable = 0;
			rev->problems = json_pack("[{s:s}]", "message",
			    "not checked: no package repositories are synced");
			rc = 0;
			goto out;
		}
		api_header(resp, "Retry-After: 30");
		api_error(resp, 503, "catalog_unavailable", NULL,
		    "packages cannot be checked: no repositories are synced (save as a draft?)");
		goto out;
	}
	rev->solvable = json_is_true(json_object_get(ans, "ok"));
	if (!rev->solvable) {
		json_t *problems = json_object_get(ans, "problems");

		if (!rev->draft) {
			api_error(resp, 422, "unsatisfiable", "layers",
			    "the packages cannot be installed together: %s",
			    json_string_value(json_object_get(json_array_get(problems, 0), "message")));
			json_object_set(json_object_get(resp->body, "error"), "problems", problems);
			goto out;
		}
		rev->problems = json_incref(problems);
	}
	rc = 0;
out:
	json_decref(req);
	json_decref(ans);
	return rc;
}

int
cfg_rev_prepare(struct app *app, const json_t *body, struct cfg_rev *rev,
    struct api_resp *resp)
{
	struct overlay_limits	 lim;
	json_t			*errs = NULL, *sums = NULL;
	PGresult		*res = NULL;
	char			 err[512];
	int			 rc = -1;

	memset(rev, 0, sizeof(*rev));
	if ((rev->doc = json_deep_copy(body)) == NULL || take_flags(rev->doc, rev, resp) == -1)
		goto out;
	overlay_limits_default(&lim);
	lim.max_files = (size_t)app->conf->lim_overlay_files;
	lim.max_file_bytes = (size_t)app->conf->lim_overlay_file_bytes;
	lim.max_total_bytes = (size_t)app->conf->lim_overlay_bytes;
	lim.max_packages = (size_t)app->conf->lim_packages;
	if ((errs = overlay_validate(rev->doc, &lim)) != NULL) {
		json_t *first = json_array_get(errs, 0);

		api_error(resp, 422, "invalid",
		    first ? json_string_value(json_object_get(first, "field")) : NULL, "%s",
		    first ? json_string_value(json_object_get(first, "message")) : "invalid document");
		if (json_is_array(errs))
			json_object_set(json_object_get(resp->body, "error"), "errors", errs);
		goto out;
	}
	if ((rev->effective = overlay_merge(rev->doc, err, sizeof(err))) == NULL) {
		api_error(resp, 422, "invalid", NULL, "%s", err);
		goto out;
	}
	if (resolve(app, rev, resp) == -1)
		goto out;
	res = db_exec(app->db, DB_REPO_CHECKSUMS, NULL);
	if (!db_ok(res) || PQntuples(res) != 1 ||
	    (sums = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL) {
		api_db_error(app, resp, db_ok(res) ? NULL : res);
		goto out;
	}
	if (overlay_hash(rev->effective, sums, rev->hash) == -1) {
		api_error(resp, 500, "internal", NULL, "internal error");
		goto out;
	}
	rc = 0;
out:
	json_decref(errs);
	json_decref(sums);
	PQclear(res);
	return rc;
}
