/*
 * qbench.c - the queue's side of `make bench` (tests/bench/queue/run).
 *
 * qbench burn SOCKET_DIR JOBS PROCS SLOTS
 *	Enqueue JOBS no-op jobs in one transaction, then time PROCS worker
 *	processes of SLOTS slots each (one connection per process, as the
 *	builder runs) until the queue is empty: each claims up to SLOTS jobs
 *	at once and, no-op jobs finishing together, completes them in one
 *	statement (q_complete_many).
 *	Prints "burn jobs=N seconds=S rate=R".
 *
 * qbench latency SOCKET_DIR SAMPLES SLOTS
 *	One worker process asleep on LISTEN; the parent enqueues one job at a
 *	time on an idle queue, with its enqueue time (CLOCK_MONOTONIC, shared by
 *	the processes) in the payload, and the worker reports now - that when it
 *	has claimed the job.  Prints "latency n=N p50_ms=A p99_ms=B".
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "q.h"

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "qbench: %s: %s\n", what, msg);
	exit(1);
}

static void
conninfo(char *buf, size_t sz, const char *sock, const char *role)
{
	snprintf(buf, sz, "host=%s dbname=debate user=%s", sock, role);
}

static PGconn *
connect_or_die(const char *ci)
{
	PGconn *pg = PQconnectdb(ci);

	if (PQstatus(pg) != CONNECTION_OK)
		die("connect", PQerrorMessage(pg));
	return pg;
}

static void
exec_or_die(PGconn *pg, const char *sql)
{
	PGresult *res = PQexec(pg, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		die(sql, PQerrorMessage(pg));
	PQclear(res);
}

static struct q_worker *
worker(const char *ci, int slots)
{
	struct q_worker_opts	 o;
	struct q_worker		*w;

	memset(&o, 0, sizeof(o));
	o.conninfo = ci;
	o.slots = slots;
	if ((w = q_worker_new(&o)) == NULL)
		die("worker", "bad options");
	return w;
}

/* One burn-down worker process: claim, complete, until nothing is left. */
static int
burn_worker(const char *ci, int slots, int out)
{
	struct q_worker	*w = worker(ci, slots);
	struct q_job	*jobs[64];
	long		 done = 0;
	int		 n;

	for (;;) {
		if (q_worker_wait(w, 0) == -1 || q_claim(w, slots, jobs, &n) == -1)
			die("burn", q_worker_errmsg(w));
		if (n == 0)
			break;
		/* No-op jobs all finish at once: complete them together. */
		if (q_complete_many(w, jobs, n) != n)
			die("complete", q_worker_errmsg(w));
		done += n;
	}
	q_worker_free(w);
	if (write(out, &done, sizeof(done)) != (ssize_t)sizeof(done))
		return 1;
	return 0;
}

