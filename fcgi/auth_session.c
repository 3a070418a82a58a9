/*
 * auth_session.c - session tokens and the session cookie.
 *
 * A session token is 32 random bytes, sent to the browser in hex in an HttpOnly,
 * SameSite=Strict cookie (Secure over TLS).  The database keeps only its
 * SHA-256, so a leaked sessions table signs nobody in.
 */
#include "auth.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

int
auth_token_new(char token[65], char hash[65])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, 65, raw, sizeof(raw));
	auth_token_hash(token, hash);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

void
auth_token_hash(const char *token, char hash[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(hash, 65, h, sizeof(h));
}

/*
 * Find AUTH_COOKIE in a Cookie header ("a=1; debate_session=...; b=2").  Only a
 * value of exactly 64 lower-case hex digits is taken.
 */
int
auth_cookie_token(const char *hdr, char token[65])
{
	const char	*p = hdr;
	size_t		 klen = strlen(AUTH_COOKIE);

	while (p != NULL && *p) {
		size_t n;

		while (*p == ' ' || *p == ';')
			p++;
		n = strcspn(p, ";");
		if (n == klen + 1 + 64 && strncmp(p, AUTH_COOKIE, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t i;

			for (i = 0; i < 64; i++)
				if (!isxdigit((unsigned char)v[i]) || isupper((unsigned char)v[i]))
					break;
			if (i == 64) {
				memcpy(token, v, 64);
				token[64] = '\0';
				return 0;
			}
		}
		p += n;
	}
	return -1;
}

void
auth_cookie_set(const struct conf *c, const struct api_req *req,
    struct api_resp *resp, const char *token)
{
	api_header(resp, "Set-Cookie: %s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
	    AUTH_COOKIE, token ? token : "", token ? c->web_session_ttl : 0,
	    req->tls ? "; Secure" : "");
}

int
auth_session_load(struct app *app, struct api_req *req, struct api_resp *resp)
{
	char		 token[65];
	const char	*params[1];
	PGresult	*res = NULL;
	int		 rc = 0;

	if (auth_cookie_token(req->cookie, token) == -1)
		goto out;
	auth_token_hash(token, req->token_hash);
	params[0] = req->token_hash;
	res = db_exec(app->db, DB_SESSION_LOOKUP, params);
	if (!db_ok(res)) {
		api_db_error(app, resp, res);
		rc = -1;
		goto out;
	}
	if (PQntuples(res) == 1) {
		snprintf(req->user.id, sizeof(req->user.id), "%s", PQgetvalue(res, 0, 0));
		snprintf(req->user.name, sizeof(req->user.name), "%s", PQgetvalue(res, 0, 1));
		snprintf(req->user.created_at, sizeof(req->user.created_at), "%s",
		    PQgetvalue(res, 0, 2));
		req->has_user = 1;
		rc = 1;
	}
out:
	PQclear(res);
	return rc;
}
