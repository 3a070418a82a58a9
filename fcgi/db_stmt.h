/*
 * db_stmt.h - every SQL statement the programs run, by name.  The SQL lives in
 * db_stmt.c, indexed by this enum.
 */
#ifndef DEBATE_DB_STMT_H
#define DEBATE_DB_STMT_H

enum db_stmt {
	DB_PING,
	DB_USER_INSERT,
	DB_USER_BY_NAME,
	DB_SESSION_INSERT,
	DB_SESSION_LOOKUP,
	DB_SESSION_DELETE,
	DB_LOGIN_THROTTLE,
	DB_LOGIN_FAIL_ADD,
	DB_LOGIN_FAIL_CLEAR,
	DB_STMT__MAX
};

struct db_stmt_def {
	const char	*sql;
	int		 nparams;
	int		 idempotent;	/* safe to send again after a lost connection */
};

extern const struct db_stmt_def db_stmts[DB_STMT__MAX];

#endif
