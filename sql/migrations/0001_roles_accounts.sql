-- Roles and accounts.
-- The web tier and the builders connect as separate roles, named by the
-- configuration ([database] web_user, builder_user) and handed to this script by
-- `debatectl migrate` as the settings debate.web_role and debate.builder_role.

DO $$
DECLARE r text;
BEGIN
	FOREACH r IN ARRAY ARRAY[current_setting('debate.web_role'),
	                         current_setting('debate.builder_role')] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I LOGIN', r);
		END IF;
	END LOOP;
END $$;

CREATE SCHEMA accounts;

CREATE TABLE accounts.users (
	id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
	password_hash text NOT NULL,
	created_at    timestamptz NOT NULL DEFAULT now()
);
-- Names are unique regardless of case: "Alice" and "alice" are one account.
CREATE UNIQUE INDEX users_name_key ON accounts.users (lower(name));

-- A session is known only by the SHA-256 of its cookie token.
CREATE TABLE accounts.sessions (
	token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
	user_id    uuid NOT NULL REFERENCES accounts.users ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON accounts.sessions (user_id);
CREATE INDEX sessions_expiry ON accounts.sessions (expires_at);

-- Failed logins in the throttling window, by lower-cased name and by address.
CREATE TABLE accounts.login_failures (
	id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name_key text NOT NULL,
	address  text NOT NULL,
	at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_name ON accounts.login_failures (name_key, at);
CREATE INDEX login_failures_address ON accounts.login_failures (address, at);

DO $$
BEGIN
	EXECUTE format('GRANT USAGE ON SCHEMA accounts TO %I', current_setting('debate.web_role'));
	EXECUTE format('GRANT SELECT, INSERT ON accounts.users TO %I', current_setting('debate.web_role'));
	EXECUTE format('GRANT SELECT, INSERT, DELETE ON accounts.sessions TO %I', current_setting('debate.web_role'));
	EXECUTE format('GRANT SELECT, INSERT, DELETE ON accounts.login_failures TO %I', current_setting('debate.web_role'));
END $$;
