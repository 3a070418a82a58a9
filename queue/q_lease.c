/*
 * q_lease.c - leases: the heartbeat that renews a worker's leases (and tells
 * it about cancels and lost jobs), and the sweep that returns the jobs of dead
 * workers to the queue.  Only the database clock decides whether a lease ran
 * out, so workers' clocks do not matter.
 */
#include "q_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "{id,id,...}" of the held jobs; caller frees; NULL when out of memory. */
static char *
held_ids(const struct q_worker *w)
{
	const struct q_job	*j;
	char			*s;
	size_t			 len = 0;

	if ((s = malloc((size_t)w->nheld * Q_JOB_ID_LEN + 3)) == NULL)
		return NULL;
	s[len++] = '{';
	for (j = w->held; j != NULL; j = j->next)
		len += (size_t)sprintf(s + len, "%s%s", j == w->held ? "" : ",", j->id);
	s[len++] = '}';
	s[len] = '\0';
	return s;
}

/*
 * Renew every held lease in one statement and record the heartbeat (see q.h).
 * A held job missing from the answer, or back with another attempt number, was
 * reclaimed from us: it is marked lease_lost.
 */
int
q_heartbeat(struct q_worker *w)
{
	char		 pid[16], slots[16], lease_ms[16], running[16];
	char		*ids = NULL;
	const char	*p[8];
	PGresult	*res = NULL;
	struct q_job	*j;
	int		 i, found, rc = -1;

	w->next_hb = q_now_ms() + w->o.heartbeat_ms;
	if ((ids = held_ids(w)) == NULL) {
		q_seterr(w, "heartbeat", "out of memory");
		goto out;
	}
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(slots, sizeof(slots), "%d", w->o.slots);
	snprintf(lease_ms, sizeof(lease_ms), "%d", w->o.lease_ms);
	snprintf(running, sizeof(running), "%d", w->nheld);
	p[0] = w->id;
	p[1] = w->lease;
	p[2] = ids;
	p[3] = w->host;
	p[4] = pid;
	p[5] = slots;
	p[6] = lease_ms;
	p[7] = running;
	res = q_exec(w, Q_ST_HEARTBEAT, p);
	if (!q_res_ok(w, res, "heartbeat"))
		goto out;
	rc = 0;
	for (j = w->held; j != NULL; j = j->next) {
		found = 0;
		for (i = 0; i < PQntuples(res); i++) {
			if (strcmp(PQgetvalue(res, i, 0), j->id) != 0)
				continue;
			if (atoi(PQgetvalue(res, i, 1)) == j->attempt) {
				found = 1;
				if (strcmp(PQgetvalue(res, i, 2), "t") == 0)
					j->cancel_requested = 1;
			}
			break;
		}
		if (!found)
			j->lease_lost = 1;
		if (j->cancel_requested || j->lease_lost)
			rc++;
	}
out:
	PQclear(res);
	free(ids);
	return rc;
}

/*
 * The sweep: reclaim expired leases (see q.h).  When any job went back to the
 * queue, NOTIFY so that idle workers, not only this one, take it.
 */
int
q_reclaim(struct q_worker *w)
{
	PGresult	*res = NULL;
	int		 rc = -1;

	w->next_sweep = q_now_ms() + w->o.sweep_ms;
	res = q_exec(w, Q_ST_RECLAIM, NULL);
	if (!q_res_ok(w, res, "reclaim") || PQntuples(res) != 1)
		goto out;
	rc = atoi(PQgetvalue(res, 0, 0));
	if (atoi(PQgetvalue(res, 0, 1)) > 0) {
		PQclear(res);
		res = q_exec(w, Q_ST_NOTIFY, NULL);
		if (!q_res_ok(w, res, "notify"))
			rc = -1;
	}
out:
	PQclear(res);
	return rc;
}
