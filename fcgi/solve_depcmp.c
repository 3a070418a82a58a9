/*
 * solve_depcmp.c - pacman's notion of "satisfies" and of which package it
 * picks for a dependency, on top of libsolv's whatprovides index.
 *
 * libsolv's matching is looser than pacman's: an unversioned provision matches
 * a versioned dependency there, never in pacman (libvdpau's conflict with
 * "nvidia-utils<190.42-2" must not hit nvidia-304xx-utils, which provides
 * plain "nvidia-utils").  solve_pool_pacman_semantics() therefore fills
 * libsolv's provider index for every versioned dependency with the packages
 * pacman's rule accepts, so the solver and these helpers agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <solv/evr.h>

#include "solve_internal.h"

/* 1 if version HAVE satisfies FLAGS WANT, comparing like alpm_pkg_vercmp. */
static int
ver_ok(Pool *pool, Id have, int flags, Id want)
{
	int r;

	r = pool_evrcmp(pool, have, want, EVRCMP_MATCH_RELEASE);
	if (r == 2 || r == -2)	/* one side has no pkgrel: ignore pkgrel */
		r = 0;
	return (r < 0 && (flags & REL_LT)) || (r == 0 && (flags & REL_EQ)) ||
	    (r > 0 && (flags & REL_GT));
}

/* Split DEP into name, flags, evr (flags 0 when unversioned). */
static void
dep_split(Pool *pool, Id dep, Id *name, int *flags, Id *evr)
{
	Reldep *rd;

	*name = dep;
	*flags = 0;
	*evr = 0;
	if (ISRELDEP(dep)) {
		rd = GETRELDEP(pool, dep);
		*name = rd->name;
		*flags = rd->flags;
		*evr = rd->evr;
	}
}

/* 1 if package P is named like DEP and its version satisfies DEP. */
int
solve_pkg_satisfies_literal(Pool *pool, Id p, Id dep)
{
	Solvable	*s = pool_id2solvable(pool, p);
	Id		 name, evr;
	int		 flags;

	dep_split(pool, dep, &name, &flags, &evr);
	if (s->name != name)
		return 0;
	return flags == 0 || (flags <= 7 && ver_ok(pool, s->evr, flags, evr));
}

/*
 * 1 if package P satisfies DEP the way pacman's _alpm_depcmp decides: by name
 * and version, or by a provision of that name which is unversioned (only for
 * an unversioned DEP) or "=version" (compared against DEP).
 */
int
solve_pkg_satisfies(Pool *pool, Id p, Id dep)
{
	Solvable	*s = pool_id2solvable(pool, p);
	Id		 name, evr, pid, *pp;
	Reldep		*prd;
	int		 flags;

	if (solve_pkg_satisfies_literal(pool, p, dep))
		return 1;
	dep_split(pool, dep, &name, &flags, &evr);
	if (flags > 7 || s->repo == NULL || !s->provides)
		return 0;
	for (pp = s->repo->idarraydata + s->provides; (pid = *pp) != 0; pp++) {
		if (!ISRELDEP(pid)) {
			if (pid == name && flags == 0)
				return 1;
			continue;
		}
		prd = GETRELDEP(pool, pid);
		if (prd->name != name)
			continue;
		if (flags == 0)
			return 1;
		if (prd->flags == REL_EQ && ver_ok(pool, prd->evr, flags, evr))
			return 1;
	}
	return 0;
}

/* Order: repository rank (pacman.conf order), then name as pacman sorts. */
static int
cmp_rank_name(const void *a, const void *b, void *dp)
{
	Pool		*pool = dp;
	Solvable	*sa = pool_id2solvable(pool, *(const Id *)a);
	Solvable	*sb = pool_id2solvable(pool, *(const Id *)b);
	int		 r;

	r = solve_repo_rank(sa->repo) - solve_repo_rank(sb->repo);
	if (r != 0)
		return r;
	r = strcmp(pool_id2str(pool, sa->name), pool_id2str(pool, sb->name));
	if (r != 0)
		return r;
	return *(const Id *)a - *(const Id *)b;
}

/* Sort Q (solvable Ids) by repository rank, then name. */
void
solve_sort_rank_name(Pool *pool, Queue *q)
{
	solv_sort(q->elements, q->count, sizeof(Id), cmp_rank_name, pool);
}

/*
 * Every installable package satisfying DEP (pacman semantics) into Q, ordered
 * as pacman lists providers: repository order, then name.  Q is emptied first.
 */
