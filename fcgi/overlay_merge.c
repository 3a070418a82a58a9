/*
 * overlay_merge.c - the overlay engine: five layers folded, lowest first,
 * into the effective configuration, with the provenance of every package,
 * pin, file, appended line and deep-merged key (shape in overlay.h).
 */
#include "overlay_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum strategy { S_REPLACE, S_APPEND, S_DEEP };

static const char *const strategy_names[] = { "replace", "append", "deep" };

/* Where a file's content stands after the layers so far. */
struct fstate {
	const char	*path;		/* borrowed from the document */
	char		 field[64];	/* "layers.rhetoric.files[2]" of the top entry */
	enum strategy	 strategy;	/* the top entry's */
	int		 top;		/* highest layer with an entry */
	unsigned	 entries;	/* bit per layer with an entry */
	int		 is_deep;	/* content lives in deep, else in bytes */
	struct ovl_buf	 bytes;
	int		 seg_layer[OVERLAY_LAYER__MAX];	/* appended segments */
	size_t		 seg_len[OVERLAY_LAYER__MAX];
	int		 nseg;
	struct ovl_deep	 deep;
	long		 mode, uid, gid;
};

struct merge {
	char		*field, *why;
	size_t		 fieldsz, whysz;
	struct fstate	*files;
	size_t		 nfiles, cap;
	json_t		*index;		/* path -> position in files */
};

static void fail(struct merge *m, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record the first failure only: later ones are consequences. */
static void
fail(struct merge *m, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (m->why[0] != '\0')
		return;
	snprintf(m->field, m->fieldsz, "%s", field);
	va_start(ap, fmt);
	vsnprintf(m->why, m->whysz, fmt, ap);
	va_end(ap);
	if (m->why[0] == '\0')
		snprintf(m->why, m->whysz, "invalid");
}

/* "0644" or "644" (3 or 4 octal digits) to a mode; -1 otherwise. */
long
ovl_mode_parse(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), i;
	long mode = 0;

	if (s == NULL || n < 3 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		mode = mode * 8 + (s[i] - '0');
	}
	return mode;
}

/* "root", a decimal string or an integer, 0..65534, to an id; -1 otherwise. */
long
ovl_id_parse(const json_t *v)
{
	const char *s = json_string_value(v);
	long id = 0;
	size_t i, n = json_string_length(v);

	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		return x >= 0 && x <= 65534 ? (long)x : -1;
	}
	if (s == NULL || n == 0)
		return -1;
	if (strcmp(s, "root") == 0)
		return 0;
	if (n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		id = id * 10 + (s[i] - '0');
	}
	return id <= 65534 ? id : -1;
}

