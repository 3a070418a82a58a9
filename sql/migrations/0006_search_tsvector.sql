-- Search speed: keep each description's word vector in the row instead of
-- computing it on every match the index check has to recheck.
ALTER TABLE packages.packages
	ADD COLUMN description_tsv tsvector
	GENERATED ALWAYS AS (to_tsvector('simple', description)) STORED;
DROP INDEX packages.packages_description_fts;
CREATE INDEX packages_description_tsv ON packages.packages USING gin (description_tsv);
