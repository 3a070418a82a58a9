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
	DB_PKG_GET,
	DB_GROUPS,
	DB_GROUP_GET,
	DB_REPO_CHECKSUMS,
	DB_CFG_CREATE,
	DB_CFG_UPDATE,
	DB_CFG_HEAD,
	DB_CFG_GET,
	DB_CFG_LIST,
	DB_CFG_DELETE,
	DB_CFG_REVISIONS,
	DB_CFG_DOCS,
	DB_CFG_EFFECTIVE,
	DB_CFG_SHARE_SET,
	DB_CFG_SHARE_CLEAR,
	DB_CFG_SHARED_GET,
	DB_CFG_FORK,
	DB_BUILD_SOURCE,
	DB_BUILD_FIND,
	DB_BUILD_LIMITS,
	DB_BUILD_INSERT,
	DB_BUILD_SET_JOB,
	DB_REQUEST_ADD,
	DB_BUILD_GET,
	DB_BUILD_LIST,
	DB_BUILD_CANCEL_INFO,
	DB_REQUEST_DELETE,
	DB_BUILD_CANCEL_QUEUED,
	DB_PROGRESS_ADD,
	DB_PROGRESS_AFTER,
	DB_BUILD_ARTIFACT,
	DB_STMT__MAX
};

struct db_stmt_def {
	const char	*sql;
	int		 nparams;
	int		 idempotent;	/* safe to send again after a lost connection */
};

extern const struct db_stmt_def db_stmts[DB_STMT__MAX];

#endif
