/*
 * solve_catalog.c - walk the packages of one repository of a solve_ctx with
 * everything the catalogue shows: the rows `debatectl repo sync` writes to
 * PostgreSQL come from the same parse the resolver uses, never a second reader.
 */
#include <stdlib.h>
#include <string.h>

#include <solv/chksum.h>
#include <solv/repo.h>

#include "solve_internal.h"
#include "solve_catalog.h"

/* A growable NULL-terminated vector of owned strings. */
struct strv {
	char	**v;
	size_t	  n, cap;
};

static int
strv_add(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		size_t	 cap = sv->cap ? sv->cap * 2 : 8;
		char	**nv = realloc(sv->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		sv->v = nv;
		sv->cap = cap;
	}
	if ((sv->v[sv->n] = strdup(s)) == NULL)
		return -1;
	sv->v[++sv->n] = NULL;
	return 0;
}

static void
strv_clear(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	sv->n = 0;
	if (sv->v != NULL)
		sv->v[0] = NULL;
}

static const char *const empty_vec[] = { NULL };

static const char *const *
strv_get(const struct strv *sv)
{
	return sv->n ? (const char *const *)sv->v : empty_vec;
}

/* "name>=1.2" as pacman writes it, from a libsolv dependency. */
static int
dep_add(Pool *pool, Id dep, struct strv *full, struct strv *names)
{
	if (ISRELDEP(dep)) {
		Reldep		*rd = GETRELDEP(pool, dep);
		const char	*op;
		char		*buf;
		int		 rc;

		switch (rd->flags) {
		case REL_EQ: op = "="; break;
		case REL_GT: op = ">"; break;
		case REL_LT: op = "<"; break;
		case REL_GT | REL_EQ: op = ">="; break;
		case REL_LT | REL_EQ: op = "<="; break;
		default: op = NULL; break;
		}
		if (op == NULL)
			return strv_add(full, pool_dep2str(pool, dep));
		if (asprintf(&buf, "%s%s%s", pool_id2str(pool, rd->name), op,
		    pool_id2str(pool, rd->evr)) < 0)
			return -1;
		rc = strv_add(full, buf);
		free(buf);
		if (rc == 0 && names != NULL)
			rc = strv_add(names, pool_id2str(pool, rd->name));
		return rc;
	}
	if (strv_add(full, pool_id2str(pool, dep)) == -1)
		return -1;
	return names != NULL ? strv_add(names, pool_id2str(pool, dep)) : 0;
}

/* Fill full/names from the dependency array `keyname` of s, skipping self-provides. */
static int
deps_of(Solvable *s, Id keyname, struct strv *full, struct strv *names)
{
	Pool	*pool = s->repo->pool;
	Queue	 q;
	int	 i, rc = 0;

	queue_init(&q);
	solvable_lookup_deparray(s, keyname, &q, -1);
	for (i = 0; i < q.count && rc == 0; i++) {
		Id dep = q.elements[i];

		if (keyname == SOLVABLE_PROVIDES && ISRELDEP(dep)) {
			Reldep *rd = GETRELDEP(pool, dep);

			if (rd->name == s->name && rd->evr == s->evr && rd->flags == REL_EQ)
				continue;
		}
		rc = dep_add(pool, dep, full, names);
	}
	queue_free(&q);
	return rc;
}

static int
strs_of(Solvable *s, Id keyname, struct strv *out)
{
	Pool	*pool = s->repo->pool;
	Queue	 q;
	int	 i, rc = 0;

	queue_init(&q);
	solvable_lookup_idarray(s, keyname, &q);
	for (i = 0; i < q.count && rc == 0; i++)
		rc = strv_add(out, pool_id2str(pool, q.elements[i]));
	queue_free(&q);
	return rc;
}

int
solve_repo_foreach(struct solve_ctx *ctx, const char *reponame, solve_pkg_cb *cb, void *arg)
{
	Pool		*pool = ctx->pool;
	Repo		*repo = NULL;
	Solvable	*s;
	struct strv	 sv[SOLVE_PKG_VEC__MAX];
	struct solve_pkg pkg;
	Id		 p, optkey = pool_str2id(pool, SOLVE_KEY_OPTDEPENDS, 1);
	int		 i, rc = -1;

	memset(sv, 0, sizeof(sv));
	FOR_REPOS(i, repo)
		if (strcmp(repo->name, reponame) == 0)
			break;
	if (repo == NULL) {
		snprintf(ctx->err, sizeof(ctx->err), "no repository %s", reponame);
		goto out;
	}
	FOR_REPO_SOLVABLES(repo, p, s) {
		const unsigned char	*sum;
		Id			 type = 0;
		int			 k, bad = 0;

		for (k = 0; k < SOLVE_PKG_VEC__MAX; k++)
			strv_clear(&sv[k]);
		memset(&pkg, 0, sizeof(pkg));
		pkg.name = pool_id2str(pool, s->name);
		pkg.version = pool_id2str(pool, s->evr);
		pkg.description = solvable_lookup_str(s, SOLVABLE_SUMMARY);
		pkg.url = solvable_lookup_str(s, SOLVABLE_URL);
		pkg.packager = solvable_lookup_str(s, SOLVABLE_PACKAGER);
		pkg.download_size = (long long)solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
		pkg.installed_size = (long long)solvable_lookup_num(s, SOLVABLE_INSTALLSIZE, 0);
		pkg.build_date = (long long)solvable_lookup_num(s, SOLVABLE_BUILDTIME, 0);
		sum = solvable_lookup_bin_checksum(s, SOLVABLE_CHECKSUM, &type);
		if (sum != NULL && type == REPOKEY_TYPE_SHA256)
			solv_bin2hex(sum, 32, pkg.sha256);
		bad |= strs_of(s, SOLVABLE_LICENSE, &sv[SOLVE_PKG_LICENSES]);
		bad |= strs_of(s, SOLVABLE_GROUP, &sv[SOLVE_PKG_GROUPS]);
		bad |= strs_of(s, optkey, &sv[SOLVE_PKG_OPTDEPENDS]);
		bad |= deps_of(s, SOLVABLE_REQUIRES, &sv[SOLVE_PKG_DEPENDS], &sv[SOLVE_PKG_DEPENDS_NAMES]);
		bad |= deps_of(s, SOLVABLE_PROVIDES, &sv[SOLVE_PKG_PROVIDES], &sv[SOLVE_PKG_PROVIDES_NAMES]);
		bad |= deps_of(s, SOLVABLE_CONFLICTS, &sv[SOLVE_PKG_CONFLICTS], NULL);
		bad |= deps_of(s, SOLVABLE_OBSOLETES, &sv[SOLVE_PKG_REPLACES], NULL);
		if (bad) {
			snprintf(ctx->err, sizeof(ctx->err), "out of memory");
			goto out;
		}
		for (k = 0; k < SOLVE_PKG_VEC__MAX; k++)
			pkg.vec[k] = strv_get(&sv[k]);
		if (cb(&pkg, arg) == -1) {
			snprintf(ctx->err, sizeof(ctx->err), "stopped by the caller");
			goto out;
		}
	}
	rc = 0;
out:
	for (i = 0; i < SOLVE_PKG_VEC__MAX; i++) {
		strv_clear(&sv[i]);
		free(sv[i].v);
	}
	return rc;
}
