/*
 * solve_search.c - package search over the resolver's pool, in process: the
 * same data the resolver answers from, no database round trip.  Rank: exact
 * name 0, name prefix 1, name substring 2, every query word found as a word of
 * the description 3; then repository priority, then name.  Case-insensitive
 * (ASCII, as package names are).
 *
 * The first search on a pool builds an index (struct solve_sindex): every
 * package's name and description lower-cased once into one text block, with
 * its repository and priority, so that a search reads plain memory rather
 * than making a libsolv string lookup and a case-folding compare per package.
 * The index is kept in (priority, name) order, so a search pages through the
 * ranks without sorting its hits.  Two lookup structures over it spare a
 * search the scan of every name and description: a suffix array of the names
 * (every name containing Q is one binary search away: the suffixes that begin
 * with Q) and an inverted index of description words (entries per word, in
 * index order, intersected across the query's words).  A search costs the
 * number of its hits, not the size of the catalogue.  Once the index exists
 * (solve_search_prepare), a search only reads: several threads may search one
 * context at once.
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
#define MISS		255	/* rank of an entry that does not match */

/* A suffix of entry ENT's lower-cased name, starting at text + OFF. */
struct sx_ref {
	uint32_t	off, ent;
};

/* A whole word (a run of letters and digits) of entry ENT's description. */
struct sx_word {
	uint32_t	off, len, ent;
};

struct solve_sindex {
	size_t		 n;
	Id		*p;		/* solvable */
	int		*prio;		/* -repo priority: smaller is higher */
	int		*repo;		/* repo id, for the ?repo= filter */
	uint32_t	*name, *desc;	/* offsets into text, lower-cased */
	uint32_t	*odesc;		/* offset of the description as written */
	char		*text;		/* NUL-terminated strings */
	struct sx_ref	*sfx;		/* every suffix of every name, sorted */
	size_t		 nsfx;
	struct sx_word	*words;		/* (description word, entry), sorted, unique */
	size_t		 nwords;
};

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
	free(x->odesc);
	free(x->text);
	free(x->sfx);
	free(x->words);
	free(x);
	ctx->sindex = NULL;
}

/* Append S (lower-cased if LOW) to the text block; its offset, or UINT32_MAX. */
static uint32_t
text_add(char **text, size_t *len, size_t *cap, const char *s, int low)
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
	if (low)
		lower(*text + off);
	*len = off + n;
	return (uint32_t)off;
}

static int
order_cmp(const void *a, const void *b, void *arg)
{
	const struct solve_sindex	*x = arg;
	uint32_t			 i = *(const uint32_t *)a, j = *(const uint32_t *)b;

	if (x->prio[i] != x->prio[j])
		return x->prio[i] < x->prio[j] ? -1 : 1;
	return strcmp(x->text + x->name[i], x->text + x->name[j]);
}

/* Permute one column of N entries into ORDER; 0 or -1. */
static int
permute(void *col, size_t size, const uint32_t *order, size_t n)
{
	char	*tmp = malloc(n * size + 1), *c = col;
	size_t	 i;

	if (tmp == NULL)
		return -1;
	for (i = 0; i < n; i++)
		memcpy(tmp + i * size, c + order[i] * size, size);
	memcpy(c, tmp, n * size);
	free(tmp);
	return 0;
}

/*
 * Put the entries in the order hits are shown within one rank: repository
 * priority, then name.  A search then needs no sort: it takes hits rank by
 * rank in index order.  0 or -1.
 */
