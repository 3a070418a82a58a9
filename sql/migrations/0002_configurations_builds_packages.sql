-- The seed's three areas: configurations (what a user builds), builds (the job
-- and its ISO) and packages (the repositories' catalogue).  Later migrations
-- extend them as their issues land.

CREATE SCHEMA configurations;
CREATE SCHEMA builds;
CREATE SCHEMA packages;

CREATE TABLE configurations.configurations (
	id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	owner_id    uuid NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
	name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	description text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL DEFAULT now(),
	updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Every listing is "mine, newest first".
CREATE INDEX configurations_owner ON configurations.configurations (owner_id, created_at DESC);

CREATE TABLE builds.builds (
	id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	owner_id         uuid NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
	configuration_id uuid NOT NULL REFERENCES configurations.configurations ON DELETE CASCADE,
	config_hash      text NOT NULL,
	state            text NOT NULL DEFAULT 'queued'
	                 CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
	created_at       timestamptz NOT NULL DEFAULT now(),
	started_at       timestamptz,
	finished_at      timestamptz,
	error            text,
	iso_path         text,
	iso_size         bigint,
	iso_sha256       text
);
CREATE INDEX builds_owner ON builds.builds (owner_id, created_at DESC);
CREATE INDEX builds_hash ON builds.builds (config_hash, state);

CREATE TABLE packages.repos (
	name        text PRIMARY KEY,
	priority    int NOT NULL,
	db_sha256   text,
	synced_at   timestamptz
);

CREATE TABLE packages.packages (
	repo           text NOT NULL REFERENCES packages.repos ON DELETE CASCADE,
	name           text NOT NULL,
	version        text NOT NULL,
	description    text NOT NULL DEFAULT '',
	PRIMARY KEY (repo, name)
);
CREATE INDEX packages_name ON packages.packages (name);

DO $$
DECLARE
	w text := current_setting('debate.web_role');
	b text := current_setting('debate.builder_role');
BEGIN
	EXECUTE format('GRANT USAGE ON SCHEMA configurations, builds, packages TO %I', w);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON configurations.configurations TO %I', w);
	EXECUTE format('GRANT SELECT, INSERT, UPDATE ON builds.builds TO %I', w);
	EXECUTE format('GRANT SELECT ON packages.repos, packages.packages TO %I', w);
	EXECUTE format('GRANT USAGE ON SCHEMA builds, packages TO %I', b);
	EXECUTE format('GRANT SELECT, UPDATE ON builds.builds TO %I', b);
	EXECUTE format('GRANT SELECT ON packages.repos, packages.packages TO %I', b);
END $$;
