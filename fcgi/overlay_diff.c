/*
 * overlay_diff.c - what changed between two revisions of a configuration
 * document, layer by layer (shape in overlay.h).
 */
#include "overlay_int.h"

#include <stdlib.h>
#include <string.h>

static int
in_array(const json_t *a, const json_t *v)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (json_equal(json_array_get(a, i), v))
			return 1;
	return 0;
}

/* {"added": [in b only], "removed": [in a only]}, sorted; NULL when equal. */
static json_t *
list_diff(const json_t *a, const json_t *b)
{
	json_t *added = json_array(), *removed = json_array(), *out = NULL;
	size_t i;

	if (added == NULL || removed == NULL)
		goto out;
	for (i = 0; i < json_array_size(b); i++)
		if (!in_array(a, json_array_get(b, i)))
			json_array_append(added, json_array_get(b, i));
	for (i = 0; i < json_array_size(a); i++)
		if (!in_array(b, json_array_get(a, i)))
			json_array_append(removed, json_array_get(a, i));
	if (json_array_size(added) + json_array_size(removed) == 0)
		goto out;
	ovl_array_sort(added, NULL);
	ovl_array_sort(removed, NULL);
	out = json_pack("{s:O, s:O}", "added", added, "removed", removed);
out:
	json_decref(added);
	json_decref(removed);
	return out;
}

/* {"from", "to"} of two members; NULL when equal. */
static json_t *
change(const json_t *a, const json_t *b)
{
	if (json_equal(a, b) || (a == NULL && b == NULL))
		return NULL;
	return json_pack("{s:O, s:O}", "from", a ? a : json_null(), "to", b ? b : json_null());
}

/* {"added", "removed", "changed"} of two pins objects (either may be NULL). */
static json_t *
pins_diff(const json_t *a, const json_t *b)
{
	json_t *out = json_pack("{s:{}, s:{}, s:{}}", "added", "removed", "changed");
	const char *k;
	json_t *v;

	if (out == NULL)
		return NULL;
	json_object_foreach((json_t *)b, k, v) {
		const json_t *old = json_object_get(a, k);

		if (old == NULL)
			json_object_set(json_object_get(out, "added"), k, v);
		else if (!json_equal(old, v))
			json_object_set_new(json_object_get(out, "changed"), k, change(old, v));
	}
	json_object_foreach((json_t *)a, k, v)
		if (json_object_get(b, k) == NULL)
			json_object_set(json_object_get(out, "removed"), k, v);
	return out;	/* the caller prunes the empty parts */
}

static const json_t *
file_at(const json_t *files, const json_t *path)
{
	size_t i;

	for (i = 0; i < json_array_size(files); i++)
		if (json_equal(json_object_get(json_array_get(files, i), "path"), path))
			return json_array_get(files, i);
	return NULL;
}

/* The diff text of one file entry against nothing (a or b NULL) or another. */
static json_t *
content_diff(const char *path, const json_t *fa, const json_t *fb)
{
	char *ba = NULL, *bb = NULL;
	size_t la = 0, lb = 0;
	const char *why;
	json_t *d = NULL;

	if ((fa != NULL && ovl_content_decode(fa, &ba, &la, &why) != 0) ||
	    (fb != NULL && ovl_content_decode(fb, &bb, &lb, &why) != 0))
		goto out;
	if ((fa != NULL && !ovl_utf8_valid(ba, la)) || (fb != NULL && !ovl_utf8_valid(bb, lb)))
		goto out;	/* binary: no text diff */
	d = ovl_unified_diff(path, ba, la, bb, lb);
out:
	free(ba);
	free(bb);
	return d ? d : json_null();
}

static int
same_bytes(const json_t *fa, const json_t *fb)
{
	char *ba = NULL, *bb = NULL;
	size_t la, lb;
	const char *why;
	int same = 0;

	if (ovl_content_decode(fa, &ba, &la, &why) == 0 &&
	    ovl_content_decode(fb, &bb, &lb, &why) == 0)
		same = la == lb && memcmp(ba, bb, la) == 0;
	else
		same = json_equal(json_object_get(fa, "content"), json_object_get(fb, "content"));
	free(ba);
	free(bb);
	return same;
}

/* An attribute with its default, so "mode" absent equals "mode": "0644". */
static int
same_attr(const json_t *fa, const json_t *fb, const char *member)
{
	const json_t *x = json_object_get(fa, member), *y = json_object_get(fb, member);

	if (strcmp(member, "mode") == 0)
		return (x ? ovl_mode_parse(x) : 0644) == (y ? ovl_mode_parse(y) : 0644);
	if (strcmp(member, "owner") == 0 || strcmp(member, "group") == 0)
		return (x ? ovl_id_parse(x) : 0) == (y ? ovl_id_parse(y) : 0);
	if (strcmp(member, "strategy") == 0)
		return strcmp(x && json_is_string(x) ? json_string_value(x) : "replace",
		    y && json_is_string(y) ? json_string_value(y) : "replace") == 0;
	return json_equal(x, y) || (x == NULL && y == NULL);
}

/*
 * {"added", "removed", "changed"} between two files lists of one layer,
 * matched by path; attributes compared with their defaults.  New object.
 */
