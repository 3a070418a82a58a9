/*
 * overlay_deep_ini.c - the structured merge of INI-style files: pacman.conf,
 * systemd units and drop-ins, os-release.  State is the provenance array
 * itself: [{section, key, value, layer, overrode}] in file order, one entry
 * per line, so a key given twice in a section (Server=, ExecStart=) is a list.
 */
#include "overlay_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim [*s, *e) of blanks on both ends. */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static int
has_blank(const char *s, const char *e)
{
	for (; s < e; s++)
		if (is_blank(*s) || *s == '[' || *s == ']' || *s == '=')
			return 1;
	return 0;
}

/*
 * One provenance entry; value NULL for a bare key.  section and layer are
 * shared (referenced), the strings are known UTF-8.  NULL when out of memory.
 */
static json_t *
entry(json_t *section, const char *k, size_t kn, const char *v, size_t vn,
    json_t *layer)
{
	json_t *e = json_object();

	if (e == NULL ||
	    json_object_set(e, "section", section) != 0 ||
	    json_object_set_new(e, "key", json_stringn_nocheck(k, kn)) != 0 ||
	    json_object_set_new(e, "value", v ? json_stringn_nocheck(v, vn) : json_null()) != 0 ||
	    json_object_set(e, "layer", layer) != 0 ||
	    json_object_set_new(e, "overrode", json_array()) != 0) {
		json_decref(e);
		return NULL;
	}
	return e;
}

/*
 * Parse text into a new array of entries from layer.  Returns NULL with
 * *line and why on a line that is neither blank, a comment, a "[section]", a
 * "key=value" nor a bare key (or when out of memory, *line 0).
 */
static json_t *
parse(const char *text, size_t len, int layer, int *line, char *why, size_t whysz)
{
	const char *p = text, *end = text + len;
	json_t *entries = NULL, *section = NULL, *layer_str, *e;
	int n = 0;

	/* The caller checked the whole text is UTF-8: pieces cut at ASCII are too. */
	layer_str = json_string(overlay_layer_name((enum overlay_layer)layer));
	if (layer_str == NULL || (entries = json_array()) == NULL ||
	    (section = json_string("")) == NULL)
		goto oom;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *s = p, *eq;
		int first = ++n;

		p = nl ? nl + 1 : end;
		trim(&s, &le);
		if (s == le || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			const char *ns = s + 1, *ne = le - 1;

			if (le - s < 2 || *ne != ']') {
				snprintf(why, whysz, "unterminated section header");
				goto bad;
			}
			trim(&ns, &ne);
			if (ns == ne || memchr(ns, '[', (size_t)(ne - ns)) ||
			    memchr(ns, ']', (size_t)(ne - ns))) {
				snprintf(why, whysz, "empty or malformed section name");
				goto bad;
			}
			json_decref(section);
			if ((section = json_stringn_nocheck(ns, (size_t)(ne - ns))) == NULL)
				goto oom;
			continue;
		}
		eq = memchr(s, '=', (size_t)(le - s));
		if (eq == NULL) {
			if (has_blank(s, le)) {
				snprintf(why, whysz, "expected 'key=value', a bare key or '[section]'");
				goto bad;
			}
			e = entry(section, s, (size_t)(le - s), NULL, 0, layer_str);
		} else {
			const char *ks = s, *ke = eq, *vs = eq + 1, *ve = le;

			trim(&ks, &ke);
			if (ks == ke) {
				snprintf(why, whysz, "empty key before '='");
				goto bad;
			}
			if (has_blank(ks, ke)) {
				snprintf(why, whysz, "key contains blanks or brackets");
				goto bad;
			}
			/*
			 * A trailing backslash continues the value (systemd).  One
			 * with no line after it would continue into whatever the
			 * merge puts next, so it is refused.
			 */
			while (ve > vs && ve[-1] == '\\' && p < end) {
				nl = memchr(p, '\n', (size_t)(end - p));
				ve = nl ? nl : end;
				p = nl ? nl + 1 : end;
				n++;
				/* Blanks after a backslash would hide it until trimmed. */
				while (ve > vs && is_blank(ve[-1]))
					ve--;
			}
			if (ve > vs && ve[-1] == '\\') {
				snprintf(why, whysz, "the value continues ('\\' at the end) "
				    "but the file ends");
				goto bad;
			}
			trim(&vs, &ve);
			e = entry(section, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs),
			    layer_str);
		}
		if (e == NULL)
			goto oom;
		json_array_append_new(entries, e);
		continue;
