/*
 * solve_catalog.h - the packages of a loaded repository, field by field, for
 * the catalogue in PostgreSQL.
 */
#ifndef DEBATE_SOLVE_CATALOG_H
#define DEBATE_SOLVE_CATALOG_H

#include "solve.h"

/* The key the sync-db reader keeps %OPTDEPENDS% lines under ("name: why"). */
#define SOLVE_KEY_OPTDEPENDS "debate:optdepends"

enum solve_pkg_vec {
	SOLVE_PKG_LICENSES, SOLVE_PKG_GROUPS, SOLVE_PKG_DEPENDS, SOLVE_PKG_OPTDEPENDS,
	SOLVE_PKG_PROVIDES, SOLVE_PKG_CONFLICTS, SOLVE_PKG_REPLACES,
	SOLVE_PKG_DEPENDS_NAMES, SOLVE_PKG_PROVIDES_NAMES,
	SOLVE_PKG_VEC__MAX
};

/* One package.  Everything is owned by the walk and valid only in the callback. */
struct solve_pkg {
	const char		*name, *version;
	const char		*description, *url, *packager;	/* NULL when absent */
	char			 sha256[65];			/* "" when absent */
	long long		 download_size, installed_size;
	long long		 build_date;			/* seconds since 1970, 0 unknown */
	const char *const	*vec[SOLVE_PKG_VEC__MAX];	/* NULL-terminated */
};

/* Return 0 to go on, -1 to stop the walk (which then returns -1). */
typedef int solve_pkg_cb(const struct solve_pkg *pkg, void *arg);

/* Call cb for every package of repository reponame.  0, or -1 (solve_errmsg). */
int	 solve_repo_foreach(struct solve_ctx *ctx, const char *reponame, solve_pkg_cb *cb,
	    void *arg);

/*
 * Search the loaded packages for q (see solve_search.c for the ranking), in
 * repository reponame ("" = all).  Returns a new array of {repo, name,
 * version, description} for hits offset..offset+limit, and every hit's count
 * in *total; NULL when out of memory.
 */
json_t	*solve_search(struct solve_ctx *ctx, const char *q, const char *reponame, size_t limit,
	    size_t offset, size_t *total);

/*
 * Build solve_search's index ahead of time; after it, solve_search only reads
 * ctx and may run in several threads at once (not alongside anything that
 * changes ctx).  0, or -1 when out of memory.
 */
int	 solve_search_prepare(struct solve_ctx *ctx);

#endif
