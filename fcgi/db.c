/*
 * db.c - a process's PostgreSQL connection: connect by role, prepare each
 * statement once per connection, reconnect after the server went away.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct db {
	const struct conf *conf;
	enum db_role	 role;
	PGconn		*conn;
	unsigned char	 prepared[DB_STMT__MAX];
	char		 err[256];
};

static const char *
role_user(const struct conf *c, enum db_role role)
{
	switch (role) {
	case DB_ROLE_ADMIN: return c->db_admin_user;
	case DB_ROLE_WEB: return c->db_web_user;
	case DB_ROLE_BUILDER: return c->db_builder_user;
	}
	return c->db_web_user;
}

/* A new connection (caller PQfinish()es it, also on failure). */
PGconn *
db_connect(const struct conf *c, enum db_role role)
{
	char		 port[16], timeout[16];
	const char	*kw[] = { "host", "port", "dbname", "user", "connect_timeout",
			    "application_name", NULL };
	const char	*val[7];

	snprintf(port, sizeof(port), "%d", c->db_port);
	snprintf(timeout, sizeof(timeout), "%d", c->db_connect_timeout);
	val[0] = c->db_host;
	val[1] = port;
	val[2] = c->db_name;
	val[3] = role_user(c, role);
	val[4] = timeout;
	val[5] = role == DB_ROLE_WEB ? "debate-fcgi" :
	    role == DB_ROLE_BUILDER ? "debate-builder" : "debatectl";
	val[6] = NULL;
	return PQconnectdbParams(kw, val, 0);
}

struct db *
db_new(const struct conf *c, enum db_role role)
{
	struct db *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	db->conf = c;
	db->role = role;
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	if (db->conn != NULL)
		PQfinish(db->conn);
	free(db);
}

static void
set_err(struct db *db, const char *what)
{
	const char *m = db->conn ? PQerrorMessage(db->conn) : "";
	size_t n;

	snprintf(db->err, sizeof(db->err), "%s: %s", what, *m ? m : "unknown error");
	n = strlen(db->err);
	while (n > 0 && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = '\0';
}

int
db_ensure(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	if (db->conn != NULL)
		PQfinish(db->conn);
	memset(db->prepared, 0, sizeof(db->prepared));
	db->conn = db_connect(db->conf, db->role);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		set_err(db, "database connection failed");
		return -1;
	}
	return 0;
}

/* Send s once on the current connection, preparing it first if needed. */
static PGresult *
exec_once(struct db *db, enum db_stmt s, const char *const *params)
{
	char		 name[16];
	PGresult	*res;

	snprintf(name, sizeof(name), "s%d", (int)s);
	if (!db->prepared[s]) {
		res = PQprepare(db->conn, name, db_stmts[s].sql, db_stmts[s].nparams, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		db->prepared[s] = 1;
	}
	return PQexecPrepared(db->conn, name, db_stmts[s].nparams, params, NULL, NULL, 0);
}

PGresult *
db_exec(struct db *db, enum db_stmt s, const char *const *params)
{
	PGresult	*res = NULL;
	int		 attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (db_ensure(db) == -1)
			return NULL;
		res = exec_once(db, s, params);
		if (PQstatus(db->conn) == CONNECTION_OK)
			return res;
		/* The connection broke under us: the answer, if any, is not trusted. */
		set_err(db, "database connection lost");
		PQclear(res);
		res = NULL;
		if (!db_stmts[s].idempotent)
			break;
	}
	return res;
}

int
db_ok(const PGresult *res)
{
	ExecStatusType st;

	if (res == NULL)
		return 0;
	st = PQresultStatus(res);
	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

const char *
db_sqlstate(const PGresult *res)
{
	const char *s = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	return s ? s : "";
}

const char *
db_errmsg(const struct db *db)
{
	return db->err;
}

PGconn *
db_conn(struct db *db)
{
	return db_ensure(db) == 0 ? db->conn : NULL;
}
