/*
 * auth.h - accounts: password hashing (Argon2id via libsodium), password and name
 * rules, session tokens and cookies, CSRF checks, and login throttling.
 */
#ifndef DEBATE_AUTH_H
#define DEBATE_AUTH_H

#include <stddef.h>

#include "api.h"

#define AUTH_COOKIE "debate_session"
#define AUTH_NAME_MAX 64		/* characters */
#define AUTH_PASSWORD_MIN 10		/* characters */
#define AUTH_PASSWORD_MAX 1024		/* bytes */

/* Once per process before anything else here; 0 or -1. */
int	 auth_init(void);

/*
 * Hash password with Argon2id at the configured cost into out (a string of at
 * most AUTH_HASH_MAX bytes).  0 or -1 (out of memory).
 */
#define AUTH_HASH_MAX 128
int	 auth_password_hash(const struct conf *c, const char *password, char *out);
/* 1 when password matches hash, else 0. */
int	 auth_password_verify(const char *hash, const char *password);
/* Burn the time of a verification (for unknown accounts). */
void	 auth_password_dummy(const struct conf *c, const char *password);

/* NULL when acceptable, else a sentence saying what is wrong. */
const char *auth_name_check(const char *name);
const char *auth_password_check(const char *password, const char *name);

/* A fresh random token (64 hex chars + NUL) and its hex sha256 (64 + NUL). */
int	 auth_token_new(char token[65], char hash[65]);
void	 auth_token_hash(const char *token, char hash[65]);
/* Find our cookie in a Cookie header; copies a well-formed token or returns -1. */
int	 auth_cookie_token(const char *cookie_header, char token[65]);
/* Add the Set-Cookie header for token (NULL: clear the cookie). */
void	 auth_cookie_set(const struct conf *c, const struct api_req *req,
	    struct api_resp *resp, const char *token);

/* 0 when an unsafe request is same-origin, -1 (with why) when it must be refused. */
int	 auth_csrf_check(const struct api_req *req, const char **why);

/* Look up the session of req's cookie; 1 found (req->user filled), 0 none, -1 db error (resp set). */
int	 auth_session_load(struct app *app, struct api_req *req, struct api_resp *resp);

/*
 * Login throttling.  auth_throttle_check: 0 when name/address may try, 1 when
 * throttled (429 with Retry-After written to resp), -1 on a database error
 * (resp written).
 */
int	 auth_throttle_check(struct app *app, const char *name, const char *addr,
	    struct api_resp *resp);
void	 auth_throttle_fail(struct app *app, const char *name, const char *addr);
void	 auth_throttle_clear(struct app *app, const char *name);

/* Number of characters of a valid UTF-8 string, -1 when invalid. */
long	 auth_utf8_len(const char *s);

#endif
