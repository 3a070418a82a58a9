/*
 * overlay_iso.c - the ISO metadata of a configuration: archiso's rules for
 * each profiledef.sh value and the defaults filled into the effective
 * configuration.
 */
#include "overlay_int.h"

#include <stdio.h>
#include <string.h>

const char *const ovl_bootmodes[] = {
	"bios.syslinux", "uefi.systemd-boot", "uefi.grub", NULL
};

static const char *const squashfs_comp[] = { "gzip", "lzo", "lz4", "xz", "zstd", NULL };
static const char *const erofs_comp[] = { "lz4", "lz4hc", "lzma", "deflate", "zstd", NULL };

enum iso_key { K_NAME, K_LABEL, K_PUBLISHER, K_APPLICATION, K_VERSION,
	K_INSTALL_DIR, K_BOOTMODES, K_IMAGE_TYPE, K_COMPRESSION, K__MAX };

static const char *const iso_keys[K__MAX] = {
	"name", "label", "publisher", "application", "version", "install_dir",
	"bootmodes", "image_type", "compression",
};

static int
in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Every byte of s (n bytes) from the set; n within [lo, hi]. */
static int
charset_ok(const char *s, size_t n, size_t lo, size_t hi, const char *set)
{
	size_t i;

	if (n < lo || n > hi)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(set, s[i]) == NULL)
			return 0;
	return 1;
}

#define LOWER	"abcdefghijklmnopqrstuvwxyz"
#define UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT	"0123456789"

/*
 * One member's problem, or NULL when v is acceptable.  Shared by validation
 * and by ovl_iso_effective so the two can never disagree.
 */
static const char *
check_member(enum iso_key k, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (k != K_BOOTMODES && !json_is_string(v))
		return "must be a string";
	switch (k) {
	case K_NAME:
		if (!charset_ok(s, n, 1, 64, LOWER UPPER DIGIT "._-") ||
		    s[0] == '.' || s[0] == '-')
			return "must be 1 to 64 characters of [A-Za-z0-9._-], "
			    "not starting with '.' or '-'";
		break;
	case K_LABEL:
		if (!charset_ok(s, n, 1, 32, UPPER DIGIT "_-"))
			return "must be 1 to 32 characters of [A-Z0-9_-]";
		break;
	case K_PUBLISHER:
	case K_APPLICATION:
		if (n > 128 || memchr(s, 0, n) != NULL)
			return "must be at most 128 bytes without NUL";
		break;
	case K_VERSION:
		if (!charset_ok(s, n, 1, 32, LOWER UPPER DIGIT "._+-"))
			return "must be 1 to 32 characters of [A-Za-z0-9._+-]";
		break;
	case K_INSTALL_DIR:
		if (!charset_ok(s, n, 1, 8, LOWER DIGIT))
			return "must be 1 to 8 characters of [a-z0-9]";
		break;
	case K_IMAGE_TYPE:
		if (strcmp(s, "squashfs") != 0 && strcmp(s, "erofs") != 0)
			return "must be \"squashfs\" or \"erofs\"";
		break;
	case K_COMPRESSION:
		if (!in_list(s, squashfs_comp) && !in_list(s, erofs_comp))
			return "must be one of gzip, lzo, lz4, lz4hc, lzma, deflate, xz, zstd";
		break;
	case K_BOOTMODES:
	case K__MAX:
		break;
	}
	return NULL;
}

/* Bootmodes: problem with the whole list, or NULL; *bad is the bad index or -1. */
static const char *
check_bootmodes(const json_t *v, int *bad)
{
	size_t i, j;
	int sd = 0, grub = 0;

	*bad = -1;
	if (!json_is_array(v))
		return "must be an array";
	if (json_array_size(v) == 0)
		return "must name at least one boot mode";
	for (i = 0; i < json_array_size(v); i++) {
		const char *s = json_string_value(json_array_get(v, i));

		*bad = (int)i;
		if (s == NULL || !in_list(s, ovl_bootmodes))
			return "must be one of bios.syslinux, uefi.systemd-boot, uefi.grub";
		for (j = 0; j < i; j++)
			if (strcmp(s, json_string_value(json_array_get(v, j))) == 0)
				return "is listed twice";
		sd |= strcmp(s, "uefi.systemd-boot") == 0;
		grub |= strcmp(s, "uefi.grub") == 0;
		if (sd && grub)
			return "uefi.systemd-boot and uefi.grub cannot be combined "
			    "(both install the UEFI boot loader)";
	}
	*bad = -1;
	return NULL;
}

