/*
 * overlay_validate.c - the check a configuration document passes before it is
 * stored: shape (types, layer names, unknown keys), every member's rules,
 * the limits, and finally the merge itself, so that what is stored can always
 * be merged.  Every problem is reported with its field path.
 */
#include "overlay_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vctx {
	json_t				*errs;
	const struct overlay_limits	*lim;
	size_t				 nfiles;	/* entries so far */
	size_t				 bytes;		/* decoded bytes so far */
};

static const char *const file_keys[] = {
	"path", "content", "encoding", "mode", "owner", "group", "strategy", NULL
};
static const char *const layer_keys[] = { "packages", "remove", "pins", "files", NULL };

static int
known(const char *key, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(key, *list) == 0)
			return 1;
	return 0;
}

/* pacman package names: 1..255 of [a-z0-9@._+-], not starting with '-' or '.'. */
static int
pkgname_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 255 || s[0] == '-' || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("@._+-", s[i]) != NULL) || s[i] == '\0')
			return 0;
	return 1;
}

/* Dependency names a pin is for: also versions and sonames ("libfoo.so=1-64"). */
static int
depname_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 255 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("@._+-:=<>", s[i]) != NULL) ||
		    s[i] == '\0')
			return 0;
	return 1;
}

static int
text_ok(const json_t *v, size_t lo, size_t hi, int controls)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), i;

	if (s == NULL || n < lo || n > hi || memchr(s, 0, n) != NULL)
		return 0;
	for (i = 0; !controls && i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/* A packages or remove list. */
static void
check_names(struct vctx *v, const char *layer, const char *member, const json_t *list)
{
	char field[128];
	size_t i, j;

	snprintf(field, sizeof(field), "layers.%s.%s", layer, member);
	if (!json_is_array(list)) {
		ovl_err(v->errs, field, "must be an array of package names");
		return;
	}
	if (json_array_size(list) > v->lim->max_packages) {
		char msg[96];

		snprintf(msg, sizeof(msg), "more than %zu entries", v->lim->max_packages);
		ovl_err(v->errs, field, msg);
		return;
	}
	for (i = 0; i < json_array_size(list); i++) {
		const json_t *e = json_array_get(list, i);

		snprintf(field, sizeof(field), "layers.%s.%s[%zu]", layer, member, i);
		if (!json_is_string(e) || !pkgname_ok(json_string_value(e),
		    json_string_length(e))) {
			ovl_err(v->errs, field, "must be a package name: 1 to 255 of "
			    "[a-z0-9@._+-], not starting with '-' or '.'");
			continue;
		}
		/* Sorted-free duplicate check; lists are bounded by max_packages. */
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(list, j), e))
				break;
		if (j < i)
			ovl_err(v->errs, field, "listed twice");
	}
}

/* Is name in the layer's packages list? */
static int
added_by(const json_t *ly, const json_t *name)
{
	const json_t *pk = json_object_get(ly, "packages");
	size_t i;

	for (i = 0; i < json_array_size(pk); i++)
		if (json_equal(json_array_get(pk, i), name))
			return 1;
	return 0;
}

static void
check_pins(struct vctx *v, const char *layer, const json_t *pins)
{
	char field[384];
	const char *k;
	json_t *p;

	snprintf(field, sizeof(field), "layers.%s.pins", layer);
	if (!json_is_object(pins)) {
		ovl_err(v->errs, field, "must be an object of dependency: provider");
		return;
	}
	json_object_foreach((json_t *)pins, k, p) {
		snprintf(field, sizeof(field), "layers.%s.pins.%.255s", layer, k);
		if (!depname_ok(k, strlen(k)))
			ovl_err(v->errs, field, "the dependency must be 1 to 255 of "
			    "[A-Za-z0-9@._+-:=<>]");
		else if (!json_is_string(p) || !pkgname_ok(json_string_value(p),
		    json_string_length(p)))
			ovl_err(v->errs, field, "the provider must be a package name");
	}
}

/*
 * One file entry at layers.LAYER.files[i]: shape, path, attributes,
 * encoding, limits (counted in v), and a deep file's own parse with its line.
 */
