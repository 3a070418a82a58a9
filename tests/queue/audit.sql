-- The number of jobs whose audit trail (builds.job_events) is inconsistent:
-- with itself (the first event is the enqueue, each event starts where the
-- previous one ended, only allowed transitions, a worker on every claim) or
-- with the job row (the last event is the job's state, one claim per attempt,
-- at most one success).  0 when all is well.
WITH e AS (
	SELECT job_id, id, from_state, to_state, attempt, worker_id,
	       lag(to_state) OVER w AS prev_to,
	       row_number() OVER w AS n,
	       row_number() OVER (PARTITION BY job_id ORDER BY id DESC) AS back
	  FROM builds.job_events
	WINDOW w AS (PARTITION BY job_id ORDER BY id)
), bad_event AS (
	SELECT job_id FROM e
	 WHERE NOT ((n = 1 AND from_state IS NULL AND to_state = 'queued')
	         OR (n > 1 AND from_state = prev_to AND (from_state, to_state) IN (
	             ('queued', 'running'), ('queued', 'cancelled'), ('running', 'succeeded'),
	             ('running', 'queued'), ('running', 'dead'), ('running', 'cancelled'),
	             ('dead', 'queued'), ('cancelled', 'queued'))))
	    OR (to_state = 'running' AND worker_id IS NULL)
), counts AS (
	SELECT job_id, count(*) FILTER (WHERE to_state = 'running') AS claims,
	       count(*) FILTER (WHERE to_state = 'succeeded') AS successes,
	       max(to_state) FILTER (WHERE back = 1) AS last_state
	  FROM e GROUP BY job_id
), bad_job AS (
	SELECT j.id FROM builds.jobs j LEFT JOIN counts c ON c.job_id = j.id
	 WHERE c.job_id IS NULL OR c.last_state <> j.state OR c.claims <> j.attempts
	    OR c.successes > 1
)
SELECT count(*) FROM (SELECT job_id FROM bad_event UNION SELECT id FROM bad_job) x;
