/*
 * ctl_repo.c - `debatectl repo sync [--force] [NAME...]` and `debatectl repo list`.
 *
 * Sync reads every [repo NAME] of the configuration, in priority order:
 *   - fetches its database (a path, file:// URL, or http(s):// URL through curl,
 *     run without a shell) and hashes it;
 *   - a database whose SHA-256 and priority match what PostgreSQL has is left
 *     alone ("unchanged"); when nothing changed and the .solv cache exists, the
 *     sync does nothing at all;
 *   - a changed database is parsed (solve_repo_add_db) and its rows replaced in
 *     one transaction; a database that does not parse fails that repository with
 *     the reader's message and keeps its previous rows and cached copy;
 *   - the cached copies ([web] cache_dir/NAME.db) of every repository are then
 *     written as one .solv file, renamed into place, which every FastCGI process
 *     picks up on its next resolve.
 * Repositories no longer configured are dropped from the catalogue.
 * Exit: 0 all synced, 1 some repository failed, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ctl.h"
#include "db.h"
#include "resolver.h"
#include "solve.h"
#include "solve_catalog.h"

struct sync_repo {
	const struct conf_repo	*conf;
	int			 priority;
	char			 fetched[4096];	/* the database as read this time */
	char			 cached[4096];	/* our copy of the last good one */
	char			 sha[65];
	int			 changed;	/* differs from what PostgreSQL has */
	int			 ok;		/* parsed (or unchanged) */
};

/* A growing text buffer for COPY data. */
struct buf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

static void
buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t	 cap = (b->cap ? b->cap : 1 << 16);
		char	*np;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

/* One COPY text-format field: \N for NULL, backslash escapes for the rest. */
static void
copy_field(struct buf *b, const char *s, int last)
{
	const char *p;

	if (s == NULL)
		buf_str(b, "\\N");
	for (p = s; p != NULL && *p; p++) {
		switch (*p) {
		case '\\': buf_str(b, "\\\\"); break;
		case '\t': buf_str(b, "\\t"); break;
		case '\n': buf_str(b, "\\n"); break;
		case '\r': buf_str(b, "\\r"); break;
		default: buf_put(b, p, 1); break;
		}
	}
	buf_str(b, last ? "\n" : "\t");
}

/* A PostgreSQL array literal {"a","b"} of v, then as a COPY field. */
static void
copy_array(struct buf *b, const char *const *v, struct buf *tmp)
{
	const char	*p;
	size_t		 i;

	tmp->len = 0;
	buf_str(tmp, "{");
	for (i = 0; v[i] != NULL; i++) {
		buf_str(tmp, i ? ",\"" : "\"");
		for (p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				buf_str(tmp, "\\");
			buf_put(tmp, p, 1);
		}
		buf_str(tmp, "\"");
	}
	buf_str(tmp, "}");
	copy_field(b, tmp->oom ? "{}" : tmp->p, 0);
}

struct copy_ctx {
	const char	*repo;
	struct buf	 out, tmp;
	long		 count;
};

static int
copy_row(const struct solve_pkg *pkg, void *arg)
{
	struct copy_ctx	*cc = arg;
	char		 num[32], date[64];
	static const enum solve_pkg_vec order[] = {
		SOLVE_PKG_LICENSES, SOLVE_PKG_GROUPS, SOLVE_PKG_DEPENDS, SOLVE_PKG_OPTDEPENDS,
		SOLVE_PKG_PROVIDES, SOLVE_PKG_CONFLICTS, SOLVE_PKG_REPLACES,
		SOLVE_PKG_DEPENDS_NAMES, SOLVE_PKG_PROVIDES_NAMES,
	};
	size_t		 i;

	copy_field(&cc->out, cc->repo, 0);
	copy_field(&cc->out, pkg->name, 0);
	copy_field(&cc->out, pkg->version, 0);
	copy_field(&cc->out, pkg->description ? pkg->description : "", 0);
	copy_field(&cc->out, pkg->url, 0);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		copy_array(&cc->out, pkg->vec[order[i]], &cc->tmp);
	snprintf(num, sizeof(num), "%lld", pkg->download_size);
	copy_field(&cc->out, num, 0);
	snprintf(num, sizeof(num), "%lld", pkg->installed_size);
	copy_field(&cc->out, num, 0);
	if (pkg->build_date > 0) {
		time_t		t = (time_t)pkg->build_date;
		struct tm	tm;

		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S+00", &tm);
		copy_field(&cc->out, date, 0);
	} else
		copy_field(&cc->out, NULL, 0);
	copy_field(&cc->out, pkg->packager, 0);
	copy_field(&cc->out, pkg->sha256[0] ? pkg->sha256 : NULL, 1);
	cc->count++;
	return cc->out.oom ? -1 : 0;
}

