/*
 * api_route.c - the route table and the dispatcher.
 *
 * A route is (method, path pattern) -> handler; `{x}` in a pattern matches one
 * path segment, captured into req->params in order.  Before a handler runs the
 * dispatcher applies, in this order: 404 unknown path, 405 known path with
 * another method (with Allow), 413 body over the limit, 403 cross-site unsafe
 * request, 415 body that is not JSON, 400 malformed JSON (with position),
 * 422 JSON that is not an object, 401 no session on a route that needs one.
 */
#include "api.h"
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RF_JSON	0x1	/* takes a JSON object body */
#define RF_AUTH	0x2	/* needs a signed-in account */
#define RF_USER	0x4	/* loads the account when there is one */

enum api_route {
	R_HEALTH, R_VERSION,
	R_USERS_POST,
	R_SESSIONS_POST, R_SESSIONS_DELETE, R_ME,
	R_PACKAGES, R_PACKAGE, R_PACKAGE_IN_REPO, R_GROUPS, R_GROUP,
	R_RESOLVE,
	R_LAYERS,
	R_CONFIGS_POST, R_CONFIGS_LIST, R_CONFIG_GET, R_CONFIG_PUT, R_CONFIG_PATCH,
	R_CONFIG_DELETE, R_REVISIONS, R_REVISION, R_DIFF, R_EFFECTIVE, R_PROFILE,
	R_SHARE_POST, R_SHARE_DELETE, R_FORK, R_SHARED_GET, R_SHARED_FORK,
	R_BUILDS_POST, R_BUILDS_LIST, R_BUILD_GET, R_BUILD_DELETE, R_BUILD_ISO, R_BUILD_EVENTS,
	R__MAX
};

struct route {
	enum api_method	 method;
	const char	*pattern;
	api_handler	*handler;
	int		 flags;
};