/* The state for path, created empty on first sight; NULL when out of memory. */
static struct fstate *
file_state(struct merge *m, const char *path)
{
	json_t *at = json_object_get(m->index, path);
	struct fstate *f;

	if (at != NULL)
		return &m->files[json_integer_value(at)];
	if (m->nfiles == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct fstate *p = realloc(m->files, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		m->files = p;
		m->cap = cap;
	}
	f = &m->files[m->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = path;
	f->top = -1;
	f->mode = 0644;
	if (json_object_set_new(m->index, path, json_integer((json_int_t)m->nfiles)) != 0)
		return NULL;
	m->nfiles++;
	return f;
}

static void
file_state_free(struct fstate *f)
{
	ovl_buf_free(&f->bytes);
	if (f->is_deep)
		ovl_deep_free(&f->deep);
}

/* Move a deep state back to bytes (rendered), attributed to its top layer. */
static int
deep_to_bytes(struct fstate *f)
{
	size_t n;
	char *s = ovl_deep_render(&f->deep, &n);

	if (s == NULL)
		return -1;
	ovl_deep_free(&f->deep);
	f->is_deep = 0;
	f->bytes.len = 0;
	ovl_buf_add(&f->bytes, s, n);
	free(s);
	f->nseg = 1;
	f->seg_layer[0] = f->top;
	f->seg_len[0] = n;
	return f->bytes.oom ? -1 : 0;
}

/*
 * Fold one file entry (layer l, at field) into its path's state.  content is
 * the decoded bytes.
 */
static void
fold_file(struct merge *m, struct fstate *f, int l, const char *field,
    enum strategy s, const char *content, size_t len)
{
	char sub[96], why[160];
	int line;

	snprintf(sub, sizeof(sub), "%s.content", field);
	switch (s) {
	case S_REPLACE:
		if (f->is_deep) {
			ovl_deep_free(&f->deep);
			f->is_deep = 0;
		}
		f->bytes.len = 0;
		ovl_buf_add(&f->bytes, content, len);
		f->nseg = 1;
		f->seg_layer[0] = l;
		f->seg_len[0] = len;
		break;
	case S_APPEND:
		if (!ovl_utf8_valid(content, len)) {
			fail(m, sub, "append needs UTF-8 text");
			return;
		}
		if (f->is_deep && deep_to_bytes(f) != 0) {
			fail(m, sub, "out of memory");
			return;
		}
		if (!ovl_utf8_valid(f->bytes.p ? f->bytes.p : "", f->bytes.len)) {
			fail(m, sub, "cannot append to the binary content of layer %s",
			    overlay_layer_name((enum overlay_layer)f->top));
			return;
		}
		/* Keep lines whole: the lower content gets its missing newline. */
		if (f->bytes.len > 0 && f->bytes.p[f->bytes.len - 1] != '\n' &&
		    f->nseg > 0) {
			ovl_buf_add(&f->bytes, "\n", 1);
			f->seg_len[f->nseg - 1]++;
		}
		ovl_buf_add(&f->bytes, content, len);
		f->seg_layer[f->nseg] = l;
		f->seg_len[f->nseg] = len;
		f->nseg++;
		break;
	case S_DEEP:
		if (!f->is_deep) {
			if (ovl_deep_init(&f->deep, ovl_deep_kind_of(f->path)) != 0) {
				fail(m, sub, "out of memory");
				return;
			}
			f->is_deep = 1;
			if (f->top >= 0 && ovl_deep_apply(&f->deep, f->bytes.p ?
			    f->bytes.p : "", f->bytes.len, f->top, &line, why,
			    sizeof(why)) != 0) {
				fail(m, sub, "cannot deep-merge onto the %s layer's %s: "
				    "line %d: %s", overlay_layer_name((enum overlay_layer)
				    f->top), f->path, line, why);
				return;
			}
			f->bytes.len = 0;
			f->nseg = 0;
		}
		if (ovl_deep_apply(&f->deep, content, len, l, &line, why,
		    sizeof(why)) != 0) {
			if (line > 0)
				fail(m, sub, "line %d: %s", line, why);
			else
				fail(m, sub, "%s", why);
			return;
		}
		break;
	}
	if (f->bytes.oom)
		fail(m, sub, "out of memory");
}

/* One file entry: check what the merge relies on, decode, fold. */
static void
merge_file(struct merge *m, int l, size_t i, const json_t *e)
{
	char field[64], sub[96];
	const json_t *p = json_object_get(e, "path");
	const json_t *st = json_object_get(e, "strategy"), *v;
	const char *why = NULL;
	struct fstate *f;
	enum strategy s = S_REPLACE;
	char *content = NULL;
	size_t len;
	long x;

	snprintf(field, sizeof(field), "layers.%s.files[%zu]",
	    overlay_layer_name((enum overlay_layer)l), i);
	snprintf(sub, sizeof(sub), "%s.path", field);
	if (!json_is_object(e)) {
		fail(m, field, "must be an object");
		goto out;
	}
	if (!json_is_string(p) || overlay_path_check(json_string_value(p),
	    json_string_length(p), &why) != 0) {
		fail(m, sub, "%s", why ? why : "must be a string");
		goto out;
	}
	if (st != NULL) {
		for (s = S_REPLACE; s <= S_DEEP; s++)
			if (json_is_string(st) &&
			    strcmp(json_string_value(st), strategy_names[s]) == 0)
				break;
		if (s > S_DEEP) {
			snprintf(sub, sizeof(sub), "%s.strategy", field);
			fail(m, sub, "must be \"replace\", \"append\" or \"deep\"");
			goto out;
		}
	}
	if (ovl_content_decode(e, &content, &len, &why) != 0) {
		snprintf(sub, sizeof(sub), "%s.content", field);
		fail(m, sub, "%s", why);
		goto out;
	}
	if ((f = file_state(m, json_string_value(p))) == NULL) {
		fail(m, field, "out of memory");
		goto out;
	}
	if (f->entries & (1u << l)) {
		snprintf(sub, sizeof(sub), "%s.path", field);
		fail(m, sub, "the layer already has a file at this path");
		goto out;
	}
	fold_file(m, f, l, field, s, content, len);
	f->entries |= 1u << l;
	f->top = l;
	f->strategy = s;
	snprintf(f->field, sizeof(f->field), "%s", field);
	/* Attributes stated by a higher layer win; unstated ones are kept. */
	if ((v = json_object_get(e, "mode")) != NULL) {
		if ((x = ovl_mode_parse(v)) < 0) {
			snprintf(sub, sizeof(sub), "%s.mode", field);
			fail(m, sub, "must be 3 or 4 octal digits as a string");
		}
		f->mode = x;
	}
	if ((v = json_object_get(e, "owner")) != NULL) {
		if ((x = ovl_id_parse(v)) < 0) {
			snprintf(sub, sizeof(sub), "%s.owner", field);
			fail(m, sub, "must be \"root\" or a numeric id up to 65534");
		}
		f->uid = x;
	}
	if ((v = json_object_get(e, "group")) != NULL) {
		if ((x = ovl_id_parse(v)) < 0) {
			snprintf(sub, sizeof(sub), "%s.group", field);
			fail(m, sub, "must be \"root\" or a numeric id up to 65534");
		}
		f->gid = x;
	}
out:
	free(content);
}

static json_t *
layer_list(unsigned mask)
{
	json_t *a = json_array();
	int l;

	for (l = 0; a != NULL && l < OVERLAY_LAYER__MAX; l++)
		if (mask & (1u << l))
			json_array_append_new(a, json_string(
			    overlay_layer_name((enum overlay_layer)l)));
	return a;
}

/* Lines of an appended file, each with the layer of its segment. */
static json_t *
file_lines(const struct fstate *f)
{
	json_t *lines = json_array();
	size_t off = 0;
	int k;

	/* Appended content is checked UTF-8 and cut at '\n' only: no re-check. */
	for (k = 0; lines != NULL && k < f->nseg; k++) {
		const char *p = f->bytes.p + off, *end = p + f->seg_len[k];
		json_t *name = json_string(overlay_layer_name((enum overlay_layer)f->seg_layer[k]));

		while (name != NULL && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *le = nl ? nl : end;
			json_t *line = json_object();

			if (line != NULL) {
				json_object_set_new(line, "text",
				    json_stringn_nocheck(p, (size_t)(le - p)));
				json_object_set(line, "layer", name);
				json_array_append_new(lines, line);
			}
			p = nl ? nl + 1 : end;
		}
		json_decref(name);
		off += f->seg_len[k];
	}
	return lines;
}

/* The effective entry of one path. */
static json_t *
file_effective(struct merge *m, struct fstate *f)
{
	json_t *out = NULL, *content = NULL;
	const char *enc = "utf-8";
	char mode[8], *text = NULL;
	const char *data;
	size_t len, i;
	unsigned from = 0;
	int k;

	if (f->is_deep) {
		if ((text = ovl_deep_render(&f->deep, &len)) == NULL)
			goto oom;
		data = text;
		for (i = 0; i < json_array_size(f->deep.keys); i++)
			from |= 1u << overlay_layer_from_name(json_string_value(
			    json_object_get(json_array_get(f->deep.keys, i), "layer")));
		if (from == 0)
			from = 1u << f->top;
	} else {
		data = f->bytes.p ? f->bytes.p : "";
		len = f->bytes.len;
		for (k = 0; k < f->nseg; k++)
			from |= 1u << f->seg_layer[k];
	}
	if (ovl_utf8_valid(data, len))
		content = json_stringn(data, len);
	else {
		enc = "base64";
		content = ovl_base64_string(data, len);
	}
	if (content == NULL)
		goto oom;
	snprintf(mode, sizeof(mode), "%04lo", f->mode & 07777);
	/* "o" steals the new arrays and content. */
	out = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:o, s:o, s:s, s:o}",
	    "path", f->path, "mode", mode, "owner", (int)f->uid, "group", (int)f->gid,
	    "strategy", strategy_names[f->strategy],
	    "layer", overlay_layer_name((enum overlay_layer)f->top),
	    "from", layer_list(from), "overrode", layer_list(f->entries & ~from),
	    "encoding", enc, "content", content);
	content = NULL;
	if (out == NULL)
		goto oom;
	if (f->strategy == S_APPEND)
		json_object_set_new(out, "lines", file_lines(f));
	else if (f->strategy == S_DEEP)
		json_object_set(out, "keys", f->deep.keys);
	free(text);
	return out;
oom:
	free(text);
	json_decref(content);
	fail(m, f->field, "out of memory");
	return NULL;
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The keys of obj, sorted; a new array of borrowed strings (caller frees). */
static const char **
sorted_keys(const json_t *obj, size_t *n)
{
	const char **keys, *k;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(obj);
	if ((keys = calloc(*n + 1, sizeof(*keys))) == NULL)
		return NULL;
	json_object_foreach((json_t *)obj, k, v)
		keys[i++] = k;
	qsort(keys, *n, sizeof(*keys), by_name);
	return keys;
}

/*
 * Packages and removals.  Per name: a bit per layer that adds it and one per
 * layer that removes it; the highest mention decides.
 */
static void
merge_packages(struct merge *m, const json_t *layers, json_t *eff)
{
	json_t *seen = json_object(), *pk = json_array(), *rm = json_array();
	const char **names = NULL;
	size_t i, n;
	int l;

	if (seen == NULL || pk == NULL || rm == NULL)
		goto oom;
	for (l = 0; l < OVERLAY_LAYER__MAX; l++) {
		const json_t *ly = json_object_get(layers,
		    overlay_layer_name((enum overlay_layer)l));
		int op;

		for (op = 0; op < 2; op++) {
			const char *member = op == 0 ? "packages" : "remove";
			const json_t *list = json_object_get(ly, member);
			char field[96];

			snprintf(field, sizeof(field), "layers.%s.%s",
			    overlay_layer_name((enum overlay_layer)l), member);
			if (list != NULL && !json_is_array(list)) {
				fail(m, field, "must be an array");
				continue;
			}
			for (i = 0; i < json_array_size(list); i++) {
				const char *name = json_string_value(json_array_get(list, i));
				json_t *bits;
				json_int_t b;

				if (name == NULL) {
					snprintf(field, sizeof(field), "layers.%s.%s[%zu]",
					    overlay_layer_name((enum overlay_layer)l), member, i);
					fail(m, field, "must be a string");
					continue;
				}
				/* Bits 0-4: adds; 8-12: removes. */
				bits = json_object_get(seen, name);
				b = bits ? json_integer_value(bits) : 0;
				if (op == 1 && (b & (1 << l))) {
					snprintf(field, sizeof(field), "layers.%s.remove[%zu]",
					    overlay_layer_name((enum overlay_layer)l), i);
					fail(m, field, "the same layer also adds this package");
				}
				b |= (json_int_t)1 << (l + 8 * op);
				json_object_set_new(seen, name, json_integer(b));
			}
		}
	}
	if ((names = sorted_keys(seen, &n)) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		unsigned b = (unsigned)json_integer_value(json_object_get(seen, names[i]));
		unsigned adds = b & 0xff, removes = (b >> 8) & 0xff, below;
		int top = -1;

		for (l = 0; l < OVERLAY_LAYER__MAX; l++)
			if ((adds | removes) & (1u << l))
				top = l;
		below = (1u << top) - 1;
		if (adds & (1u << top))
			json_array_append_new(pk, json_pack("{s:s, s:s, s:o, s:o}",
			    "name", names[i],
			    "layer", overlay_layer_name((enum overlay_layer)top),
			    "also_in", layer_list(adds & below),
			    "overrode", layer_list(removes & below)));
		else
			json_array_append_new(rm, json_pack("{s:s, s:s, s:o}",
			    "name", names[i],
			    "layer", overlay_layer_name((enum overlay_layer)top),
			    "removed_from", layer_list(adds & below)));
	}
	json_object_set(eff, "packages", pk);
	json_object_set(eff, "removed", rm);
	goto out;
oom:
	fail(m, "layers", "out of memory");
out:
	free(names);
	json_decref(seen);
	json_decref(pk);
	json_decref(rm);
}

/* Pins: the highest layer's provider wins; the lower pinning layers are overridden. */
static void
merge_pins(struct merge *m, const json_t *layers, json_t *eff)
{
	json_t *win = json_object(), *out = json_array();
	const char **names = NULL;
	size_t i, n;
	int l;

	if (win == NULL || out == NULL)
		goto oom;
	for (l = 0; l < OVERLAY_LAYER__MAX; l++) {
		const json_t *pins = json_object_get(json_object_get(layers,
		    overlay_layer_name((enum overlay_layer)l)), "pins");
		const char *k;
		json_t *v;

		if (pins != NULL && !json_is_object(pins)) {
			char field[64];

			snprintf(field, sizeof(field), "layers.%s.pins",
			    overlay_layer_name((enum overlay_layer)l));
			fail(m, field, "must be an object");
			continue;
		}
		json_object_foreach((json_t *)pins, k, v) {
			json_t *prev = json_object_get(win, k), *over;

			if (!json_is_string(v)) {
				char field[320];

				snprintf(field, sizeof(field), "layers.%s.pins.%.255s",
				    overlay_layer_name((enum overlay_layer)l), k);
				fail(m, field, "must be a string");
				continue;
			}
			over = prev ? json_incref(json_object_get(prev, "overrode")) : json_array();
			if (prev != NULL)
				ovl_layers_add(over, overlay_layer_from_name(
				    json_string_value(json_object_get(prev, "layer"))));
			json_object_set_new(win, k, json_pack("{s:s, s:O, s:s, s:o}",
			    "name", k, "provider", v,
			    "layer", overlay_layer_name((enum overlay_layer)l),
			    "overrode", over));
		}
	}
	if ((names = sorted_keys(win, &n)) == NULL)
		goto oom;
	for (i = 0; i < n; i++)
		json_array_append(out, json_object_get(win, names[i]));
	json_object_set(eff, "pins", out);
	goto done;
oom:
	fail(m, "layers", "out of memory");
done:
	free(names);
	json_decref(win);
	json_decref(out);
}

static int
by_path(const void *x, const void *y)
{
	return strcmp(((const struct fstate *)x)->path, ((const struct fstate *)y)->path);
}

/*
 * The engine: effective iso, packages, pins, then every file entry folded in
 * layer order, then the file-inside-a-file check.  Returns a new effective
 * configuration (caller decrefs), or NULL with the first failure's field and
 * reason.  Only borrowed references to doc are kept while it runs.
 */
json_t *
ovl_merge(const json_t *doc, char *field, size_t fieldsz, char *why, size_t whysz)
{
	struct merge m = { field, why, fieldsz, whysz, NULL, 0, 0, NULL };
	const json_t *layers;
	json_t *eff = NULL, *iso = NULL, *files = NULL;
	const char *k;
	json_t *v;
	size_t i, j;
	int l;

	field[0] = why[0] = '\0';
	if (!json_is_object(doc)) {
		fail(&m, "", "the configuration must be a JSON object");
		goto out;
	}
	if ((iso = ovl_iso_effective(json_object_get(doc, "iso"), field, fieldsz,
	    why, whysz)) == NULL)
		goto out;
	layers = json_object_get(doc, "layers");
	if (layers != NULL && !json_is_object(layers)) {
		fail(&m, "layers", "must be an object");
		goto out;
	}
	json_object_foreach((json_t *)layers, k, v) {
		char f[96];

		snprintf(f, sizeof(f), "layers.%.64s", k);
		if (overlay_layer_from_name(k) < 0)
			fail(&m, f, "unknown layer (opening_statement, platform, "
			    "rhetoric, talking_points, closing_argument)");
		else if (!json_is_object(v))
			fail(&m, f, "must be an object");
	}
	if (why[0] != '\0')
		goto out;
	if ((eff = json_object()) == NULL || (m.index = json_object()) == NULL ||
	    (files = json_array()) == NULL) {
		fail(&m, "", "out of memory");
		goto out;
	}
	json_object_set(eff, "iso", iso);
	merge_packages(&m, layers, eff);
	merge_pins(&m, layers, eff);
	for (l = 0; l < OVERLAY_LAYER__MAX && why[0] == '\0'; l++) {
		const json_t *list = json_object_get(json_object_get(layers,
		    overlay_layer_name((enum overlay_layer)l)), "files");
		char f[64];

		snprintf(f, sizeof(f), "layers.%s.files",
		    overlay_layer_name((enum overlay_layer)l));
		if (list != NULL && !json_is_array(list))
			fail(&m, f, "must be an array");
		for (i = 0; i < json_array_size(list) && why[0] == '\0'; i++)
			merge_file(&m, l, i, json_array_get(list, i));
	}
	if (why[0] != '\0')
		goto out;
	if (m.nfiles > 1)
		qsort(m.files, m.nfiles, sizeof(*m.files), by_path);
	/* A file cannot also be a directory of another file. */
	for (i = 0; i < m.nfiles; i++)
		for (j = i + 1; j < m.nfiles; j++) {
			size_t n = strlen(m.files[i].path);
			char f[96];

			if (strncmp(m.files[j].path, m.files[i].path, n) != 0)
				break;
			if (m.files[j].path[n] != '/')
				continue;
			snprintf(f, sizeof(f), "%s.path", m.files[j].field);
			fail(&m, f, "is inside %s, which is a file (%s)",
			    m.files[i].path, m.files[i].field);
		}
	for (i = 0; i < m.nfiles && why[0] == '\0'; i++)
		json_array_append_new(files, file_effective(&m, &m.files[i]));
	json_object_set(eff, "files", files);
out:
	for (i = 0; i < m.nfiles; i++)
		file_state_free(&m.files[i]);
	free(m.files);
	json_decref(m.index);
	json_decref(iso);
	json_decref(files);
	if (why[0] != '\0') {
		json_decref(eff);
		eff = NULL;
	}
	return eff;
}

/* overlay.h: ovl_merge with "field: reason" in one message. */
json_t *
overlay_merge(const json_t *doc, char *err, size_t errsz)
{
	char field[128], why[512];
	json_t *eff = ovl_merge(doc, field, sizeof(field), why, sizeof(why));

	if (eff == NULL && err != NULL && errsz > 0)
		snprintf(err, errsz, "%s%s%s", field, field[0] ? ": " : "", why);
	return eff;
}
