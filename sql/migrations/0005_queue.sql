-- The job queue (issue 5): builds.jobs holds every job and its state,
-- builds.job_events every state change, builds.workers the last heartbeat of
-- each worker.  Only queue/ (the q_ library) changes job state; the views at the
-- end are for people with psql.  See queue/README.md for the design.
--
-- States: queued -> running -> succeeded
--                           -> queued     (failed, retried after a backoff; or lease expired)
--                           -> dead       (failed max_attempts times: the dead letters)
--                           -> cancelled  (cancel asked, the worker acknowledged)
--         queued -> cancelled

CREATE TABLE builds.jobs (
	id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind             text NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
	payload          jsonb NOT NULL DEFAULT '{}',
	-- The account the job works for (fairness); NULL for system jobs.  No
	-- foreign key: the queue's history outlives accounts.
	account_id       uuid,
	-- Higher runs first; see Q_PRIO_* in queue/q.h.  base_priority is the
	-- priority given at enqueue (retries run at a lower one).
	priority         smallint NOT NULL DEFAULT 0,
	base_priority    smallint NOT NULL DEFAULT 0,
	-- Fair-queuing sequence within a priority: an account's n-th waiting job
	-- gets the n-th round, so one busy account cannot starve the others.
	fair_seq         bigint NOT NULL DEFAULT 0,
	state            text NOT NULL DEFAULT 'queued'
	                 CHECK (state IN ('queued', 'running', 'succeeded', 'dead', 'cancelled')),
	run_at           timestamptz NOT NULL DEFAULT now(),	-- not before
	attempts         int NOT NULL DEFAULT 0,		-- claims so far
	max_attempts     int NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 1000),
	dedupe_key       text CHECK (length(dedupe_key) BETWEEN 1 AND 200),
	worker_id        text,		-- who holds it (running) or finished it
	lease_until      timestamptz,	-- running only
	cancel_requested boolean NOT NULL DEFAULT false,
	last_error       text,
	created_at       timestamptz NOT NULL DEFAULT now(),
	started_at       timestamptz,
	finished_at      timestamptz
);
-- The claim: waiting jobs in claim order (priority, round, age).
CREATE INDEX jobs_claim ON builds.jobs (priority DESC, fair_seq, run_at, id)
	WHERE state = 'queued';
-- An account's last round at a priority (enqueue computes the next one).
CREATE INDEX jobs_fair ON builds.jobs
	((coalesce(account_id, '00000000-0000-0000-0000-000000000000'::uuid)), priority, fair_seq)
	WHERE state = 'queued';
-- The reclaim sweep: running jobs by lease end.
CREATE INDEX jobs_lease ON builds.jobs (lease_until) WHERE state = 'running';
-- One live job per dedupe key.
CREATE UNIQUE INDEX jobs_dedupe ON builds.jobs (dedupe_key)
	WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running');
-- The admin views: dead letters, newest first.
CREATE INDEX jobs_dead ON builds.jobs (finished_at DESC) WHERE state = 'dead';

-- Every state change: (job, from, to, when, worker, error).  from_state is
-- NULL for the enqueue.  run_at is when a queued job may next start (shows the
-- backoff).  No foreign key: the trail stays when old jobs are purged.
CREATE TABLE builds.job_events (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	job_id     bigint NOT NULL,
	from_state text,
	to_state   text NOT NULL,
	at         timestamptz NOT NULL DEFAULT now(),
	worker_id  text,
	attempt    int NOT NULL,
	error      text,
	run_at     timestamptz
);
CREATE INDEX job_events_job ON builds.job_events (job_id, id);

CREATE TABLE builds.workers (
	worker_id      text PRIMARY KEY,	-- host:pid:random
	host           text NOT NULL,
	pid            int NOT NULL,
	slots          int NOT NULL,
	lease_ms       int NOT NULL,
	started_at     timestamptz NOT NULL DEFAULT now(),
	last_heartbeat timestamptz NOT NULL DEFAULT now(),
	running        int NOT NULL DEFAULT 0	-- jobs held at the last heartbeat
);

-- The audit trail is written by the database, not by its clients: neither role
-- may write job_events, and every change of state (psql included) is kept.
CREATE FUNCTION builds.job_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO builds.job_events (job_id, from_state, to_state, attempt, run_at)
		VALUES (NEW.id, NULL, NEW.state, NEW.attempts, NEW.run_at);
	ELSE
		INSERT INTO builds.job_events (job_id, from_state, to_state, worker_id, attempt,
		    error, run_at)
		VALUES (NEW.id, OLD.state, NEW.state,
		    CASE WHEN NEW.state = 'running' THEN NEW.worker_id ELSE OLD.worker_id END,
		    NEW.attempts,
		    CASE WHEN OLD.state = 'running' AND NEW.state <> 'succeeded' THEN NEW.last_error END,
		    CASE WHEN NEW.state = 'queued' THEN NEW.run_at END);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER jobs_audit_insert AFTER INSERT ON builds.jobs
	FOR EACH ROW EXECUTE FUNCTION builds.job_audit();