bad:
		*line = first;
		goto fail;
	}
	json_decref(section);
	json_decref(layer_str);
	return entries;
oom:
	snprintf(why, whysz, "out of memory");
	*line = 0;
fail:
	json_decref(section);
	json_decref(layer_str);
	json_decref(entries);
	return NULL;
}

/* One entry seen as strings, with its key group (-1: none). */
struct ent {
	const char	*sec, *key;
	json_t		*e;
	long		 group;
};

/*
 * A small open-addressing table from (section, key) - or a section alone,
 * key NULL - to a number.  Sized by the caller; never full.
 */
struct tab {
	const char	**sec, **key;
	long		 *val;
	size_t		  mask;
};

static size_t
hash2(const char *a, const char *b)
{
	size_t h = 1469598103934665603u;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211u;
	h = (h ^ 0xff) * 1099511628211u;
	for (; b && *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211u;
	return h;
}

static int
tab_init(struct tab *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n + 1)
		cap *= 2;
	t->mask = cap - 1;
	t->sec = calloc(cap, sizeof(*t->sec));
	t->key = calloc(cap, sizeof(*t->key));
	t->val = calloc(cap, sizeof(*t->val));
	return t->sec && t->key && t->val ? 0 : -1;
}

static void
tab_free(struct tab *t)
{
	free(t->sec);
	free(t->key);
	free(t->val);
}

/* The slot for (sec, key): found, or the empty one where it belongs. */
static size_t
tab_slot(const struct tab *t, const char *sec, const char *key)
{
	size_t i = hash2(sec, key) & t->mask;

	while (t->sec[i] != NULL && (strcmp(t->sec[i], sec) != 0 ||
	    (key == NULL) != (t->key[i] == NULL) ||
	    (key != NULL && strcmp(t->key[i], key) != 0)))
		i = (i + 1) & t->mask;
	return i;
}

static long
tab_get(const struct tab *t, const char *sec, const char *key)
{
	size_t i = tab_slot(t, sec, key);

	return t->sec[i] ? t->val[i] : -1;
}

static void
tab_put(struct tab *t, const char *sec, const char *key, long val)
{
	size_t i = tab_slot(t, sec, key);

	t->sec[i] = sec;
	t->key[i] = key;
	t->val[i] = val;
}

static void
ent_fill(struct ent *v, const json_t *a)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		v[i].e = json_array_get(a, i);
		v[i].sec = json_string_value(json_object_get(v[i].e, "section"));
		v[i].key = json_string_value(json_object_get(v[i].e, "key"));
		v[i].group = -1;
	}
}

/* Append group g's entries (upper, in order), all sharing the group's overrode. */
static void
emit_group(json_t *out, const struct ent *up, const long *next, const long *first,
    long g)
{
	json_t *over = json_object_get(up[first[g]].e, "overrode");
	long i;

	for (i = first[g]; i >= 0; i = next[i]) {
		if (i != first[g])
			json_object_set(up[i].e, "overrode", over);
		json_array_append(out, up[i].e);
	}
}

/*
 * The new key list in one pass over the lower one: a key group of the upper
 * layer takes the place of that key's first lower line (its other lower lines
 * go); a group new to its section follows the section's last lower line; a
 * group of a new section goes at the end.  Order of appearance is kept.
 */
