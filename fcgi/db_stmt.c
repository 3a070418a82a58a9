/*
 * db_stmt.c - the SQL of every prepared statement, indexed by enum db_stmt.
 * Parameters are always $n; values never enter the text.
 */
#include "db_stmt.h"

const struct db_stmt_def db_stmts[DB_STMT__MAX] = {
	[DB_PING] = { "SELECT 1", 0, 1 },

	/* $1 name, $2 Argon2id hash */
	[DB_USER_INSERT] = {
	    "INSERT INTO accounts.users (name, password_hash) VALUES ($1, $2) "
	    "RETURNING id, name, to_char(created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", 2, 0 },
	/* $1 name (compared case-insensitively) */
	[DB_USER_BY_NAME] = {
	    "SELECT id, name, password_hash FROM accounts.users "
	    "WHERE lower(name) = lower($1)", 1, 1 },

	/* $1 token hash (hex), $2 user id, $3 lifetime in seconds */
	[DB_SESSION_INSERT] = {
	    "INSERT INTO accounts.sessions (token_hash, user_id, expires_at) "
	    "VALUES (decode($1, 'hex'), $2, now() + make_interval(secs => $3::int))",
	    3, 0 },
	/* $1 token hash (hex) */
	[DB_SESSION_LOOKUP] = {
	    "SELECT u.id, u.name, to_char(u.created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM accounts.sessions s "
	    "JOIN accounts.users u ON u.id = s.user_id "
	    "WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now()", 1, 1 },
	[DB_SESSION_DELETE] = {
	    "DELETE FROM accounts.sessions WHERE token_hash = decode($1, 'hex')", 1, 1 },

	/*
	 * Failed logins in the window for the account ($1, lower-cased name) and for
	 * the address ($2); $3 the window in seconds.  Answers both counts and, for
	 * each, the seconds until its oldest failure leaves the window.
	 */
	[DB_LOGIN_THROTTLE] = {
	    "WITH w AS (SELECT name_key, address, at FROM accounts.login_failures "
	    "  WHERE at > now() - make_interval(secs => $3::int) "
	    "  AND (name_key = lower($1) OR address = $2)) "
	    "SELECT count(*) FILTER (WHERE name_key = lower($1)), "
	    "  count(*) FILTER (WHERE address = $2), "
	    "  coalesce(ceil(extract(epoch FROM min(at) FILTER (WHERE name_key = lower($1)) "
	    "    + make_interval(secs => $3::int) - now())), 0)::int, "
	    "  coalesce(ceil(extract(epoch FROM min(at) FILTER (WHERE address = $2) "
	    "    + make_interval(secs => $3::int) - now())), 0)::int "
	    "FROM w", 3, 1 },
	[DB_LOGIN_FAIL_ADD] = {
	    "INSERT INTO accounts.login_failures (name_key, address) VALUES (lower($1), $2)",
	    2, 0 },
	[DB_LOGIN_FAIL_CLEAR] = {
	    "DELETE FROM accounts.login_failures WHERE name_key = lower($1)", 1, 1 },
};
