/*
 * q.h - the job queue: the only code that changes job state (builds.jobs).
 *
 * Two sides:
 *
 * - Producers (the web tier, debatectl) call q_enqueue() and q_cancel() on
 *   their own PGconn, inside their own transaction if they have one open: the
 *   job becomes visible, and the workers are woken, when that transaction
 *   commits.  These never print and never keep state; errors go to err.
 *
 * - Workers own a struct q_worker: one PGconn (made again after it is lost),
 *   LISTENing on the "debate_jobs" channel, a worker id host:pid:random, a
 *   lease length and a heartbeat interval.  A worker claims up to its free slots
 *   at once (q_claim), renews the leases of what it holds (q_heartbeat, run for
 *   it by q_worker_wait/q_worker_service when due) and finishes each job with
 *   q_complete, q_fail or q_cancelled.  Every worker also sweeps: jobs whose
 *   lease ran out (their worker died) go back to the queue.
 *
 * Errors: functions return 0 (or a documented positive value) on success and
 * -1 on error, with the message in q_worker_errmsg(w) or the caller's err
 * buffer.  Nothing here prints or exits.
 */
#ifndef DEBATE_Q_H
#define DEBATE_Q_H

#include <stddef.h>

#include <libpq-fe.h>

struct conf;

#define Q_CHANNEL		"debate_jobs"	/* the NOTIFY channel */
#define Q_JOB_ID_LEN		24		/* a job id as text, with its NUL */
#define Q_UUID_LEN		37
#define Q_WORKER_ID_LEN		128

/*
 * Priorities (higher first): interactive builds > retries > cache warming.  A
 * failed job is retried at min(its priority, Q_PRIO_RETRY), so a retry storm
 * never delays fresh interactive builds.  Any value in -32768..32767 is allowed.
 */
#define Q_PRIO_INTERACTIVE	100
#define Q_PRIO_RETRY		50
#define Q_PRIO_WARM		10

#define Q_DEFAULT_MAX_ATTEMPTS	5

/* What to enqueue.  Only kind is required; zero/NULL fields take defaults. */
struct q_job_spec {
	const char	*kind;		/* 1..64 bytes, e.g. "build" */
	const char	*payload;	/* JSON text; NULL means {} */
	const char	*account_id;	/* uuid text; NULL for system jobs */
	int		 priority;	/* Q_PRIO_*; 0 is the lowest default */
	long long	 not_before_ms;	/* Unix time in ms; 0 means now */
	int		 max_attempts;	/* 0 means Q_DEFAULT_MAX_ATTEMPTS */
	const char	*dedupe_key;	/* NULL for none; see q_enqueue */
};

/*
 * Enqueue one job on the caller's connection, in the caller's transaction when
 * one is open (then a failure aborts that transaction, as any failed statement
 * does).  When spec->dedupe_key names a job that is still queued or running,
 * nothing is inserted and that job's id is returned instead.
 * Writes the job id (decimal) to job_id_out (Q_JOB_ID_LEN bytes) when not NULL.
 * Returns 0 (new job), 1 (an existing job with that dedupe key), or -1 with
 * the reason in err.  Statements are sent unprepared (the connection is the
 * caller's), but always with parameters.
 */
int	 q_enqueue(PGconn *pg, const struct q_job_spec *spec, char *job_id_out,
	    char *err, size_t errsz);

/*
 * Cancel a job on the caller's connection.  A queued job is cancelled at once;
 * a running one is marked, and its worker learns it from its next heartbeat
 * (q_job.cancel_requested) and acknowledges with q_cancelled().
 * Returns 0 (cancelled), 1 (running: cancel requested), 2 (already finished or
 * no such job), -1 with the reason in err.
 */
int	 q_cancel(PGconn *pg, const char *job_id, char *err, size_t errsz);

/* A claimed job.  Owned by the worker: valid until it is finished (below). */
struct q_job {
	char		 id[Q_JOB_ID_LEN];
	char		*kind;
	char		*payload;		/* JSON text */
	char		 account_id[Q_UUID_LEN];	/* "" for system jobs */
	int		 priority;
	int		 attempt;		/* 1 on the first run */
	int		 max_attempts;
	/* Set by q_heartbeat: */
	int		 cancel_requested;	/* stop, then q_cancelled() */
	int		 lease_lost;		/* someone else may run it: stop, q_drop() */
	struct q_job	*next;			/* private */
};

struct q_worker_opts {
	/*
	 * Where to connect: a libpq connection string, or when it is NULL the
	 * [database] section of conf, as its builder role.  Either must outlive
	 * the worker.
	 */
	const char		*conninfo;
	const struct conf	*conf;
	int	 slots;			/* reported in builds.workers; default 1 */
	int	 lease_ms;		/* default 15000 */
	int	 heartbeat_ms;		/* default 5000; must be < lease_ms */
	int	 sweep_ms;		/* reclaim + poll without a NOTIFY; default 1000 */
	int	 backoff_base_ms;	/* first retry delay; default 10000 */
	int	 backoff_max_ms;	/* longest retry delay; default 3600000 */
};

