/*
 * q_enqueue.c - the producers' side: enqueue and cancel, on the caller's own
 * connection and in its transaction.  The statements are sent unprepared (we
 * cannot know what a connection we do not own has prepared, and a failed
 * EXECUTE would abort the caller's transaction), with every value a parameter.
 */
#include "q_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGresult *
exec_params(PGconn *pg, enum q_stmt s, const char *const *params)
{
	return PQexecParams(pg, q_stmts[s].sql, q_stmts[s].nparams, NULL, params,
	    NULL, NULL, 0);
}

static int
res_ok(const PGresult *res)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/*
 * Insert the job, or find the live job with its dedupe key.  When that job
 * finishes between our insert (which saw it) and our look-up (which does not),
 * the statement answers nothing and is simply sent again: its insert then goes
 * through.  Errors: bad spec, bad JSON/uuid (the server's message), no database.
 */
int
q_enqueue(PGconn *pg, const struct q_job_spec *spec, char *job_id_out,
    char *err, size_t errsz)
{
	char		 prio[16], nb[32], maxa[16];
	const char	*p[7];
	PGresult	*res = NULL;
	int		 rc = -1, tries;

	if (pg == NULL || spec == NULL || spec->kind == NULL || *spec->kind == '\0') {
		q_fmterr(err, errsz, "enqueue", "a job needs a kind");
		goto out;
	}
	if (spec->priority < -32768 || spec->priority > 32767 || spec->max_attempts < 0 ||
	    spec->max_attempts > 1000 || spec->not_before_ms < 0) {
		q_fmterr(err, errsz, "enqueue", "priority, max_attempts or not_before out of range");
		goto out;
	}
	snprintf(prio, sizeof(prio), "%d", spec->priority);
	snprintf(nb, sizeof(nb), "%lld", spec->not_before_ms);
	snprintf(maxa, sizeof(maxa), "%d",
	    spec->max_attempts > 0 ? spec->max_attempts : Q_DEFAULT_MAX_ATTEMPTS);
	p[0] = spec->kind;
	p[1] = spec->payload;
	p[2] = spec->account_id;
	p[3] = prio;
	p[4] = spec->not_before_ms > 0 ? nb : NULL;
	p[5] = maxa;
	p[6] = spec->dedupe_key;
	for (tries = 0; tries < 5; tries++) {
		PQclear(res);
		res = exec_params(pg, Q_ST_ENQUEUE, p);
		if (!res_ok(res)) {
			q_fmterr(err, errsz, "enqueue",
			    res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
			goto out;
		}
		if (PQntuples(res) == 1)
			break;
	}
	if (PQntuples(res) != 1) {
		q_fmterr(err, errsz, "enqueue", "the dedupe key kept changing hands");
		goto out;
	}
	if (job_id_out != NULL)
		snprintf(job_id_out, Q_JOB_ID_LEN, "%s", PQgetvalue(res, 0, 0));
	rc = atoi(PQgetvalue(res, 0, 1)) ? 1 : 0;
out:
	PQclear(res);
	return rc;
}

/*
 * Cancel: queued jobs at once, running ones by flag (their worker sees it in
 * its next heartbeat).  0 cancelled, 1 requested, 2 nothing to cancel, -1 error.
 */
int
q_cancel(PGconn *pg, const char *job_id, char *err, size_t errsz)
{
	const char	*p[1] = { job_id };
	PGresult	*res = NULL;
	int		 rc = -1;

	if (pg == NULL || job_id == NULL || *job_id == '\0' ||
	    strspn(job_id, "0123456789") != strlen(job_id) || strlen(job_id) > 19) {
		q_fmterr(err, errsz, "cancel", "not a job id");
		goto out;
	}
	res = exec_params(pg, Q_ST_CANCEL, p);
	if (!res_ok(res)) {
		q_fmterr(err, errsz, "cancel", res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
		goto out;
	}
	if (PQntuples(res) == 0)
		rc = 2;
	else
		rc = strcmp(PQgetvalue(res, 0, 0), "cancelled") == 0 ? 0 : 1;
out:
	PQclear(res);
	return rc;
}
