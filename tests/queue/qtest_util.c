/*
 * qtest_util.c - helpers for the queue's test programs.  Test programs may
 * print and exit; the library may not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "qtest_util.h"

void
qt_conninfo(char *buf, size_t sz, const char *sock, const char *role)
{
	snprintf(buf, sz, "host=%s dbname=debate user=%s connect_timeout=5", sock, role);
}

PGconn *
qt_connect(const char *conninfo)
{
	PGconn *pg = PQconnectdb(conninfo);

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "connect %s: %s", conninfo, PQerrorMessage(pg));
		exit(2);
	}
	return pg;
}

long
qt_long(PGconn *pg, const char *sql, const char *p1, const char *p2, const char *p3,
    const char *p4)
{
	const char	*p[4] = { p1, p2, p3, p4 };
	int		 n = p4 ? 4 : p3 ? 3 : p2 ? 2 : p1 ? 1 : 0;
	PGresult	*res = PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0);
	long		 v = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "query failed: %s\n%s", sql, PQresultErrorMessage(res));
		exit(2);
	}
	if (PQntuples(res) > 0 && PQnfields(res) > 0 && !PQgetisnull(res, 0, 0))
		v = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

void
qt_exec(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);

	if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "query failed: %s\n%s", sql, PQresultErrorMessage(res));
		exit(2);
	}
	PQclear(res);
}

void
qt_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

long long
qt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
