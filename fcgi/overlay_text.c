/*
 * overlay_text.c - bytes and text for the overlay engine: a growable buffer,
 * UTF-8 checking, file content decoding, base64 and SHA-256 helpers, the
 * layer name table and the error list.
 */
#include "overlay_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define OVL_ERRORS_MAX 100

static const char *const layer_names[OVERLAY_LAYER__MAX] = {
	[OVERLAY_OPENING_STATEMENT] = "opening_statement",
	[OVERLAY_PLATFORM] = "platform",
	[OVERLAY_RHETORIC] = "rhetoric",
	[OVERLAY_TALKING_POINTS] = "talking_points",
	[OVERLAY_CLOSING_ARGUMENT] = "closing_argument",
};

const char *
overlay_layer_name(enum overlay_layer l)
{
	if ((int)l < 0 || l >= OVERLAY_LAYER__MAX)
		return NULL;
	return layer_names[l];
}

int
overlay_layer_from_name(const char *name)
{
	int l;

	for (l = 0; l < OVERLAY_LAYER__MAX; l++)
		if (strcmp(layer_names[l], name) == 0)
			return l;
	return -1;
}

void
overlay_limits_default(struct overlay_limits *lim)
{
	lim->max_files = 256;
	lim->max_file_bytes = 1024 * 1024;
	lim->max_total_bytes = 8 * 1024 * 1024;
	lim->max_packages = 4096;
}

void
ovl_buf_add(struct ovl_buf *b, const void *data, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
ovl_buf_adds(struct ovl_buf *b, const char *s)
{
	ovl_buf_add(b, s, strlen(s));
}

void
ovl_buf_free(struct ovl_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/*
 * Overlong forms, surrogates and code points past U+10FFFF are invalid, and
 * so is NUL: content travels as C strings on the text paths.
 */
int
ovl_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned cp, need, k;

		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) { i++; continue; }
		if ((p[i] & 0xe0) == 0xc0) { cp = p[i] & 0x1f; need = 1; }
		else if ((p[i] & 0xf0) == 0xe0) { cp = p[i] & 0x0f; need = 2; }
		else if ((p[i] & 0xf8) == 0xf0) { cp = p[i] & 0x07; need = 3; }
		else return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* overlay_int.h.  base64 may be wrapped: newlines and blanks are skipped. */
int
ovl_content_decode(const json_t *file, char **out, size_t *len, const char **why)
{
	const json_t *c = json_object_get(file, "content");
	const json_t *e = json_object_get(file, "encoding");
	const char *enc = json_is_string(e) ? json_string_value(e) : "utf-8";
	const char *s = json_is_string(c) ? json_string_value(c) : "";
	size_t n = json_is_string(c) ? json_string_length(c) : 0;
	char *buf = NULL;
	size_t blen = 0;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if (c != NULL && !json_is_string(c)) {
		*why = "content must be a string";
		goto out;
	}
	if (e != NULL && !json_is_string(e)) {
		*why = "encoding must be a string";
		goto out;
	}
	if (strcmp(enc, "utf-8") == 0) {
		if (memchr(s, 0, n) != NULL) {
			*why = "utf-8 content must not contain NUL; use base64";
			goto out;
		}
		if ((buf = malloc(n + 1)) == NULL) {
			*why = "out of memory";
			goto out;
		}
		memcpy(buf, s, n);
		blen = n;
	} else if (strcmp(enc, "base64") == 0) {
		/* Decoded size is at most 3/4 of the text. */
		if ((buf = malloc(n / 4 * 3 + 4)) == NULL) {
			*why = "out of memory";
			goto out;
		}
		if (sodium_base642bin((unsigned char *)buf, n / 4 * 3 + 3, s, n,
		    "\n\r ", &blen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
			*why = "content is not valid base64";
			goto out;
		}
	} else {
		*why = "encoding must be \"utf-8\" or \"base64\"";
		goto out;
	}
	buf[blen] = '\0';
	*out = buf;
	*len = blen;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	return rc;
}

json_t *
ovl_base64_string(const char *data, size_t len)
{
	size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *b;
	json_t *s;

	if ((b = malloc(n)) == NULL)
		return NULL;
	sodium_bin2base64(b, n, (const unsigned char *)data, len,
	    sodium_base64_VARIANT_ORIGINAL);
	s = json_string(b);
	free(b);
	return s;
}

void
ovl_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void
ovl_err(json_t *errs, const char *field, const char *message)
{
	if (json_array_size(errs) >= OVL_ERRORS_MAX)
		return;
	/* json_pack "s" copies; nothing to steal here. */
	json_array_append_new(errs, json_pack("{s:s, s:s}", "field", field,
	    "message", message));
}

void
ovl_layers_add(json_t *a, int l)
{
	const char *name = overlay_layer_name((enum overlay_layer)l);
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));
		int have = overlay_layer_from_name(s ? s : "");

		if (have == l)
			return;
		if (have > l) {
			json_array_insert_new(a, i, json_string(name));
			return;
		}
	}
	json_array_append_new(a, json_string(name));
}

static const char *
sort_key(const json_t *v, const char *member)
{
	const char *s = json_string_value(member ? json_object_get(v, member) : v);

	return s ? s : "";
}

static int
by_sort_key(const void *x, const void *y, void *member)
{
	return strcmp(sort_key(*(const json_t *const *)x, member),
	    sort_key(*(const json_t *const *)y, member));
}

/* overlay_int.h.  References are moved, not copied. */
int
ovl_array_sort(json_t *a, const char *member)
{
	size_t i, n = json_array_size(a);
	json_t **v;

	if (n < 2)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	/* glibc's qsort_r (_GNU_SOURCE): no global state, safe in any thread. */
	qsort_r(v, n, sizeof(*v), by_sort_key, (void *)member);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
	return 0;
}
