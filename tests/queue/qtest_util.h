/*
 * qtest_util.h - small helpers shared by the queue's test programs (not part
 * of the library): connection strings from a socket folder, one-value queries.
 */
#ifndef DEBATE_QTEST_UTIL_H
#define DEBATE_QTEST_UTIL_H

#include <libpq-fe.h>

/* "host=SOCK dbname=debate user=ROLE" into buf. */
void	 qt_conninfo(char *buf, size_t sz, const char *sock, const char *role);
/* Connect or exit(2) with a message. */
PGconn	*qt_connect(const char *conninfo);
/*
 * Run sql with up to 4 text parameters; return the first column of the first
 * row as a long (0 when there is no row), or exit(2) on a server error.
 */
long	 qt_long(PGconn *pg, const char *sql, const char *p1, const char *p2,
	    const char *p3, const char *p4);
/* Run sql without parameters; exit(2) on error. */
void	 qt_exec(PGconn *pg, const char *sql);
/* Monotonic milliseconds. */
long long qt_now_ms(void);
/* Sleep ms milliseconds. */
void	 qt_sleep_ms(int ms);

#endif
