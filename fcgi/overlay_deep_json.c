/*
 * overlay_deep_json.c - the structured merge of JSON files: objects merge key
 * by key, recursively; any other value (arrays included) replaces.  The
 * provenance has one entry per leaf (a non-object value), keyed by its JSON
 * pointer.
 */
#include "overlay_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append key to a JSON pointer prefix, escaping '~' and '/' (RFC 6901). */
static void
pointer_add(struct ovl_buf *b, const char *key)
{
	ovl_buf_adds(b, "/");
	for (; *key != '\0'; key++) {
		if (*key == '~')
			ovl_buf_adds(b, "~0");
		else if (*key == '/')
			ovl_buf_adds(b, "~1");
		else
			ovl_buf_add(b, key, 1);
	}
}

/* Append one entry per leaf of v under pointer prefix to out. */
static int
flatten(const json_t *v, struct ovl_buf *prefix, const char *layer, json_t *out)
{
	const char *key;
	json_t *child;

	if (!json_is_object(v)) {
		json_t *e = json_pack("{s:s, s:s, s:O, s:s, s:[]}", "section", "",
		    "key", prefix->p ? prefix->p : "", "value", v, "layer", layer,
		    "overrode");

		return e == NULL ? -1 : json_array_append_new(out, e);
	}
	json_object_foreach((json_t *)v, key, child) {
		size_t mark = prefix->len;

		pointer_add(prefix, key);
		if (prefix->oom || flatten(child, prefix, layer, out) != 0)
			return -1;
		prefix->len = mark;
		prefix->p[mark] = '\0';
	}
	return 0;
}

/* Merge upper into *lower (references: *lower may be replaced). */
static void
merge(json_t **lower, json_t *upper)
{
	const char *key;
	json_t *v;

	if (!json_is_object(*lower) || !json_is_object(upper)) {
		json_incref(upper);
		json_decref(*lower);
		*lower = upper;
		return;
	}
	json_object_foreach(upper, key, v) {
		json_t *l = json_object_get(*lower, key);

		if (l != NULL && json_is_object(l) && json_is_object(v)) {
			json_t *tmp = json_incref(l);

			merge(&tmp, v);
			json_object_set_new(*lower, key, tmp);	/* steals tmp */
		} else
			json_object_set(*lower, key, v);
	}
}

/* a equals b, or one is an ancestor pointer of the other. */
static int
related(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcmp(a, b) == 0;
	if (la < lb)
		return strncmp(a, b, la) == 0 && b[la] == '/';
	return strncmp(a, b, lb) == 0 && a[lb] == '/';
}

/* The JSON pointer p resolves in doc to a value that is not an object. */
static int
leaf_exists(const json_t *doc, const char *p)
{
	struct ovl_buf key = { 0 };
	int ok = 0;

	while (*p == '/' && json_is_object(doc)) {
		key.len = 0;
		ovl_buf_add(&key, "", 0);
		for (p++; *p != '\0' && *p != '/'; p++) {
			if (p[0] == '~' && p[1] == '1') {
				ovl_buf_add(&key, "/", 1);
				p++;
			} else if (p[0] == '~' && p[1] == '0') {
				ovl_buf_add(&key, "~", 1);
				p++;
			} else
				ovl_buf_add(&key, p, 1);
		}
		if (key.oom)
			goto out;
		doc = json_object_get(doc, key.p);
	}
	ok = *p == '\0' && doc != NULL && !json_is_object(doc);
out:
	ovl_buf_free(&key);
	return ok;
}

static int
by_key(const void *x, const void *y)
{
	const json_t *a = *(const json_t *const *)x, *b = *(const json_t *const *)y;

	return strcmp(json_string_value(json_object_get(a, "key")),
	    json_string_value(json_object_get(b, "key")));
}

/*
 * Parse text (line of a syntax error in *line), merge it onto *doc, and
 * rebuild the provenance: lower leaves at, above or below an upper leaf go
 * (their layers become its "overrode"), leaves the merge removed go, the rest
 * stay; sorted by pointer.  0, or -1 with why (keys and *doc untouched when
 * the text does not parse).
 */
int
ovl_json_apply(json_t **doc, json_t *keys, const char *text, size_t len,
    int layer, int *line, char *why, size_t whysz)
{
	struct ovl_buf prefix = { 0 };
	json_error_t jerr;
	json_t *up = NULL, *ukeys = NULL, *kept = NULL, **sorted = NULL;
	const char *layer_name = overlay_layer_name((enum overlay_layer)layer);
	size_t i, j, n;
	int rc = -1;

	*line = 0;
	if ((up = json_loadb(text, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL) {
		*line = jerr.line > 0 ? jerr.line : 0;
		snprintf(why, whysz, "not valid JSON: %s", jerr.text);
		goto out;
	}
	if ((ukeys = json_array()) == NULL || (kept = json_array()) == NULL ||
	    flatten(up, &prefix, layer_name, ukeys) != 0) {
		snprintf(why, whysz, "out of memory");
		goto out;
	}
	if (*doc == NULL)
		*doc = json_incref(up);
	else
		merge(doc, up);
	/* A lower leaf at, above or below an upper leaf is overridden by it. */
	for (i = 0; i < json_array_size(keys); i++) {
		json_t *l = json_array_get(keys, i);
		const char *lk = json_string_value(json_object_get(l, "key"));
		int hit = 0;

		for (j = 0; j < json_array_size(ukeys); j++) {
			json_t *u = json_array_get(ukeys, j);

			if (related(lk, json_string_value(json_object_get(u, "key")))) {
				ovl_layers_add(json_object_get(u, "overrode"),
				    overlay_layer_from_name(json_string_value(
				    json_object_get(l, "layer"))));
				hit = 1;
			}
		}
		/* An upper {} over a lower leaf removes it without a leaf of its own. */
		if (!hit && !leaf_exists(*doc, lk))
			hit = 1;
		if (!hit)
			json_array_append(kept, l);
	}
	json_array_extend(kept, ukeys);
	n = json_array_size(kept);
	if (n > 0 && (sorted = calloc(n, sizeof(*sorted))) == NULL) {
		snprintf(why, whysz, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		sorted[i] = json_incref(json_array_get(kept, i));
	if (n > 1)
		qsort(sorted, n, sizeof(*sorted), by_key);
	json_array_clear(keys);
	for (i = 0; i < n; i++)
		json_array_append_new(keys, sorted[i]);	/* steals */

	rc = 0;
out:
	free(sorted);
	ovl_buf_free(&prefix);
	json_decref(up);
	json_decref(ukeys);
	json_decref(kept);
	return rc;
}

/* The merged value as sorted, 2-space indented JSON with a final newline. */
char *
ovl_json_render(const json_t *doc, size_t *len)
{
	struct ovl_buf b = { 0 };
	char *s;

	s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (s == NULL)
		return NULL;
	ovl_buf_adds(&b, s);
	ovl_buf_adds(&b, "\n");
	free(s);
	if (b.oom) {
		ovl_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.p;
}
