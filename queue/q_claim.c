/*
 * q_claim.c - take due jobs for a worker's free slots in one statement.
 */
#include "q_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A q_job from row i of a claim result; NULL when out of memory. */
static struct q_job *
job_from_row(const PGresult *res, int i)
{
	struct q_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	snprintf(j->id, sizeof(j->id), "%s", PQgetvalue(res, i, 0));
	j->kind = strdup(PQgetvalue(res, i, 1));
	j->payload = strdup(PQgetvalue(res, i, 2));
	snprintf(j->account_id, sizeof(j->account_id), "%s", PQgetvalue(res, i, 3));
	j->priority = atoi(PQgetvalue(res, i, 4));
	j->attempt = atoi(PQgetvalue(res, i, 5));
	j->max_attempts = atoi(PQgetvalue(res, i, 6));
	if (j->kind == NULL || j->payload == NULL) {
		free(j->kind);
		free(j->payload);
		free(j);
		return NULL;
	}
	return j;
}

/*
 * Claim up to max jobs (see q.h).  The claim is one statement, so a lost
 * connection leaves either nothing claimed or jobs we never heard of; those
 * are reclaimed when their lease runs out.  Out of memory after the claim is
 * handled the same way: the job is simply not held.
 */
int
q_claim(struct q_worker *w, int max, struct q_job **jobs, int *n)
{
	char		 lim[16];
	const char	*p[3];
	PGresult	*res = NULL;
	struct q_job	*j;
	int		 i, rc = -1;

	*n = 0;
	if (max <= 0)
		return 0;
	snprintf(lim, sizeof(lim), "%d", max);
	p[0] = w->id;
	p[1] = lim;
	p[2] = w->lease;
	res = q_exec(w, Q_ST_CLAIM, p);
	if (!q_res_ok(w, res, "claim"))
		goto out;
	for (i = 0; i < PQntuples(res) && *n < max; i++) {
		if ((j = job_from_row(res, i)) == NULL) {
			q_seterr(w, "claim", "out of memory");
			continue;
		}
		j->next = w->held;
		w->held = j;
		w->nheld++;
		jobs[(*n)++] = j;
	}
	rc = 0;
out:
	PQclear(res);
	return rc;
}
