/*
 * solve_search.c - package search over the resolver's pool, in process: the
 * same data the resolver answers from, no database round trip.  Rank: exact
 * name 0, name prefix 1, name substring 2, every query word found as a word of
 * the description 3; then repository priority, then name.  Case-insensitive
 * (ASCII, as package names are).
 *
 * The first search on a pool builds an index (struct solve_sindex): every
 * package's name and description lower-cased once into one text block, with
 * its repository and priority, so that a search is a scan of plain memory
 * rather than a libsolv string lookup and a case-folding compare per package.
 * The index belongs to the context and is dropped whenever its pool changes
 * (solve_search_forget).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "solve_internal.h"
#include "solve_catalog.h"

#define QUERY_WORDS	128	/* description words matched (a 256-byte q has at most 128) */

struct solve_sindex {
	size_t		 n;
	Id		*p;		/* solvable */
	int		*prio;		/* -repo priority: smaller is higher */
	int		*repo;		/* repo id, for the ?repo= filter */
	uint32_t	*name, *desc;	/* offsets into text */
	char		*text;		/* lower-cased, NUL-terminated strings */
};

struct hit {
	uint32_t	 i;		/* index entry */
	int		 rank, prio;
	const char	*name;
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

void
solve_search_forget(struct solve_ctx *ctx)
{
	struct solve_sindex *x = ctx->sindex;

	if (x == NULL)
		return;
	free(x->p);
	free(x->prio);
	free(x->repo);
	free(x->name);
	free(x->desc);
	free(x->text);
	free(x);
	ctx->sindex = NULL;
}

/* Append S lower-cased to the text block; its offset, or UINT32_MAX. */
static uint32_t
text_add(char **text, size_t *len, size_t *cap, const char *s)
{
	size_t	 n = strlen(s) + 1, off = *len;
	char	*t;

	if (off + n > UINT32_MAX)
		return UINT32_MAX;
	if (off + n > *cap) {
		size_t ncap = *cap ? *cap : 1 << 16;

		while (ncap < off + n)
			ncap *= 2;
		if ((t = realloc(*text, ncap)) == NULL)
			return UINT32_MAX;
		*text = t;
		*cap = ncap;
	}
	memcpy(*text + off, s, n);
	lower(*text + off);
	*len = off + n;
	return (uint32_t)off;
}

/* Build ctx->sindex from the pool.  0 or -1 (out of memory). */
static int
sindex_build(struct solve_ctx *ctx)
{
	Pool			*pool = ctx->pool;
	struct solve_sindex	*x;
	Repo			*repo;
	Solvable		*s;
	size_t			 n = 0, len = 0, cap = 0;
	Id			 p;
	int			 r, rc = -1;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return -1;
	FOR_REPOS(r, repo)
		n += (size_t)repo->nsolvables;
	if ((x->p = calloc(n + 1, sizeof(*x->p))) == NULL ||
	    (x->prio = calloc(n + 1, sizeof(*x->prio))) == NULL ||
	    (x->repo = calloc(n + 1, sizeof(*x->repo))) == NULL ||
	    (x->name = calloc(n + 1, sizeof(*x->name))) == NULL ||
	    (x->desc = calloc(n + 1, sizeof(*x->desc))) == NULL)
		goto out;
	FOR_REPOS(r, repo) {
		FOR_REPO_SOLVABLES(repo, p, s) {
			const char *d = solvable_lookup_str(s, SOLVABLE_SUMMARY);

			if (x->n == n)
				break;
			x->p[x->n] = p;
			x->prio[x->n] = -repo->priority; /* added first = highest */
			x->repo[x->n] = repo->repoid;
			x->name[x->n] = text_add(&x->text, &len, &cap,
			    pool_id2str(pool, s->name));
			x->desc[x->n] = text_add(&x->text, &len, &cap,
			    d != NULL ? d : "");
			if (x->name[x->n] == UINT32_MAX ||
			    x->desc[x->n] == UINT32_MAX)
				goto out;
			x->n++;
		}
	}
	rc = 0;
out:
	ctx->sindex = x;
	if (rc < 0)
		solve_search_forget(ctx);
	return rc;
}

/* The alphanumeric words of Q (lower case), at most QUERY_WORDS, copied. */
struct qwords {
	char	*w[QUERY_WORDS];
	size_t	 n;
	char	 buf[SOLVE_NAME_MAX * 2];
};

static void
qwords_split(struct qwords *qw, const char *q)
{
	size_t	 n, used = 0;

	qw->n = 0;
	while (*q && qw->n < QUERY_WORDS) {
		while (*q && !isalnum((unsigned char)*q))
			q++;
		for (n = 0; isalnum((unsigned char)q[n]); n++)
			;
		if (n == 0 || used + n + 1 > sizeof(qw->buf))
			break;
		memcpy(qw->buf + used, q, n);
		qw->buf[used + n] = '\0';
		qw->w[qw->n++] = qw->buf + used;
		used += n + 1;
		q += n;
	}
}

/* Does the lower-case TEXT hold WORD as a whole word (letters and digits)? */
static int
has_word(const char *text, const char *word)
{
	const char	*t = text;
	size_t		 wlen = strlen(word);

	while ((t = strstr(t, word)) != NULL) {
		if ((t == text || !isalnum((unsigned char)t[-1])) &&
		    !isalnum((unsigned char)t[wlen]))
			return 1;
		t++;
	}
	return 0;
}

/* Every word of QW in the lower-case DESC (and at least one word). */
static int
desc_match(const char *desc, const struct qwords *qw)
{
	size_t i;

	if (qw->n == 0 || *desc == '\0')
		return 0;
	for (i = 0; i < qw->n; i++)
		if (!has_word(desc, qw->w[i]))
			return 0;
	return 1;
}

json_t *
solve_search(struct solve_ctx *ctx, const char *q, const char *reponame, size_t limit,
    size_t offset, size_t *total)
{
	Pool			*pool = ctx->pool;
	struct solve_sindex	*x;
	struct qwords		 qw;
	struct hit		*hits = NULL;
	size_t			 n = 0, cap = 0, i;
	char			*lq = strdup(q);
	json_t			*out = NULL;
	Repo			*repo;
	int			 r, only = 0;

	*total = 0;
	if (lq == NULL)
		return NULL;
	lower(lq);
	if (ctx->sindex == NULL && sindex_build(ctx) < 0)
		goto out;
	x = ctx->sindex;
	if (*reponame) {
		only = -1;	/* no such repository: no hits */
		FOR_REPOS(r, repo)
			if (strcmp(repo->name, reponame) == 0)
				only = repo->repoid;
	}
	qwords_split(&qw, lq);
	for (i = 0; i < x->n; i++) {
		const char	*name = x->text + x->name[i];
		const char	*hit;
		int		 rank;

		if (only != 0 && x->repo[i] != only)
			continue;
		if (*lq && strcmp(name, lq) == 0)
			rank = 0;
		else if ((hit = strstr(name, lq)) != NULL)
			rank = hit == name ? 1 : 2;
		else if (desc_match(x->text + x->desc[i], &qw))
			rank = 3;
		else
			continue;
		if (n == cap) {
			struct hit *nh = realloc(hits, (cap = cap ? cap * 2 : 256) * sizeof(*nh));

			if (nh == NULL)
				goto out;
			hits = nh;
		}
		hits[n].i = (uint32_t)i;
		hits[n].rank = rank;
		hits[n].prio = x->prio[i];
		hits[n].name = name;
		n++;
	}
	if (n > 1)
		qsort(hits, n, sizeof(*hits), hit_cmp);
	*total = n;
	if ((out = json_array()) == NULL)
		goto out;
	for (i = offset; i < n && i < offset + limit; i++) {
		Solvable	*hs = pool_id2solvable(pool, x->p[hits[i].i]);
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
