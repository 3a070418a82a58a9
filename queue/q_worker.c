/*
 * q_worker.c - a worker's handle: its identity, options, connection (made
 * again after it is lost, LISTENing on the queue channel) and the statement
 * runner the other q_*.c files use.
 */
#include "q_int.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

long long
q_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
q_fmterr(char *err, size_t errsz, const char *what, const char *msg)
{
	size_t n;

	if (err == NULL || errsz == 0)
		return;
	snprintf(err, errsz, "%s: %s", what, msg && *msg ? msg : "unknown error");
	n = strlen(err);
	while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
}

void
q_seterr(struct q_worker *w, const char *what, const char *msg)
{
	q_fmterr(w->err, sizeof(w->err), what, msg);
}

/*
 * A new worker with defaults filled in and a fresh id, host:pid:random (the
 * random part tells apart a restarted process that got the same pid).
 * Returns NULL on bad options or when out of memory; nothing is connected.
 */
struct q_worker *
q_worker_new(const struct q_worker_opts *opts)
{
	struct q_worker	*w;
	unsigned char	 r[4] = { 0 };

	if (opts == NULL || (opts->conninfo == NULL && opts->conf == NULL))
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->o = *opts;
	if (w->o.slots <= 0)
		w->o.slots = 1;
	if (w->o.lease_ms <= 0)
		w->o.lease_ms = 15000;
	if (w->o.heartbeat_ms <= 0)
		w->o.heartbeat_ms = w->o.lease_ms / 3 < 5000 ? w->o.lease_ms / 3 : 5000;
	if (w->o.sweep_ms <= 0)
		w->o.sweep_ms = 1000;
	if (w->o.backoff_base_ms <= 0)
		w->o.backoff_base_ms = 10000;
	if (w->o.backoff_max_ms <= 0)
		w->o.backoff_max_ms = 3600000;
	if (w->o.heartbeat_ms <= 0 || w->o.heartbeat_ms >= w->o.lease_ms) {
		free(w);
		return NULL;
	}
	if (gethostname(w->host, sizeof(w->host) - 1) == -1)
		snprintf(w->host, sizeof(w->host), "localhost");
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* Not secret, only distinct: the clock will do. */
		long long t = q_now_ms();

		memcpy(r, &t, sizeof(r));
	}
	snprintf(w->id, sizeof(w->id), "%s:%ld:%02x%02x%02x%02x", w->host, (long)getpid(),
	    r[0], r[1], r[2], r[3]);
	snprintf(w->lease, sizeof(w->lease), "%d milliseconds", w->o.lease_ms);
	/* Heartbeat (and register in builds.workers) on the first service. */
	w->next_hb = w->next_sweep = q_now_ms();
	return w;
}

void
q_worker_free(struct q_worker *w)
{
	if (w == NULL)
		return;
	while (w->held != NULL)
		q_job_release(w, w->held);
	if (w->conn != NULL)
		PQfinish(w->conn);
	free(w);
}

const char *
q_worker_id(const struct q_worker *w)
{
	return w->id;
}

const char *
q_worker_errmsg(const struct q_worker *w)
{
	return w->err;
}

int
q_held(const struct q_worker *w)
{
	return w->nheld;
}

/*
 * Make the connection when there is none or it broke, and LISTEN on it.  Any
 * notification may have been missed meanwhile, so a new connection sets
 * w->wake.  Returns 0, or -1 with w->err set (the connection is dropped).
 */
int
q_connect(struct q_worker *w)
{
	PGresult *res = NULL;
	int rc = -1;

	if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK)
		return 0;
	if (w->conn != NULL)
		PQfinish(w->conn);
	memset(w->prepared, 0, sizeof(w->prepared));
	w->conn = w->o.conninfo != NULL ? PQconnectdb(w->o.conninfo) :
	    db_connect(w->o.conf, DB_ROLE_BUILDER);
	if (w->conn == NULL || PQstatus(w->conn) != CONNECTION_OK) {
		q_seterr(w, "database connection failed",
		    w->conn ? PQerrorMessage(w->conn) : "out of memory");
		goto out;
	}
	res = PQexec(w->conn, "LISTEN " Q_CHANNEL);
	if (!q_res_ok(w, res, "listen"))
		goto out;
	w->wake = 1;
	rc = 0;
out:
	PQclear(res);
	if (rc == -1 && w->conn != NULL) {
		PQfinish(w->conn);
		w->conn = NULL;
	}
	return rc;
}

PGconn *
q_worker_conn(struct q_worker *w)
{
	return q_connect(w) == 0 ? w->conn : NULL;
}

int
q_res_ok(struct q_worker *w, const PGresult *res, const char *what)
{
	ExecStatusType st;

	if (res == NULL) {
		q_seterr(w, what, w->conn ? PQerrorMessage(w->conn) : "not connected");
		return 0;
	}
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return 1;
	q_seterr(w, what, PQresultErrorMessage(res));
	return 0;
}

/* Send s once on the current connection, preparing it first if needed. */
static PGresult *
exec_once(struct q_worker *w, enum q_stmt s, const char *const *params)
{
	char		 name[16];
	PGresult	*res;

	snprintf(name, sizeof(name), "q%d", (int)s);
	if (!w->prepared[s]) {
		res = PQprepare(w->conn, name, q_stmts[s].sql, q_stmts[s].nparams, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
			return res;
		PQclear(res);
		w->prepared[s] = 1;
	}
	return PQexecPrepared(w->conn, name, q_stmts[s].nparams, params, NULL, NULL, 0);
}

PGresult *
q_exec(struct q_worker *w, enum q_stmt s, const char *const *params)
{
	PGresult	*res = NULL;
	int		 attempt, in_tx;

	for (attempt = 0; attempt < 2; attempt++) {
		if (q_connect(w) == -1)
			return NULL;
		in_tx = PQtransactionStatus(w->conn) != PQTRANS_IDLE;
		res = exec_once(w, s, params);
		if (PQstatus(w->conn) == CONNECTION_OK)
			return res;
		/* The connection broke under us: the answer, if any, is not trusted. */
		q_seterr(w, "database connection lost", PQerrorMessage(w->conn));
		PQclear(res);
		res = NULL;
		/* A caller's transaction is gone with the connection: not ours to redo. */
		if (!q_stmts[s].idempotent || in_tx)
			break;
	}
	return res;
}

void
q_job_release(struct q_worker *w, struct q_job *job)
{
	struct q_job **pp;

	for (pp = &w->held; *pp != NULL; pp = &(*pp)->next)
		if (*pp == job) {
			*pp = job->next;
			w->nheld--;
			break;
		}
	free(job->kind);
	free(job->payload);
	free(job);
}

void
q_drop(struct q_worker *w, struct q_job *job)
{
	if (job != NULL)
		q_job_release(w, job);
}