/* Each member by check_member / check_bootmodes; then compression vs image type. */
void
ovl_iso_validate(const json_t *iso, json_t *errs)
{
	const char *key, *why;
	const json_t *v;
	char field[96];
	int k, bad;

	if (iso == NULL)
		return;
	if (!json_is_object(iso)) {
		ovl_err(errs, "iso", "must be an object");
		return;
	}
	json_object_foreach((json_t *)iso, key, v) {
		for (k = 0; k < K__MAX; k++)
			if (strcmp(key, iso_keys[k]) == 0)
				break;
		snprintf(field, sizeof(field), "iso.%.64s", key);
		if (k == K__MAX) {
			ovl_err(errs, field, "unknown key");
			continue;
		}
		if (k == K_BOOTMODES) {
			if ((why = check_bootmodes(v, &bad)) != NULL) {
				if (bad >= 0)
					snprintf(field, sizeof(field), "iso.bootmodes[%d]", bad);
				ovl_err(errs, field, why);
			}
		} else if ((why = check_member((enum iso_key)k, v)) != NULL)
			ovl_err(errs, field, why);
	}
	/* The compression must suit the image type, default or not. */
	v = json_object_get(iso, "compression");
	if (json_is_string(v) && check_member(K_COMPRESSION, v) == NULL) {
		const json_t *t = json_object_get(iso, "image_type");
		int erofs = json_is_string(t) && strcmp(json_string_value(t), "erofs") == 0;

		if (!in_list(json_string_value(v), erofs ? erofs_comp : squashfs_comp))
			ovl_err(errs, "iso.compression", erofs ?
			    "erofs takes lz4, lz4hc, lzma, deflate or zstd" :
			    "squashfs takes gzip, lzo, lz4, xz or zstd");
	}
}

/* The default label: NAME upper-cased, '_' for anything else, "_" + version digits. */
static json_t *
default_label(const char *name, const char *version)
{
	char label[33];
	size_t n = 0;

	for (; *name != '\0' && n < 32; name++) {
		char c = *name;

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		label[n++] = strchr(UPPER DIGIT "_-", c) != NULL ? c : '_';
	}
	if (n < 31 && strpbrk(version, DIGIT) != NULL) {
		label[n++] = '_';
		for (; *version != '\0' && n < 32; version++)
			if (*version >= '0' && *version <= '9')
				label[n++] = *version;
	}
	label[n] = '\0';
	return json_string(label);
}

/*
 * The iso object with every default filled in and bootmodes in canonical
 * order; a new object (caller decrefs), NULL with the first problem.
 */
json_t *
ovl_iso_effective(const json_t *iso, char *field, size_t fieldsz, char *why,
    size_t whysz)
{
	json_t *errs = NULL, *eff = NULL, *modes, *v;
	const char *name, *version;
	size_t i;
	int k;

	if ((errs = json_array()) == NULL)
		goto fail;
	ovl_iso_validate(iso, errs);
	if (json_array_size(errs) > 0) {
		json_t *e = json_array_get(errs, 0);

		snprintf(field, fieldsz, "%s", json_string_value(json_object_get(e, "field")));
		snprintf(why, whysz, "%s", json_string_value(json_object_get(e, "message")));
		goto fail;
	}
	eff = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
	    "name", "debate", "publisher", "", "application", "",
	    "version", "rolling", "install_dir", "arch", "image_type", "squashfs");
	if (eff == NULL)
		goto oom;
	for (k = 0; k < K__MAX; k++)
		if (k != K_BOOTMODES && k != K_LABEL &&
		    (v = json_object_get(iso, iso_keys[k])) != NULL)
			json_object_set(eff, iso_keys[k], v);
	if ((v = json_object_get(iso, "compression")) != NULL)
		json_object_set(eff, "compression", v);
	else
		json_object_set_new(eff, "compression", json_string("zstd"));
	name = json_string_value(json_object_get(eff, "name"));
	version = json_string_value(json_object_get(eff, "version"));
	if ((v = json_object_get(iso, "label")) != NULL)
		json_object_set(eff, "label", v);
	else
		json_object_set_new(eff, "label", default_label(name, version));

	/* Boot modes in canonical order, so list order never reaches the hash. */
	if ((modes = json_array()) == NULL)
		goto oom;
	json_object_set_new(eff, "bootmodes", modes);	/* steals modes */
	v = json_object_get(iso, "bootmodes");
	for (i = 0; ovl_bootmodes[i] != NULL; i++) {
		size_t j;
		int want = v == NULL ? i < 2 : 0;

		for (j = 0; v != NULL && j < json_array_size(v); j++)
			want |= strcmp(json_string_value(json_array_get(v, j)),
			    ovl_bootmodes[i]) == 0;
		if (want)
			json_array_append_new(modes, json_string(ovl_bootmodes[i]));
	}
	json_decref(errs);
	return eff;
oom:
	snprintf(field, fieldsz, "iso");
	snprintf(why, whysz, "out of memory");
fail:
	json_decref(errs);
	json_decref(eff);
	return NULL;
}
