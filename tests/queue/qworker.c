/*
 * qworker.c - a worker process for the fault tests: claims jobs into its
 * slots, "runs" each for the milliseconds its payload names (see job_ms), and
 * completes it in one transaction with a row in qtest.done, so that a job's
 * effect and its completion commit together or not at all.  Killed with
 * SIGKILL by the suite; survives PostgreSQL restarts by retrying.
 *
 * usage: qworker SOCKET_DIR SLOTS LEASE_MS HEARTBEAT_MS [idle-exit]
 * With idle-exit it ends when the queue has nothing left for it.  It prints its
 * worker id first, then one line per database error (to stderr).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "q.h"
#include "qtest_util.h"

#define MAX_SLOTS 64

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

struct slot {
	struct q_job	*job;
	long long	 due;	/* monotonic ms when the job is "done" */
};

/*
 * The job's run time from its payload, {"ms": N}, or {"first_ms": N} on its
 * first attempt when present (a job that hangs until its worker is killed).
 */
static int
job_ms(const struct q_job *j)
{
	const char *p = strstr(j->payload, "\"first_ms\":");

	if (p != NULL && j->attempt == 1)
		return atoi(p + 11);
	p = strstr(j->payload, "\"ms\":");
	return p ? atoi(p + 5) : 0;
}

static int
sql_ok(PGconn *pg, const char *sql, const char *p1, const char *p2, const char *p3)
{
	const char	*p[3] = { p1, p2, p3 };
	PGresult	*res = PQexecParams(pg, sql, p1 ? 3 : 0, NULL, p, NULL, NULL, 0);
	int		 ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
			    PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "qworker: %s", PQerrorMessage(pg));
	PQclear(res);
	return ok;
}

/*
 * Finish one job: its effect (a row in qtest.done) and q_complete in one
 * transaction.  Whatever goes wrong, the job is let go: if the completion did
 * not commit, its lease runs out and another worker runs it.
 */
static void
finish(struct q_worker *w, struct q_job *j)
{
	PGconn	*pg = q_worker_conn(w);
	char	 attempt[16];
	int	 r;

	if (pg == NULL || !sql_ok(pg, "BEGIN", NULL, NULL, NULL)) {
		q_drop(w, j);
		return;
	}
	snprintf(attempt, sizeof(attempt), "%d", j->attempt);
	if (!sql_ok(pg, "INSERT INTO qtest.done (job_id, worker_id, attempt)"
	    " VALUES ($1::bigint, $2, $3::int)", j->id, q_worker_id(w), attempt)) {
		sql_ok(pg, "ROLLBACK", NULL, NULL, NULL);
		q_drop(w, j);
		return;
	}
	r = q_complete(w, j);		/* 0 and 1 free j */
	if (r == -1)
		q_drop(w, j);
	if (r != 0) {
		sql_ok(pg, "ROLLBACK", NULL, NULL, NULL);
		return;
	}
	sql_ok(pg, "COMMIT", NULL, NULL, NULL);
}

int
main(int argc, char **argv)
{
	struct q_worker_opts	 o;
	struct q_worker		*w;
	struct slot		 s[MAX_SLOTS];
	struct q_job		*got[MAX_SLOTS];
	char			 ci[256];
	long long		 now, next;
	int			 slots, i, n, claimed, busy, idle_exit, r, idle_rounds = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: qworker SOCKET_DIR SLOTS LEASE_MS HEARTBEAT_MS [idle-exit]\n");
		return 2;
	}
	slots = atoi(argv[2]);
	if (slots < 1 || slots > MAX_SLOTS)
		return 2;
	idle_exit = argc > 5 && strcmp(argv[5], "idle-exit") == 0;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	qt_conninfo(ci, sizeof(ci), argv[1], "debate_builder");
	memset(&o, 0, sizeof(o));
	o.conninfo = ci;
	o.slots = slots;
	o.lease_ms = atoi(argv[3]);
	o.heartbeat_ms = atoi(argv[4]);
	o.sweep_ms = 250;
	o.backoff_base_ms = 100;
	if ((w = q_worker_new(&o)) == NULL)
		return 2;
	printf("%s\n", q_worker_id(w));
	fflush(stdout);
	memset(s, 0, sizeof(s));
	while (!stop) {
		/* Finish what is due; let go of what was cancelled or lost. */
		now = qt_now_ms();
		for (i = busy = 0; i < slots; i++) {
			if (s[i].job == NULL)
				continue;
			if (s[i].job->lease_lost) {
				q_drop(w, s[i].job);
				s[i].job = NULL;
			} else if (s[i].job->cancel_requested) {
				if (q_cancelled(w, s[i].job) == -1)
					q_drop(w, s[i].job);
				s[i].job = NULL;
			} else if (s[i].due <= now) {
				finish(w, s[i].job);
				s[i].job = NULL;
			} else
				busy++;
		}
		/* Fill free slots. */
		n = 0;
		if (busy < slots && q_claim(w, slots - busy, got, &n) == -1)
			fprintf(stderr, "qworker: %s\n", q_worker_errmsg(w));
		claimed = n;
		for (i = 0; i < slots && n > 0; i++)
			if (s[i].job == NULL) {
				s[i].job = got[--n];
				s[i].due = qt_now_ms() + job_ms(s[i].job);
				busy++;
			}
		if (idle_exit && busy == 0 && claimed == 0) {
			if (++idle_rounds > 3)
				break;
		} else
			idle_rounds = 0;
		/* Sleep until a job is due, a NOTIFY, a heartbeat or a sweep. */
		next = -1;
		for (i = 0; i < slots; i++)
			if (s[i].job != NULL && (next == -1 || s[i].due < next))
				next = s[i].due;
		now = qt_now_ms();
		r = q_worker_wait(w, next == -1 ? 1000 : next > now ? (int)(next - now) : 0);
		if (r == -1)
			fprintf(stderr, "qworker: %s\n", q_worker_errmsg(w));
	}
	q_worker_free(w);
	return 0;
}