static void
check_file(struct vctx *v, const char *layer, size_t i, const json_t *f,
    const json_t *list)
{
	char base[96], field[128], msg[256];
	const char *key, *why = NULL, *strategy = "replace";
	const json_t *x, *p;
	char *content = NULL;
	size_t len, j;

	snprintf(base, sizeof(base), "layers.%s.files[%zu]", layer, i);
	if (!json_is_object(f)) {
		ovl_err(v->errs, base, "must be an object");
		goto out;
	}
	if (++v->nfiles > v->lim->max_files) {
		snprintf(msg, sizeof(msg), "more than %zu files in the configuration",
		    v->lim->max_files);
		ovl_err(v->errs, base, msg);
		goto out;
	}
	json_object_foreach((json_t *)f, key, x)
		if (!known(key, file_keys)) {
			snprintf(field, sizeof(field), "%s.%.24s", base, key);
			ovl_err(v->errs, field, "unknown key");
		}

	snprintf(field, sizeof(field), "%s.path", base);
	p = json_object_get(f, "path");
	if (p == NULL)
		ovl_err(v->errs, field, "is required");
	else if (!json_is_string(p))
		ovl_err(v->errs, field, "must be a string");
	else if (overlay_path_check(json_string_value(p), json_string_length(p), &why) != 0)
		ovl_err(v->errs, field, why);
	else {
		for (j = 0; j < i; j++)
			if (json_equal(json_object_get(json_array_get(list, j), "path"), p))
				break;
		if (j < i) {
			snprintf(msg, sizeof(msg), "the layer already has this path at "
			    "files[%zu]", j);
			ovl_err(v->errs, field, msg);
		}
	}

	snprintf(field, sizeof(field), "%s.strategy", base);
	if ((x = json_object_get(f, "strategy")) != NULL) {
		if (!json_is_string(x) || (strcmp(json_string_value(x), "replace") != 0 &&
		    strcmp(json_string_value(x), "append") != 0 &&
		    strcmp(json_string_value(x), "deep") != 0))
			ovl_err(v->errs, field, "must be \"replace\", \"append\" or \"deep\"");
		else
			strategy = json_string_value(x);
	}
	snprintf(field, sizeof(field), "%s.mode", base);
	if ((x = json_object_get(f, "mode")) != NULL && ovl_mode_parse(x) < 0)
		ovl_err(v->errs, field, "must be 3 or 4 octal digits as a string, e.g. \"0644\"");
	snprintf(field, sizeof(field), "%s.owner", base);
	if ((x = json_object_get(f, "owner")) != NULL && ovl_id_parse(x) < 0)
		ovl_err(v->errs, field, "must be \"root\" or a numeric id up to 65534");
	snprintf(field, sizeof(field), "%s.group", base);
	if ((x = json_object_get(f, "group")) != NULL && ovl_id_parse(x) < 0)
		ovl_err(v->errs, field, "must be \"root\" or a numeric id up to 65534");

	x = json_object_get(f, "encoding");
	snprintf(field, sizeof(field), "%s.encoding", base);
	if (x != NULL && (!json_is_string(x) || (strcmp(json_string_value(x), "utf-8") != 0 &&
	    strcmp(json_string_value(x), "base64") != 0))) {
		ovl_err(v->errs, field, "must be \"utf-8\" or \"base64\"");
		goto out;
	}
	if (x != NULL && strcmp(json_string_value(x), "base64") == 0 &&
	    strcmp(strategy, "replace") != 0)
		ovl_err(v->errs, field, "append and deep merge text: use utf-8");

	snprintf(field, sizeof(field), "%s.content", base);
	if (ovl_content_decode(f, &content, &len, &why) != 0) {
		ovl_err(v->errs, field, why);
		goto out;
	}
	if (len > v->lim->max_file_bytes) {
		snprintf(msg, sizeof(msg), "larger than %zu bytes", v->lim->max_file_bytes);
		ovl_err(v->errs, field, msg);
	} else if ((v->bytes += len) > v->lim->max_total_bytes) {
		snprintf(msg, sizeof(msg), "the files add up to more than %zu bytes",
		    v->lim->max_total_bytes);
		ovl_err(v->errs, field, msg);
	}
	/* A deep file must parse as its type on its own, with the line. */
	if (strcmp(strategy, "deep") == 0 && json_is_string(p)) {
		struct ovl_deep d;
		char reason[160];
		int line;

		if (ovl_deep_init(&d, ovl_deep_kind_of(json_string_value(p))) != 0) {
			ovl_err(v->errs, field, "out of memory");
			goto out;
		}
		if (ovl_deep_apply(&d, content, len, 0, &line, reason, sizeof(reason)) != 0) {
			if (line > 0)
				snprintf(msg, sizeof(msg), "line %d: %.200s", line, reason);
			else
				snprintf(msg, sizeof(msg), "%s", reason);
			ovl_err(v->errs, field, msg);
		}
		ovl_deep_free(&d);
	}
out:
	free(content);
}