void
solve_providers(Pool *pool, Id dep, Queue *q)
{
	Id p, pp;

	queue_empty(q);
	FOR_PROVIDES(p, pp, dep) {
		if (!pool_installable(pool, pool_id2solvable(pool, p)))
			continue;
		if (solve_pkg_satisfies(pool, p, dep))
			queue_push(q, p);
	}
	solv_sort(q->elements, q->count, sizeof(Id), cmp_rank_name, pool);
}

/*
 * The package pacman takes for name NAME under constraint DEP (DEP may equal
 * NAME): the one named NAME in the first repository that has one whose version
 * satisfies DEP.  0 if none.
 */
Id
solve_find_package(Pool *pool, Id name, Id dep)
{
	Id	 p, pp, best = 0;

	FOR_PROVIDES(p, pp, name) {
		Solvable *s = pool_id2solvable(pool, p);

		if (s->name != name || !pool_installable(pool, s))
			continue;
		if (!solve_pkg_satisfies_literal(pool, p, dep))
			continue;
		if (best == 0 || solve_repo_rank(s->repo) <
		    solve_repo_rank(pool_id2solvable(pool, best)->repo))
			best = p;
	}
	return best;
}

/*
 * pacman's resolvedep(): a package named like DEP first (repository order),
 * else the first provider in repository order then name order.  Packages whose
 * name is set in EXCLUDE (a map over string Ids, may be NULL) are skipped.
 * 0 if nothing satisfies DEP.
 */
Id
solve_find_provider(Pool *pool, Id dep, const Map *exclude)
{
	Queue	 q;
	Id	 name = dep, best = 0;
	int	 i;

	while (ISRELDEP(name))
		name = GETRELDEP(pool, name)->name;
	queue_init(&q);
	solve_providers(pool, dep, &q);
	/* 1. literals, in repository order (q is sorted that way) */
	for (i = 0; i < q.count && best == 0; i++) {
		Solvable *s = pool_id2solvable(pool, q.elements[i]);

		if (s->name == name && solve_pkg_satisfies_literal(pool,
		    q.elements[i], dep) && (exclude == NULL ||
		    !(s->name < exclude->size << 3 && MAPTST(exclude, s->name))))
			best = q.elements[i];
	}
	/* 2. other satisfiers */
	for (i = 0; i < q.count && best == 0; i++) {
		Solvable *s = pool_id2solvable(pool, q.elements[i]);

		if (s->name != name && (exclude == NULL ||
		    !(s->name < exclude->size << 3 && MAPTST(exclude, s->name))))
			best = q.elements[i];
	}
	queue_free(&q);
	return best;
}

/*
 * Replace libsolv's provider lists of every simple versioned dependency
 * (name op version) in POOL by pacman's: candidates are all packages providing
 * the name in any way, kept when solve_pkg_satisfies says so.  Must run after
 * pool_createwhatprovides; dependencies created later fall back to libsolv's
 * rule (requests never rely on that: they name solvables).
 */
void
solve_pool_pacman_semantics(Pool *pool)
{
	Queue	 q;
	Id	 rid, p, pp, dep;
	Reldep	*rd;

	queue_init(&q);
	for (rid = 1; rid < pool->nrels; rid++) {
		rd = pool->rels + rid;
		if (rd->flags < 1 || rd->flags > 7 || ISRELDEP(rd->name))
			continue;
		dep = MAKERELDEP(rid);
		queue_empty(&q);
		FOR_PROVIDES(p, pp, rd->name)
			if (solve_pkg_satisfies(pool, p, dep))
				queue_push(&q, p);
		pool->whatprovides_rel[rid] = pool_queuetowhatprovides(pool, &q);
	}
	queue_free(&q);
}

/*
 * DEP as pacman writes it ("foo", "foo>=1.2") into BUF of SZ bytes; returns
 * BUF.  Unlike pool_dep2str the result is not a temporary of the pool.
 */
const char *
solve_dep2str(Pool *pool, Id dep, char *buf, size_t sz)
{
	static const char *const ops[8] = { "", ">", "=", ">=", "<", "<>",
	    "<=", "" };
	Reldep *rd;

	if (!ISRELDEP(dep)) {
		snprintf(buf, sz, "%s", pool_id2str(pool, dep));
		return buf;
	}
	rd = GETRELDEP(pool, dep);
	if (rd->flags < 1 || rd->flags > 7 || ISRELDEP(rd->name) ||
	    ISRELDEP(rd->evr))
		snprintf(buf, sz, "%s", pool_dep2str(pool, dep));
	else
		snprintf(buf, sz, "%s%s%s", pool_id2str(pool, rd->name),
		    ops[rd->flags], pool_id2str(pool, rd->evr));
	return buf;
}