int
ovl_ini_apply(json_t *keys, const char *text, size_t len, int layer, int *line,
    char *why, size_t whysz)
{
	struct tab groups = { 0 }, last = { 0 };
	struct ent *low = NULL, *up = NULL;
	long *next = NULL, *first = NULL, *tail = NULL, ng = 0, g, i;
	char *has_lower = NULL, *emitted = NULL;
	json_t *upper = NULL, *out = NULL;
	size_t nl = json_array_size(keys), nu, k;
	int rc = -1;

	*line = 0;
	if ((upper = parse(text, len, layer, line, why, whysz)) == NULL)
		return -1;
	nu = json_array_size(upper);
	if ((low = calloc(nl + 1, sizeof(*low))) == NULL ||
	    (up = calloc(nu + 1, sizeof(*up))) == NULL ||
	    (next = calloc(nu + 1, sizeof(*next))) == NULL ||
	    (first = calloc(nu + 1, sizeof(*first))) == NULL ||
	    (tail = calloc(nu + 1, sizeof(*tail))) == NULL ||
	    (has_lower = calloc(nu + 1, 1)) == NULL ||
	    (emitted = calloc(nu + 1, 1)) == NULL ||
	    tab_init(&groups, nu) != 0 || tab_init(&last, nl) != 0 ||
	    (out = json_array()) == NULL)
		goto oom;
	ent_fill(low, keys);
	ent_fill(up, upper);
	/* Group the upper lines by (section, key), groups in order of appearance. */
	for (k = 0; k < nu; k++) {
		next[k] = -1;
		if ((g = tab_get(&groups, up[k].sec, up[k].key)) < 0) {
			g = ng++;
			tab_put(&groups, up[k].sec, up[k].key, g);
			first[g] = (long)k;
		} else
			next[tail[g]] = (long)k;
		tail[g] = (long)k;
		up[k].group = g;
	}
	/* Which lower lines are replaced, by whom; where each section ends. */
	for (k = 0; k < nl; k++) {
		low[k].group = tab_get(&groups, low[k].sec, low[k].key);
		if (low[k].group >= 0) {
			has_lower[low[k].group] = 1;
			ovl_layers_add(json_object_get(up[first[low[k].group]].e, "overrode"),
			    overlay_layer_from_name(json_string_value(
			    json_object_get(low[k].e, "layer"))));
		}
		tab_put(&last, low[k].sec, NULL, (long)k);
	}
	for (k = 0; k < nl; k++) {
		g = low[k].group;
		if (g < 0)
			json_array_append(out, low[k].e);
		else if (!emitted[g]) {
			emit_group(out, up, next, first, g);
			emitted[g] = 1;
		}
		if (tab_get(&last, low[k].sec, NULL) != (long)k)
			continue;
		for (i = 0; i < ng; i++)
			if (!emitted[i] && !has_lower[i] &&
			    strcmp(up[first[i]].sec, low[k].sec) == 0) {
				emit_group(out, up, next, first, i);
				emitted[i] = 1;
			}
	}
	for (i = 0; i < ng; i++)
		if (!emitted[i])
			emit_group(out, up, next, first, i);
	json_array_clear(keys);
	json_array_extend(keys, out);
	rc = 0;
	goto out;
oom:
	snprintf(why, whysz, "out of memory");
out:
	tab_free(&groups);
	tab_free(&last);
	free(low);
	free(up);
	free(next);
	free(first);
	free(tail);
	free(has_lower);
	free(emitted);
	json_decref(out);
	json_decref(upper);
	return rc;
}

/*
 * The file from its key list: global keys, then each section in order of
 * appearance; "key=value" or a bare "key" per line, a blank line between
 * sections.  New malloc'd text (caller frees), NULL when out of memory.
 */
char *
ovl_ini_render(const json_t *keys, size_t *len)
{
	struct ovl_buf b = { 0 };
	json_t *sections = NULL;
	size_t i, j;
	char *text = NULL;

	/* The global section first, then every section in order of appearance. */
	if ((sections = json_array()) == NULL)
		goto out;
	json_array_append_new(sections, json_string(""));
	for (i = 0; i < json_array_size(keys); i++) {
		json_t *sec = json_object_get(json_array_get(keys, i), "section");
		int seen = 0;

		for (j = 0; j < json_array_size(sections); j++)
			seen |= json_equal(json_array_get(sections, j), sec);
		if (!seen)
			json_array_append(sections, sec);
	}
	ovl_buf_add(&b, "", 0);
	for (i = 0; i < json_array_size(sections); i++) {
		const json_t *sec = json_array_get(sections, i);

		if (i > 0) {
			if (b.len > 0)
				ovl_buf_adds(&b, "\n");
			ovl_buf_adds(&b, "[");
			ovl_buf_adds(&b, json_string_value(sec));
			ovl_buf_adds(&b, "]\n");
		}
		for (j = 0; j < json_array_size(keys); j++) {
			const json_t *e = json_array_get(keys, j);
			const json_t *v = json_object_get(e, "value");

			if (!json_equal(json_object_get(e, "section"), sec))
				continue;
			ovl_buf_adds(&b, json_string_value(json_object_get(e, "key")));
			if (json_is_string(v)) {
				ovl_buf_adds(&b, "=");
				ovl_buf_add(&b, json_string_value(v), json_string_length(v));
			}
			ovl_buf_adds(&b, "\n");
		}
	}
	if (b.oom)
		goto out;
	*len = b.len;
	text = b.p;
	b.p = NULL;
out:
	ovl_buf_free(&b);
	json_decref(sections);
	return text;
}
