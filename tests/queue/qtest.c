/*
 * qtest.c - behaviour tests of the queue library against a real PostgreSQL
 * (started by tests/queue/suite): enqueue and dedupe, claim order (priority,
 * fairness, age), not-before, backoff and dead letters, cancel, leases and
 * reclaim, NOTIFY per transaction, views and grants.
 *
 * usage: qtest SOCKET_DIR.  Prints "ok - NAME" / "not ok - NAME" per test and
 * "N passed, M failed" last; exits 1 when a test failed.  Assertions are on
 * behaviour and on the database's own timestamps, never on wall-clock time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "q.h"
#include "qtest_util.h"

static PGconn	*adm, *web;
static char	 sock_ci[256], web_ci[256];
static int	 passed, failed, ok;

#define CHECK(c) do { if (!(c)) { printf("    %s:%d: check failed: %s\n", \
	__FILE__, __LINE__, #c); ok = 0; } } while (0)

static const char *ACCT_A = "aaaaaaaa-0000-4000-8000-000000000001";
static const char *ACCT_B = "bbbbbbbb-0000-4000-8000-000000000002";

static void
reset(void)
{
	qt_exec(adm, "TRUNCATE builds.jobs, builds.job_events, builds.workers RESTART IDENTITY");
}

static struct q_worker *
worker(int lease_ms, int hb_ms, int sweep_ms)
{
	struct q_worker_opts	 o;
	struct q_worker		*w;

	memset(&o, 0, sizeof(o));
	o.conninfo = sock_ci;
	o.slots = 8;
	o.lease_ms = lease_ms;
	o.heartbeat_ms = hb_ms;
	o.sweep_ms = sweep_ms;
	o.backoff_base_ms = 100;
	o.backoff_max_ms = 10000;
	if ((w = q_worker_new(&o)) == NULL) {
		fprintf(stderr, "q_worker_new failed\n");
		exit(2);
	}
	return w;
}

/* Enqueue on the web connection; id into out; returns q_enqueue's answer. */
static int
enq(const char *kind, int prio, const char *acct, const char *key, int maxa, char *out)
{
	struct q_job_spec	 s;
	char			 err[256];
	int			 r;

	memset(&s, 0, sizeof(s));
	s.kind = kind;
	s.priority = prio;
	s.account_id = acct;
	s.dedupe_key = key;
	s.max_attempts = maxa;
	if ((r = q_enqueue(web, &s, out, err, sizeof(err))) == -1)
		printf("    enqueue: %s\n", err);
	return r;
}

/* Claim exactly one job, waiting for it to become due; NULL if none came. */
static struct q_job *
claim_one(struct q_worker *w)
{
	struct q_job	*j[1];
	int		 n, i;

	for (i = 0; i < 300; i++) {
		if (q_claim(w, 1, j, &n) == -1) {
			printf("    claim: %s\n", q_worker_errmsg(w));
			return NULL;
		}
		if (n == 1)
			return j[0];
		qt_sleep_ms(20);
	}
	return NULL;
}

static long
jobl(const char *sql, const char *id)
{
	return qt_long(adm, sql, id, NULL, NULL, NULL);
}

static void
t_enqueue_dedupe(void)
{
	struct q_worker		*w = worker(5000, 1000, 60000);
	struct q_job		*j;
	struct q_job_spec	 s;
	char			 a[Q_JOB_ID_LEN], b[Q_JOB_ID_LEN], c[Q_JOB_ID_LEN], err[256];

	reset();
	CHECK(enq("build", Q_PRIO_INTERACTIVE, ACCT_A, "cfg-1", 0, a) == 0);
	CHECK(enq("build", Q_PRIO_INTERACTIVE, ACCT_A, "cfg-1", 0, b) == 1);
	CHECK(strcmp(a, b) == 0);
	CHECK(qt_long(adm, "SELECT count(*) FROM builds.jobs", NULL, NULL, NULL, NULL) == 1);
	CHECK(jobl("SELECT count(*) FROM builds.job_events WHERE job_id = $1::bigint"
	    " AND from_state IS NULL AND to_state = 'queued'", a) == 1);
	/* Still deduplicated while running; a new job once it finished. */
	CHECK((j = claim_one(w)) != NULL);
	CHECK(enq("build", Q_PRIO_INTERACTIVE, ACCT_A, "cfg-1", 0, b) == 1 && strcmp(a, b) == 0);
	if (j != NULL)
		CHECK(q_complete(w, j) == 0);
	CHECK(enq("build", Q_PRIO_INTERACTIVE, ACCT_A, "cfg-1", 0, c) == 0);
	CHECK(strcmp(a, c) != 0);
	/* Bad input is the server's error, in err. */
	memset(&s, 0, sizeof(s));
	s.kind = "build";
	s.account_id = "not-a-uuid";
	err[0] = '\0';
	CHECK(q_enqueue(web, &s, NULL, err, sizeof(err)) == -1 && strstr(err, "uuid") != NULL);
	s.account_id = NULL;
	s.payload = "{not json";
	CHECK(q_enqueue(web, &s, NULL, err, sizeof(err)) == -1);
	s.kind = NULL;
	CHECK(q_enqueue(web, &s, NULL, err, sizeof(err)) == -1);
	q_worker_free(w);
}