static int
burn(const char *sock, int jobs, int procs, int slots)
{
	struct q_job_spec	 s;
	PGconn			*pg;
	char			 adm[256], ci[256], err[256];
	long long		 t0, t1;
	long			 got, total = 0;
	int			 i, p[2], status;

	conninfo(adm, sizeof(adm), sock, "debate");
	conninfo(ci, sizeof(ci), sock, "debate_builder");
	pg = connect_or_die(adm);
	exec_or_die(pg, "TRUNCATE builds.jobs, builds.job_events, builds.workers");
	t0 = now_ns();
	exec_or_die(pg, "BEGIN");
	memset(&s, 0, sizeof(s));
	s.kind = "noop";
	for (i = 0; i < jobs; i++) {
		if (q_enqueue(pg, &s, NULL, err, sizeof(err)) == -1)
			die("enqueue", err);
		if (i % 1000 == 999) {
			exec_or_die(pg, "COMMIT");
			exec_or_die(pg, "BEGIN");
		}
	}
	exec_or_die(pg, "COMMIT");
	exec_or_die(pg, "VACUUM ANALYZE builds.jobs");
	fprintf(stderr, "qbench: enqueued %d jobs in %.1f s\n", jobs, (now_ns() - t0) / 1e9);
	/* Children must not share (and PQfinish) the parent's connection. */
	PQfinish(pg);
	if (pipe(p) == -1)
		die("pipe", "failed");
	t0 = now_ns();
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid == -1)
			die("fork", "failed");
		if (pid == 0) {
			close(p[0]);
			_exit(burn_worker(ci, slots, p[1]));
		}
	}
	close(p[1]);
	while (read(p[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
		total += got;
	t1 = now_ns();
	for (i = 0; i < procs; i++)
		wait(&status);
	if (total != jobs)
		die("burn", "not every job was completed");
	printf("burn jobs=%d seconds=%.3f rate=%.1f\n", jobs, (t1 - t0) / 1e9,
	    jobs / ((t1 - t0) / 1e9));
	return 0;
}

/* The latency worker: asleep on LISTEN, reports enqueue-to-claim times. */
static int
latency_worker(const char *ci, int slots, int out)
{
	struct q_worker	*w = worker(ci, slots);
	struct q_job	*jobs[64];
	long long	 t0, lat;
	int		 i, n, r;

	if (q_worker_conn(w) == NULL)
		die("latency", q_worker_errmsg(w));
	q_worker_wait(w, 0);
	lat = 0;
	if (write(out, &lat, sizeof(lat)) != (ssize_t)sizeof(lat))	/* ready */
		return 1;
	for (;;) {
		if ((r = q_worker_wait(w, -1)) == -1)
			die("wait", q_worker_errmsg(w));
		if (q_claim(w, slots, jobs, &n) == -1)
			die("claim", q_worker_errmsg(w));
		for (i = 0; i < n; i++) {
			const char *p = strstr(jobs[i]->payload, "\"t0\":");

			lat = now_ns();
			t0 = p ? atoll(p + 5) : 0;
			if (q_complete(w, jobs[i]) != 0)
				die("complete", q_worker_errmsg(w));
			if (t0 == 0) {
				q_worker_free(w);
				return 0;
			}
			lat -= t0;
			if (write(out, &lat, sizeof(lat)) != (ssize_t)sizeof(lat))
				return 1;
		}
	}
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int
latency(const char *sock, int samples, int slots)
{
	struct q_job_spec	 s;
	struct timespec		 pause = { 0, 5 * 1000000L };
	PGconn			*pg;
	char			 adm[256], ci[256], err[256], payload[64];
	long long		*v, lat;
	int			 i, p[2], status;
	pid_t			 pid;

	conninfo(adm, sizeof(adm), sock, "debate");
	conninfo(ci, sizeof(ci), sock, "debate_builder");
	pg = connect_or_die(adm);
	exec_or_die(pg, "TRUNCATE builds.jobs, builds.job_events, builds.workers");
	PQfinish(pg);
	if ((v = calloc((size_t)samples, sizeof(*v))) == NULL || pipe(p) == -1)
		die("latency", "out of resources");
	if ((pid = fork()) == -1)
		die("fork", "failed");
	if (pid == 0) {
		close(p[0]);
		_exit(latency_worker(ci, slots, p[1]));
	}
	close(p[1]);
	/* Connected after the fork: the child must not share this connection. */
	pg = connect_or_die(adm);
	if (read(p[0], &lat, sizeof(lat)) != (ssize_t)sizeof(lat))
		die("latency", "the worker did not start");
	memset(&s, 0, sizeof(s));
	s.kind = "noop";
	s.payload = payload;
	for (i = 0; i < samples; i++) {
		nanosleep(&pause, NULL);	/* the worker is back asleep: an idle queue */
		snprintf(payload, sizeof(payload), "{\"t0\": %lld}", now_ns());
		if (q_enqueue(pg, &s, NULL, err, sizeof(err)) == -1)
			die("enqueue", err);
		if (read(p[0], &v[i], sizeof(v[i])) != (ssize_t)sizeof(v[i]))
			die("latency", "the worker died");
	}
	snprintf(payload, sizeof(payload), "{\"t0\": 0}");
	q_enqueue(pg, &s, NULL, err, sizeof(err));
	waitpid(pid, &status, 0);
	qsort(v, (size_t)samples, sizeof(*v), cmp_ll);
	printf("latency n=%d p50_ms=%.3f p99_ms=%.3f\n", samples, v[samples / 2] / 1e6,
	    v[(samples * 99 + 99) / 100 - 1] / 1e6);
	free(v);
	PQfinish(pg);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "burn") == 0)
		return burn(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 5 && strcmp(argv[1], "latency") == 0)
		return latency(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: qbench burn SOCKET_DIR JOBS PROCS SLOTS\n"
	    "       qbench latency SOCKET_DIR SAMPLES SLOTS\n");
	return 2;
}