static json_t *
files_diff(const json_t *a, const json_t *b)
{
	static const char *const attrs[] = { "mode", "owner", "group", "strategy", NULL };
	json_t *out = json_pack("{s:[], s:[], s:[]}", "added", "removed", "changed");
	size_t i, k;

	if (out == NULL)
		return NULL;
	for (i = 0; i < json_array_size(b); i++) {
		const json_t *fb = json_array_get(b, i), *p = json_object_get(fb, "path");
		const json_t *fa = file_at(a, p);
		json_t *changed;

		if (!json_is_string(p))
			continue;
		if (fa == NULL) {
			json_array_append_new(json_object_get(out, "added"), json_pack(
			    "{s:O, s:o}", "path", p, "diff",
			    content_diff(json_string_value(p), NULL, fb)));
			continue;
		}
		if ((changed = json_array()) == NULL)
			continue;
		if (!same_bytes(fa, fb))
			json_array_append_new(changed, json_string("content"));
		for (k = 0; attrs[k] != NULL; k++)
			if (!same_attr(fa, fb, attrs[k]))
				json_array_append_new(changed, json_string(attrs[k]));
		if (json_array_size(changed) == 0) {
			json_decref(changed);
			continue;
		}
		json_array_append_new(json_object_get(out, "changed"), json_pack(
		    "{s:O, s:o, s:o}", "path", p, "changed", changed, "diff",
		    !same_bytes(fa, fb) ? content_diff(json_string_value(p), fa, fb) :
		    json_null()));
	}
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *fa = json_array_get(a, i), *p = json_object_get(fa, "path");

		if (json_is_string(p) && file_at(b, p) == NULL)
			json_array_append_new(json_object_get(out, "removed"), json_pack(
			    "{s:O, s:o}", "path", p, "diff",
			    content_diff(json_string_value(p), fa, NULL)));
	}
	ovl_array_sort(json_object_get(out, "added"), "path");
	ovl_array_sort(json_object_get(out, "removed"), "path");
	ovl_array_sort(json_object_get(out, "changed"), "path");
	return out;
}

/* Drop the members of obj that are empty arrays or objects. */
static void
prune(json_t *obj)
{
	const char *k;
	json_t *v, *keep = json_object();

	if (keep == NULL)
		return;
	json_object_foreach(obj, k, v)
		if (!((json_is_array(v) && json_array_size(v) == 0) ||
		    (json_is_object(v) && json_object_size(v) == 0)))
			json_object_set(keep, k, v);
	json_object_clear(obj);
	json_object_update(obj, keep);
	json_decref(keep);
}

static json_t *
iso_of(const json_t *doc)
{
	char field[96], why[256];
	json_t *iso = ovl_iso_effective(json_object_get(doc, "iso"), field,
	    sizeof(field), why, sizeof(why));

	/* An invalid iso still diffs, member by member as written. */
	if (iso == NULL && json_is_object(json_object_get(doc, "iso")))
		iso = json_deep_copy(json_object_get(doc, "iso"));
	return iso ? iso : json_object();
}

/* overlay.h: document members, effective iso, then layer by layer. */
json_t *
overlay_diff(const json_t *a, const json_t *b)
{
	json_t *out = NULL, *ia = NULL, *ib = NULL, *layers, *isod, *c;
	const char *k;
	json_t *v;
	int l;

	if ((a != NULL && !json_is_object(a)) || (b != NULL && !json_is_object(b)))
		return NULL;
	if ((out = json_pack("{s:{}, s:{}}", "iso", "layers")) == NULL)
		return NULL;
	if ((c = change(json_object_get(a, "name"), json_object_get(b, "name"))) != NULL)
		json_object_set_new(out, "name", c);
	if ((c = change(json_object_get(a, "description"),
	    json_object_get(b, "description"))) != NULL)
		json_object_set_new(out, "description", c);

	ia = iso_of(a);
	ib = iso_of(b);
	isod = json_object_get(out, "iso");
	json_object_foreach(ib, k, v)
		if ((c = change(json_object_get(ia, k), v)) != NULL)
			json_object_set_new(isod, k, c);
	json_object_foreach(ia, k, v)
		if (json_object_get(ib, k) == NULL)
			json_object_set_new(isod, k, change(v, NULL));

	layers = json_object_get(out, "layers");
	for (l = 0; l < OVERLAY_LAYER__MAX; l++) {
		const char *name = overlay_layer_name((enum overlay_layer)l);
		const json_t *la = json_object_get(json_object_get(a, "layers"), name);
		const json_t *lb = json_object_get(json_object_get(b, "layers"), name);
		json_t *d = json_object();

		if (d == NULL)
			continue;
		if ((c = list_diff(json_object_get(la, "packages"),
		    json_object_get(lb, "packages"))) != NULL)
			json_object_set_new(d, "packages", c);
		if ((c = list_diff(json_object_get(la, "remove"),
		    json_object_get(lb, "remove"))) != NULL)
			json_object_set_new(d, "remove", c);
		if ((c = pins_diff(json_object_get(la, "pins"),
		    json_object_get(lb, "pins"))) != NULL) {
			prune(c);
			json_object_set_new(d, "pins", c);
		}
		if ((c = files_diff(json_object_get(la, "files"),
		    json_object_get(lb, "files"))) != NULL) {
			prune(c);
			json_object_set_new(d, "files", c);
		}
		prune(d);
		if (json_object_size(d) > 0)
			json_object_set(layers, name, d);
		json_decref(d);
	}
	prune(out);
	json_decref(ia);
	json_decref(ib);
	return out;
}