static void
t_priorities(void)
{
	struct q_worker	*w = worker(5000, 1000, 60000);
	struct q_job	*j;
	const char	*want[3] = { "interactive", "retry", "warm" };
	int		 i;

	reset();
	enq("warm", Q_PRIO_WARM, NULL, NULL, 0, NULL);
	enq("interactive", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 0, NULL);
	enq("retry", Q_PRIO_RETRY, ACCT_B, NULL, 0, NULL);
	for (i = 0; i < 3; i++) {
		CHECK((j = claim_one(w)) != NULL);
		if (j == NULL)
			break;
		CHECK(strcmp(j->kind, want[i]) == 0);
		q_complete(w, j);
	}
	q_worker_free(w);
}

static void
t_fairness(void)
{
	struct q_worker	*w = worker(5000, 1000, 60000);
	struct q_job	*j[8];
	char		 first[Q_JOB_ID_LEN], bid[Q_JOB_ID_LEN], id[Q_JOB_ID_LEN];
	int		 i, n, seen_b = 0;

	reset();
	for (i = 0; i < 100; i++)
		enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 0, i == 0 ? first : id);
	enq("build", Q_PRIO_INTERACTIVE, ACCT_B, NULL, 0, bid);
	/* B's one job is among the first two claimed, though 100 of A's are older. */
	CHECK(q_claim(w, 2, j, &n) == 0 && n == 2);
	for (i = 0; i < n; i++)
		seen_b |= strcmp(j[i]->id, bid) == 0;
	CHECK(seen_b);
	/* Within an account, oldest first. */
	CHECK(n == 2 && strcmp(j[0]->id, first) == 0);
	/* Several at once for a worker with free slots. */
	CHECK(q_claim(w, 8, j, &n) == 0 && n == 8);
	CHECK(q_held(w) == 10);
	q_worker_free(w);
}

static void
t_not_before(void)
{
	struct q_worker		*w = worker(5000, 1000, 60000);
	struct q_job_spec	 s;
	struct q_job		*j[2];
	char			 err[256], late[Q_JOB_ID_LEN], now[Q_JOB_ID_LEN];
	struct timespec		 ts;
	int			 n;

	reset();
	clock_gettime(CLOCK_REALTIME, &ts);
	memset(&s, 0, sizeof(s));
	s.kind = "warm";
	s.priority = Q_PRIO_INTERACTIVE;
	s.not_before_ms = (long long)ts.tv_sec * 1000 + 3600 * 1000;
	CHECK(q_enqueue(web, &s, late, err, sizeof(err)) == 0);
	enq("build", Q_PRIO_WARM, NULL, NULL, 0, now);
	CHECK(q_claim(w, 2, j, &n) == 0 && n == 1 && strcmp(j[0]->id, now) == 0);
	q_worker_free(w);
}