static int
exec_ok(PGconn *pg, const char *sql, int n, const char *const *params)
{
	PGresult	*res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
	int		 ok = db_ok(res);

	if (!ok)
		fprintf(stderr, "debatectl repo: %s", PQerrorMessage(pg));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Replace repository r's rows with those of ctx, in one transaction.  0 or -1. */
static int
store_repo(PGconn *pg, struct solve_ctx *ctx, const struct sync_repo *r, long *count)
{
	struct copy_ctx	 cc = { r->conf->name, { 0 }, { 0 }, 0 };
	char		 prio[16], cnt[32];
	const char	*p[5];
	PGresult	*res = NULL;
	int		 rc = -1;

	if (solve_repo_foreach(ctx, r->conf->name, copy_row, &cc) == -1) {
		fprintf(stderr, "debatectl repo: %s: %s\n", r->conf->name, solve_errmsg(ctx));
		goto out;
	}
	snprintf(prio, sizeof(prio), "%d", r->priority);
	snprintf(cnt, sizeof(cnt), "%ld", cc.count);
	p[0] = r->conf->name;
	p[1] = prio;
	p[2] = r->conf->db;
	p[3] = r->sha;
	p[4] = cnt;
	if (exec_ok(pg, "BEGIN", 0, NULL) == -1)
		goto out;
	if (exec_ok(pg, "INSERT INTO packages.repos (name, priority, db_source, db_sha256, "
	    "package_count, synced_at) VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (name) DO "
	    "UPDATE SET priority = $2, db_source = $3, db_sha256 = $4, package_count = $5, "
	    "synced_at = now()", 5, p) == -1 ||
	    exec_ok(pg, "DELETE FROM packages.packages WHERE repo = $1", 1, p) == -1)
		goto rollback;
	res = PQexec(pg, "COPY packages.packages (repo, name, version, description, url, "
	    "licenses, groups, depends, optdepends, provides, conflicts, replaces, depends_names, "
	    "provides_names, download_size, installed_size, build_date, packager, sha256) "
	    "FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		fprintf(stderr, "debatectl repo: %s", PQerrorMessage(pg));
		goto rollback;
	}
	PQclear(res);
	res = NULL;
	if (PQputCopyData(pg, cc.out.p ? cc.out.p : "", (int)cc.out.len) != 1 ||
	    PQputCopyEnd(pg, NULL) != 1) {
		fprintf(stderr, "debatectl repo: %s", PQerrorMessage(pg));
		goto rollback;
	}
	res = PQgetResult(pg);
	if (!db_ok(res)) {
		fprintf(stderr, "debatectl repo: %s: %s", r->conf->name, PQerrorMessage(pg));
		goto rollback;
	}
	while (PQgetResult(pg) != NULL)
		;
	if (exec_ok(pg, "COMMIT", 0, NULL) == -1)
		goto out;
	*count = cc.count;
	rc = 0;
	goto out;
rollback:
	PQclear(res);
	res = NULL;
	while ((res = PQgetResult(pg)) != NULL)
		PQclear(res);
	exec_ok(pg, "ROLLBACK", 0, NULL);
out:
	PQclear(res);
	free(cc.out.p);
	free(cc.tmp.p);
	return rc;
}

/* SHA-256 of a file in hex.  0 or -1. */
static int
sha256_file(const char *path, char hex[65])
{
	crypto_hash_sha256_state st;
	unsigned char		 buf[1 << 16], h[32];
	ssize_t			 n;
	int			 fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;

	if (fd == -1)
		return -1;
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
	if (n == 0) {
		crypto_hash_sha256_final(&st, h);
		sodium_bin2hex(hex, 65, h, sizeof(h));
		rc = 0;
	}
	close(fd);
	return rc;
}

/* Copy src to dst through dst.tmp and a rename.  0 or -1. */
static int
copy_file(const char *src, const char *dst)
{
	char	 tmp[4200], buf[1 << 16];
	ssize_t	 n = 0;
	int	 in = -1, out = -1, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) == -1)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (n == 0 && fsync(out) == 0 && close(out) == 0) {
		out = -1;
		rc = rename(tmp, dst);
	}
