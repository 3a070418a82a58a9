/*
 * overlay_deep_ini.c - the structured merge of INI-style files: pacman.conf,
 * systemd units and drop-ins, os-release.  State is the provenance array
 * itself: [{section, key, value, layer, overrode}] in file order, one entry
 * per line, so a key given twice in a section (Server=, ExecStart=) is a list.
 */
#include "overlay_int.h"

#include <stdio.h>
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
 * Parse text into a new array of entries from layer.  Returns NULL with
 * *line and why on a line that is neither blank, a comment, a "[section]", a
 * "key=value" nor a bare key (or when out of memory, *line 0).
 */
static json_t *
parse(const char *text, size_t len, int layer, int *line, char *why, size_t whysz)
{
	const char *p = text, *end = text + len, *layer_name;
	json_t *entries = NULL, *section = NULL, *e;
	int n = 0;

	layer_name = overlay_layer_name((enum overlay_layer)layer);
	if ((entries = json_array()) == NULL || (section = json_string("")) == NULL)
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
			if ((section = json_stringn(ns, (size_t)(ne - ns))) == NULL)
				goto oom;
			continue;
		}
		eq = memchr(s, '=', (size_t)(le - s));
		if (eq == NULL) {
			if (has_blank(s, le)) {
				snprintf(why, whysz, "expected 'key=value', a bare key or '[section]'");
				goto bad;
			}
			e = json_pack("{s:O, s:s%, s:n, s:s, s:[]}", "section", section,
			    "key", s, (size_t)(le - s), "value", "layer", layer_name,
			    "overrode");
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
			e = json_pack("{s:O, s:s%, s:s%, s:s, s:[]}", "section", section,
			    "key", ks, (size_t)(ke - ks), "value", vs, (size_t)(ve - vs),
			    "layer", layer_name, "overrode");
		}
		if (e == NULL) {
			/* json_pack refuses invalid UTF-8 as well as failing allocation. */
			snprintf(why, whysz, "not valid UTF-8 text");
			*line = first;
			goto fail;
		}
		json_array_append_new(entries, e);
		continue;
bad:
		*line = first;
		goto fail;
	}
	json_decref(section);
	return entries;
oom:
	snprintf(why, whysz, "out of memory");
	*line = 0;
fail:
	json_decref(section);
	json_decref(entries);
	return NULL;
}

static int
same(const json_t *a, const json_t *b, const char *member)
{
	return json_equal(json_object_get(a, member), json_object_get(b, member));
}

int
ovl_ini_apply(json_t *keys, const char *text, size_t len, int layer, int *line,
    char *why, size_t whysz)
{
	json_t *up;
	size_t i, j, k;

	*line = 0;
	if ((up = parse(text, len, layer, line, why, whysz)) == NULL)
		return -1;
	for (i = 0; i < json_array_size(up); i++) {
		json_t *u = json_array_get(up, i), *over = json_object_get(u, "overrode");
		size_t at = (size_t)-1, last_in_section = (size_t)-1;

		/* Earlier entries of this group were placed with the first one. */
		for (j = 0; j < i; j++)
			if (same(json_array_get(up, j), u, "section") &&
			    same(json_array_get(up, j), u, "key"))
				break;
		if (j < i)
			continue;
		/* Take out the lower lines of this key, remembering where they were. */
		for (k = 0; k < json_array_size(keys); ) {
			json_t *l = json_array_get(keys, k);

			if (!same(l, u, "section")) {
				k++;
				continue;
			}
			last_in_section = k;
			if (!same(l, u, "key")) {
				k++;
				continue;
			}
			if (at == (size_t)-1)
				at = k;
			ovl_layers_add(over, overlay_layer_from_name(
			    json_string_value(json_object_get(l, "layer"))));
			json_array_remove(keys, k);
			last_in_section = k - 1;
		}
		if (at == (size_t)-1)
			at = last_in_section == (size_t)-1 ? json_array_size(keys) :
			    last_in_section + 1;
		/* Put the whole group (all lines of this key) there, in order. */
		for (j = i; j < json_array_size(up); j++) {
			json_t *g = json_array_get(up, j);

			if (!same(g, u, "section") || !same(g, u, "key"))
				continue;
			if (g != u)
				json_object_set(g, "overrode", over);
			json_array_insert(keys, at++, g);
		}
	}
	json_decref(up);
	return 0;
}

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