static void
t_backoff_dead(void)
{
	struct q_worker	*w = worker(5000, 1000, 60000);
	struct q_job	*j;
	PGresult	*res;
	const char	*p[1];
	char		 id[Q_JOB_ID_LEN], msg[32];
	double		 d, prev = 0;
	int		 i;

	reset();
	enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 4, id);
	for (i = 1; i <= 4; i++) {
		CHECK((j = claim_one(w)) != NULL);
		if (j == NULL)
			break;
		CHECK(j->attempt == i);
		/* Retries run below interactive builds, above cache warming. */
		CHECK(j->priority == (i == 1 ? Q_PRIO_INTERACTIVE : Q_PRIO_RETRY));
		snprintf(msg, sizeof(msg), "boom %d", i);
		CHECK(q_fail(w, j, msg) == 0);
	}
	CHECK(jobl("SELECT count(*) FROM builds.jobs WHERE id = $1::bigint AND state = 'dead'"
	    " AND attempts = 4 AND last_error = 'boom 4'", id) == 1);
	CHECK(jobl("SELECT count(*) FROM builds.dead_letters WHERE id = $1::bigint"
	    " AND last_error = 'boom 4'", id) == 1);
	/* Delays as the database computed them: within the formula, growing. */
	p[0] = id;
	res = PQexecParams(adm, "SELECT extract(epoch FROM run_at - at) * 1000, error"
	    " FROM builds.job_events WHERE job_id = $1::bigint AND from_state = 'running'"
	    " AND to_state = 'queued' ORDER BY id", 1, NULL, p, NULL, NULL, 0);
	CHECK(PQntuples(res) == 3);
	for (i = 0; i < PQntuples(res); i++) {
		double full = 100.0 * (1 << i);

		d = atof(PQgetvalue(res, i, 0));
		CHECK(d >= full / 2 - 0.01 && d <= full + 0.01);
		CHECK(d >= prev);
		snprintf(msg, sizeof(msg), "boom %d", i + 1);
		CHECK(strcmp(PQgetvalue(res, i, 1), msg) == 0);
		prev = d;
	}
	PQclear(res);
	/* The README's requeue: attempts start again at the original priority. */
	CHECK(jobl("SELECT builds.requeue($1::bigint)::int", id) == 1);
	CHECK(jobl("SELECT count(*) FROM builds.jobs WHERE id = $1::bigint AND state = 'queued'"
	    " AND attempts = 0 AND priority = 100", id) == 1);
	CHECK(jobl("SELECT count(*) FROM builds.job_events WHERE job_id = $1::bigint"
	    " AND from_state = 'dead' AND to_state = 'queued'", id) == 1);
	CHECK((j = claim_one(w)) != NULL && j->attempt == 1);
	q_worker_free(w);
}

static void
t_cancel(void)
{
	struct q_worker	*w = worker(2000, 500, 60000);
	struct q_job	*j, *js[1];
	char		 id[Q_JOB_ID_LEN], err[256];
	long		 before;
	int		 i, n, seen_at = -1;

	reset();
	/* Queued: cancelled at once, never claimed. */
	enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 0, id);
	CHECK(q_cancel(web, id, err, sizeof(err)) == 0);
	CHECK(q_cancel(web, id, err, sizeof(err)) == 2);
	CHECK(q_claim(w, 1, js, &n) == 0 && n == 0);
	/* Running: the worker learns it from its first heartbeat after the cancel. */
	enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 0, id);
	CHECK((j = claim_one(w)) != NULL);
	if (j == NULL)
		goto out;
	CHECK(q_cancel(web, id, err, sizeof(err)) == 1);
	CHECK(j->cancel_requested == 0);
	before = qt_long(adm, "SELECT coalesce(extract(epoch FROM max(last_heartbeat)) * 1e6, 0)::bigint"
	    " FROM builds.workers", NULL, NULL, NULL, NULL);
	for (i = 0; i < 400 && seen_at < 0; i++) {
		q_worker_wait(w, 20);
		if (qt_long(adm, "SELECT coalesce(extract(epoch FROM max(last_heartbeat)) * 1e6, 0)::bigint"
		    " FROM builds.workers", NULL, NULL, NULL, NULL) != before)
			seen_at = j->cancel_requested;
	}
	CHECK(seen_at == 1);
	CHECK(q_cancelled(w, j) == 0);
	CHECK(jobl("SELECT count(*) FROM builds.job_events WHERE job_id = $1::bigint"
	    " AND from_state = 'running' AND to_state = 'cancelled' AND worker_id IS NOT NULL", id) == 1);
	CHECK(q_cancel(web, id, err, sizeof(err)) == 2);
out:
	q_worker_free(w);
}

