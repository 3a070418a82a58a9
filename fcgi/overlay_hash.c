/*
 * overlay_hash.c - the configuration hash: equal ISOs, equal hashes.  Only
 * what reaches the ISO is hashed (no provenance, no document name), in a
 * canonical form where no order the user chose but the ISO ignores survives.
 */
#include "overlay_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Version of the canonical form: bump it when the form changes. */
#define HASH_FORM "debate-config-1"

/* {path, mode, owner, group, sha256 of the bytes} of one effective file. */
static json_t *
canonical_file(const json_t *f)
{
	char *bytes = NULL, hex[65];
	const char *why;
	size_t len;
	json_t *out = NULL;

	if (!json_is_string(json_object_get(f, "path")) ||
	    ovl_content_decode(f, &bytes, &len, &why) != 0)
		goto out;
	ovl_sha256_hex(bytes, len, hex);
	out = json_pack("{s:O, s:O, s:O, s:O, s:s}",
	    "path", json_object_get(f, "path"), "mode", json_object_get(f, "mode"),
	    "owner", json_object_get(f, "owner"), "group", json_object_get(f, "group"),
	    "sha256", hex);
out:
	free(bytes);
	return out;
}

/*
 * overlay.h.  The canonical form is one compact JSON text with sorted keys:
 * {"form", "iso", "packages": [names], "pins": {name: provider},
 *  "files": [{path, mode, owner, group, sha256}], "repos"}.
 */
int
overlay_hash(const json_t *effective, const json_t *repo_checksums, char out[65])
{
	const json_t *iso = json_object_get(effective, "iso");
	const json_t *pk = json_object_get(effective, "packages");
	const json_t *pins = json_object_get(effective, "pins");
	const json_t *files = json_object_get(effective, "files");
	json_t *canon = NULL, *names, *pinmap, *cfiles;
	char *text = NULL;
	size_t i;
	int rc = -1;

	out[0] = '\0';
	if (!json_is_object(iso) || !json_is_array(pk) || !json_is_array(files) ||
	    (pins != NULL && !json_is_array(pins)) || sodium_init() < 0)
		goto out;
	/* "o" steals the three new containers. */
	canon = json_pack("{s:s, s:O, s:o, s:o, s:o, s:O}", "form", HASH_FORM,
	    "iso", iso, "packages", json_array(), "pins", json_object(),
	    "files", json_array(), "repos", repo_checksums ? repo_checksums : json_null());
	if (canon == NULL)
		goto out;
	names = json_object_get(canon, "packages");
	pinmap = json_object_get(canon, "pins");
	cfiles = json_object_get(canon, "files");
	/* The merge sorts these already; the hash must not depend on it. */
	for (i = 0; i < json_array_size(pk); i++) {
		const json_t *n = json_object_get(json_array_get(pk, i), "name");

		if (!json_is_string(n))
			goto out;
		json_array_append(names, (json_t *)n);
	}
	for (i = 0; i < json_array_size(pins); i++) {
		const json_t *p = json_array_get(pins, i);
		const char *n = json_string_value(json_object_get(p, "name"));

		if (n == NULL || !json_is_string(json_object_get(p, "provider")))
			goto out;
		json_object_set(pinmap, n, json_object_get(p, "provider"));
	}
	for (i = 0; i < json_array_size(files); i++) {
		json_t *f = canonical_file(json_array_get(files, i));

		if (f == NULL)
			goto out;
		json_array_append_new(cfiles, f);
	}
	if (ovl_array_sort(names, NULL) != 0 || ovl_array_sort(cfiles, "path") != 0)
		goto out;
	if ((text = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto out;
	ovl_sha256_hex(text, strlen(text), out);
	rc = 0;
out:
	free(text);
	json_decref(canon);
	return rc;
}
