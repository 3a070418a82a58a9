/*
 * q_finish.c - the three ways a held job ends: completed, failed (retried or
 * dead), cancelled.  Each is fenced by (worker id, attempt): a worker whose
 * lease ran out and whose job was claimed again cannot finish it.
 */
#include "q_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Run a finishing statement s for job with extra parameters x[0..nx-1] after
 * (job, worker, attempt).  Returns 0 (done: the job is freed), 1 (not ours
 * any more: freed too) or -1 (no answer or an error: still held).
 */
static int
finish(struct q_worker *w, struct q_job *job, enum q_stmt s, const char *what,
    const char *const *x, int nx)
{
	char		 attempt[16];
	const char	*p[8];
	PGresult	*res = NULL;
	int		 i, rc = -1;

	snprintf(attempt, sizeof(attempt), "%d", job->attempt);
	p[0] = job->id;
	p[1] = w->id;
	p[2] = attempt;
	for (i = 0; i < nx && i < 5; i++)
		p[3 + i] = x[i];
	res = q_exec(w, s, p);
	if (!q_res_ok(w, res, what))
		goto out;
	rc = PQntuples(res) == 1 ? 0 : 1;
	if (rc == 1)
		q_seterr(w, what, "the job is no longer this worker's (lease expired)");
	q_job_release(w, job);
out:
	PQclear(res);
	return rc;
}

/*
 * Complete jobs[0..n-1] in one statement (one round trip, one commit).  Each
 * job is freed; the answer is how many were still ours, or -1 with all of
 * them still held.
 */
int
q_complete_many(struct q_worker *w, struct q_job **jobs, int n)
{
	char		*ids = NULL, *attempts = NULL;
	const char	*p[3];
	PGresult	*res = NULL;
	size_t		 li = 0, la = 0;
	int		 i, rc = -1;

	if (n <= 0)
		return 0;
	ids = malloc((size_t)n * Q_JOB_ID_LEN + 3);
	attempts = malloc((size_t)n * 12 + 3);
	if (ids == NULL || attempts == NULL) {
		q_seterr(w, "complete", "out of memory");
		goto out;
	}
	ids[li++] = attempts[la++] = '{';
	for (i = 0; i < n; i++) {
		li += (size_t)sprintf(ids + li, "%s%s", i ? "," : "", jobs[i]->id);
		la += (size_t)sprintf(attempts + la, "%s%d", i ? "," : "", jobs[i]->attempt);
	}
	ids[li++] = attempts[la++] = '}';
	ids[li] = attempts[la] = '\0';
	p[0] = ids;
	p[1] = w->id;
	p[2] = attempts;
	res = q_exec(w, Q_ST_COMPLETE, p);
	if (!q_res_ok(w, res, "complete"))
		goto out;
	rc = PQntuples(res);
	if (rc < n)
		q_seterr(w, "complete", "a job is no longer this worker's (lease expired)");
	for (i = 0; i < n; i++)
		q_job_release(w, jobs[i]);
out:
	PQclear(res);
	free(ids);
	free(attempts);
	return rc;
}

int
q_complete(struct q_worker *w, struct q_job *job)
{
	int r = q_complete_many(w, &job, 1);

	return r == -1 ? -1 : r == 1 ? 0 : 1;
}

int
q_fail(struct q_worker *w, struct q_job *job, const char *error)
{
	char		 base[16], max[16], prio[16];
	const char	*x[4];

	snprintf(base, sizeof(base), "%d", w->o.backoff_base_ms);
	snprintf(max, sizeof(max), "%d", w->o.backoff_max_ms);
	snprintf(prio, sizeof(prio), "%d", Q_PRIO_RETRY);
	x[0] = error ? error : "failed";
	x[1] = base;
	x[2] = max;
	x[3] = prio;
	return finish(w, job, Q_ST_FAIL, "fail", x, 4);
}

int
q_cancelled(struct q_worker *w, struct q_job *job)
{
	const char *x[1] = { "cancelled" };

	return finish(w, job, Q_ST_CANCEL_ACK, "cancel", x, 1);
}
