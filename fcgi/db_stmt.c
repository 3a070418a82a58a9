/*
 * db_stmt.c - the SQL of every prepared statement, indexed by enum db_stmt.
 * Parameters are always $n; values never enter the text.
 */
#include "db_stmt.h"

const struct db_stmt_def db_stmts[DB_STMT__MAX] = {
	[DB_PING] = { "SELECT 1", 0, 1 },

	/* $1 name, $2 Argon2id hash */
	[DB_USER_INSERT] = {
	    "INSERT INTO accounts.users (name, password_hash) VALUES ($1, $2) "
	    "RETURNING id, name, to_char(created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')", 2, 0 },
	/* $1 name (compared case-insensitively) */
	[DB_USER_BY_NAME] = {
	    "SELECT id, name, password_hash FROM accounts.users "
	    "WHERE lower(name) = lower($1)", 1, 1 },

	/* $1 token hash (hex), $2 user id, $3 lifetime in seconds */
	[DB_SESSION_INSERT] = {
	    "INSERT INTO accounts.sessions (token_hash, user_id, expires_at) "
	    "VALUES (decode($1, 'hex'), $2, now() + make_interval(secs => $3::int))",
	    3, 0 },
	/* $1 token hash (hex) */
	[DB_SESSION_LOOKUP] = {
	    "SELECT u.id, u.name, to_char(u.created_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM accounts.sessions s "
	    "JOIN accounts.users u ON u.id = s.user_id "
	    "WHERE s.token_hash = decode($1, 'hex') AND s.expires_at > now()", 1, 1 },
	[DB_SESSION_DELETE] = {
	    "DELETE FROM accounts.sessions WHERE token_hash = decode($1, 'hex')", 1, 1 },

	/*
	 * Failed logins in the window for the account ($1, lower-cased name) and for
	 * the address ($2); $3 the window in seconds.  Answers both counts and, for
	 * each, the seconds until its oldest failure leaves the window.
	 */
	[DB_LOGIN_THROTTLE] = {
	    "WITH w AS (SELECT name_key, address, at FROM accounts.login_failures "
	    "  WHERE at > now() - make_interval(secs => $3::int) "
	    "  AND (name_key = lower($1) OR address = $2)) "
	    "SELECT count(*) FILTER (WHERE name_key = lower($1)), "
	    "  count(*) FILTER (WHERE address = $2), "
	    "  coalesce(ceil(extract(epoch FROM min(at) FILTER (WHERE name_key = lower($1)) "
	    "    + make_interval(secs => $3::int) - now())), 0)::int, "
	    "  coalesce(ceil(extract(epoch FROM min(at) FILTER (WHERE address = $2) "
	    "    + make_interval(secs => $3::int) - now())), 0)::int "
	    "FROM w", 3, 1 },
	[DB_LOGIN_FAIL_ADD] = {
	    "INSERT INTO accounts.login_failures (name_key, address) VALUES (lower($1), $2)",
	    2, 0 },
	[DB_LOGIN_FAIL_CLEAR] = {
	    "DELETE FROM accounts.login_failures WHERE name_key = lower($1)", 1, 1 },

	/*
	 * One package as JSON: $1 repo ('' = the highest-priority repository
	 * that has it), $2 name.  With the packages that provide it, require it.
	 */
	[DB_PKG_GET] = {
	    "SELECT json_build_object('repo', p.repo, 'name', p.name, 'version', p.version, "
	    " 'description', p.description, 'url', p.url, 'licenses', p.licenses, "
	    " 'groups', p.groups, 'depends', p.depends, 'optdepends', p.optdepends, "
	    " 'provides', p.provides, 'conflicts', p.conflicts, 'replaces', p.replaces, "
	    " 'download_size', p.download_size, 'installed_size', p.installed_size, "
	    " 'build_date', to_char(p.build_date AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
	    " 'packager', p.packager, 'sha256', p.sha256, "
	    " 'provided_by', coalesce((SELECT json_agg(json_build_object('repo', o.repo, 'name', o.name) "
	    "   ORDER BY o.name, o.repo) FROM packages.packages o "
	    "   WHERE o.provides_names @> ARRAY[p.name] AND o.name <> p.name), '[]'), "
	    " 'required_by', coalesce((SELECT json_agg(DISTINCT o.name ORDER BY o.name) "
	    "   FROM packages.packages o WHERE o.depends_names && "
	    "   (ARRAY[p.name] || p.provides_names)), '[]')) "
	    "FROM packages.packages p JOIN packages.repos r ON r.name = p.repo "
	    "WHERE ($1 = '' OR p.repo = $1) AND p.name = $2 ORDER BY r.priority LIMIT 1", 2, 1 },
	[DB_GROUPS] = {
	    "SELECT coalesce(json_agg(json_build_object('name', g, 'count', n) ORDER BY g), '[]') "
	    "FROM (SELECT unnest(groups) AS g, count(DISTINCT name) AS n "
	    "FROM packages.packages GROUP BY 1) x", 0, 1 },
	/* Members of group $1, one per name from the highest-priority repository. */
	[DB_GROUP_GET] = {
	    "SELECT coalesce(json_agg(json_build_object('repo', repo, 'name', name, "
	    " 'version', version, 'description', description) ORDER BY name), '[]') "
	    "FROM (SELECT DISTINCT ON (p.name) p.* FROM packages.packages p "
	    " JOIN packages.repos r ON r.name = p.repo WHERE p.groups @> ARRAY[$1] "
	    " ORDER BY p.name, r.priority) x", 1, 1 },

	/* What a configuration is resolved against: [{"name","sha256"}] by priority. */
	[DB_REPO_CHECKSUMS] = {
	    "SELECT coalesce(json_agg(json_build_object('name', name, 'sha256', db_sha256) "
	    "ORDER BY priority), '[]') FROM packages.repos", 0, 1 },

	/*
	 * Configurations.  Every statement names the owner: another account's
	 * configuration is never found.  Rows come back as configurations.view()
	 * JSON.  Revision columns: document, effective, config_hash, draft,
	 * solvable, problems.
	 */
	/* $1 owner, $2 name, $3 description, $4..$9 revision columns */
	[DB_CFG_CREATE] = {
	    "WITH c AS (INSERT INTO configurations.configurations (owner_id, name, description, head) "
	    "  VALUES ($1, $2, $3, 1) RETURNING *), "
	    "r AS (INSERT INTO configurations.revisions (configuration_id, number, document, "
	    "  effective, config_hash, draft, solvable, problems) SELECT c.id, 1, $4::jsonb, "
	    "  $5::jsonb, $6, $7::boolean, $8::boolean, $9::jsonb FROM c RETURNING *) "
	    "SELECT configurations.view(c::configurations.configurations, "
	    "  r::configurations.revisions, true) FROM c, r", 9, 0 },
	/* $1 id, $2 owner, $3 expected head (NULL: any), $4 name, $5 description, $6..$11 revision */
	[DB_CFG_UPDATE] = {
	    "WITH c AS (UPDATE configurations.configurations SET head = head + 1, name = $4, "
	    "  description = $5, updated_at = now() WHERE id = $1 AND owner_id = $2 "
	    "  AND ($3::int IS NULL OR head = $3::int) RETURNING *), "
	    "r AS (INSERT INTO configurations.revisions (configuration_id, number, document, "
	    "  effective, config_hash, draft, solvable, problems) SELECT c.id, c.head, $6::jsonb, "
	    "  $7::jsonb, $8, $9::boolean, $10::boolean, $11::jsonb FROM c RETURNING *) "
	    "SELECT configurations.view(c::configurations.configurations, "
	    "  r::configurations.revisions, true) FROM c, r", 11, 0 },
	/* $1 id, $2 owner: the head number and document */
	[DB_CFG_HEAD] = {
	    "SELECT c.head, r.document FROM configurations.configurations c "
	    "JOIN configurations.revisions r ON r.configuration_id = c.id AND r.number = c.head "
	    "WHERE c.id = $1 AND c.owner_id = $2", 2, 1 },
	/* $1 id, $2 owner, $3 revision (NULL: head) */
	[DB_CFG_GET] = {
	    "SELECT configurations.view(c, r, true) FROM configurations.configurations c "
	    "JOIN configurations.revisions r ON r.configuration_id = c.id "
	    "AND r.number = coalesce($3::int, c.head) WHERE c.id = $1 AND c.owner_id = $2", 3, 1 },
	/* $1 owner, $2 limit, $3 offset: total and a page, most recently changed first */
	[DB_CFG_LIST] = {
	    "SELECT (SELECT count(*) FROM configurations.configurations WHERE owner_id = $1), "
	    "coalesce((SELECT json_agg(v) FROM (SELECT configurations.view(c, r, false) AS v "
	    "  FROM configurations.configurations c JOIN configurations.revisions r "
	    "  ON r.configuration_id = c.id AND r.number = c.head WHERE c.owner_id = $1 "
	    "  ORDER BY c.updated_at DESC, c.id LIMIT $2::int OFFSET $3::int) x), '[]')", 3, 1 },
	[DB_CFG_DELETE] = {
	    "DELETE FROM configurations.configurations WHERE id = $1 AND owner_id = $2 "
	    "RETURNING id", 2, 0 },
	[DB_CFG_REVISIONS] = {
	    "SELECT (SELECT json_agg(json_build_object('revision', r.number, 'created_at', "
	    "  configurations.ts(r.created_at), 'draft', r.draft, 'solvable', r.solvable, "
	    "  'config_hash', r.config_hash) ORDER BY r.number) FROM configurations.revisions r "
	    "  WHERE r.configuration_id = c.id) FROM configurations.configurations c "
	    "WHERE c.id = $1 AND c.owner_id = $2", 2, 1 },
	/* $1 id, $2 owner, $3 from, $4 to: both documents (NULL where no such revision) */
	[DB_CFG_DOCS] = {
	    "SELECT (SELECT document FROM configurations.revisions WHERE configuration_id = c.id "
	    "  AND number = $3::int), (SELECT document FROM configurations.revisions "
	    "  WHERE configuration_id = c.id AND number = $4::int) "
	    "FROM configurations.configurations c WHERE c.id = $1 AND c.owner_id = $2", 4, 1 },
	/* $1 id, $2 owner, $3 revision (NULL: head) */
	[DB_CFG_EFFECTIVE] = {
	    "SELECT json_build_object('id', c.id, 'revision', r.number, 'config_hash', "
	    "  r.config_hash, 'draft', r.draft, 'solvable', r.solvable, 'effective', r.effective) "
	    "FROM configurations.configurations c JOIN configurations.revisions r "
	    "ON r.configuration_id = c.id AND r.number = coalesce($3::int, c.head) "
	    "WHERE c.id = $1 AND c.owner_id = $2", 3, 1 },
	/* $1 id, $2 owner, $3 sha256 of the new token (hex) */
	[DB_CFG_SHARE_SET] = {
	    "UPDATE configurations.configurations SET share_token_hash = decode($3, 'hex') "
	    "WHERE id = $1 AND owner_id = $2 RETURNING id", 3, 0 },
	[DB_CFG_SHARE_CLEAR] = {
	    "UPDATE configurations.configurations SET share_token_hash = NULL "
	    "WHERE id = $1 AND owner_id = $2 RETURNING id", 2, 1 },
	/* $1 sha256 of a share token (hex): the head revision, read-only */
	/* A read-only link shows the document, not the owner's ids or lineage. */
	[DB_CFG_SHARED_GET] = {
	    "SELECT (configurations.view(c, r, true)::jsonb - 'id' - 'forked_from' - 'shared')::json "
	    "FROM configurations.configurations c "
	    "JOIN configurations.revisions r ON r.configuration_id = c.id AND r.number = c.head "
	    "WHERE c.share_token_hash = decode($1, 'hex')", 1, 1 },
	/*
	 * Fork into account $1 the head of configuration $2 (when $1 owns it) or
	 * of the configuration shared under token hash $3.  A fork starts at
	 * revision 1 with the source's document and results.
	 */
	[DB_CFG_FORK] = {
	    "WITH src AS (SELECT c.id AS src_id, c.name, c.description, r.document, r.effective, "
	    "  r.config_hash, r.draft, r.solvable, r.problems FROM configurations.configurations c "
	    "  JOIN configurations.revisions r ON r.configuration_id = c.id AND r.number = c.head "
	    "  WHERE ($2::uuid IS NOT NULL AND c.id = $2::uuid AND c.owner_id = $1) "
	    "  OR ($3::text IS NOT NULL AND c.share_token_hash = decode($3, 'hex'))), "
	    "c AS (INSERT INTO configurations.configurations (owner_id, name, description, head, "
	    "  forked_from) SELECT $1, name, description, 1, src_id FROM src RETURNING *), "
	    "r AS (INSERT INTO configurations.revisions (configuration_id, number, document, "
	    "  effective, config_hash, draft, solvable, problems) SELECT c.id, 1, src.document, "
	    "  src.effective, src.config_hash, src.draft, src.solvable, src.problems "
	    "  FROM c, src RETURNING *) "
	    "SELECT configurations.view(c::configurations.configurations, "
	    "  r::configurations.revisions, true) FROM c, r", 3, 0 },

	/*
	 * Builds.  A build is visible to the accounts that requested it
	 * (builds.requests); every read names the account.
	 */
	/* $1 configuration, $2 owner, $3 revision (NULL: head) */
	[DB_BUILD_SOURCE] = {
	    "SELECT r.number, r.draft, r.solvable, r.effective FROM configurations.configurations c "
	    "JOIN configurations.revisions r ON r.configuration_id = c.id "
	    "AND r.number = coalesce($3::int, c.head) WHERE c.id = $1 AND c.owner_id = $2", 3, 1 },
	/* $1 hash: a live build, else the newest succeeded one with its ISO */
	[DB_BUILD_FIND] = {
	    "SELECT id, state, artifact_path FROM builds.builds WHERE config_hash = $1 AND "
	    "(state IN ('queued', 'running') OR (state = 'succeeded' AND artifact_path IS NOT NULL)) "
	    "ORDER BY state = 'succeeded', finished_at DESC NULLS LAST LIMIT 1", 1, 1 },
	/*
	 * $1 owner: live builds, requests in the last day (and seconds until the
	 * oldest of them is a day old), stored artifact bytes.
	 */
	[DB_BUILD_LIMITS] = {
	    "SELECT count(*) FILTER (WHERE b.state IN ('queued', 'running')), "
	    " count(*) FILTER (WHERE r.created_at > now() - interval '1 day' AND NOT r.cached), "
	    " coalesce(ceil(extract(epoch FROM min(r.created_at) FILTER (WHERE r.created_at > "
	    "  now() - interval '1 day' AND NOT r.cached) + interval '1 day' - now())), 0)::bigint, "
	    " coalesce(sum(b.artifact_size) FILTER (WHERE b.state = 'succeeded'), 0)::bigint "
	    "FROM builds.requests r JOIN builds.builds b ON b.id = r.build_id WHERE r.owner_id = $1",
	    1, 1 },
	/* $1 hash, $2 configuration, $3 revision, $4 effective, $5 kind; nothing when one is live */
	[DB_BUILD_INSERT] = {
	    "INSERT INTO builds.builds (config_hash, configuration_id, revision, effective, kind) "
	    "VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (config_hash) "
	    "WHERE state IN ('queued', 'running') DO NOTHING RETURNING id", 5, 0 },
	[DB_BUILD_SET_JOB] = {
	    "UPDATE builds.builds SET job_id = $2 WHERE id = $1", 2, 0 },
	/* $1 build, $2 owner, $3 configuration, $4 revision, $5 cached */
	[DB_REQUEST_ADD] = {
	    "INSERT INTO builds.requests (build_id, owner_id, configuration_id, revision, cached) "
	    "VALUES ($1, $2, $3, $4, $5::boolean) ON CONFLICT DO NOTHING", 5, 0 },
	/* $1 build, $2 owner */
	[DB_BUILD_GET] = {
	    "SELECT json_strip_nulls(json_build_object('id', b.id, 'state', b.state, "
	    " 'stage', b.stage, 'percent', b.percent, 'attempts', b.attempts, 'error', b.error, "
	    " 'kind', b.kind, 'config_hash', b.config_hash, 'configuration_id', r.configuration_id, "
	    " 'revision', r.revision, 'cached', r.cached, "
	    " 'created_at', configurations.ts(b.created_at), "
	    " 'started_at', configurations.ts(b.started_at), "
	    " 'finished_at', configurations.ts(b.finished_at), "
	    " 'events_url', '/api/v1/builds/' || b.id || '/events', "
	    " 'artifact', CASE WHEN b.state = 'succeeded' AND b.artifact_path IS NOT NULL THEN "
	    "  json_build_object('url', '/api/v1/builds/' || b.id || '/iso', 'size', b.artifact_size, "
	    "  'sha256', b.artifact_sha256) END)) "
	    "FROM builds.builds b JOIN builds.requests r ON r.build_id = b.id AND r.owner_id = $2 "
	    "WHERE b.id = $1", 2, 1 },
	/* $1 owner, $2 state ('' = any), $3 limit, $4 offset */
	[DB_BUILD_LIST] = {
	    "SELECT (SELECT count(*) FROM builds.requests r JOIN builds.builds b ON b.id = r.build_id "
	    "  WHERE r.owner_id = $1 AND ($2 = '' OR b.state = $2)), "
	    "coalesce((SELECT json_agg(v ORDER BY at DESC, id) FROM ("
	    "  SELECT json_strip_nulls(json_build_object('id', b.id, 'state', b.state, "
	    "  'stage', b.stage, 'percent', b.percent, 'config_hash', b.config_hash, "
	    "  'configuration_id', r.configuration_id, 'revision', r.revision, 'cached', r.cached, "
	    "  'created_at', configurations.ts(b.created_at), "
	    "  'finished_at', configurations.ts(b.finished_at))) AS v, r.created_at AS at, b.id "
	    "  FROM builds.requests r JOIN builds.builds b ON b.id = r.build_id "
	    "  WHERE r.owner_id = $1 AND ($2 = '' OR b.state = $2) "
	    "  ORDER BY r.created_at DESC, b.id LIMIT $3::int OFFSET $4::int) x), '[]')", 4, 1 },
	/* $1 build, $2 owner: state, job, how many other accounts want it */
	[DB_BUILD_CANCEL_INFO] = {
	    "SELECT b.state, b.job_id, (SELECT count(*) FROM builds.requests o "
	    " WHERE o.build_id = b.id AND o.owner_id <> $2) FROM builds.builds b "
	    "JOIN builds.requests r ON r.build_id = b.id AND r.owner_id = $2 WHERE b.id = $1", 2, 1 },
	[DB_REQUEST_DELETE] = {
	    "DELETE FROM builds.requests WHERE build_id = $1 AND owner_id = $2", 2, 0 },
	/* A queued build nobody else wants is cancelled at once. */
	[DB_BUILD_CANCEL_QUEUED] = {
	    "UPDATE builds.builds SET state = 'cancelled', stage = 'cancelled', finished_at = now() "
	    "WHERE id = $1 AND state = 'queued' RETURNING id", 1, 0 },
	/* $1 build, $2 stage, $3 percent, $4 message */
	[DB_PROGRESS_ADD] = {
	    "INSERT INTO builds.progress (build_id, stage, percent, message) "
	    "VALUES ($1, $2, $3::int, $4)", 4, 0 },
	/* $1 build, $2 after seq: the rows a stream has not sent, and the build's state */
	[DB_PROGRESS_AFTER] = {
	    "SELECT p.seq, json_build_object('seq', p.seq, 'at', configurations.ts(p.at), "
	    " 'stage', p.stage, 'percent', p.percent, 'message', p.message), b.state "
	    "FROM builds.builds b LEFT JOIN builds.progress p ON p.build_id = b.id AND p.seq > $2::bigint "
	    "WHERE b.id = $1 ORDER BY p.seq", 2, 1 },
	/* $1 build, $2 owner */
	[DB_BUILD_ARTIFACT] = {
	    "SELECT b.artifact_path FROM builds.builds b JOIN builds.requests r ON r.build_id = b.id "
	    "AND r.owner_id = $2 WHERE b.id = $1 AND b.state = 'succeeded'", 2, 1 },
};
