/*
 * overlay_udiff.c - unified diffs of two texts, as diff -u prints them, for
 * the revision diff.  Common head and tail lines are cut first; the middle is
 * an LCS table when it is small enough and one replaced block otherwise, so a
 * megabyte file never costs more than a bounded table.
 */
#include "overlay_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTEXT		3
#define LCS_CELLS	(4u * 1024 * 1024)	/* bytes of the LCS table at most */

struct line {
	const char	*p;
	size_t		 len;		/* including the '\n' when there is one */
};

/* Split text into lines; a new array (caller frees), *n lines. */
static struct line *
split(const char *s, size_t len, size_t *n)
{
	struct line *v;
	size_t i, k = 0, count = 0;

	for (i = 0; i < len; i++)
		count += s[i] == '\n';
	count += len > 0 && s[len - 1] != '\n';
	if ((v = calloc(count + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < len; ) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) + 1 : len;

		v[k].p = s + i;
		v[k++].len = e - i;
		i = e;
	}
	*n = count;
	return v;
}

static int
eq(const struct line *a, const struct line *b)
{
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* One edit: ' ', '-' or '+', with the line on its side. */
struct op {
	char	 type;
	size_t	 ai, bi;	/* line numbers (0-based) before this op on each side */
};

/*
 * The edit script from a to b: a new array of *nops ops (caller frees).
 * Middle part by LCS (unsigned short lengths are enough: the table is only
 * built while it fits LCS_CELLS, so no side exceeds 65535 lines there).
 */
static struct op *
script(const struct line *a, size_t na, const struct line *b, size_t nb, size_t *nops)
{
	size_t pre = 0, suf = 0, ma, mb, i, j, k = 0;
	unsigned short *t = NULL;
	struct op *ops;

	while (pre < na && pre < nb && eq(&a[pre], &b[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre &&
	    eq(&a[na - 1 - suf], &b[nb - 1 - suf]))
		suf++;
	ma = na - pre - suf;
	mb = nb - pre - suf;
	if ((ops = calloc(na + nb + 1, sizeof(*ops))) == NULL)
		return NULL;
	for (i = 0; i < pre; i++)
		ops[k++] = (struct op){ ' ', i, i };
	if (ma > 0 && mb > 0 && ma < 65535 && mb < 65535 &&
	    (ma + 1) * (mb + 1) * sizeof(*t) <= LCS_CELLS &&
	    (t = calloc((ma + 1) * (mb + 1), sizeof(*t))) != NULL) {
		/* t[i][j]: LCS length of a[pre+i..] and b[pre+j..]. */
#define T(x, y) t[(x) * (mb + 1) + (y)]
		for (i = ma; i-- > 0; )
			for (j = mb; j-- > 0; )
				T(i, j) = eq(&a[pre + i], &b[pre + j]) ? (unsigned short)(T(i + 1, j + 1) + 1) :
				    T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
		for (i = 0, j = 0; i < ma || j < mb; ) {
			if (i < ma && j < mb && eq(&a[pre + i], &b[pre + j])) {
				ops[k++] = (struct op){ ' ', pre + i, pre + j };
				i++, j++;
			} else if (i < ma && (j == mb || T(i + 1, j) >= T(i, j + 1))) {
				/* Deletions first on a tie, as diff -u prints them. */
				ops[k++] = (struct op){ '-', pre + i, pre + j };
				i++;
			} else {
				ops[k++] = (struct op){ '+', pre + i, pre + j };
				j++;
			}
		}
#undef T
		free(t);
	} else {
		for (i = 0; i < ma; i++)
			ops[k++] = (struct op){ '-', pre + i, pre };
		for (j = 0; j < mb; j++)
			ops[k++] = (struct op){ '+', pre + ma, pre + j };
	}
	for (i = 0; i < suf; i++)
		ops[k++] = (struct op){ ' ', na - suf + i, nb - suf + i };
	*nops = k;
	return ops;
}

static void
range(struct ovl_buf *b, size_t start, size_t count)
{
	char s[48];

	/* diff -u: an empty range names the line before it; ",1" is left out. */
	if (count == 1)
		snprintf(s, sizeof(s), "%zu", start + 1);
	else
		snprintf(s, sizeof(s), "%zu,%zu", count ? start + 1 : start, count);
	ovl_buf_adds(b, s);
}

static void
put_line(struct ovl_buf *b, char type, const struct line *l)
{
	ovl_buf_add(b, &type, 1);
	ovl_buf_add(b, l->p, l->len);
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		ovl_buf_adds(b, "\n\\ No newline at end of file\n");
}

/*
 * diff -u of a and b (NULL: /dev/null) under the name path, as a new json
 * string; NULL when out of memory.  Hunks carry CONTEXT lines each side and
 * merge when their contexts touch.
 */
json_t *
ovl_unified_diff(const char *path, const char *a, size_t alen, const char *b,
    size_t blen)
{
	struct line *la = NULL, *lb = NULL;
	struct op *ops = NULL;
	struct ovl_buf out = { 0 };
	size_t na = 0, nb = 0, nops = 0, i, j, k;
	json_t *res = NULL;

	if ((la = split(a, alen, &na)) == NULL || (lb = split(b, blen, &nb)) == NULL ||
	    (ops = script(la, na, lb, nb, &nops)) == NULL)
		goto out;
	ovl_buf_adds(&out, alen == 0 && a == NULL ? "--- /dev/null\n" : "--- a");
	if (!(alen == 0 && a == NULL)) {
		ovl_buf_adds(&out, path);
		ovl_buf_adds(&out, "\n");
	}
	ovl_buf_adds(&out, blen == 0 && b == NULL ? "+++ /dev/null\n" : "+++ b");
	if (!(blen == 0 && b == NULL)) {
		ovl_buf_adds(&out, path);
		ovl_buf_adds(&out, "\n");
	}
	for (i = 0; i < nops; ) {
		size_t start, end, acount = 0, bcount = 0;

		if (ops[i].type == ' ') {
			i++;
			continue;
		}
		/* A hunk: this change, and every change within 2*CONTEXT of the last. */
		start = i >= CONTEXT ? i - CONTEXT : 0;
		end = i;
		for (j = i; j < nops; j++)
			if (ops[j].type != ' ') {
				if (j > end + 2 * CONTEXT)
					break;
				end = j;
			}
		end = end + CONTEXT + 1 < nops ? end + CONTEXT + 1 : nops;
		for (k = start; k < end; k++) {
			acount += ops[k].type != '+';
			bcount += ops[k].type != '-';
		}
		ovl_buf_adds(&out, "@@ -");
		range(&out, ops[start].ai, acount);
		ovl_buf_adds(&out, " +");
		range(&out, ops[start].bi, bcount);
		ovl_buf_adds(&out, " @@\n");
		for (k = start; k < end; k++)
			put_line(&out, ops[k].type, ops[k].type == '+' ?
			    &lb[ops[k].bi] : &la[ops[k].ai]);
		i = end;
	}
	if (!out.oom)
		res = json_stringn(out.p, out.len);
out:
	ovl_buf_free(&out);
	free(ops);
	free(la);
	free(lb);
	return res;
}
