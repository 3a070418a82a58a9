/*
 * api.h - the HTTP API: requests and responses independent of FastCGI, the route
 * table, and the handlers.  fcgi_io.c turns a FastCGI request into a struct
 * api_req and writes back the struct api_resp; everything in between is plain
 * C so that the unit tests can drive it without a web server.
 */
#ifndef DEBATE_API_H
#define DEBATE_API_H

#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "db.h"

#define API_MAX_PARAMS 4

enum api_method { M_GET, M_HEAD, M_POST, M_PUT, M_PATCH, M_DELETE, M_OPTIONS, M__MAX };

/* What a process has: its configuration and its database connection. */
struct app {
	const struct conf	*conf;
	struct db		*db;
};

/* The signed-in account, when there is one. */
struct api_user {
	char	id[40];			/* uuid */
	char	name[256];
	char	created_at[32];
};

struct api_req {
	enum api_method	 method;
	const char	*method_name;	/* as sent, for the log */
	const char	*path;		/* decoded, normalised by nginx; no query */
	const char	*query;		/* raw query string, "" when none */
	const char	*content_type;	/* NULL when absent */
	const char	*body;		/* request body, NUL-terminated */
	size_t		 body_len;
	long long	 content_length; /* announced length, -1 when absent */
	const char	*cookie;	/* raw Cookie header */
	const char	*origin, *referer, *host, *requested_with, *fetch_site;
	const char	*last_event_id;	/* SSE reconnection */
	const char	*remote_addr;
	int		 tls;		/* came over HTTPS */

	/* Filled by api_dispatch. */
	char		*params[API_MAX_PARAMS];	/* {captures} of the route */
	json_t		*json;		/* parsed body of a JSON route (borrowed) */
	struct api_user	 user;		/* valid when has_user */
	int		 has_user;
	char		 token_hash[65];	/* hex sha256 of the session cookie */
};

struct api_resp {
	int	 status;
	json_t	*body;			/* owned; NULL for no body */
	char	*raw;			/* owned; a non-JSON body (e.g. a tarball) */
	size_t	 raw_len;
	char	 raw_type[64];		/* its Content-Type */
	char	 headers[1024];		/* extra "Name: value\r\n" lines */
	/* A Server-Sent Events stream to hand to the process's hub after raw. */
	int	 stream;
	char	 stream_build[40];
	long long stream_seq;
};

/*
 * Route req and run its handler; always leaves a complete response in resp
 * (status and, except for 204, a JSON body).  The caller frees resp->body with
 * json_decref and req->params with api_req_clear.
 */
void	 api_dispatch(struct app *app, struct api_req *req, struct api_resp *resp);
void	 api_req_clear(struct api_req *req);

/* Responses.  api_error: {"error":{"code","message","field"}} with status. */
void	 api_error(struct api_resp *resp, int status, const char *code,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* Take ownership of body (steals the reference). */
void	 api_json(struct api_resp *resp, int status, json_t *body);
void	 api_header(struct api_resp *resp, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Take ownership of a malloc'd non-JSON body of len bytes with Content-Type type. */
void	 api_raw(struct api_resp *resp, int status, const char *type, char *raw, size_t len);
/* 1 when s is a canonical lower-case UUID (what ids look like), else 0. */
int	 api_is_uuid(const char *s);
/* The configuration id of the path ({id}), or NULL after writing a 404. */
const char *api_config_id(struct api_req *req, struct api_resp *resp);
/* A database failure: 503 when unreachable (res == NULL), else 500; logs the cause. */
void	 api_db_error(struct app *app, struct api_resp *resp, const void *res);

const char	*api_status_text(int status);
enum api_method	 api_method_parse(const char *s);
const char	*api_method_name(enum api_method m);

/*
 * A required string member `key` of the JSON body (no NUL inside), or NULL
 * with a 422 naming the field written to resp.
 */
const char	*api_body_string(struct api_req *req, struct api_resp *resp,
		    const char *key);
/* Start a session for user_id and set its cookie; 0 or -1 (resp written). */
int		 api_session_start(struct app *app, struct api_req *req,
		    struct api_resp *resp, const char *user_id);

/* Query string: decode key's value into out; 1 found, 0 absent, -1 bad/too long. */
int		 api_query_get(const char *qs, const char *key, char *out, size_t outsz);
/* A whole-number query parameter in [min, max] (def when absent); -1 with a 422. */
int		 api_query_long(const struct api_req *req, struct api_resp *resp,
		    const char *key, long def, long min, long max, long *out);

/*
 * A paged list (api_list.c): STMT with the NP parameters P, of which this
 * fills the last two with ?limit= and ?offset=; answers
 * {"total","limit","offset",KEY:[…]} from its one row (total, JSON array).
 */
void		 api_list_page(struct app *app, struct api_req *req,
		    struct api_resp *resp, enum db_stmt stmt, const char **p,
		    size_t np, const char *key);

/* Handlers, one file per resource. */
typedef void api_handler(struct app *, struct api_req *, struct api_resp *);
api_handler	 api_health_get, api_version_get;
api_handler	 api_users_post;
api_handler	 api_sessions_post, api_sessions_delete, api_me_get;
api_handler	 api_packages_search, api_package_get, api_package_get_in_repo;
api_handler	 api_groups_list, api_group_get;
api_handler	 api_resolve_post;
api_handler	 api_layers_get;
api_handler	 api_configs_post, api_configs_list, api_config_get, api_config_put,
		 api_config_patch, api_config_delete;
api_handler	 api_config_revisions, api_config_revision, api_config_diff,
		 api_config_effective, api_config_profile;
api_handler	 api_builds_post, api_builds_list, api_build_get, api_build_delete,
		 api_build_iso, api_build_events;
api_handler	 api_config_share_post, api_config_share_delete, api_config_fork,
		 api_shared_get, api_shared_fork;

#endif
