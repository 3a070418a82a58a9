/*
 * ctl_migrate.c - `debatectl migrate`: apply sql/migrations/NNNN_name.sql in
 * order, each in its own transaction, recording it in schema_migrations.
 * Idempotent; concurrent runs serialise on an advisory lock.  The role names of
 * the configuration reach the SQL as the settings debate.web_role and
 * debate.builder_role (never spliced into the text here).
 */
#include "ctl.h"
#include "db.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATE_LOCK "4242"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_migration(const char *n)
{
	size_t len = strlen(n);

	return len > 9 && strspn(n, "0123456789") == 4 && n[4] == '_' &&
	    strcmp(n + len - 4, ".sql") == 0;
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf = NULL;
	long	 len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = calloc(1, (size_t)len + 1)) != NULL &&
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Run sql (no parameters); 0, or -1 after printing the server's message. */
static int
run(PGconn *pg, const char *sql, const char *what)
{
	PGresult	*res = PQexec(pg, sql);
	int		 ok = db_ok(res);

	if (!ok)
		fprintf(stderr, "debatectl migrate: %s: %s", what, PQerrorMessage(pg));
	PQclear(res);
	return ok ? 0 : -1;
}

static int
applied(PGconn *pg, const char *version)
{
	const char	*p[1] = { version };
	PGresult	*res = PQexecParams(pg,
	    "SELECT 1 FROM public.schema_migrations WHERE version = $1", 1, NULL, p, NULL, NULL, 0);
	int		 yes = db_ok(res) && PQntuples(res) == 1;

	PQclear(res);
	return yes;
}

static int
apply(PGconn *pg, const char *dir, const char *file)
{
	char		 path[4096], version[5];
	char		*sql = NULL;
	const char	*p[2] = { version, file };
	PGresult	*res = NULL;
	int		 rc = -1;

	memcpy(version, file, 4);
	version[4] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((sql = slurp(path)) == NULL) {
		fprintf(stderr, "debatectl migrate: cannot read %s\n", path);
		goto out;
	}
	if (run(pg, "BEGIN", "begin") == -1)
		goto out;
	if (run(pg, sql, file) == -1) {
		run(pg, "ROLLBACK", "rollback");
		goto out;
	}
	res = PQexecParams(pg, "INSERT INTO public.schema_migrations (version, name) "
	    "VALUES ($1, $2)", 2, NULL, p, NULL, NULL, 0);
	if (!db_ok(res)) {
		fprintf(stderr, "debatectl migrate: %s", PQerrorMessage(pg));
		run(pg, "ROLLBACK", "rollback");
		goto out;
	}
	if (run(pg, "COMMIT", "commit") == -1)
		goto out;
	printf("applied %s\n", file);
	rc = 0;
out:
	PQclear(res);
	free(sql);
	return rc;
}

int
ctl_migrate(const struct conf *c, int argc, char **argv)
{
	PGconn		*pg = NULL;
	PGresult	*res = NULL;
	DIR		*d = NULL;
	struct dirent	*e;
	char		**files = NULL;
	const char	*p[2] = { c->db_web_user, c->db_builder_user };
	size_t		 n = 0, cap = 0, i, done = 0;
	int		 rc = 1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: debatectl migrate\n");
		return 2;
	}
	if ((d = opendir(c->db_migrations)) == NULL) {
		fprintf(stderr, "debatectl migrate: %s: cannot open\n", c->db_migrations);
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_migration(e->d_name))
			continue;
		if (n == cap) {
			char **nf = realloc(files, (cap = cap ? cap * 2 : 16) * sizeof(*files));

			if (nf == NULL)
				goto out;
			files = nf;
		}
		files[n++] = strdup(e->d_name);
	}
	qsort(files, n, sizeof(*files), name_cmp);
	pg = db_connect(c, DB_ROLE_ADMIN);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "debatectl migrate: %s", PQerrorMessage(pg));
		goto out;
	}
	res = PQexecParams(pg, "SELECT set_config('debate.web_role', $1, false), "
	    "set_config('debate.builder_role', $2, false)", 2, NULL, p, NULL, NULL, 0);
	if (!db_ok(res)) {
		fprintf(stderr, "debatectl migrate: %s", PQerrorMessage(pg));
		goto out;
	}
	if (run(pg, "SET client_min_messages = warning", "settings") == -1 ||
	    run(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", "lock") == -1 ||
	    run(pg, "CREATE TABLE IF NOT EXISTS public.schema_migrations ("
	    " version text PRIMARY KEY, name text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())", "schema_migrations") == -1)
		goto out;
	for (i = 0; i < n; i++) {
		char version[5];

		memcpy(version, files[i], 4);
		version[4] = '\0';
		if (applied(pg, version))
			continue;
		if (apply(pg, c->db_migrations, files[i]) == -1)
			goto out;
		done++;
	}
	printf("%zu migration(s) applied, %zu already in place\n", done, n - done);
	rc = 0;
out:
	PQclear(res);
	if (pg != NULL)
		PQfinish(pg);
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(files[i]);
	free(files);
	return rc;
}
