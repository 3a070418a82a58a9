/*
 * q_listen.c - sleeping: workers wait on LISTEN for the NOTIFY an enqueuing
 * transaction sends at commit, and wake every sweep_ms anyway, both to
 * reclaim expired leases and in case a notification was lost.  Heartbeats run
 * from here too, so a worker that waits is a worker that heartbeats.
 */
#include "q_int.h"

#include <errno.h>
#include <poll.h>

int
q_worker_fd(struct q_worker *w)
{
	return q_connect(w) == 0 ? PQsocket(w->conn) : -1;
}

int
q_worker_next_ms(const struct q_worker *w)
{
	long long now = q_now_ms(), next;

	next = w->next_hb < w->next_sweep ? w->next_hb : w->next_sweep;
	return next <= now ? 0 : (int)(next - now);
}

/*
 * Read what arrived, heartbeat and sweep when due.  Returns 1 when jobs may be
 * waiting (a notification, a sweep, a new connection), 0 when not, -1 when
 * the database cannot be reached or a statement failed (w->err says which).
 */
int
q_worker_service(struct q_worker *w)
{
	PGnotify	*nf;
	long long	 now;
	int		 more = 0;

	if (q_connect(w) == -1)
		return -1;
	if (PQconsumeInput(w->conn) == 0) {
		q_seterr(w, "database connection lost", PQerrorMessage(w->conn));
		/* Try a new connection now; it sets w->wake. */
		if (q_connect(w) == -1)
			return -1;
	}
	while (w->conn != NULL && (nf = PQnotifies(w->conn)) != NULL) {
		more = 1;
		PQfreemem(nf);
	}
	now = q_now_ms();
	if (now >= w->next_hb && q_heartbeat(w) == -1)
		return -1;
	if (now >= w->next_sweep) {
		if (q_reclaim(w) == -1)
			return -1;
		more = 1;
	}
	if (w->wake) {
		w->wake = 0;
		more = 1;
	}
	return more;
}

int
q_worker_wait(struct q_worker *w, int timeout_ms)
{
	long long	 deadline = timeout_ms < 0 ? -1 : q_now_ms() + timeout_ms;
	struct pollfd	 pfd;
	int		 r, t;

	for (;;) {
		if ((r = q_worker_service(w)) != 0) {
			if (r == -1) {
				/* Do not let a caller spin on a database that is down. */
				t = timeout_ms >= 0 && timeout_ms < 250 ? timeout_ms : 250;
				poll(NULL, 0, t);
			}
			return r;
		}
		t = q_worker_next_ms(w);
		if (deadline >= 0) {
			long long left = deadline - q_now_ms();

			if (left <= 0)
				return 0;
			if (left < t)
				t = (int)left;
		}
		pfd.fd = q_worker_fd(w);
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (pfd.fd == -1)
			return -1;
		if (poll(&pfd, 1, t) == -1 && errno != EINTR) {
			q_seterr(w, "poll", "failed");
			return -1;
		}
	}
}
