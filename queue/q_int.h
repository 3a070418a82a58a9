/*
 * q_int.h - what the q_*.c files share and nobody else sees: the worker's
 * state, the statement table and the helpers around them.
 */
#ifndef DEBATE_Q_INT_H
#define DEBATE_Q_INT_H

#include "q.h"

/* Every statement the queue sends, indexed into q_stmts[] (q_stmt.c). */
enum q_stmt {
	Q_ST_ENQUEUE,		/* producers' connection, unprepared */
	Q_ST_CANCEL,		/* producers' connection, unprepared */
	Q_ST_CLAIM,
	Q_ST_HEARTBEAT,
	Q_ST_RECLAIM,
	Q_ST_COMPLETE,
	Q_ST_FAIL,
	Q_ST_CANCEL_ACK,
	Q_ST_NOTIFY,
	Q_ST__MAX
};

struct q_stmt_def {
	const char	*sql;
	int		 nparams;
	int		 idempotent;	/* safe to send again after a lost connection */
};

extern const struct q_stmt_def q_stmts[Q_ST__MAX];

struct q_worker {
	struct q_worker_opts	 o;		/* with defaults filled in */
	PGconn			*conn;
	unsigned char		 prepared[Q_ST__MAX];
	char			 id[Q_WORKER_ID_LEN];
	char			 host[64];
	char			 lease[32];	/* "N milliseconds", for $n::interval */
	struct q_job		*held;		/* claimed, not finished */
	int			 nheld;
	long long		 next_hb;	/* monotonic ms */
	long long		 next_sweep;
	int			 wake;		/* jobs may be waiting (reconnected) */
	char			 err[512];
};

/* Monotonic milliseconds. */
long long	 q_now_ms(void);

/* Set w->err to "what: message" (message trimmed of its newline). */
void		 q_seterr(struct q_worker *w, const char *what, const char *msg);
/* The same into a caller's buffer. */
void		 q_fmterr(char *err, size_t errsz, const char *what, const char *msg);

/* Connect (and LISTEN) when not connected.  0, or -1 with w->err set. */
int		 q_connect(struct q_worker *w);

/*
 * Run statement s on the worker's connection, prepared once per connection.
 * Returns the result when the server answered (the caller PQclear()s it and
 * checks it with q_res_ok), NULL with w->err set when the database could not be
 * reached.  An idempotent statement is sent once more on a new connection if
 * the old one broke, unless the caller had a transaction open.
 */
PGresult	*q_exec(struct q_worker *w, enum q_stmt s, const char *const *params);

/* True for a successful result; otherwise sets w->err from it (NULL ok). */
int		 q_res_ok(struct q_worker *w, const PGresult *res, const char *what);

/* Unlink job from the held list and free it. */
void		 q_job_release(struct q_worker *w, struct q_job *job);

#endif