static int
sindex_order(struct solve_sindex *x)
{
	uint32_t	*order;
	size_t		 i;
	int		 rc = -1;

	if ((order = malloc((x->n + 1) * sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < x->n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, x->n, sizeof(*order), order_cmp, x);
	if (permute(x->p, sizeof(*x->p), order, x->n) < 0 ||
	    permute(x->prio, sizeof(*x->prio), order, x->n) < 0 ||
	    permute(x->repo, sizeof(*x->repo), order, x->n) < 0 ||
	    permute(x->name, sizeof(*x->name), order, x->n) < 0 ||
	    permute(x->desc, sizeof(*x->desc), order, x->n) < 0 ||
	    permute(x->odesc, sizeof(*x->odesc), order, x->n) < 0)
		goto out;
	rc = 0;
out:
	free(order);
	return rc;
}

/*
 * Sorting the suffixes and words with a comparator alone spends most of a
 * pool reload in strcmp/memcmp.  Each row is sorted by its first eight bytes
 * packed into an integer (zero-padded, so a shorter string sorts first, as
 * strcmp and word_cmp order them), and the row comparator only breaks ties.
 */
struct keyed {
	uint64_t	key;
	uint32_t	row;
};

struct keyed_arg {
	const char	*rows;
	size_t		 size;
	int		(*cmp)(const void *, const void *, void *);
	void		*arg;
};

/* The first eight bytes of S (at most N of them), big-endian, zero-padded. */
static uint64_t
key8(const char *s, size_t n)
{
	uint64_t	k = 0;
	size_t		i;

	for (i = 0; i < 8; i++)
		k = k << 8 | (i < n ? (unsigned char)s[i] : 0);
	return k;
}

static int
keyed_cmp(const void *a, const void *b, void *arg)
{
	const struct keyed	*p = a, *q = b;
	const struct keyed_arg	*ka = arg;

	if (p->key != q->key)
		return p->key < q->key ? -1 : 1;
	return ka->cmp(ka->rows + (size_t)p->row * ka->size,
	    ka->rows + (size_t)q->row * ka->size, ka->arg);
}

/* Sort K by key: least significant byte first, a pass per byte.  0 or -1. */
static int
radix_sort(struct keyed *k, size_t n)
{
	struct keyed	*tmp, *from = k, *to;
	size_t		 count[256], i, sum, c;
	unsigned	 shift;

	if ((tmp = malloc((n + 1) * sizeof(*tmp))) == NULL)
		return -1;
	to = tmp;
	for (shift = 0; shift < 64; shift += 8) {
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[from[i].key >> shift & 0xff]++;
		if (n > 0 && count[from[0].key >> shift & 0xff] == n)
			continue;	/* every row has this byte alike */
		for (i = sum = 0; i < 256; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[from[i].key >> shift & 0xff]++] = from[i];
		to = from;
		from = from == k ? tmp : k;
	}
	if (from != k)
		memcpy(k, from, n * sizeof(*k));
	free(tmp);
	return 0;
}

/*
 * Sort the N rows of SIZE bytes at ROWS by K (K[i].key for row i, K[i].row
 * == i on entry), ties by CMP.  K is reordered.  0 or -1.
 */
static int
keyed_sort(void *rows, size_t n, size_t size, struct keyed *k,
    int (*cmp)(const void *, const void *, void *), void *arg)
{
	struct keyed_arg	 ka = { rows, size, cmp, arg };
	uint32_t		*order;
	size_t			 i, j;
	int			 rc;

	if (radix_sort(k, n) < 0)
		return -1;
	for (i = 0; i < n; i = j) {	/* rows whose keys tie: by CMP */
		for (j = i + 1; j < n && k[j].key == k[i].key; j++)
			;
		if (j - i > 1)
			qsort_r(k + i, j - i, sizeof(*k), keyed_cmp, &ka);
	}
	if ((order = malloc((n + 1) * sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		order[i] = k[i].row;
	rc = permute(rows, size, order, n);
	free(order);
	return rc;
}

static int
sfx_cmp(const void *a, const void *b, void *arg)
{
	const char		*text = arg;
	const struct sx_ref	*p = a, *q = b;
	int			 c = strcmp(text + p->off, text + q->off);

	return c != 0 ? c : p->off < q->off ? -1 : p->off > q->off;
}

/* The suffix array of the names (x->sfx), after sindex_order.  0 or -1. */
static int
sindex_suffixes(struct solve_sindex *x)
{
	struct keyed	*k = NULL;
	size_t		 i, n = 0;
	const char	*s;
	int		 rc = -1;

	for (i = 0; i < x->n; i++)
		n += strlen(x->text + x->name[i]);
	if ((x->sfx = malloc((n + 1) * sizeof(*x->sfx))) == NULL ||
	    (k = malloc((n + 1) * sizeof(*k))) == NULL)
		goto out;
	for (i = 0; i < x->n; i++)
		for (s = x->text + x->name[i]; *s; s++) {
			k[x->nsfx] = (struct keyed){ key8(s, strnlen(s, 8)), (uint32_t)x->nsfx };
			x->sfx[x->nsfx++] = (struct sx_ref){ (uint32_t)(s - x->text), (uint32_t)i };
		}
	rc = keyed_sort(x->sfx, x->nsfx, sizeof(*x->sfx), k, sfx_cmp, x->text);
out:
	free(k);
	return rc;
}

/* Order words A (LA bytes) and B (LB bytes): bytewise, a prefix first. */
static int
word_order(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);

	return c != 0 ? c : la < lb ? -1 : la > lb;
}

/* Order two words of the text block; equal words by entry. */
static int
word_cmp(const void *a, const void *b, void *arg)
{
	const char		*text = arg;
	const struct sx_word	*p = a, *q = b;
	int			 c = word_order(text + p->off, p->len, text + q->off, q->len);

	return c != 0 ? c : p->ent < q->ent ? -1 : p->ent > q->ent;
}

/*
 * The inverted index of description words (x->words), after sindex_order:
 * sorted by word then entry, one row per (word, entry).  0 or -1.
 */
static int
sindex_words(struct solve_sindex *x)
{
	size_t		 i, j, n = 0, cap = 1024;
	const char	*s, *w;
	struct sx_word	*t;
	struct keyed	*k;
	int		 rc;

	if ((x->words = malloc(cap * sizeof(*x->words))) == NULL)
		return -1;
	for (i = 0; i < x->n; i++) {
		for (s = x->text + x->desc[i]; *s;) {
			while (*s && !isalnum((unsigned char)*s))
				s++;
			for (w = s; isalnum((unsigned char)*s); s++)
				;
			if (s == w)
				continue;
			if (n == cap) {
				if ((t = realloc(x->words, 2 * cap * sizeof(*t))) == NULL)
					return -1;
				x->words = t;
				cap *= 2;
			}
			x->words[n++] = (struct sx_word){ (uint32_t)(w - x->text),
			    (uint32_t)(s - w), (uint32_t)i };
		}
	}
	if ((k = malloc((n + 1) * sizeof(*k))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		k[i] = (struct keyed){ key8(x->text + x->words[i].off, x->words[i].len), (uint32_t)i };
	rc = keyed_sort(x->words, n, sizeof(*x->words), k, word_cmp, x->text);
	free(k);
	if (rc < 0)
		return -1;
	for (i = j = 0; i < n; i++)	/* a word twice in one description: once */
		if (j == 0 || word_cmp(&x->words[j - 1], &x->words[i], x->text) != 0)
			x->words[j++] = x->words[i];
	x->nwords = j;
	return 0;
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
	    (x->desc = calloc(n + 1, sizeof(*x->desc))) == NULL ||
	    (x->odesc = calloc(n + 1, sizeof(*x->odesc))) == NULL)
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
			    pool_id2str(pool, s->name), 1);
			x->desc[x->n] = text_add(&x->text, &len, &cap,
			    d != NULL ? d : "", 1);
			x->odesc[x->n] = text_add(&x->text, &len, &cap,
			    d != NULL ? d : "", 0);
			if (x->name[x->n] == UINT32_MAX ||
			    x->desc[x->n] == UINT32_MAX ||
			    x->odesc[x->n] == UINT32_MAX)
				goto out;
			x->n++;
		}
	}
	if (sindex_order(x) < 0 || sindex_suffixes(x) < 0 || sindex_words(x) < 0)
		goto out;
	rc = 0;
out:
	ctx->sindex = x;
	if (rc < 0)
		solve_search_forget(ctx);
	return rc;
}

/*
 * Build the search index now (the resolver does it under its write lock, so
 * that concurrent searches only read).  0 or -1 (out of memory).
 */
int
solve_search_prepare(struct solve_ctx *ctx)
{
	return ctx->sindex != NULL ? 0 : sindex_build(ctx);
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

/*
 * Mark the entries whose name contains LQ (QLEN bytes): rank 0 for the whole
 * name, 1 for a prefix, 2 elsewhere.  Ranks only improve; *TOTAL counts
 * entries newly ranked.  ONLY, when not 0, keeps one repository's entries.
 */
static void
rank_names(const struct solve_sindex *x, const char *lq, size_t qlen, int only,
    unsigned char *rank, size_t *total)
{
	size_t		 lo = 0, hi = x->nsfx, mid, k;
	const char	*s;
	unsigned char	 r;
	uint32_t	 e;

	if (qlen == 0) {	/* every name begins with "" */
		for (k = 0; k < x->n; k++)
			if (only == 0 || x->repo[k] == only) {
				rank[k] = 1;
				(*total)++;
			}
		return;
	}
	while (lo < hi) {	/* the first suffix not below LQ */
		mid = lo + (hi - lo) / 2;
		if (strncmp(x->text + x->sfx[mid].off, lq, qlen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < x->nsfx; k++) {
		s = x->text + x->sfx[k].off;
		if (strncmp(s, lq, qlen) != 0)
			break;
		e = x->sfx[k].ent;
		if (only != 0 && x->repo[e] != only)
			continue;
		r = x->sfx[k].off != x->name[e] ? 2 : s[qlen] == '\0' ? 0 : 1;
		if (rank[e] == MISS)
			(*total)++;
		if (r < rank[e])
			rank[e] = r;
	}
}

/* The rows [*LO, *HI) of word W in x->words (empty when no description has it). */
static void
word_rows(const struct solve_sindex *x, const char *w, size_t *lo, size_t *hi)
{
	size_t a = 0, b = x->nwords, m, len = strlen(w);

	while (a < b) {
		m = a + (b - a) / 2;
		if (word_order(x->text + x->words[m].off, x->words[m].len, w, len) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	for (b = a; b < x->nwords &&
	    word_order(x->text + x->words[b].off, x->words[b].len, w, len) == 0; b++)
		;
	*hi = b;
}

/* Does word rows [LO, HI) (entries ascending) hold entry E? */
static int
rows_have(const struct solve_sindex *x, size_t lo, size_t hi, uint32_t e)
{
	size_t m;

	while (lo < hi) {
		m = lo + (hi - lo) / 2;
		if (x->words[m].ent == e)
			return 1;
		if (x->words[m].ent < e)
			lo = m + 1;
		else
			hi = m;
	}
	return 0;
}

/*
 * Rank 3 for the entries not ranked yet whose description has every word of
 * QW as a whole word: the shortest word's rows, each looked up in the others.
 */
static void
rank_descs(const struct solve_sindex *x, const struct qwords *qw, int only,
    unsigned char *rank, size_t *total)
{
	size_t		 lo[QUERY_WORDS], hi[QUERY_WORDS], i, k, best = 0;
	uint32_t	 e;

	if (qw->n == 0)
		return;
	for (i = 0; i < qw->n; i++) {
		word_rows(x, qw->w[i], &lo[i], &hi[i]);
		if (hi[i] - lo[i] < hi[best] - lo[best])
			best = i;
	}
	for (k = lo[best]; k < hi[best]; k++) {
		e = x->words[k].ent;
		if (rank[e] != MISS || (only != 0 && x->repo[e] != only))
			continue;
		for (i = 0; i < qw->n; i++)
			if (i != best && !rows_have(x, lo[i], hi[i], e))
				break;
		if (i == qw->n) {
			rank[e] = 3;
			(*total)++;
		}
	}
}

json_t *
solve_search(struct solve_ctx *ctx, const char *q, const char *reponame, size_t limit,
    size_t offset, size_t *total)
{
	Pool			*pool = ctx->pool;
	struct solve_sindex	*x;
	struct qwords		 qw;
	unsigned char		*rank = NULL;	/* per entry: 0-3, or MISS */
	size_t			 i, qlen, skip = offset, shown = 0;
	char			*lq = strdup(q);
	json_t			*out = NULL;
	Repo			*repo;
	int			 r, only = 0;

	*total = 0;
	if (lq == NULL)
		return NULL;
	lower(lq);
	qlen = strlen(lq);
	if (ctx->sindex == NULL && sindex_build(ctx) < 0)
		goto out;
	x = ctx->sindex;
	if ((rank = malloc(x->n + 1)) == NULL)
		goto out;
	if (*reponame) {
		only = -1;	/* no such repository: no hits */
		FOR_REPOS(r, repo)
			if (strcmp(repo->name, reponame) == 0)
				only = repo->repoid;
	}
	memset(rank, MISS, x->n + 1);
	rank_names(x, lq, qlen, only, rank, total);
	qwords_split(&qw, lq);
	rank_descs(x, &qw, only, rank, total);
	if ((out = json_array()) == NULL)
		goto out;
	/* The index is in (priority, name) order: take hits rank by rank. */
	for (r = 0; r <= 3 && shown < limit && skip < *total; r++) {
		for (i = 0; i < x->n && shown < limit; i++) {
			Solvable	*hs;
			const char	*d;
			unsigned char	*next = memchr(rank + i, r, x->n - i);

			if (next == NULL)
				break;
			i = (size_t)(next - rank);
			if (skip > 0) {
				skip--;
				continue;
			}
			/* Only the string pool and the index: no repodata lookup,
			 * which may page data in, so searches can run side by side. */
			hs = pool_id2solvable(pool, x->p[i]);
			d = x->text + x->odesc[i];
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s}", "repo",
			    hs->repo->name, "name", pool_id2str(pool, hs->name), "version",
			    pool_id2str(pool, hs->evr), "description", d));
			shown++;
		}
	}
out:
	free(rank);
	free(lq);
	return out;
}
