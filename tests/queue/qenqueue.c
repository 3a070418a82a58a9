/*
 * qenqueue.c - enqueue test jobs through q_enqueue, as the web role.
 *
 * usage: qenqueue SOCKET_DIR COUNT FIRST MS [PACE_MS]
 * Enqueues jobs "t-FIRST" .. "t-(FIRST+COUNT-1)" (their dedupe keys), payload
 * {"ms": MS or random 0..|MS| when MS < 0}.  Without PACE_MS all go in one
 * transaction; with it, one transaction per job, PACE_MS apart, retrying
 * through database restarts: a job whose enqueue's fate is unknown is looked
 * up by its key before it is sent again, so none is lost or doubled.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "q.h"
#include "qtest_util.h"

static int
exists(PGconn *pg, const char *key)
{
	const char	*p[1] = { key };
	PGresult	*res = PQexecParams(pg, "SELECT 1 FROM builds.jobs WHERE dedupe_key = $1",
			    1, NULL, p, NULL, NULL, 0);
	int		 r = PQresultStatus(res) != PGRES_TUPLES_OK ? -1 : PQntuples(res) > 0;

	PQclear(res);
	return r;
}

int
main(int argc, char **argv)
{
	struct q_job_spec	 s;
	PGconn			*pg;
	PGresult		*res;
	char			 ci[256], key[64], payload[64], err[512];
	int			 count, first, ms, pace, i, done, e;

	if (argc < 5) {
		fprintf(stderr, "usage: qenqueue SOCKET_DIR COUNT FIRST MS [PACE_MS]\n");
		return 2;
	}
	count = atoi(argv[2]);
	first = atoi(argv[3]);
	ms = atoi(argv[4]);
	pace = argc > 5 ? atoi(argv[5]) : -1;
	srand((unsigned)first);
	qt_conninfo(ci, sizeof(ci), argv[1], "debate_web");
	pg = qt_connect(ci);
	if (pace < 0)
		qt_exec(pg, "BEGIN");
	for (i = 0; i < count; i++) {
		memset(&s, 0, sizeof(s));
		snprintf(key, sizeof(key), "t-%d", first + i);
		snprintf(payload, sizeof(payload), "{\"ms\": %d}", ms >= 0 ? ms : rand() % (1 - ms));
		s.kind = "test";
		s.payload = payload;
		s.priority = Q_PRIO_INTERACTIVE;
		s.dedupe_key = key;
		s.max_attempts = 1000;
		for (done = 0; !done;) {
			if (q_enqueue(pg, &s, NULL, err, sizeof(err)) != -1) {
				done = 1;
				break;
			}
			if (pace < 0) {
				fprintf(stderr, "qenqueue: %s\n", err);
				return 1;
			}
			/* Lost the database: wait for it, then see what happened. */
			do {
				qt_sleep_ms(100);
				PQreset(pg);
			} while (PQstatus(pg) != CONNECTION_OK);
			if ((e = exists(pg, key)) == 1)
				done = 1;
		}
		if (pace > 0)
			qt_sleep_ms(pace);
	}
	if (pace < 0) {
		res = PQexec(pg, "COMMIT");
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			fprintf(stderr, "qenqueue: %s", PQerrorMessage(pg));
			return 1;
		}
		PQclear(res);
	}
	PQfinish(pg);
	return 0;
}
