/*
 * solve_search.c - package search over the resolver's pool, in process: the
 * same data the resolver answers from, no database round trip.  Rank: exact
 * name 0, name prefix 1, name substring 2, every query word found as a word of
 * the description 3; then repository priority, then name.  Case-insensitive
 * (ASCII, as package names are).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "solve_internal.h"
#include "solve_catalog.h"

struct hit {
	Id	 p;
	int	 rank, prio;
	const char *name;
};

static int
hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->prio != y->prio)
		return x->prio - y->prio;
	return strcmp(x->name, y->name);
}

static void
lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* Does text contain word as a whole word (letters and digits), ignoring case? */
static int
has_word(const char *text, const char *word, size_t wlen)
{
	const char *t = text;

	while (*t) {
		size_t n;

		while (*t && !isalnum((unsigned char)*t))
			t++;
		for (n = 0; isalnum((unsigned char)t[n]); n++)
			;
		if (n == wlen && strncasecmp(t, word, n) == 0)
			return 1;
		t += n;
	}
	return 0;
}

/* Every alphanumeric word of q in desc. */
static int
desc_match(const char *desc, const char *q)
{
	const char	*w = q;
	int		 words = 0;

	if (desc == NULL)
		return 0;
	while (*w) {
		size_t n;

		while (*w && !isalnum((unsigned char)*w))
			w++;
		for (n = 0; isalnum((unsigned char)w[n]); n++)
			;
		if (n == 0)
			break;
		if (!has_word(desc, w, n))
			return 0;
		words++;
		w += n;
	}
	return words > 0;
}

json_t *
solve_search(struct solve_ctx *ctx, const char *q, const char *reponame, size_t limit,
    size_t offset, size_t *total)
{
	Pool		*pool = ctx->pool;
	Repo		*repo;
	Solvable	*s;
	struct hit	*hits = NULL;
	size_t		 n = 0, cap = 0, i;
	char		*lq = strdup(q);
	json_t		*out = NULL;
	Id		 p;
	int		 r;

	*total = 0;
	if (lq == NULL)
		return NULL;
	lower(lq);
	FOR_REPOS(r, repo) {
		if (*reponame && strcmp(repo->name, reponame) != 0)
			continue;
		FOR_REPO_SOLVABLES(repo, p, s) {
			const char	*name = pool_id2str(pool, s->name);
			const char	*hit;
			int		 rank;

			if (strcasecmp(name, lq) == 0 && *lq)
				rank = 0;
			else if ((hit = strcasestr(name, lq)) != NULL)
				rank = hit == name ? 1 : 2;
			else if (desc_match(solvable_lookup_str(s, SOLVABLE_SUMMARY), lq))
				rank = 3;
			else
				continue;
			if (n == cap) {
				struct hit *nh = realloc(hits, (cap = cap ? cap * 2 : 256) * sizeof(*nh));

				if (nh == NULL)
					goto out;
				hits = nh;
			}
			hits[n].p = p;
			hits[n].rank = rank;
			hits[n].prio = -repo->priority;	/* added first = highest priority */
			hits[n].name = name;
			n++;
		}
	}
	if (n > 1)
		qsort(hits, n, sizeof(*hits), hit_cmp);
	*total = n;
	if ((out = json_array()) == NULL)
		goto out;
	for (i = offset; i < n && i < offset + limit; i++) {
		Solvable	*hs = pool_id2solvable(pool, hits[i].p);
		const char	*d = solvable_lookup_str(hs, SOLVABLE_SUMMARY);

		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "repo", hs->repo->name,
		    "name", pool_id2str(pool, hs->name), "version", pool_id2str(pool, hs->evr),
		    "description", d ? d : ""));
	}
out:
	free(hits);
	free(lq);
	return out;
}
