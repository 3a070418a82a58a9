/*
 * solve_pool.c - the solve context: a libsolv Pool with Arch semantics, sync
 * databases added as prioritised repositories, and a .solv cache of them all.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <solv/repo_solv.h>
#include <solv/repo_write.h>

#include "solve_internal.h"

#define CACHE_MAGIC	"debate-solv-cache 1\n"
#define CACHE_MAX	(1u << 30)	/* refuse cache files above 1 GiB */

const char *const solve_layer_names[SOLVE_LAYER__MAX] = {
	"opening_statement",
	"platform",
	"rhetoric",
	"talking_points",
	"closing_argument",
};

void
solve_seterr(struct solve_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
}

void
solve_setfield(struct solve_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->field, sizeof(ctx->field), fmt, ap);
	va_end(ap);
}

/* snprintf that is allowed to truncate (messages have a fixed budget). */
void
solve_fmt(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
}

/* A new Pool set up for Arch Linux on x86_64; NULL if libsolv lacks Arch. */
static Pool *
pool_new_arch(void)
{
	Pool *pool;

	if ((pool = pool_create()) == NULL)
		return NULL;
	if (pool_setdisttype(pool, DISTTYPE_ARCH) < 0) {
		pool_free(pool);
		return NULL;
	}
	pool_setarch(pool, "x86_64");
	return pool;
}

/*
 * Recompute what the solver needs after repositories changed: the
 * whatprovides index, with pacman's matching for versioned dependencies.
 */
void
solve_pool_ready(Pool *pool)
{
	pool_createwhatprovides(pool);
	solve_pool_pacman_semantics(pool);
}

struct solve_ctx *
solve_ctx_new(void)
{
	struct solve_ctx *ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	if ((ctx->pool = pool_new_arch()) == NULL) {
		free(ctx);
		return NULL;
	}
	solve_pool_ready(ctx->pool);
	return ctx;
}

void
solve_ctx_free(struct solve_ctx *ctx)
{
	if (ctx == NULL)
		return;
	solve_search_forget(ctx);
	pool_free(ctx->pool);
	free(ctx);
}

const char *
solve_errmsg(const struct solve_ctx *ctx)
{
	return ctx == NULL ? "no context" : ctx->err;
}

int
solve_repo_count(const struct solve_ctx *ctx)
{
	Pool	*pool = ctx->pool;
	Repo	*repo;
	int	 i, n = 0;

	FOR_REPOS(i, repo)
		n++;
	return n;
}

int
solve_package_count(const struct solve_ctx *ctx)
{
	Pool	*pool = ctx->pool;
	Repo	*repo;
	int	 i, n = 0;

	FOR_REPOS(i, repo)
		n += repo->nsolvables;
	return n;
}

/* 1 if S is usable as a repository name (also a cache header field). */
static int
valid_repo_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		    *s == '.'))
			return 0;
	return 1;
}

/*
 * Rank of REPO in pacman.conf order: 0 for the highest priority.  Repositories
 * are kept at priority -rank, so libsolv prefers earlier ones as pacman does.
 */
int
solve_repo_rank(const Repo *repo)
{
	return -repo->priority;
}

/*
 * Add the sync database DBPATH as repository NAME with the lowest priority so
 * far.  0 or -1 (message names the file); on -1 the pool is as it was.
 */
int
solve_repo_add_db(struct solve_ctx *ctx, const char *name, const char *dbpath)
{
	Pool	*pool = ctx->pool;
	Repo	*repo = NULL, *r;
	int	 fd = -1, rc = -1, i, lowest = 1;

	ctx->err[0] = '\0';
	if (name == NULL || dbpath == NULL || !valid_repo_name(name)) {
		solve_seterr(ctx, "invalid repository name '%s'",
		    name ? name : "(null)");
		goto out;
	}
	FOR_REPOS(i, r) {
		if (strcmp(r->name, name) == 0) {
			solve_seterr(ctx, "repository '%s' added twice", name);
			goto out;
		}
		if (r->priority < lowest)
			lowest = r->priority;
	}
	if ((fd = open(dbpath, O_RDONLY | O_CLOEXEC)) < 0) {
		solve_seterr(ctx, "%s: %s", dbpath, strerror(errno));
		goto out;
	}
	repo = repo_create(pool, name);
	repo->priority = lowest > 0 ? 0 : lowest - 1;
	if (solve_syncdb_read(repo, fd, dbpath, ctx->err,
	    sizeof(ctx->err)) < 0)
		goto out;
	solve_search_forget(ctx);
	rc = 0;
out:
	if (rc < 0 && repo != NULL)
		repo_free(repo, 1);
	if (fd >= 0)
		close(fd);
	solve_pool_ready(pool);
	return rc;
}

/*
 * Serialise REPO with repo_write into a new malloc'd buffer (*BUF, *LEN).
 * 0 or -1.  The caller frees *BUF.
 */
