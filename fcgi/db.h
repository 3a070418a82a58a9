/*
 * db.h - one PostgreSQL connection per process, with statements prepared once per
 * connection from the table in db_stmt.c.  No SQL is ever built from user values:
 * every value is a parameter.
 */
#ifndef DEBATE_DB_H
#define DEBATE_DB_H

#include <libpq-fe.h>

#include "conf.h"
#include "db_stmt.h"

enum db_role { DB_ROLE_ADMIN, DB_ROLE_WEB, DB_ROLE_BUILDER };

struct db;

/* A handle for `role`; nothing is connected yet.  Free with db_free (NULL ok). */
struct db	*db_new(const struct conf *c, enum db_role role);
void		 db_free(struct db *db);

/* Connect, or reconnect a broken connection.  0, or -1 with db_errmsg set. */
int		 db_ensure(struct db *db);

/*
 * Run statement s with text parameters (NULL entries are SQL NULL).  The
 * connection is (re)made first when needed; an idempotent statement whose
 * connection broke mid-flight is tried once more on a new connection.
 * Returns the result (caller PQclear()s it) when the server answered, even with
 * an error, or NULL when the database could not be reached (db_errmsg says why).
 */
PGresult	*db_exec(struct db *db, enum db_stmt s, const char *const *params);

/* True when res is a success (tuples or command ok). */
int		 db_ok(const PGresult *res);
/* The SQLSTATE of a failed result, "" when there is none. */
const char	*db_sqlstate(const PGresult *res);

const char	*db_errmsg(const struct db *db);
PGconn		*db_conn(struct db *db);	/* for migrations and LISTEN */

/* Build the libpq connection for `role` from c (for tools that need a raw PGconn). */
PGconn		*db_connect(const struct conf *c, enum db_role role);

#endif