static void
t_lease(void)
{
	struct q_worker	*a = worker(1000, 250, 60000), *b = worker(1000, 250, 60000);
	struct q_job	*ja, *jb;
	char		 id[Q_JOB_ID_LEN], lease[64];
	PGresult	*res;
	const char	*p[1];
	long long	 until;
	int		 i, reclaimed = 0;

	reset();
	enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 0, id);
	CHECK((ja = claim_one(a)) != NULL);
	if (ja == NULL)
		goto out;
	/* For three lease lengths A heartbeats and B sweeps: never reclaimed. */
	until = qt_now_ms() + 3000;
	while (qt_now_ms() < until) {
		q_worker_wait(a, 50);
		reclaimed += q_reclaim(b);
	}
	CHECK(reclaimed == 0 && ja->lease_lost == 0);
	CHECK(jobl("SELECT count(*) FROM builds.jobs WHERE id = $1::bigint AND state = 'running'"
	    " AND attempts = 1", id) == 1);
	/* A stops heartbeating: B reclaims, only after A's last lease ran out. */
	p[0] = id;
	res = PQexecParams(adm, "SELECT lease_until FROM builds.jobs WHERE id = $1::bigint",
	    1, NULL, p, NULL, NULL, 0);
	snprintf(lease, sizeof(lease), "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	for (i = 0; i < 200 && reclaimed == 0; i++) {
		reclaimed = q_reclaim(b);
		if (reclaimed == 0)
			qt_sleep_ms(25);
	}
	CHECK(reclaimed == 1);
	CHECK(qt_long(adm, "SELECT count(*) FROM builds.job_events WHERE job_id = $1::bigint"
	    " AND from_state = 'running' AND to_state = 'queued' AND at >= $2::timestamptz"
	    " AND error LIKE 'lease expired%'", id, lease, NULL, NULL) == 1);
	/* B runs it again; A, fenced by its attempt number, cannot finish it. */
	CHECK((jb = claim_one(b)) != NULL && jb->attempt == 2);
	CHECK(q_heartbeat(a) == 1 && ja->lease_lost == 1);
	CHECK(q_complete(a, ja) == 1);
	if (jb != NULL)
		CHECK(q_complete(b, jb) == 0);
	CHECK(jobl("SELECT count(*) FROM builds.job_events WHERE job_id = $1::bigint"
	    " AND to_state = 'succeeded'", id) == 1);
	/* Out of attempts, an expired lease is a dead letter. */
	enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 1, id);
	CHECK((ja = claim_one(a)) != NULL);
	if (ja != NULL)
		q_drop(a, ja);
	for (i = 0, reclaimed = 0; i < 200 && reclaimed == 0; i++) {
		reclaimed = q_reclaim(b);
		if (reclaimed == 0)
			qt_sleep_ms(25);
	}
	CHECK(jobl("SELECT count(*) FROM builds.dead_letters WHERE id = $1::bigint"
	    " AND last_error LIKE 'lease expired%'", id) == 1);
	/* The attempt fences a worker against its own stale claim of a job. */
	enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 0, id);
	CHECK((ja = claim_one(a)) != NULL);
	for (i = 0, reclaimed = 0; i < 200 && reclaimed == 0; i++) {
		reclaimed = q_reclaim(a);
		if (reclaimed == 0)
			qt_sleep_ms(25);
	}
	CHECK((jb = claim_one(a)) != NULL && jb->attempt == 2);
	if (ja != NULL)
		CHECK(q_complete(a, ja) == 1);
	if (jb != NULL)
		CHECK(q_complete(a, jb) == 0);
out:
	q_worker_free(a);
	q_worker_free(b);
}

/* Notifications that arrive on pg within about ms milliseconds of quiet. */
static int
count_notifies(PGconn *pg, int ms)
{
	PGnotify	*nf;
	int		 n = 0, i;

	for (i = 0; i < ms / 10; i++) {
		PQconsumeInput(pg);
		while ((nf = PQnotifies(pg)) != NULL) {
			n++;
			PQfreemem(nf);
		}
		qt_sleep_ms(10);
	}
	return n;
}

