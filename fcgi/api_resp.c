/*
 * api_resp.c - building responses: the one error body, JSON bodies, headers.
 */
#include "api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
api_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
api_json(struct api_resp *resp, int status, json_t *body)
{
	if (resp->body != NULL)
		json_decref(resp->body);
	free(resp->raw);
	resp->raw = NULL;
	resp->status = status;
	resp->body = body;
}

void
api_raw(struct api_resp *resp, int status, const char *type, char *raw, size_t len)
{
	json_decref(resp->body);
	resp->body = NULL;
	free(resp->raw);
	resp->status = status;
	resp->raw = raw;
	resp->raw_len = len;
	snprintf(resp->raw_type, sizeof(resp->raw_type), "%s", type);
}

int
api_is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return s[36] == '\0';
}

void
api_error(struct api_resp *resp, int status, const char *code, const char *field,
    const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	api_json(resp, status, json_pack("{s:{s:s, s:s, s:s?}}", "error",
	    "code", code, "message", msg, "field", field));
	if (resp->body != NULL && field == NULL)
		json_object_set_new(json_object_get(resp->body, "error"), "field", json_null());
}

void
api_header(struct api_resp *resp, const char *fmt, ...)
{
	size_t	 len = strlen(resp->headers);
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(resp->headers + len, sizeof(resp->headers) - len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n + 2 >= sizeof(resp->headers) - len) {
		resp->headers[len] = '\0';	/* never emit half a header */
		return;
	}
	strcat(resp->headers, "\r\n");
}

void
api_db_error(struct app *app, struct api_resp *resp, const void *res)
{
	if (res == NULL) {
		fprintf(stderr, "debate-fcgi[db]: %s\n", db_errmsg(app->db));
		api_header(resp, "Retry-After: 5");
		api_error(resp, 503, "database_unavailable", NULL,
		    "the database is unavailable; try again shortly");
		return;
	}
	fprintf(stderr, "debate-fcgi[db]: %s", PQresultErrorMessage(res));
	api_error(resp, 500, "internal", NULL, "internal error");
}