CREATE TRIGGER jobs_audit_update AFTER UPDATE OF state ON builds.jobs
	FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
	EXECUTE FUNCTION builds.job_audit();

-- Wake the workers when jobs are inserted: one NOTIFY per statement, and
-- PostgreSQL folds identical notifications of one transaction into one, so a
-- transaction that enqueues 10,000 jobs wakes the workers once, at commit.
CREATE FUNCTION builds.job_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('debate_jobs', '');
	RETURN NULL;
END $$;
CREATE TRIGGER jobs_notify AFTER INSERT ON builds.jobs
	FOR EACH STATEMENT EXECUTE FUNCTION builds.job_notify();

-- The round a new waiting job of `acct` at priority `prio` joins: one after the
-- account's last waiting job, but never before the current head round (an
-- account that was idle joins at the head, it does not jump the queue).
-- PL/pgSQL rather than SQL: its sub-selects keep a SQL function from being
-- inlined, and a SQL function is planned again on every call; PL/pgSQL keeps
-- its plans for the session (enqueue p50 2.8 -> 2.1 ms in the benchmark).
CREATE FUNCTION builds.job_fair_seq(acct uuid, prio smallint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
	mine bigint;
	head bigint;
BEGIN
	SELECT fair_seq + 1 INTO mine FROM builds.jobs
	 WHERE state = 'queued' AND priority = prio
	   AND coalesce(account_id, '00000000-0000-0000-0000-000000000000'::uuid) =
	       coalesce(acct, '00000000-0000-0000-0000-000000000000'::uuid)
	 ORDER BY fair_seq DESC LIMIT 1;
	SELECT fair_seq INTO head FROM builds.jobs
	 WHERE state = 'queued' AND priority = prio
	 ORDER BY fair_seq LIMIT 1;
	RETURN greatest(mine, head, 0);
END $$;

-- Requeue a dead (or cancelled) job from psql: attempts start again, at its
-- original priority.  Returns false when the job is not dead or cancelled.
CREATE FUNCTION builds.requeue(job bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE n int;
BEGIN
	UPDATE builds.jobs SET state = 'queued', attempts = 0, run_at = now(),
	    priority = base_priority, worker_id = NULL, lease_until = NULL,
	    cancel_requested = false, finished_at = NULL,
	    fair_seq = builds.job_fair_seq(account_id, base_priority)
	 WHERE id = job AND state IN ('dead', 'cancelled');
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM pg_notify('debate_jobs', '');
	END IF;
	RETURN n > 0;
END $$;

-- Admin views.
CREATE VIEW builds.queue_overview AS
SELECT state, kind, priority, count(*) AS jobs,
       min(created_at) FILTER (WHERE state = 'queued') AS oldest_waiting,
       now() - min(created_at) FILTER (WHERE state = 'queued') AS oldest_wait,
       count(*) FILTER (WHERE state = 'queued' AND run_at > now()) AS delayed
  FROM builds.jobs
 GROUP BY state, kind, priority
 ORDER BY state, priority DESC, kind;

CREATE VIEW builds.dead_letters AS
SELECT id, kind, account_id, base_priority AS priority, attempts, max_attempts,
       last_error, worker_id AS last_worker, created_at, finished_at AS died_at,
       dedupe_key, payload
  FROM builds.jobs
 WHERE state = 'dead'
 ORDER BY finished_at DESC;

CREATE VIEW builds.worker_health AS
SELECT w.worker_id, w.host, w.pid, w.slots, w.started_at, w.last_heartbeat,
       now() - w.last_heartbeat AS silent_for,
       w.last_heartbeat + make_interval(secs => w.lease_ms / 1000.0) > now() AS alive,
       (SELECT count(*) FROM builds.jobs j
         WHERE j.state = 'running' AND j.worker_id = w.worker_id) AS running_jobs
  FROM builds.workers w
 ORDER BY w.last_heartbeat DESC;

DO $$
DECLARE
	w text := current_setting('debate.web_role');
	b text := current_setting('debate.builder_role');
BEGIN
	-- The web tier enqueues, cancels and reads.
	EXECUTE format('GRANT SELECT, INSERT ON builds.jobs TO %I', w);
	EXECUTE format('GRANT UPDATE (state, cancel_requested, finished_at) ON builds.jobs TO %I', w);
	EXECUTE format('GRANT SELECT ON builds.job_events, builds.workers, builds.queue_overview, '
	    'builds.dead_letters, builds.worker_health TO %I', w);
	-- The builders claim, heartbeat, finish and reclaim; they do not enqueue.
	EXECUTE format('GRANT SELECT, UPDATE ON builds.jobs TO %I', b);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE ON builds.workers TO %I', b);
	EXECUTE format('GRANT SELECT ON builds.job_events, builds.queue_overview, '
	    'builds.dead_letters, builds.worker_health TO %I', b);
END $$;