/* One layer object: unknown keys, lists, pins, files. */
static void
check_layer(struct vctx *v, const char *layer, const json_t *ly)
{
	char field[128];
	const char *key;
	const json_t *x;
	size_t i;

	snprintf(field, sizeof(field), "layers.%s", layer);
	if (!json_is_object(ly)) {
		ovl_err(v->errs, field, "must be an object");
		return;
	}
	json_object_foreach((json_t *)ly, key, x) {
		if (known(key, layer_keys))
			continue;
		snprintf(field, sizeof(field), "layers.%s.%.32s", layer, key);
		ovl_err(v->errs, field, "unknown key (packages, remove, pins, files)");
	}
	if ((x = json_object_get(ly, "packages")) != NULL)
		check_names(v, layer, "packages", x);
	if ((x = json_object_get(ly, "remove")) != NULL) {
		check_names(v, layer, "remove", x);
		for (i = 0; i < json_array_size(x); i++)
			if (added_by(ly, json_array_get(x, i))) {
				snprintf(field, sizeof(field), "layers.%s.remove[%zu]", layer, i);
				ovl_err(v->errs, field, "the same layer also adds this package");
			}
	}
	if ((x = json_object_get(ly, "pins")) != NULL)
		check_pins(v, layer, x);
	if ((x = json_object_get(ly, "files")) != NULL) {
		snprintf(field, sizeof(field), "layers.%s.files", layer);
		if (!json_is_array(x))
			ovl_err(v->errs, field, "must be an array");
		for (i = 0; i < json_array_size(x); i++)
			check_file(v, layer, i, json_array_get(x, i), x);
	}
}

/* overlay.h. */
json_t *
overlay_validate(const json_t *doc, const struct overlay_limits *lim)
{
	return overlay_validate_merge(doc, lim, NULL);
}

/*
 * overlay.h.  Member rules first, in document order; the merge only for a
 * document clean so far, so its one error is never a consequence of another.
 */
json_t *
overlay_validate_merge(const json_t *doc, const struct overlay_limits *lim,
    json_t **effective)
{
	struct overlay_limits defaults;
	struct vctx v = { NULL, lim, 0, 0 };
	const json_t *x;
	const char *key;
	int l;

	if (effective != NULL)
		*effective = NULL;
	if (lim == NULL) {
		overlay_limits_default(&defaults);
		v.lim = &defaults;
	}
	/* Out of memory must not read as "valid": json_null() needs no memory. */
	if ((v.errs = json_array()) == NULL)
		return json_null();
	if (!json_is_object(doc)) {
		ovl_err(v.errs, "", "the configuration must be a JSON object");
		goto out;
	}
	json_object_foreach((json_t *)doc, key, x) {
		char field[48];

		if (strcmp(key, "name") == 0 || strcmp(key, "description") == 0 ||
		    strcmp(key, "iso") == 0 || strcmp(key, "layers") == 0)
			continue;
		snprintf(field, sizeof(field), "%.40s", key);
		ovl_err(v.errs, field, "unknown key (name, description, iso, layers)");
	}
	if ((x = json_object_get(doc, "name")) != NULL && !text_ok(x, 1, 800, 0))
		ovl_err(v.errs, "name", "must be 1 to 200 characters without control characters");
	else if (x != NULL) {
		/* Characters, not bytes: count the UTF-8 lead bytes. */
		const char *s = json_string_value(x);
		size_t n = 0;

		for (; *s != '\0'; s++)
			n += ((unsigned char)*s & 0xc0) != 0x80;
		if (n > 200)
			ovl_err(v.errs, "name", "must be 1 to 200 characters without control characters");
	}
	if ((x = json_object_get(doc, "description")) != NULL && !text_ok(x, 0, 10000, 1))
		ovl_err(v.errs, "description", "must be text of at most 10000 bytes");
	ovl_iso_validate(json_object_get(doc, "iso"), v.errs);

	x = json_object_get(doc, "layers");
	if (x != NULL && !json_is_object(x))
		ovl_err(v.errs, "layers", "must be an object");
	else if (x != NULL) {
		json_t *ly;

		json_object_foreach((json_t *)x, key, ly)
			if (overlay_layer_from_name(key) < 0) {
				char field[96];

				snprintf(field, sizeof(field), "layers.%.64s", key);
				ovl_err(v.errs, field, "unknown layer (opening_statement, "
				    "platform, rhetoric, talking_points, closing_argument)");
			}
		/* In layer order, so errors come out lowest layer first. */
		for (l = 0; l < OVERLAY_LAYER__MAX; l++) {
			const char *name = overlay_layer_name((enum overlay_layer)l);

			if ((ly = json_object_get(x, name)) != NULL)
				check_layer(&v, name, ly);
		}
	}
	/* Only a document clean so far is merged: cross-layer problems. */
	if (json_array_size(v.errs) == 0) {
		char field[128], why[512];
		json_t *eff = ovl_merge(doc, field, sizeof(field), why, sizeof(why));

		if (eff == NULL)
			ovl_err(v.errs, field, why);
		else if (effective != NULL)
			*effective = eff;	/* the caller's reference now */
		else
			json_decref(eff);
	}
out:
	if (json_array_size(v.errs) == 0) {
		json_decref(v.errs);
		return NULL;
	}
	return v.errs;
}