static const struct route routes[R__MAX] = {
	[R_HEALTH] = { M_GET, "/api/v1/health", api_health_get, 0 },
	[R_VERSION] = { M_GET, "/api/v1/version", api_version_get, 0 },
	[R_USERS_POST] = { M_POST, "/api/v1/users", api_users_post, RF_JSON },
	[R_SESSIONS_POST] = { M_POST, "/api/v1/sessions", api_sessions_post, RF_JSON },
	[R_SESSIONS_DELETE] = { M_DELETE, "/api/v1/sessions", api_sessions_delete, RF_USER },
	[R_ME] = { M_GET, "/api/v1/me", api_me_get, RF_AUTH },
	[R_PACKAGES] = { M_GET, "/api/v1/packages", api_packages_search, 0 },
	[R_PACKAGE] = { M_GET, "/api/v1/packages/{name}", api_package_get, 0 },
	[R_PACKAGE_IN_REPO] = { M_GET, "/api/v1/packages/{repo}/{name}", api_package_get_in_repo, 0 },
	[R_GROUPS] = { M_GET, "/api/v1/groups", api_groups_list, 0 },
	[R_GROUP] = { M_GET, "/api/v1/groups/{name}", api_group_get, 0 },
	[R_RESOLVE] = { M_POST, "/api/v1/resolve", api_resolve_post, RF_JSON },
	[R_LAYERS] = { M_GET, "/api/v1/layers", api_layers_get, 0 },
#define CFG "/api/v1/configurations"
	[R_CONFIGS_POST] = { M_POST, CFG, api_configs_post, RF_JSON | RF_AUTH },
	[R_CONFIGS_LIST] = { M_GET, CFG, api_configs_list, RF_AUTH },
	[R_CONFIG_GET] = { M_GET, CFG "/{id}", api_config_get, RF_AUTH },
	[R_CONFIG_PUT] = { M_PUT, CFG "/{id}", api_config_put, RF_JSON | RF_AUTH },
	[R_CONFIG_PATCH] = { M_PATCH, CFG "/{id}", api_config_patch, RF_JSON | RF_AUTH },
	[R_CONFIG_DELETE] = { M_DELETE, CFG "/{id}", api_config_delete, RF_AUTH },
	[R_REVISIONS] = { M_GET, CFG "/{id}/revisions", api_config_revisions, RF_AUTH },
	[R_REVISION] = { M_GET, CFG "/{id}/revisions/{n}", api_config_revision, RF_AUTH },
	[R_DIFF] = { M_GET, CFG "/{id}/diff", api_config_diff, RF_AUTH },
	[R_EFFECTIVE] = { M_GET, CFG "/{id}/effective", api_config_effective, RF_AUTH },
	[R_PROFILE] = { M_GET, CFG "/{id}/profile.tar.gz", api_config_profile, RF_AUTH },
	[R_SHARE_POST] = { M_POST, CFG "/{id}/share", api_config_share_post, RF_AUTH },
	[R_SHARE_DELETE] = { M_DELETE, CFG "/{id}/share", api_config_share_delete, RF_AUTH },
	[R_FORK] = { M_POST, CFG "/{id}/fork", api_config_fork, RF_AUTH },
	[R_SHARED_GET] = { M_GET, "/api/v1/shared/{token}", api_shared_get, 0 },
	[R_SHARED_FORK] = { M_POST, "/api/v1/shared/{token}/fork", api_shared_fork, RF_AUTH },
#undef CFG
	[R_BUILDS_POST] = { M_POST, "/api/v1/builds", api_builds_post, RF_JSON | RF_AUTH },
	[R_BUILDS_LIST] = { M_GET, "/api/v1/builds", api_builds_list, RF_AUTH },
	[R_BUILD_GET] = { M_GET, "/api/v1/builds/{id}", api_build_get, RF_AUTH },
	[R_BUILD_DELETE] = { M_DELETE, "/api/v1/builds/{id}", api_build_delete, RF_AUTH },
	[R_BUILD_ISO] = { M_GET, "/api/v1/builds/{id}/iso", api_build_iso, RF_AUTH },
	[R_BUILD_EVENTS] = { M_GET, "/api/v1/builds/{id}/events", api_build_events, RF_AUTH },
};

static const char *const method_names[M__MAX] = {
	[M_GET] = "GET", [M_HEAD] = "HEAD", [M_POST] = "POST", [M_PUT] = "PUT",
	[M_PATCH] = "PATCH", [M_DELETE] = "DELETE", [M_OPTIONS] = "OPTIONS",
};

enum api_method
api_method_parse(const char *s)
{
	int m;

	for (m = 0; s != NULL && m < M__MAX; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum api_method)m;
	return M__MAX;
}

const char *
api_method_name(enum api_method m)
{
	return m < M__MAX ? method_names[m] : "?";
}

void
api_req_clear(struct api_req *req)
{
	int i;

	for (i = 0; i < API_MAX_PARAMS; i++) {
		free(req->params[i]);
		req->params[i] = NULL;
	}
}

/*
 * Match path against pattern; on success fill caps (allocated, caller frees)
 * and return 1.  Segments must be non-empty; a capture takes one whole segment.
 */
static int
match(const char *pattern, const char *path, char *caps[API_MAX_PARAMS])
{
	int ncap = 0;

	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			break;
		pattern++;
		path++;
		if (*pattern == '{') {
			size_t n = strcspn(path, "/");

			if (n == 0 || ncap == API_MAX_PARAMS)
				goto fail;
			caps[ncap++] = strndup(path, n);
			path += n;
			pattern = strchr(pattern, '}');
			if (pattern == NULL)
				goto fail;
			pattern++;
		} else {
			size_t n = strcspn(pattern, "/");

			if (strncmp(pattern, path, n) != 0 || (path[n] != '/' && path[n] != '\0'))
				goto fail;
			pattern += n;
			path += n;
		}
	}
	if (*pattern == '\0' && *path == '\0')
		return 1;