static void
t_notify(void)
{
	PGconn		*l = qt_connect(sock_ci);
	struct q_worker	*w = worker(5000, 1000, 600000);
	int		 i;

	reset();
	qt_exec(l, "LISTEN " Q_CHANNEL);
	qt_exec(web, "BEGIN");
	for (i = 0; i < 50; i++)
		enq("warm", Q_PRIO_WARM, NULL, NULL, 0, NULL);
	CHECK(count_notifies(l, 100) == 0);	/* nothing before the commit */
	qt_exec(web, "COMMIT");
	CHECK(count_notifies(l, 300) == 1);	/* one per transaction */
	qt_exec(web, "BEGIN");
	enq("warm", Q_PRIO_WARM, NULL, NULL, 0, NULL);
	qt_exec(web, "ROLLBACK");
	CHECK(count_notifies(l, 200) == 0);
	CHECK(qt_long(adm, "SELECT count(*) FROM builds.jobs", NULL, NULL, NULL, NULL) == 50);
	/* A sleeping worker (its sweep an hour away) wakes on the NOTIFY. */
	q_worker_wait(w, 0);
	while (q_worker_wait(w, 0) == 1)
		;
	enq("build", Q_PRIO_INTERACTIVE, NULL, NULL, 0, NULL);
	CHECK(q_worker_wait(w, 20000) == 1);
	PQfinish(l);
	q_worker_free(w);
}

static void
t_views_grants(void)
{
	struct q_worker_opts	 o;
	struct q_worker		*w = worker(5000, 1000, 60000), *ww;
	struct q_job		*j[1];
	PGconn			*bld;
	PGresult		*res;
	char			 ci[256];
	int			 n;

	reset();
	enq("build", Q_PRIO_INTERACTIVE, ACCT_A, NULL, 0, NULL);
	enq("build", Q_PRIO_INTERACTIVE, ACCT_B, NULL, 0, NULL);
	enq("warm", Q_PRIO_WARM, NULL, NULL, 0, NULL);
	CHECK(q_heartbeat(w) == 0);
	CHECK(qt_long(adm, "SELECT sum(jobs) FROM builds.queue_overview WHERE state = 'queued'",
	    NULL, NULL, NULL, NULL) == 3);
	CHECK(qt_long(adm, "SELECT count(*) FROM builds.queue_overview WHERE state = 'queued'"
	    " AND oldest_waiting IS NOT NULL", NULL, NULL, NULL, NULL) == 2);
	CHECK(qt_long(adm, "SELECT count(*) FROM builds.worker_health WHERE worker_id = $1"
	    " AND alive", q_worker_id(w), NULL, NULL, NULL) == 1);
	/* The builder role does not enqueue; nobody writes the audit trail. */
	qt_conninfo(ci, sizeof(ci), PQhost(adm), "debate_builder");
	bld = qt_connect(ci);
	res = PQexec(bld, "INSERT INTO builds.jobs (kind) VALUES ('x')");
	CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR);
	PQclear(res);
	res = PQexec(web, "INSERT INTO builds.job_events (job_id, to_state, attempt) VALUES (1, 'x', 0)");
	CHECK(PQresultStatus(res) == PGRES_FATAL_ERROR);
	PQclear(res);
	/* The web role does not claim. */
	memset(&o, 0, sizeof(o));
	o.conninfo = web_ci;
	ww = q_worker_new(&o);
	CHECK(ww != NULL && q_claim(ww, 1, j, &n) == -1 &&
	    strstr(q_worker_errmsg(ww), "permission denied") != NULL);
	q_worker_free(ww);
	PQfinish(bld);
	q_worker_free(w);
}

static void
run(const char *name, void (*fn)(void))
{
	ok = 1;
	fn();
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

int
main(int argc, char **argv)
{
	char ci[256];

	if (argc != 2) {
		fprintf(stderr, "usage: qtest SOCKET_DIR\n");
		return 2;
	}
	qt_conninfo(ci, sizeof(ci), argv[1], "debate");
	adm = qt_connect(ci);
	qt_conninfo(web_ci, sizeof(web_ci), argv[1], "debate_web");
	web = qt_connect(web_ci);
	qt_conninfo(sock_ci, sizeof(sock_ci), argv[1], "debate_builder");
	run("enqueue returns the job id; a dedupe key returns the live job", t_enqueue_dedupe);
	run("claim order follows priority: interactive > retry > warm", t_priorities);
	run("fairness: B's one job is claimed among the first beside A's 100", t_fairness);
	run("a not-before job is not claimed early", t_not_before);
	run("backoff grows with jitter; dead letter after max attempts; requeue", t_backoff_dead);
	run("cancel: queued at once, running seen at the next heartbeat", t_cancel);
	run("lease: no reclaim while heartbeating, reclaim after expiry, fenced finish", t_lease);
	run("one NOTIFY per enqueuing transaction, none on rollback; worker wakes", t_notify);
	run("views and grants", t_views_grants);
	PQfinish(web);
	PQfinish(adm);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
