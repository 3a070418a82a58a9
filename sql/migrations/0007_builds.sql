-- Builds: one build per configuration hash at a time, requested by one or
-- more accounts (a second request for a hash that is queued or running joins
-- it), the progress rows builders write (each insert NOTIFYs the SSE streams),
-- and the views admins read.  0002's placeholder table was never used.

DROP TABLE builds.builds;

CREATE TABLE builds.builds (
	id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	config_hash      text NOT NULL,
	configuration_id uuid REFERENCES configurations.configurations ON DELETE SET NULL,
	revision         int,
	effective        jsonb NOT NULL,	-- what is built, frozen at submission
	kind             text NOT NULL DEFAULT 'interactive' CHECK (kind IN ('interactive', 'warm')),
	job_id           bigint,		-- builds.jobs
	state            text NOT NULL DEFAULT 'queued'
	                 CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	stage            text NOT NULL DEFAULT 'queued',
	percent          int NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
	attempts         int NOT NULL DEFAULT 0,
	error            text,
	artifact_path    text,
	artifact_size    bigint,
	artifact_sha256  text,
	created_at       timestamptz NOT NULL DEFAULT now(),
	started_at       timestamptz,
	finished_at      timestamptz
);
-- At most one live build per hash: a second submission joins it.
CREATE UNIQUE INDEX builds_live_hash ON builds.builds (config_hash)
	WHERE state IN ('queued', 'running');
CREATE INDEX builds_done_hash ON builds.builds (config_hash, finished_at DESC)
	WHERE state = 'succeeded';

-- Who asked for a build.  A build is visible to its requesters only.
CREATE TABLE builds.requests (
	build_id         uuid NOT NULL REFERENCES builds.builds ON DELETE CASCADE,
	owner_id         uuid NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
	configuration_id uuid,
	revision         int,
	cached           boolean NOT NULL DEFAULT false,	-- answered from an existing ISO
	created_at       timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (build_id, owner_id)
);
CREATE INDEX requests_owner ON builds.requests (owner_id, created_at DESC);

CREATE TABLE builds.progress (
	build_id uuid NOT NULL REFERENCES builds.builds ON DELETE CASCADE,
	seq      bigint GENERATED ALWAYS AS IDENTITY,
	at       timestamptz NOT NULL DEFAULT now(),
	stage    text NOT NULL CHECK (length(stage) BETWEEN 1 AND 64),
	percent  int NOT NULL CHECK (percent BETWEEN 0 AND 100),
	message  text NOT NULL DEFAULT '',
	PRIMARY KEY (build_id, seq)
);

-- Each progress row wakes the streams of its build, at commit.
CREATE FUNCTION builds.progress_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('debate_progress', NEW.build_id::text);
	RETURN NULL;
END $$;
CREATE TRIGGER progress_notify AFTER INSERT ON builds.progress
	FOR EACH ROW EXECUTE FUNCTION builds.progress_notify();

-- What the ISO cache holds.
CREATE VIEW builds.cache_usage AS
	SELECT count(*) AS isos, coalesce(sum(artifact_size), 0) AS bytes,
	       min(finished_at) AS oldest, max(finished_at) AS newest,
	       count(*) FILTER (WHERE kind = 'warm') AS warmed
	FROM builds.builds WHERE state = 'succeeded' AND artifact_path IS NOT NULL;

-- Per account: what it has running, built today, and stores.
CREATE VIEW builds.account_usage AS
	SELECT u.name AS account, u.id AS account_id,
	       count(*) FILTER (WHERE b.state IN ('queued', 'running')) AS live,
	       count(*) FILTER (WHERE r.created_at > now() - interval '1 day' AND NOT r.cached) AS last_day,
	       coalesce(sum(b.artifact_size) FILTER (WHERE b.state = 'succeeded'), 0) AS artifact_bytes
	FROM accounts.users u
	LEFT JOIN builds.requests r ON r.owner_id = u.id
	LEFT JOIN builds.builds b ON b.id = r.build_id
	GROUP BY u.name, u.id;

DO $$
DECLARE
	w text := current_setting('debate.web_role');
	b text := current_setting('debate.builder_role');
BEGIN
	EXECUTE format('GRANT SELECT, INSERT, UPDATE ON builds.builds TO %I', w);
	EXECUTE format('GRANT SELECT, INSERT, DELETE ON builds.requests TO %I', w);
	EXECUTE format('GRANT SELECT, INSERT ON builds.progress TO %I', w);
	EXECUTE format('GRANT SELECT, UPDATE ON builds.builds TO %I', b);
	EXECUTE format('GRANT SELECT, INSERT ON builds.progress TO %I', b);
	EXECUTE format('GRANT SELECT ON builds.requests TO %I', b);
	EXECUTE format('GRANT SELECT ON builds.cache_usage, builds.account_usage TO %I', w);
END $$;
