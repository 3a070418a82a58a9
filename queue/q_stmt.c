/*
 * q_stmt.c - the SQL of every queue statement, indexed by enum q_stmt.
 * Values are always parameters ($n), never part of the text.
 */
#include "q_int.h"

/* The terminal states a failing or expiring job may reach, as one expression. */
#define Q_FINAL "(cancel_requested OR attempts >= max_attempts)"

const struct q_stmt_def q_stmts[Q_ST__MAX] = {
	/*
	 * $1 kind, $2 payload (JSON text or NULL), $3 account (uuid or NULL),
	 * $4 priority, $5 not-before (Unix ms or NULL), $6 max attempts,
	 * $7 dedupe key (or NULL).  Answers (id, 0) for a new job, (id, 1) for the
	 * live job holding the dedupe key, nothing when that job finished between
	 * the insert and the look-up (the caller asks again).  The insert fires
	 * the statement trigger that NOTIFYs the workers at commit.
	 */
	[Q_ST_ENQUEUE] = {
	    "WITH ins AS ("
	    " INSERT INTO builds.jobs (kind, payload, account_id, priority, base_priority,"
	    "  fair_seq, run_at, max_attempts, dedupe_key)"
	    " VALUES ($1, coalesce($2::jsonb, '{}'), $3::uuid, $4::smallint, $4::smallint,"
	    "  builds.job_fair_seq($3::uuid, $4::smallint),"
	    "  coalesce(to_timestamp($5::bigint / 1000.0), now()), $6::int, $7::text)"
	    " ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL"
	    "  AND state IN ('queued', 'running') DO NOTHING"
	    " RETURNING id) "
	    "SELECT id, 0 FROM ins "
	    "UNION ALL "
	    "SELECT id, 1 FROM builds.jobs WHERE $7::text IS NOT NULL AND dedupe_key = $7::text"
	    " AND state IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM ins)",
	    7, 0 },

	/* $1 job id.  Answers the state after: cancelled, or running (asked). */
	[Q_ST_CANCEL] = {
	    "UPDATE builds.jobs SET"
	    " state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,"
	    " cancel_requested = (state = 'running'),"
	    " finished_at = CASE WHEN state = 'queued' THEN now() ELSE finished_at END "
	    "WHERE id = $1::bigint AND state IN ('queued', 'running') RETURNING state",
	    1, 0 },

	/*
	 * $1 worker id, $2 how many, $3 lease (interval).  The claim order is the
	 * jobs_claim index: priority, fair round, then age; SKIP LOCKED lets
	 * concurrent claimers take the next rows instead of waiting.
	 */
	[Q_ST_CLAIM] = {
	    "WITH c AS ("
	    " SELECT id FROM builds.jobs WHERE state = 'queued' AND run_at <= now()"
	    " ORDER BY priority DESC, fair_seq, run_at, id LIMIT $2::int"
	    " FOR UPDATE SKIP LOCKED), "
	    "u AS ("
	    " UPDATE builds.jobs j SET state = 'running', worker_id = $1::text,"
	    "  attempts = j.attempts + 1, lease_until = now() + $3::interval, started_at = now()"
	    " FROM c WHERE j.id = c.id"
	    " RETURNING j.id, j.kind, j.payload::text, coalesce(j.account_id::text, ''),"
	    "  j.priority, j.attempts, j.max_attempts, j.fair_seq, j.run_at) "
	    "SELECT id, kind, payload, coalesce, priority, attempts, max_attempts FROM u"
	    " ORDER BY priority DESC, fair_seq, run_at, id",
	    3, 0 },

	/*
	 * $1 worker id, $2 lease (interval), $3 held job ids (bigint[] literal),
	 * $4 host, $5 pid, $6 slots, $7 lease in ms, $8 jobs held.  Answers the
	 * held jobs still ours, with their cancel flag; missing ones were lost.
	 */
	[Q_ST_HEARTBEAT] = {
	    "WITH w AS ("
	    " INSERT INTO builds.workers (worker_id, host, pid, slots, lease_ms, running)"
	    " VALUES ($1::text, $4, $5::int, $6::int, $7::int, $8::int)"
	    " ON CONFLICT (worker_id) DO UPDATE SET last_heartbeat = now(),"
	    "  slots = EXCLUDED.slots, lease_ms = EXCLUDED.lease_ms, running = EXCLUDED.running) "
	    "UPDATE builds.jobs SET lease_until = now() + $2::interval"
	    " WHERE id = ANY($3::bigint[]) AND worker_id = $1::text AND state = 'running'"
	    " RETURNING id, attempts, cancel_requested",
	    8, 1 },

	/*
	 * No parameters.  Jobs whose lease ran out: back to the queue at once
	 * (same priority and round: it was not the job's fault), or dead/cancelled.
	 * Answers how many were reclaimed and how many of those were queued.
	 */
	[Q_ST_RECLAIM] = {
	    "WITH x AS ("
	    " SELECT id FROM builds.jobs WHERE state = 'running' AND lease_until < now()"
	    " FOR UPDATE SKIP LOCKED), "
	    "u AS ("
	    " UPDATE builds.jobs j SET"
	    "  state = CASE WHEN j.cancel_requested THEN 'cancelled'"
	    "   WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE 'queued' END,"
	    "  last_error = 'lease expired (worker ' || j.worker_id || ')',"
	    "  worker_id = CASE WHEN j.cancel_requested OR j.attempts >= j.max_attempts"
	    "   THEN j.worker_id END,"
	    "  lease_until = NULL, run_at = now(),"
	    "  finished_at = CASE WHEN j.cancel_requested OR j.attempts >= j.max_attempts"
	    "   THEN now() END"
	    " FROM x WHERE j.id = x.id RETURNING j.state) "
	    "SELECT count(*), count(*) FILTER (WHERE state = 'queued') FROM u",
	    0, 1 },

	/*
	 * $1 job ids (bigint[]), $2 worker, $3 their attempts (int[]): the attempt
	 * is the fencing token (a reclaimed and claimed-again job has a higher
	 * one).  Answers the ids that are ours and now succeeded, also those an
	 * earlier try of this statement completed (so it can be sent again).
	 */
	[Q_ST_COMPLETE] = {
	    "WITH f AS (SELECT * FROM unnest($1::bigint[], $3::int[]) AS f(id, attempt)), "
	    "u AS ("
	    " UPDATE builds.jobs j SET state = 'succeeded', finished_at = now(), lease_until = NULL"
	    " FROM f WHERE j.id = f.id AND j.attempts = f.attempt AND j.worker_id = $2::text"
	    "  AND j.state = 'running' RETURNING j.id) "
	    "SELECT id FROM u "
	    "UNION ALL "
	    "SELECT j.id FROM builds.jobs j JOIN f ON j.id = f.id AND j.attempts = f.attempt"
	    " WHERE j.worker_id = $2::text AND j.state = 'succeeded'",
	    3, 1 },

	/*
	 * $1 job, $2 worker, $3 attempt, $4 error, $5 backoff base ms, $6 backoff
	 * max ms, $7 the retry priority.  Retry after
	 * min(max, base * 2^(attempt-1)) * (0.5 + random()/2): "equal jitter", so
	 * each delay is at least the previous one and workers do not retry in step.
	 */
	[Q_ST_FAIL] = {
	    "UPDATE builds.jobs SET"
	    " state = CASE WHEN cancel_requested THEN 'cancelled'"
	    "  WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,"
	    " last_error = $4::text,"
	    " worker_id = CASE WHEN " Q_FINAL " THEN worker_id END,"
	    " lease_until = NULL,"
	    " run_at = CASE WHEN " Q_FINAL " THEN run_at ELSE now() + make_interval(secs =>"
	    "  least($6::float8, $5::float8 * power(2::float8, attempts - 1)) / 1000.0"
	    "  * (0.5 + random() / 2)) END,"
	    " priority = CASE WHEN " Q_FINAL " THEN priority"
	    "  ELSE least(priority, $7::smallint) END,"
	    " fair_seq = CASE WHEN " Q_FINAL " THEN fair_seq"
	    "  ELSE builds.job_fair_seq(account_id, least(priority, $7::smallint)) END,"
	    " finished_at = CASE WHEN " Q_FINAL " THEN now() END "
	    "WHERE id = $1::bigint AND worker_id = $2::text AND attempts = $3::int"
	    " AND state = 'running' RETURNING state",
	    7, 0 },

	/* $1 job, $2 worker, $3 attempt, $4 reason. */
	[Q_ST_CANCEL_ACK] = {
	    "UPDATE builds.jobs SET state = 'cancelled', finished_at = now(), lease_until = NULL,"
	    " last_error = $4::text "
	    "WHERE id = $1::bigint AND worker_id = $2::text AND attempts = $3::int"
	    " AND state = 'running' RETURNING 1",
	    4, 0 },

	[Q_ST_NOTIFY] = { "SELECT pg_notify('" Q_CHANNEL "', '')", 0, 1 },
};