out:
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	if (rc == -1)
		unlink(tmp);
	return rc;
}

/* Download url to path with curl (no shell).  0 or -1. */
static int
fetch_url(const char *url, const char *path)
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execlp("curl", "curl", "-fsSL", "--connect-timeout", "15", "--max-time", "600", "--proto", "=http,https",
		    "-o", path, "--", url, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

/* Where repository r's database is read from this time.  0 or -1. */
static int
locate(const struct conf *c, struct sync_repo *r)
{
	const char *db = r->conf->db;

	snprintf(r->cached, sizeof(r->cached), "%s/%s.db", c->web_cache_dir, r->conf->name);
	if (strncmp(db, "http://", 7) == 0 || strncmp(db, "https://", 8) == 0) {
		snprintf(r->fetched, sizeof(r->fetched), "%s/%s.download", c->web_cache_dir,
		    r->conf->name);
		if (fetch_url(db, r->fetched) == -1) {
			fprintf(stderr, "debatectl repo: %s: cannot download %s\n", r->conf->name, db);
			return -1;
		}
		return 0;
	}
	snprintf(r->fetched, sizeof(r->fetched), "%s",
	    strncmp(db, "file://", 7) == 0 ? db + 7 : db);
	return 0;
}

/* 1 when PostgreSQL already has this database at this priority. */
static int
unchanged(PGconn *pg, const struct sync_repo *r)
{
	char		 prio[16];
	const char	*p[3] = { r->conf->name, r->sha, prio };
	PGresult	*res;
	int		 same;

	snprintf(prio, sizeof(prio), "%d", r->priority);
	res = PQexecParams(pg, "SELECT 1 FROM packages.repos WHERE name = $1 AND "
	    "db_sha256 = $2 AND priority = $3", 3, NULL, p, NULL, NULL, 0);
	same = db_ok(res) && PQntuples(res) == 1;
	PQclear(res);
	return same && access(r->cached, R_OK) == 0;
}

static int
repo_sync(const struct conf *c, int argc, char **argv)
{
	struct sync_repo	 repos[CONF_REPO_MAX];
	struct solve_ctx	*all = NULL;
	PGconn			*pg = NULL;
	/* a name is at most 122 characters ([repo NAME] in a 128-byte section) */
	char			 solv[4096], names[CONF_REPO_MAX * (128 + 3) + 2] = "{";
	const char		*p[1] = { names };
	size_t			 i;
	int			 force = 0, failed = 0, changed = 0, rc = 1, a;

	for (a = 2; a < argc; a++) {
		if (strcmp(argv[a], "--force") == 0)
			force = 1;
		else {
			fprintf(stderr, "usage: debatectl repo sync [--force]\n");
			return 2;
		}
	}
	if (c->nrepos == 0) {
		fprintf(stderr, "debatectl repo: no [repo NAME] sections in %s\n",
		    c->path ? c->path : "the configuration");
		return 1;
	}
	if (mkdir(c->web_cache_dir, 0755) == -1 && errno != EEXIST) {
		fprintf(stderr, "debatectl repo: %s: %s\n", c->web_cache_dir, strerror(errno));
		return 1;
	}
	pg = db_connect(c, DB_ROLE_ADMIN);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "debatectl repo: %s", PQerrorMessage(pg));
		goto out;
	}
	resolver_cache_path(c, solv, sizeof(solv));
	memset(repos, 0, sizeof(repos));
	for (i = 0; i < c->nrepos; i++) {
		struct sync_repo *r = &repos[i];

		r->conf = &c->repos[i];
		r->priority = (int)i;
		/* Still configured: a repository that fails this time keeps its rows. */
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s\"%s\"",
		    i ? "," : "", r->conf->name);
		if (locate(c, r) == -1) {
			fprintf(stderr, "debatectl repo: %s: its previous packages are kept\n",
			    r->conf->name);
			failed = 1;
			continue;
		}
		if (sha256_file(r->fetched, r->sha) == -1) {
			fprintf(stderr, "debatectl repo: %s: cannot read %s: %s; its previous "
			    "packages are kept\n", r->conf->name, r->fetched, strerror(errno));
			r->sha[0] = '\0';
			failed = 1;
			continue;
		}
		r->changed = force || !unchanged(pg, r);
		r->ok = !r->changed;
		changed |= r->changed;
	}
	strcat(names, "}");
	if (!changed && !failed && access(solv, R_OK) == 0) {
		for (i = 0; i < c->nrepos; i++)
			printf("%s: unchanged\n", repos[i].conf->name);
		rc = 0;
		goto out;
	}
	/* One context with every repository in priority order, new or cached. */
	if ((all = solve_ctx_new()) == NULL)
		goto out;
	for (i = 0; i < c->nrepos; i++) {
		struct sync_repo *r = &repos[i];

		if (r->changed && r->sha[0]) {
			if (solve_repo_add_db(all, r->conf->name, r->fetched) == 0) {
				r->ok = 1;
				continue;
			}
			fprintf(stderr, "debatectl repo: %s: %s; its previous packages are kept\n",
			    r->conf->name, solve_errmsg(all));
			failed = 1;
			r->changed = 0;
		}
		if (access(r->cached, R_OK) == 0 &&
		    solve_repo_add_db(all, r->conf->name, r->cached) == -1)
			fprintf(stderr, "debatectl repo: %s: cached copy unreadable: %s\n",
			    r->conf->name, solve_errmsg(all));
	}
	for (i = 0; i < c->nrepos; i++) {
		struct sync_repo	*r = &repos[i];
		long			 count = 0;

		if (!r->changed)
			continue;
		if (store_repo(pg, all, r, &count) == -1 || copy_file(r->fetched, r->cached) == -1) {
			fprintf(stderr, "debatectl repo: %s: could not store the packages\n",
			    r->conf->name);
			failed = 1;
			continue;
		}
		printf("%s: %ld packages\n", r->conf->name, count);
	}
	for (i = 0; i < c->nrepos; i++)
		if (!repos[i].changed && repos[i].ok)
			printf("%s: unchanged\n", repos[i].conf->name);
	if (exec_ok(pg, "DELETE FROM packages.repos WHERE NOT (name = ANY ($1::text[]))",
	    1, p) == -1)
		failed = 1;
	if (solve_cache_write(all, solv) == -1) {
		fprintf(stderr, "debatectl repo: %s\n", solve_errmsg(all));
		goto out;
	}
	rc = failed ? 1 : 0;
out:
	solve_ctx_free(all);
	if (pg != NULL)
		PQfinish(pg);
	return rc;
}

static int
repo_list(const struct conf *c)
{
	PGconn		*pg = db_connect(c, DB_ROLE_ADMIN);
	PGresult	*res = NULL;
	int		 i, rc = 1;

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "debatectl repo: %s", PQerrorMessage(pg));
		goto out;
	}
	res = PQexec(pg, "SELECT name, priority, package_count, synced_at, db_source "
	    "FROM packages.repos ORDER BY priority");
	if (!db_ok(res)) {
		fprintf(stderr, "debatectl repo: %s", PQerrorMessage(pg));
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++)
		printf("%-12s %3s %7s  %s  %s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		    PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4));
	rc = 0;
out:
	PQclear(res);
	PQfinish(pg);
	return rc;
}

int
ctl_repo(const struct conf *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "sync") == 0)
		return repo_sync(c, argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return repo_list(c);
	fprintf(stderr, "usage: debatectl repo sync [--force] | debatectl repo list\n");
	return 2;
}
