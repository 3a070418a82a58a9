/*
 * overlay_int.h - what the overlay_*.c files share with each other (and with
 * the unit tests and fuzz targets).  Not for other modules: use overlay.h.
 */
#ifndef DEBATE_OVERLAY_INT_H
#define DEBATE_OVERLAY_INT_H

#include <stddef.h>

#include <jansson.h>

#include "overlay.h"

/* A growable byte buffer; oom sticks once an allocation failed. */
struct ovl_buf {
	char	*p;
	size_t	 len, cap;
	int	 oom;
};

void	 ovl_buf_add(struct ovl_buf *b, const void *data, size_t n);
void	 ovl_buf_adds(struct ovl_buf *b, const char *s);
void	 ovl_buf_free(struct ovl_buf *b);

/* 1 when s[0..n) is valid UTF-8 without NUL bytes. */
int	 ovl_utf8_valid(const char *s, size_t n);

/*
 * Decode a file entry's content by its "encoding" (absent: utf-8) into a new
 * malloc'd buffer (always NUL-terminated, *len excludes the NUL); the caller
 * frees it.  Returns -1 with *why set when the encoding is unknown, base64
 * does not decode, or utf-8 text holds a NUL.
 */
int	 ovl_content_decode(const json_t *file, char **out, size_t *len,
	    const char **why);

/* Standard base64 of data as a new json string (reference is the caller's). */
json_t	*ovl_base64_string(const char *data, size_t len);

/* Lowercase hex SHA-256 of data into out[65]. */
void	 ovl_sha256_hex(const void *data, size_t len, char out[65]);

/* The fixed boot mode and compression tables. */
extern const char *const ovl_bootmodes[];	/* NULL-terminated, canonical order */

/*
 * Validate the "iso" member (may be NULL) into errs (an array of
 * {field, message}) and/or build the effective iso object with defaults.
 * ovl_iso_effective returns a new object (caller decrefs), or NULL when iso
 * is invalid, with the first problem's field and message.
 */
void	 ovl_iso_validate(const json_t *iso, json_t *errs);
json_t	*ovl_iso_effective(const json_t *iso, char *field, size_t fieldsz,
	    char *why, size_t whysz);

/* File attributes: -1 when v is not a valid mode / owner or group. */
long	 ovl_mode_parse(const json_t *v);
long	 ovl_id_parse(const json_t *v);

/* Append {"field", "message"} to errs (no-op past 100 entries). */
void	 ovl_err(json_t *errs, const char *field, const char *message);

/* Deep merge state for one file path. */
enum ovl_deep_kind { OVL_DEEP_INI, OVL_DEEP_JSON };

struct ovl_deep {
	enum ovl_deep_kind	 kind;
	json_t			*doc;	/* JSON: the merged value; NULL until set */
	json_t			*keys;	/* provenance, as in overlay.h */
};

enum ovl_deep_kind ovl_deep_kind_of(const char *path);
int	 ovl_deep_init(struct ovl_deep *d, enum ovl_deep_kind kind);
void	 ovl_deep_free(struct ovl_deep *d);
/*
 * Fold text (from layer) onto d.  Returns 0, or -1 with *line (1-based, 0
 * when not known) and a reason in why; d is then unchanged for INI and may
 * be partly merged for neither (parsing happens before any change).
 */
int	 ovl_deep_apply(struct ovl_deep *d, const char *text, size_t len,
	    int layer, int *line, char *why, size_t whysz);
/* The merged file as a new malloc'd NUL-terminated text; NULL when out of memory. */
char	*ovl_deep_render(const struct ovl_deep *d, size_t *len);

/* INI and JSON halves (overlay_deep_ini.c, overlay_deep_json.c); text must be
 * valid UTF-8 (ovl_deep_apply checks it). */
int	 ovl_ini_apply(json_t *keys, const char *text, size_t len, int layer,
	    int *line, char *why, size_t whysz);
char	*ovl_ini_render(const json_t *keys, size_t *len);
int	 ovl_json_apply(json_t **doc, json_t *keys, const char *text, size_t len,
	    int layer, int *line, char *why, size_t whysz);
char	*ovl_json_render(const json_t *doc, size_t *len);

/*
 * Sort array a in place by string: the elements themselves (member NULL) or
 * their member.  Returns 0, or -1 when out of memory (a unchanged).
 */
int	 ovl_array_sort(json_t *a, const char *member);

/* Add layer name l to the array a unless present, keeping layer order. */
void	 ovl_layers_add(json_t *a, int l);

/*
 * The merge engine with the failing field: like overlay_merge but the field
 * ("layers.rhetoric.files[2].content") and the reason go to separate buffers.
 */
json_t	*ovl_merge(const json_t *doc, char *field, size_t fieldsz, char *why,
	    size_t whysz);

/* A unified diff (3 lines of context) of two texts, as a new json string. */
json_t	*ovl_unified_diff(const char *path, const char *a, size_t alen,
	    const char *b, size_t blen);

#endif
