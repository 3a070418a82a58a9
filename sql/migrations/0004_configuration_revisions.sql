-- Configurations become revisioned documents: every save is an immutable,
-- numbered revision holding the document as the user wrote it, the effective
-- configuration the overlay engine made of it, and its hash.  A configuration
-- can be shared read-only through a token (only its SHA-256 is kept).

ALTER TABLE configurations.configurations
	ADD COLUMN head int NOT NULL DEFAULT 1,
	ADD COLUMN forked_from uuid REFERENCES configurations.configurations ON DELETE SET NULL,
	ADD COLUMN share_token_hash bytea UNIQUE CHECK (length(share_token_hash) = 32);

CREATE TABLE configurations.revisions (
	configuration_id uuid NOT NULL REFERENCES configurations.configurations ON DELETE CASCADE,
	number           int NOT NULL CHECK (number >= 1),
	document         jsonb NOT NULL,
	effective        jsonb NOT NULL,
	config_hash      text NOT NULL,
	draft            boolean NOT NULL,
	solvable         boolean NOT NULL,
	problems         jsonb,			-- the resolver's, when not solvable
	created_at       timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (configuration_id, number)
);
CREATE INDEX revisions_hash ON configurations.revisions (config_hash);

CREATE FUNCTION configurations.ts(t timestamptz) RETURNS text
	LANGUAGE sql STABLE AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- The API's view of a configuration at a revision.
CREATE FUNCTION configurations.view(c configurations.configurations, r configurations.revisions,
    with_document boolean) RETURNS json
	LANGUAGE sql STABLE AS $$
	SELECT json_strip_nulls(json_build_object(
		'id', c.id, 'name', c.name, 'description', c.description,
		'revision', r.number, 'head', c.head, 'draft', r.draft, 'solvable', r.solvable,
		'config_hash', r.config_hash, 'forked_from', c.forked_from,
		'shared', c.share_token_hash IS NOT NULL,
		'created_at', configurations.ts(c.created_at),
		'updated_at', configurations.ts(c.updated_at),
		'revision_created_at', configurations.ts(r.created_at),
		'problems', r.problems,
		'document', CASE WHEN with_document THEN r.document END))
$$;

DO $$
DECLARE
	w text := current_setting('debate.web_role');
	b text := current_setting('debate.builder_role');
BEGIN
	EXECUTE format('GRANT SELECT, INSERT ON configurations.revisions TO %I', w);
	EXECUTE format('GRANT USAGE ON SCHEMA configurations TO %I', b);
	EXECUTE format('GRANT SELECT ON configurations.configurations, configurations.revisions TO %I', b);
	EXECUTE format('GRANT EXECUTE ON FUNCTION configurations.ts(timestamptz), '
		'configurations.view(configurations.configurations, configurations.revisions, boolean) TO %I, %I', w, b);
END $$;