fail:
	while (ncap > 0)
		free(caps[--ncap]);
	return 0;
}

static int
is_unsafe(enum api_method m)
{
	return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

static int
is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Parse the body of a JSON route into req->json; 0, or -1 with resp set. */
static int
parse_body(struct api_req *req, struct api_resp *resp)
{
	json_error_t	 e;
	json_t		*j;

	if (!is_json_type(req->content_type)) {
		api_error(resp, 415, "unsupported_media_type", NULL,
		    "the body must be JSON, sent as Content-Type: application/json");
		return -1;
	}
	j = json_loadb(req->body ? req->body : "", req->body_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
	if (j == NULL) {
		api_error(resp, 400, "malformed_json", NULL,
		    "malformed JSON at line %d, column %d (byte %d): %s",
		    e.line, e.column, e.position, e.text);
		json_object_set_new(json_object_get(resp->body, "error"), "position",
		    json_integer(e.position));
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		api_error(resp, 422, "invalid", NULL, "the body must be a JSON object");
		return -1;
	}
	req->json = j;
	return 0;
}

void
api_dispatch(struct app *app, struct api_req *req, struct api_resp *resp)
{
	const struct route *r = NULL;
	char		 allow[128] = "";
	const char	*why;
	int		 i, path_known = 0;

	resp->status = 0;
	resp->body = NULL;
	resp->raw = NULL;
	resp->raw_len = 0;
	resp->stream = 0;
	resp->headers[0] = '\0';
	req->json = NULL;
	req->has_user = 0;

	for (i = 0; i < R__MAX; i++) {
		char *caps[API_MAX_PARAMS] = { NULL };

		if (!match(routes[i].pattern, req->path ? req->path : "", caps))
			continue;
		path_known = 1;
		if (routes[i].method == req->method && r == NULL) {
			r = &routes[i];
			memcpy(req->params, caps, sizeof(caps));
			continue;
		}
		for (int k = 0; k < API_MAX_PARAMS; k++)
			free(caps[k]);
		if (*allow)
			strcat(allow, ", ");
		strcat(allow, method_names[routes[i].method]);
		if (routes[i].method == M_GET)
			strcat(allow, ", HEAD");
	}
	if (r == NULL && req->method == M_HEAD) {
		/* HEAD is GET without a body: fcgi_io drops the body. */
		req->method = M_GET;
		api_dispatch(app, req, resp);
		req->method = M_HEAD;
		return;
	}
	if (r == NULL && !path_known) {
		api_error(resp, 404, "not_found", NULL, "no such resource: %s", req->path);
		return;
	}
	if (r == NULL) {
		api_header(resp, "Allow: %s", allow);
		api_error(resp, 405, "method_not_allowed", NULL,
		    "%s is not allowed here; allowed: %s", req->method_name, allow);
		return;
	}
	if (req->content_length > app->conf->web_max_body ||
	    req->body_len > (size_t)app->conf->web_max_body) {
		api_error(resp, 413, "body_too_large", NULL,
		    "the request body is larger than the limit of %ld bytes",
		    app->conf->web_max_body);
		goto out;
	}
	if (is_unsafe(req->method) && auth_csrf_check(req, &why) == -1) {
		api_error(resp, 403, "csrf", NULL, "cross-site request refused: %s", why);
		goto out;
	}
	if ((r->flags & RF_JSON) && parse_body(req, resp) == -1)
		goto out;
	if (r->flags & (RF_AUTH | RF_USER)) {
		int found = auth_session_load(app, req, resp);

		if (found == -1)
			goto out;
		if (!found && (r->flags & RF_AUTH)) {
			api_error(resp, 401, "unauthorized", NULL, "sign in first");
			goto out;
		}
	}
	r->handler(app, req, resp);
	if (resp->status == 0)
		api_error(resp, 500, "internal", NULL, "internal error");
out:
	json_decref(req->json);
	req->json = NULL;
}
