/*
 * fcgi_io.c - translate between libfcgi and struct api_req / api_resp.
 *
 * The body is read only when its announced length is within [web] max_body;
 * a larger one is refused with 413 before a byte of it is buffered.
 */
#include "fcgi_io.h"
#include "sse_hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *
param(FCGX_Request *r, const char *name)
{
	return FCGX_GetParam(name, r->envp);
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Read exactly len bytes of body; NULL on a short read (client went away). */
static char *
read_body(FCGX_Request *r, size_t len)
{
	char	*buf;
	size_t	 got = 0;

	if ((buf = malloc(len + 1)) == NULL)
		return NULL;
	while (got < len) {
		int n = FCGX_GetStr(buf + got, (int)(len - got > 65536 ? 65536 : len - got), r->in);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != len) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static void
write_raw(FCGX_Request *r, const struct api_req *req, const struct api_resp *resp)
{
	char	head[2048];
	int	n;

	n = snprintf(head, sizeof(head), "Status: %d %s\r\nCache-Control: no-store\r\n%s"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", resp->status,
	    api_status_text(resp->status), resp->headers, resp->raw_type, resp->raw_len);
	if (n < 0 || (size_t)n >= sizeof(head))
		n = snprintf(head, sizeof(head), "Status: 500 Internal Server Error\r\n\r\n");
	FCGX_PutStr(head, n, r->out);
	if (req->method != M_HEAD)
		FCGX_PutStr(resp->raw, (int)resp->raw_len, r->out);
}

/*
 * Write the response.  Everything is formatted with snprintf and sent with
 * FCGX_PutStr: libfcgi's own printf lacks modifiers such as %zu.
 */
static void
write_resp(FCGX_Request *r, const struct api_req *req, const struct api_resp *resp)
{
	char	 head[2048];
	char	*body = NULL;
	size_t	 blen = 0;
	int	 n;

	if (resp->status != 204 && resp->raw != NULL) {
		write_raw(r, req, resp);
		return;
	}
	if (resp->status != 204 && resp->body != NULL &&
	    (body = json_dumps(resp->body, JSON_COMPACT | JSON_ENSURE_ASCII)) != NULL)
		blen = strlen(body);
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n"
	    "Cache-Control: no-store\r\n%s", resp->status,
	    api_status_text(resp->status), resp->headers);
	if (n > 0 && (size_t)n < sizeof(head) && body != NULL)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n", blen + 1);
	if (n < 0 || (size_t)n + 3 > sizeof(head))
		n = snprintf(head, sizeof(head), "Status: 500 Internal Server Error\r\n");
	strcat(head, "\r\n");
	FCGX_PutStr(head, (int)strlen(head), r->out);
	if (body != NULL && req->method != M_HEAD) {
		FCGX_PutStr(body, (int)blen, r->out);
		FCGX_PutStr("\n", 1, r->out);
	}
	free(body);
}

/*
 * Start a Server-Sent Events stream: headers that keep every proxy from
 * buffering, the replayed rows (resp->raw), then the hub takes r.  1 when
 * adopted; 0 when the hub cannot run (the stream then just ends).
 */
static int
start_stream(struct app *app, FCGX_Request *r, const struct api_resp *resp)
{
	static const char head[] = "Status: 200 OK\r\nContent-Type: text/event-stream\r\n"
	    "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n\r\n";

	FCGX_PutStr(head, (int)sizeof(head) - 1, r->out);
	if (resp->raw_len)
		FCGX_PutStr(resp->raw, (int)resp->raw_len, r->out);
	FCGX_FFlush(r->out);
	return hub_adopt(app->conf, r, resp->stream_build, resp->stream_seq) == 0;
}

int
fcgi_io_serve(struct app *app, FCGX_Request *r)
{
	int		 adopted = 0;
	struct api_req	 req;
	struct api_resp	 resp = { 0 };
	const char	*cl, *https;
	char		*body = NULL;
	long long	 t0 = now_us();

	memset(&req, 0, sizeof(req));
	req.method_name = param(r, "REQUEST_METHOD");
	req.method = api_method_parse(req.method_name);
	req.path = param(r, "DOCUMENT_URI");
	if (req.path == NULL)
		req.path = param(r, "SCRIPT_NAME");
	req.query = param(r, "QUERY_STRING");
	req.content_type = param(r, "CONTENT_TYPE");
	req.cookie = param(r, "HTTP_COOKIE");
	req.origin = param(r, "HTTP_ORIGIN");
	req.referer = param(r, "HTTP_REFERER");
	if ((req.host = param(r, "DEBATE_HOST")) == NULL)
		req.host = param(r, "HTTP_HOST");
	req.requested_with = param(r, "HTTP_X_REQUESTED_WITH");
	req.fetch_site = param(r, "HTTP_SEC_FETCH_SITE");
	req.remote_addr = param(r, "REMOTE_ADDR");
	req.last_event_id = param(r, "HTTP_LAST_EVENT_ID");
	https = param(r, "HTTPS");
	req.tls = https != NULL && *https != '\0' && strcmp(https, "off") != 0;
	if (req.query == NULL)
		req.query = "";
	if (req.content_type != NULL && *req.content_type == '\0')
		req.content_type = NULL;
	cl = param(r, "CONTENT_LENGTH");
	req.content_length = cl && *cl ? atoll(cl) : -1;

	if (req.path == NULL || req.method_name == NULL) {
		api_error(&resp, 400, "bad_request", NULL, "missing request line");
	} else if (req.content_length > app->conf->web_max_body) {
		/* Refused unread: api_dispatch answers 413 from content_length. */
		req.body = "";
		api_dispatch(app, &req, &resp);
	} else if (req.content_length > 0 &&
	    (body = read_body(r, (size_t)req.content_length)) == NULL) {
		api_error(&resp, 400, "bad_request", NULL, "the request body was cut short");
	} else {
		req.body = body ? body : "";
		req.body_len = body ? (size_t)req.content_length : 0;
		api_dispatch(app, &req, &resp);
	}
	if (resp.stream && resp.status == 200)
		adopted = start_stream(app, r, &resp);
	else
		write_resp(r, &req, &resp);
	fprintf(stderr, "%s %s %d %lldus\n", req.method_name ? req.method_name : "-",
	    req.path ? req.path : "-", resp.status, now_us() - t0);
	json_decref(resp.body);
	free(resp.raw);
	api_req_clear(&req);
	free(body);
	return adopted;
}
