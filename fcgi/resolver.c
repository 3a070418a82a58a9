/*
 * resolver.c - see resolver.h.  The cache file is checked with stat() before
 * each resolve; a changed (device, inode, size, mtime) means a sync renamed a
 * new cache into place, and it is loaded into a fresh context that replaces
 * the old one.  A cache that fails to load keeps the previous context.
 */
#include "resolver.h"
#include "solve.h"
#include "solve_catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct solve_ctx	*ctx;
static struct stat	 loaded;

void
resolver_cache_path(const struct conf *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", c->web_cache_dir, RESOLVER_CACHE_FILE);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Make ctx current with the cache file; called with lock held.  0 or -1. */
static int
refresh(const struct conf *c)
{
	char			 path[4096];
	struct stat		 st;
	struct solve_ctx	*fresh = NULL;

	resolver_cache_path(c, path, sizeof(path));
	if (stat(path, &st) == -1)
		return ctx != NULL ? 0 : -1;
	if (ctx != NULL && same_file(&st, &loaded))
		return 0;
	if ((fresh = solve_ctx_new()) == NULL || solve_cache_load(fresh, path) == -1) {
		fprintf(stderr, "debate-fcgi[resolver]: cannot load %s: %s\n", path,
		    fresh ? solve_errmsg(fresh) : "out of memory");
		solve_ctx_free(fresh);
		return ctx != NULL ? 0 : -1;
	}
	solve_ctx_free(ctx);
	ctx = fresh;
	loaded = st;
	fprintf(stderr, "debate-fcgi[resolver]: loaded %s: %d repositories, %d packages\n",
	    path, solve_repo_count(ctx), solve_package_count(ctx));
	return 0;
}

enum resolver_rc
resolver_resolve(const struct conf *c, const json_t *req, json_t **answer, char *field,
    char *err, size_t errsz)
{
	const char		*f = NULL;
	enum resolver_rc	 rc = RESOLVER_OK;

	*answer = NULL;
	pthread_mutex_lock(&lock);
	if (refresh(c) == -1) {
		rc = RESOLVER_UNAVAILABLE;
		goto out;
	}
	if ((*answer = solve_resolve(ctx, req, &f)) == NULL) {
		snprintf(field, 256, "%s", f ? f : "request");
		snprintf(err, errsz, "%s", solve_errmsg(ctx));
		rc = RESOLVER_BAD_REQUEST;
	}
out:
	pthread_mutex_unlock(&lock);
	return rc;
}

enum resolver_rc
resolver_search(const struct conf *c, const char *q, const char *repo, size_t limit,
    size_t offset, json_t **answer, size_t *total)
{
	enum resolver_rc rc = RESOLVER_OK;

	*answer = NULL;
	pthread_mutex_lock(&lock);
	if (refresh(c) == -1)
		rc = RESOLVER_UNAVAILABLE;
	else if ((*answer = solve_search(ctx, q, repo, limit, offset, total)) == NULL)
		rc = RESOLVER_UNAVAILABLE;
	pthread_mutex_unlock(&lock);
	return rc;
}
