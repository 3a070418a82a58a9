/*
 * api_query.c - reading the query string: percent-decoding, and whole numbers
 * within bounds.
 */
#include "api.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Find key in the query string and decode its value ('+' is a space, %XX a
 * byte) into out.  Returns 1 found, 0 absent, -1 too long or badly encoded or
 * holding a NUL byte.  A key given twice: the first wins.
 */
int
api_query_get(const char *qs, const char *key, char *out, size_t outsz)
{
	size_t klen = strlen(key);

	while (qs != NULL && *qs) {
		size_t n = strcspn(qs, "&");

		if (n >= klen && strncmp(qs, key, klen) == 0 && (qs[klen] == '=' || n == klen)) {
			const char	*v = qs[klen] == '=' ? qs + klen + 1 : qs + klen;
			const char	*end = qs + n;
			size_t		 o = 0;

			for (; v < end; v++) {
				int c = (unsigned char)*v;

				if (c == '+')
					c = ' ';
				else if (c == '%') {
					int hi, lo;

					if (end - v < 3 || (hi = hexval(v[1])) < 0 || (lo = hexval(v[2])) < 0)
						return -1;
					c = hi * 16 + lo;
					v += 2;
				}
				if (c == 0 || o + 1 >= outsz)
					return -1;
				out[o++] = (char)c;
			}
			out[o] = '\0';
			return 1;
		}
		qs += n;
		if (*qs == '&')
			qs++;
	}
	return 0;
}

/*
 * A whole number parameter in [min, max], def when absent.  0, or -1 with a
 * 422 naming the parameter written to resp.
 */
int
api_query_long(const struct api_req *req, struct api_resp *resp, const char *key, long def,
    long min, long max, long *out)
{
	char	 buf[32], *end;
	long	 v;
	int	 rc = api_query_get(req->query, key, buf, sizeof(buf));

	if (rc == 0) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = rc == 1 ? strtol(buf, &end, 10) : 0;
	if (rc == -1 || errno || end == buf || *end != '\0' || v < min || v > max) {
		api_error(resp, 422, "invalid", key, "%s must be a whole number from %ld to %ld",
		    key, min, max);
		return -1;
	}
	*out = v;
	return 0;
}