struct q_worker;

/*
 * A new worker; nothing is connected yet (the first call that needs the
 * database connects).  Returns NULL when out of memory or when opts are
 * inconsistent (heartbeat_ms >= lease_ms, no conninfo and no conf).
 * Free with q_worker_free() (NULL is fine), which forgets held jobs: their
 * leases run out and other workers take them.
 */
struct q_worker	*q_worker_new(const struct q_worker_opts *opts);
void		 q_worker_free(struct q_worker *w);

const char	*q_worker_id(const struct q_worker *w);
const char	*q_worker_errmsg(const struct q_worker *w);

/*
 * The worker's connection, connected (and LISTENing) first if needed; NULL when
 * the database cannot be reached.  The caller may run its own transaction on it
 * around q_complete() (to commit a job's effects and its completion at once),
 * but must not leave one open across q_worker_wait() or q_heartbeat().
 */
PGconn		*q_worker_conn(struct q_worker *w);

/*
 * Claim up to max queued jobs that are due: highest priority first, then fair
 * across accounts, then oldest; rows locked by other claimers are skipped.
 * Stores pointers in jobs[0..*n-1] (owned by the worker, see struct q_job).
 * Returns 0 (also when nothing was claimed) or -1.
 */
int	 q_claim(struct q_worker *w, int max, struct q_job **jobs, int *n);

/*
 * Renew the lease of every held job and record the heartbeat in
 * builds.workers.  Sets cancel_requested on jobs someone cancelled and
 * lease_lost on jobs this worker no longer holds.  Returns the number of held
 * jobs that now have either flag set, or -1.
 */
int	 q_heartbeat(struct q_worker *w);

/*
 * Return jobs whose lease ran out to the queue (to dead when out of attempts,
 * to cancelled when a cancel was asked), and wake the workers.  Run by
 * q_worker_service() every sweep_ms.  Returns the number reclaimed, or -1.
 */
int	 q_reclaim(struct q_worker *w);

/*
 * Finish a held job.  Each returns 0 when done, 1 when the job was no longer
 * this worker's (its lease ran out and it was reclaimed: the caller must undo
 * or discard its effects), or -1 on error.  On 0 and 1 the job is freed; on -1
 * it stays held and the caller may try again or q_drop() it.
 *
 * q_complete  the job succeeded.  Inside the caller's transaction on
 *             q_worker_conn(), it commits with the caller's work.
 * q_fail      the job failed with `error` (copied, may be NULL): retried after
 *             min(backoff_max, backoff_base * 2^(attempt-1)) * (0.5 + rand/2),
 *             or moved to the dead letters after max_attempts.
 * q_cancelled the worker stopped a job whose cancel was requested.
 */
int	 q_complete(struct q_worker *w, struct q_job *job);
int	 q_fail(struct q_worker *w, struct q_job *job, const char *error);
int	 q_cancelled(struct q_worker *w, struct q_job *job);

/*
 * Complete jobs[0..n-1] at once, in one statement and one commit (a worker
 * whose slots finished together).  Every job is freed on success; returns how
 * many were still this worker's (the others' effects must be undone, as for
 * q_complete's 1), or -1 with all of them still held.
 */
int	 q_complete_many(struct q_worker *w, struct q_job **jobs, int n);

/* Forget a held job without telling the database (its lease will run out). */
void	 q_drop(struct q_worker *w, struct q_job *job);

/* Jobs held, as claimed and not yet finished or dropped. */
int	 q_held(const struct q_worker *w);

/*
 * For callers with their own poll loop: q_worker_fd() is the socket to watch
 * for reading (-1 when the database cannot be reached), q_worker_next_ms() the
 * longest the caller may sleep before calling q_worker_service() again.
 * q_worker_service() reads notifications and runs the heartbeat and the sweep
 * when due.  It returns 1 when jobs may be waiting (a NOTIFY, a sweep, a
 * reconnection), 0 when not, -1 on error (the database is unreachable; call
 * again later, it reconnects).
 */
int	 q_worker_fd(struct q_worker *w);
int	 q_worker_next_ms(const struct q_worker *w);
int	 q_worker_service(struct q_worker *w);

/*
 * Sleep until jobs may be waiting or timeout_ms passes (-1: no limit),
 * heartbeating and sweeping while asleep.  Returns 1 (try q_claim), 0 (timed
 * out) or -1 (database unreachable; the caller should back off and retry).
 */
int	 q_worker_wait(struct q_worker *w, int timeout_ms);

#endif
