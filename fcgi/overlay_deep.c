/*
 * overlay_deep.c - the "deep" merge strategy: which structure a path has, and
 * one state per merged file whatever that structure is.
 */
#include "overlay_int.h"

#include <stdio.h>
#include <string.h>

enum ovl_deep_kind
ovl_deep_kind_of(const char *path)
{
	size_t n = strlen(path);

	if (n >= 5 && strcmp(path + n - 5, ".json") == 0)
		return OVL_DEEP_JSON;
	return OVL_DEEP_INI;
}

int
ovl_deep_init(struct ovl_deep *d, enum ovl_deep_kind kind)
{
	d->kind = kind;
	d->doc = NULL;
	d->keys = json_array();
	return d->keys == NULL ? -1 : 0;
}

void
ovl_deep_free(struct ovl_deep *d)
{
	json_decref(d->doc);
	json_decref(d->keys);
	d->doc = d->keys = NULL;
}

/* Text is checked as UTF-8 once here; the halves rely on it. */
int
ovl_deep_apply(struct ovl_deep *d, const char *text, size_t len, int layer,
    int *line, char *why, size_t whysz)
{
	*line = 0;
	if (!ovl_utf8_valid(text, len)) {
		snprintf(why, whysz, "not valid UTF-8 text");
		return -1;
	}
	if (d->kind == OVL_DEEP_JSON)
		return ovl_json_apply(&d->doc, d->keys, text, len, layer, line,
		    why, whysz);
	return ovl_ini_apply(d->keys, text, len, layer, line, why, whysz);
}

char *
ovl_deep_render(const struct ovl_deep *d, size_t *len)
{
	if (d->kind == OVL_DEEP_JSON) {
		if (d->doc == NULL) {
			/* Nothing merged yet: an empty object, not an empty file. */
			json_t *empty = json_object();
			char *s = empty ? ovl_json_render(empty, len) : NULL;

			json_decref(empty);
			return s;
		}
		return ovl_json_render(d->doc, len);
	}
	return ovl_ini_render(d->keys, len);
}
