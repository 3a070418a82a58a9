/*
 * solve_prefer.c - which packages pacman itself would pick.
 *
 * libsolv finds *a* consistent install set; pacman's is defined by a greedy
 * depth-first walk (libalpm _alpm_resolvedeps): for each dependency, in the
 * order a package lists them, keep it if something already picked satisfies
 * it, else take an explicit target that does, else the package named like the
 * dependency (first repository), else the first provider (repository order,
 * then name).  A failing subtree is rolled back.  We replay that walk here and
 * hand its picks to libsolv as weak install jobs, so whenever pacman's choice
 * is consistent libsolv returns exactly it, and when it is not, libsolv still
 * decides and explains.  Pins replace pacman's provider choice.
 */
#include <stdlib.h>
#include <string.h>

#include "solve_internal.h"

struct prefer {
	struct solve_run	*run;
	Pool			*pool;
	Queue			*out;		/* picked, in pick order */
	Map			 in;		/* solvables picked */
	Map			 names;		/* names picked */
	int			*expidx;	/* solvable -> 1 + explicit index */
};

/* 1 if something already picked satisfies DEP. */
static int
picked_satisfies(struct prefer *pf, Id dep)
{
	Pool	*pool = pf->pool;
	Id	 p, pp;

	FOR_PROVIDES(p, pp, dep)
		if (MAPTST(&pf->in, p) && solve_pkg_satisfies(pool, p, dep))
			return 1;
	return 0;
}

/* The explicit target (first in request order) satisfying DEP, or 0. */
static Id
explicit_satisfier(struct prefer *pf, Id dep)
{
	Pool	*pool = pf->pool;
	Id	 p, pp, best = 0;

	FOR_PROVIDES(p, pp, dep)
		if (pf->expidx[p] != 0 && (best == 0 ||
		    pf->expidx[p] < pf->expidx[best]) &&
		    solve_pkg_satisfies(pool, p, dep))
			best = p;
	return best;
}

/* Remove picks from index START on (a failed subtree). */
static void
rollback(struct prefer *pf, int start)
{
	while (pf->out->count > start) {
		Id p = queue_pop(pf->out);

		MAPCLR(&pf->in, p);
		MAPCLR(&pf->names, pool_id2solvable(pf->pool, p)->name);
	}
}

/*
 * Pick P and, recursively, what its dependencies need.  0, or -1 when some
 * dependency cannot be satisfied (then nothing of this subtree stays picked).
 */
static int
pick(struct prefer *pf, Id p)
{
	Pool		*pool = pf->pool;
	Solvable	*s = pool_id2solvable(pool, p);
	Id		*dp, dep, sp, name;
	int		 start = pf->out->count, failed = 0, pinlayer;

	if (MAPTST(&pf->in, p) || MAPTST(&pf->names, s->name))
		return 0;
	MAPSET(&pf->in, p);
	MAPSET(&pf->names, s->name);
	queue_push(pf->out, p);
	if (!s->requires)
		return 0;
	for (dp = s->repo->idarraydata + s->requires; (dep = *dp) != 0; dp++) {
		if (solve_pkg_satisfies(pool, p, dep) ||
		    picked_satisfies(pf, dep))
			continue;
		if ((sp = explicit_satisfier(pf, dep)) == 0) {
			name = ISRELDEP(dep) ? GETRELDEP(pool, dep)->name : dep;
			sp = solve_pin_lookup(pf->run, name, &pinlayer);
			if (sp != 0 && (!solve_pkg_satisfies(pool, sp, dep) ||
			    MAPTST(&pf->names, pool_id2solvable(pool,
			    sp)->name)))
				sp = 0;
		}
		if (sp == 0)
			sp = solve_find_provider(pool, dep, &pf->names);
		if (sp == 0)
			queue_push2(&pf->run->prefer_missing, p, dep);
		if (sp == 0 || pick(pf, sp) < 0)
			failed = 1;
		/* s may have moved if the pool grew; it does not here */
	}
	if (failed) {
		rollback(pf, start);
		return -1;
	}
	return 0;
}

/*
 * Replay pacman's walk for run->explicit_q into OUT (emptied first).  Returns
 * the number of explicit targets pacman could not resolve, -1 on OOM (then
 * OUT is empty and libsolv decides alone).
 */
int
solve_prefer(struct solve_run *run, Queue *out)
{
	struct prefer	 pf;
	int		 i, nfail = 0;

	memset(&pf, 0, sizeof(pf));
	pf.run = run;
	pf.pool = run->pool;
	pf.out = out;
	queue_empty(out);
	queue_empty(&run->prefer_missing);
	map_init(&pf.in, pf.pool->nsolvables);
	map_init(&pf.names, pf.pool->ss.nstrings);
	if ((pf.expidx = calloc(pf.pool->nsolvables, sizeof(int))) == NULL) {
		nfail = -1;
		goto out;
	}
	for (i = run->explicit_q.count - 1; i >= 0; i--)
		pf.expidx[run->explicit_q.elements[i]] = i + 1;
	for (i = 0; i < run->explicit_q.count; i++)
		if (pick(&pf, run->explicit_q.elements[i]) < 0)
			nfail++;
out:
	free(pf.expidx);
	map_free(&pf.in);
	map_free(&pf.names);
	return nfail;
}
