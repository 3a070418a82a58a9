/*
 * solve_suggest.c - the closest known names (packages, provisions, groups) to
 * a name that exists nowhere: "fierfox" -> "firefox".
 *
 * Score: Levenshtein distance (bounded: most of ~20,000 names are rejected by
 * length alone), with prefix and substring matches ranked as if they
 * were one edit away.  Ties go to the shorter, then alphabetically first name.
 */
#include <stdlib.h>
#include <string.h>

#include <solv/dataiterator.h>
#include <solv/knownid.h>

#include "solve_internal.h"

#define DIST_INF	1000

struct cand {
	Id	id;
	int	score;
};

/*
 * Levenshtein distance between A and B, or DIST_INF when it exceeds MAX.
 * Names whose lengths differ by more than MAX are rejected at once, and a row
 * whose minimum exceeds MAX stops the computation.
 */
static int
lev_bounded(const char *a, size_t la, const char *b, size_t lb, int max)
{
	int	 row0[SOLVE_NAME_MAX + 2], row1[SOLVE_NAME_MAX + 2];
	int	*prev = row0, *cur = row1, *tmp, best;
	size_t	 i, j;

	if (la > SOLVE_NAME_MAX || lb > SOLVE_NAME_MAX)
		return DIST_INF;
	if ((la > lb ? la - lb : lb - la) > (size_t)max)
		return DIST_INF;
	for (j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (int)i;
		best = cur[0];
		for (j = 1; j <= lb; j++) {
			int d = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		if (best > max)
			return DIST_INF;
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb] > max ? DIST_INF : prev[lb];
}

/* Score of candidate C for query Q (lower is better), DIST_INF if unrelated. */
static int
score(const char *q, size_t lq, const char *c, int max)
{
	size_t	lc = strlen(c);
	int	d;

	if (lc == lq && strcmp(q, c) == 0)
		return DIST_INF;	/* the name itself is not a suggestion */
	d = lev_bounded(q, lq, c, lc, max);
	if (d > 1 && lq >= 3 && (strncmp(c, q, lq) == 0 || strstr(c, q)))
		d = 1;
	return d;
}

static int
cmp_cand(const void *a, const void *b, void *dp)
{
	Pool			*pool = dp;
	const struct cand	*ca = a, *cb = b;
	const char		*sa = pool_id2str(pool, ca->id);
	const char		*sb = pool_id2str(pool, cb->id);
	size_t			 la = strlen(sa), lb = strlen(sb);

	if (ca->score != cb->score)
		return ca->score - cb->score;
	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(sa, sb);
}

/* Consider string Id ID as a candidate for Q. */
static void
consider(Pool *pool, Map *seen, struct cand *best, int *nbest, int max_n,
    const char *q, size_t lq, int maxd, Id id)
{
	struct cand	c;
	int		i;

	if (id <= 0 || id >= pool->ss.nstrings || MAPTST(seen, id))
		return;
	MAPSET(seen, id);
	if ((c.score = score(q, lq, pool_id2str(pool, id), maxd)) >= DIST_INF)
		return;
	c.id = id;
	/* keep the MAX_N best in a small sorted array */
	if (*nbest == max_n && cmp_cand(&c, &best[max_n - 1], pool) >= 0)
		return;
	i = *nbest < max_n ? (*nbest)++ : max_n - 1;
	best[i] = c;
	for (; i > 0 && cmp_cand(&best[i], &best[i - 1], pool) < 0; i--) {
		struct cand t = best[i];

		best[i] = best[i - 1];
		best[i - 1] = t;
	}
}

/*
 * Up to MAX_N names close to NAME, best first, as a new JSON array of strings
 * (empty when nothing is close).  NULL only on OOM.
 */
json_t *
solve_suggest(Pool *pool, const char *name, int max_n)
{
	struct cand	 best[16];
	Dataiterator	 di;
	Solvable	*s;
	Map		 seen;
	json_t		*a;
	size_t		 lq = strlen(name);
	int		 maxd, nbest = 0, i;
	Id		 p, *pp;

	if (max_n > 16)
		max_n = 16;
	maxd = lq < 4 ? 1 : lq < 9 ? 2 : 3;
	map_init(&seen, pool->ss.nstrings);
	FOR_POOL_SOLVABLES(p) {
		s = pool_id2solvable(pool, p);
		if (!pool_installable(pool, s))
			continue;
		consider(pool, &seen, best, &nbest, max_n, name, lq, maxd,
		    s->name);
		if (!s->provides)
			continue;
		for (pp = s->repo->idarraydata + s->provides; *pp; pp++) {
			Id n = *pp;

			while (ISRELDEP(n))
				n = GETRELDEP(pool, n)->name;
			consider(pool, &seen, best, &nbest, max_n, name, lq,
			    maxd, n);
		}
	}
	dataiterator_init(&di, pool, NULL, 0, SOLVABLE_GROUP, NULL, 0);
	while (dataiterator_step(&di))
		consider(pool, &seen, best, &nbest, max_n, name, lq, maxd,
		    di.kv.id);
	dataiterator_free(&di);
	map_free(&seen);
	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < nbest; i++)
		json_array_append_new(a, json_string(pool_id2str(pool,
		    best[i].id)));
	return a;
}
