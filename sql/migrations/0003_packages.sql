-- The package catalogue: one row per package of every configured repository,
-- replaced per repository, in one transaction, by `debatectl repo sync`.
-- 0002's placeholders were never filled; they are replaced here.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

DROP TABLE packages.packages;
DROP TABLE packages.repos;

CREATE TABLE packages.repos (
	name          text PRIMARY KEY,
	priority      int NOT NULL,		-- 0 = highest, pacman.conf order
	db_source     text NOT NULL,		-- path or URL the database came from
	db_sha256     text NOT NULL,		-- of the database file as read
	package_count int NOT NULL,
	synced_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE packages.packages (
	repo            text NOT NULL REFERENCES packages.repos ON DELETE CASCADE,
	name            text NOT NULL,
	version         text NOT NULL,
	description     text NOT NULL DEFAULT '',
	url             text,
	licenses        text[] NOT NULL DEFAULT '{}',
	groups          text[] NOT NULL DEFAULT '{}',
	depends         text[] NOT NULL DEFAULT '{}',	-- as written: "glibc>=2.33"
	optdepends      text[] NOT NULL DEFAULT '{}',	-- "name: why"
	provides        text[] NOT NULL DEFAULT '{}',
	conflicts       text[] NOT NULL DEFAULT '{}',
	replaces        text[] NOT NULL DEFAULT '{}',
	depends_names   text[] NOT NULL DEFAULT '{}',	-- bare names, for "required by"
	provides_names  text[] NOT NULL DEFAULT '{}',	-- bare names, for "provided by"
	download_size   bigint NOT NULL DEFAULT 0,
	installed_size  bigint NOT NULL DEFAULT 0,
	build_date      timestamptz,
	packager        text,
	sha256          text,
	PRIMARY KEY (repo, name)
);
CREATE INDEX packages_name ON packages.packages (name);
-- Substring search on names, word search in descriptions.
CREATE INDEX packages_name_trgm ON packages.packages USING gin (name gin_trgm_ops);
CREATE INDEX packages_description_fts ON packages.packages
	USING gin (to_tsvector('simple', description));
CREATE INDEX packages_groups ON packages.packages USING gin (groups);
CREATE INDEX packages_depends_names ON packages.packages USING gin (depends_names);
CREATE INDEX packages_provides_names ON packages.packages USING gin (provides_names);

DO $$
DECLARE
	w text := current_setting('debate.web_role');
	b text := current_setting('debate.builder_role');
BEGIN
	EXECUTE format('GRANT SELECT ON packages.repos, packages.packages TO %I, %I', w, b);
END $$;