static int
repo_to_buf(Repo *repo, char **buf, size_t *len)
{
	FILE	*fp;
	int	 rc;

	*buf = NULL;
	*len = 0;
	if ((fp = open_memstream(buf, len)) == NULL)
		return -1;
	rc = repo_write(repo, fp);
	if (fclose(fp) != 0)
		rc = -1;
	if (rc != 0) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

/*
 * Cache file: a text header (magic, one "repo PRIORITY SIZE NAME" line per
 * repository in add order, an empty line) followed by the repo_write blobs.
 */
int
solve_cache_write(struct solve_ctx *ctx, const char *path)
{
	Pool	 *pool = ctx->pool;
	Repo	 *repo;
	char	**bufs = NULL, *tmp = NULL;
	size_t	 *lens = NULL;
	FILE	 *fp = NULL;
	int	  i, k, n = 0, fd = -1, rc = -1;

	ctx->err[0] = '\0';
	bufs = calloc(pool->nrepos + 1, sizeof(*bufs));
	lens = calloc(pool->nrepos + 1, sizeof(*lens));
	if (bufs == NULL || lens == NULL ||
	    asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
		tmp = NULL;
		solve_seterr(ctx, "out of memory");
		goto out;
	}
	FOR_REPOS(i, repo) {
		if (repo_to_buf(repo, &bufs[n], &lens[n]) < 0) {
			solve_seterr(ctx, "%s: cannot serialise repository "
			    "'%s'", path, repo->name);
			goto out;
		}
		n++;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		solve_seterr(ctx, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		solve_seterr(ctx, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	fputs(CACHE_MAGIC, fp);
	fprintf(fp, "repos %d\n", n);
	k = 0;
	FOR_REPOS(i, repo) {
		fprintf(fp, "repo %d %zu %s\n", repo->priority, lens[k],
		    repo->name);
		k++;
	}
	fputc('\n', fp);
	for (k = 0; k < n; k++)
		fwrite(bufs[k], 1, lens[k], fp);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		solve_seterr(ctx, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		solve_seterr(ctx, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fp = NULL;
	if (rename(tmp, path) != 0) {
		solve_seterr(ctx, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	if (rc < 0 && tmp != NULL)
		unlink(tmp);
	for (k = 0; bufs != NULL && k < n; k++)
		free(bufs[k]);
	free(bufs);
	free(lens);
	free(tmp);
	return rc;
}

/* Read all of PATH into a new buffer (caller frees).  NULL on error. */
static char *
slurp(struct solve_ctx *ctx, const char *path, size_t *len)
{
	struct stat	 st;
	char		*buf = NULL, *ret = NULL;
	size_t		 done = 0;
	ssize_t		 r;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) < 0) {
		solve_seterr(ctx, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CACHE_MAX) {
		solve_seterr(ctx, "%s: not a regular file of sane size", path);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		solve_seterr(ctx, "out of memory");
		goto out;
	}
	while (done < (size_t)st.st_size) {
		if ((r = read(fd, buf + done, (size_t)st.st_size - done)) <= 0) {
			solve_seterr(ctx, "%s: short read", path);
			goto out;
		}
		done += (size_t)r;
	}
	buf[done] = '\0';
	*len = done;
	ret = buf;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/*
 * Replace every repository by those in the cache at PATH.  The cache is read
 * into a fresh Pool which replaces ctx's only on success.  0 or -1.
 */
int
solve_cache_load(struct solve_ctx *ctx, const char *path)
{
	Pool	*pool = NULL;
	Repo	*repo;
	FILE	*fp = NULL;
	char	*buf = NULL, *hdr, *nl, name[128];
	size_t	 len = 0, off, size;
	int	 nrepos, i, prio, rc = -1, used;

	ctx->err[0] = '\0';
	if ((buf = slurp(ctx, path, &len)) == NULL)
		goto out;
	if (len < strlen(CACHE_MAGIC) || memcmp(buf, CACHE_MAGIC,
	    strlen(CACHE_MAGIC)) != 0) {
		solve_seterr(ctx, "%s: not a debate solv cache (or another "
		    "version)", path);
		goto out;
	}
	hdr = buf + strlen(CACHE_MAGIC);
	if (sscanf(hdr, "repos %d\n%n", &nrepos, &used) != 1 || nrepos < 0 ||
	    nrepos > 256) {
		solve_seterr(ctx, "%s: corrupt header", path);
		goto out;
	}
	hdr += used;
	/* blobs start after the empty line that ends the header */
	for (off = 0, i = 0, nl = hdr; i < nrepos; i++) {
		if ((nl = strchr(nl, '\n')) == NULL)
			break;
		nl++;
	}
	if (nl == NULL || *nl != '\n') {
		solve_seterr(ctx, "%s: corrupt header", path);
		goto out;
	}
	off = (size_t)(nl + 1 - buf);
	if ((pool = pool_new_arch()) == NULL) {
		solve_seterr(ctx, "out of memory");
		goto out;
	}
	for (i = 0; i < nrepos; i++) {
		if (sscanf(hdr, "repo %d %zu %127s\n%n", &prio, &size, name,
		    &used) != 3 || !valid_repo_name(name) || size > len - off) {
			solve_seterr(ctx, "%s: corrupt header line %d", path,
			    i + 3);
			goto out;
		}
		hdr += used;
		if ((fp = fmemopen(buf + off, size, "r")) == NULL) {
			solve_seterr(ctx, "%s: %s", path, strerror(errno));
			goto out;
		}
		repo = repo_create(pool, name);
		repo->priority = prio;
		if (repo_add_solv(repo, fp, 0) != 0) {
			solve_seterr(ctx, "%s: repository '%s': %s", path,
			    name, pool_errstr(pool));
			goto out;
		}
		fclose(fp);
		fp = NULL;
		solve_syncdb_restore_order(repo);
		off += size;
	}
	if (off != len) {
		solve_seterr(ctx, "%s: trailing garbage", path);
		goto out;
	}
	solve_pool_ready(pool);
	solve_search_forget(ctx);
	pool_free(ctx->pool);
	ctx->pool = pool;
	pool = NULL;
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (pool != NULL)
		pool_free(pool);
	free(buf);
	return rc;
}
