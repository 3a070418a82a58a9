/*
 * auth_csrf.c - refuse cross-site unsafe requests.
 *
 * Browsers send Origin on every cross-origin and every same-origin non-GET
 * fetch, so an unsafe request is accepted when its Origin (or, lacking that,
 * its Referer) is this site, as seen in the Host header and scheme.  A client
 * that is not a browser sends neither; it must then send X-Requested-With,
 * which no other site can make a browser send without a CORS preflight that we
 * never grant.  Sec-Fetch-Site: cross-site is refused outright.
 */
#include "auth.h"

#include <stdio.h>
#include <string.h>

int
auth_csrf_check(const struct api_req *req, const char **why)
{
	char	 self[512];
	size_t	 n;

	if (req->fetch_site && strcmp(req->fetch_site, "cross-site") == 0) {
		*why = "Sec-Fetch-Site is cross-site";
		return -1;
	}
	if (req->host == NULL || *req->host == '\0') {
		*why = "no Host header";
		return -1;
	}
	n = (size_t)snprintf(self, sizeof(self), "%s://%s", req->tls ? "https" : "http", req->host);
	if (n >= sizeof(self)) {
		*why = "Host header too long";
		return -1;
	}
	if (req->origin != NULL && *req->origin) {
		if (strcmp(req->origin, self) == 0)
			return 0;
		*why = "Origin does not match this site";
		return -1;
	}
	if (req->referer != NULL && *req->referer) {
		if (strncmp(req->referer, self, n) == 0 &&
		    (req->referer[n] == '/' || req->referer[n] == '\0'))
			return 0;
		*why = "Referer does not match this site";
		return -1;
	}
	if (req->requested_with != NULL && *req->requested_with)
		return 0;
	*why = "send an Origin header or X-Requested-With";
	return -1;
}
