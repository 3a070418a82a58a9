/*
 * resolver.c - see resolver.h.  The cache file is checked with stat() before
 * each resolve; a changed (device, inode, size, mtime) means a sync renamed a
 * new cache into place, and it is loaded into a fresh context that replaces
 * the old one.  A cache that fails to load keeps the previous context.
 *
 * One reader-writer lock guards the context: a resolve (libsolv's solver
 * writes into the pool) and a reload hold it exclusively; searches, which
 * only read a context whose search index was built at load, share it.
 * Writers are preferred so that a stream of searches cannot starve resolves.
 */
#include "resolver.h"
#include "solve.h"
#include "solve_catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static pthread_rwlock_t	 lock;
static pthread_once_t	 lock_once = PTHREAD_ONCE_INIT;
static struct solve_ctx	*ctx;
static struct stat	 loaded;

void
resolver_cache_path(const struct conf *c, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", c->web_cache_dir, RESOLVER_CACHE_FILE);
}

static void
lock_init(void)
{
	pthread_rwlockattr_t a;

	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&lock, &a);
	pthread_rwlockattr_destroy(&a);
}

static void
lock_write(void)
{
	pthread_once(&lock_once, lock_init);
	pthread_rwlock_wrlock(&lock);
}

static void
lock_read(void)
{
	pthread_once(&lock_once, lock_init);
	pthread_rwlock_rdlock(&lock);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Make ctx current with the cache file; called with the write lock.  0 or -1. */
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
	if ((fresh = solve_ctx_new()) == NULL || solve_cache_load(fresh, path) == -1 ||
	    solve_search_prepare(fresh) == -1) {
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
	lock_write();
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
	pthread_rwlock_unlock(&lock);
	return rc;
}

/*
 * 1 when ctx is loaded and the cache file has not changed since (or is gone:
 * the loaded one is kept); called with either lock held.
 */
static int
current(const struct conf *c)
{
	char		path[4096];
	struct stat	st;

	if (ctx == NULL)
		return 0;
	resolver_cache_path(c, path, sizeof(path));
	return stat(path, &st) == -1 || same_file(&st, &loaded);
}

enum resolver_rc
resolver_search(const struct conf *c, const char *q, const char *repo, size_t limit,
    size_t offset, json_t **answer, size_t *total)
{
	enum resolver_rc rc = RESOLVER_OK;

	*answer = NULL;
	lock_read();
	if (!current(c)) {
		/* Reload exclusively, then search as a reader again. */
		pthread_rwlock_unlock(&lock);
		lock_write();
		rc = refresh(c) == -1 ? RESOLVER_UNAVAILABLE : RESOLVER_OK;
		pthread_rwlock_unlock(&lock);
		if (rc != RESOLVER_OK)
			return rc;
		lock_read();
	}
	if (ctx == NULL || (*answer = solve_search(ctx, q, repo, limit, offset, total)) == NULL)
		rc = RESOLVER_UNAVAILABLE;
	pthread_rwlock_unlock(&lock);
	return rc;
}
