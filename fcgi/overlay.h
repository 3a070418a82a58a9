/*
 * overlay.h - configuration documents: validation, the five-layer overlay
 * engine with provenance, the configuration hash and the revision diff.
 * Pure C over jansson: no I/O, no database, nothing printed.
 *
 * THE DOCUMENT (what the API stores per revision).  Every member is optional;
 * unknown keys anywhere are validation errors.
 *
 *   {"name": "My ISO",                 string, 1..200 characters, no controls
 *    "description": "...",             string, up to 10000 bytes
 *    "iso": {                          archiso's profiledef.sh values
 *      "name": "debate",               iso_name: 1..64 of [A-Za-z0-9._-], not
 *                                        starting with '.' or '-'
 *      "label": "DEBATE_202612",       iso_label: 1..32 of [A-Z0-9_-];
 *                                        default: NAME upper-cased, '_' for
 *                                        other characters, + "_" + the digits
 *                                        of version, cut at 32
 *      "publisher": "...",             any text but NUL, up to 128 bytes
 *      "application": "...",           any text but NUL, up to 128 bytes
 *      "version": "2026.12",           1..32 of [A-Za-z0-9._+-]; default "rolling"
 *      "install_dir": "arch",          1..8 of [a-z0-9]
 *      "bootmodes": ["bios.syslinux", "uefi.systemd-boot"],
 *                                      non-empty set of bios.syslinux,
 *                                        uefi.systemd-boot, uefi.grub (archiso
 *                                        v88 names); the two uefi modes are
 *                                        exclusive (both own BOOTx64.EFI)
 *      "image_type": "squashfs",       squashfs | erofs
 *      "compression": "zstd"},         squashfs: gzip lzo lz4 xz zstd;
 *                                        erofs: lz4 lz4hc lzma deflate zstd
 *    "layers": {                       any of the five names below
 *      "opening_statement": {
 *        "packages": ["base", ...],    pacman names: 1..255 of [a-z0-9@._+-],
 *                                        not starting with '-' or '.'; unique
 *        "remove": ["nano", ...],      takes out what lower layers added
 *        "pins": {"sh": "bash"},       dependency -> chosen provider (the
 *                                        resolver's "choices")
 *        "files": [{
 *          "path": "/etc/motd",        see overlay_path_check(); unique per layer
 *          "content": "hello\n",       default ""
 *          "encoding": "utf-8",        utf-8 | base64 (binary; replace only)
 *          "mode": "0644",             3 or 4 octal digits; default 0644
 *          "owner": "root",            "root" or a numeric id (string or
 *          "group": "root",              integer, 0..65534): archiso applies
 *                                        ownership on the build host, so
 *                                        other names would resolve there
 *          "strategy": "replace"}]},   replace | append | deep
 *      "platform": {...}, "rhetoric": {...}, "talking_points": {...},
 *      "closing_argument": {...}}}
 *
 * MERGE RULES.  Layers apply lowest first.  A package's fate is decided by the
 * highest layer that mentions it (in "packages" or "remove").  A pin is the
 * highest layer's.  A file path is folded layer by layer:
 *   replace  this layer's content, lower ones discarded;
 *   append   this layer's content after the lower content (a newline is put
 *            between when the lower content does not end with one);
 *   deep     structured merge onto the lower content: paths ending in ".json"
 *            merge JSON objects key by key (anything else replaces, arrays
 *            included); every other path is INI-style (pacman.conf, systemd
 *            units and drop-ins, os-release): "[section]" headers, "key=value"
 *            or bare "key" lines, '#' and ';' comments.  A key set by a higher
 *            layer replaces all of that key's lines in the section below it
 *            (so multi-valued keys such as Server= or ExecStart= are replaced
 *            as a list).  Deep-merged files are regenerated: comments dropped,
 *            "key=value" without spaces, JSON with sorted keys and 2-space
 *            indent.
 * mode, owner and group come from the highest layer that states them.
 *
 * THE EFFECTIVE CONFIGURATION (overlay_merge's result):
 *   {"iso": {every iso member, defaults filled in, bootmodes in canonical order},
 *    "packages": [{"name", "layer", "also_in": [lower layers adding it too],
 *                  "overrode": [lower layers that removed it]}],   by name
 *    "removed":  [{"name", "layer", "removed_from": [lower layers adding it]}],
 *    "pins":     [{"name", "provider", "layer", "overrode": [lower layers]}],
 *    "files":    [{"path", "mode" ("0644"), "owner", "group" (as numbers),
 *                  "strategy" (the highest layer's), "layer" (highest layer),
 *                  "from": [layers whose content survives],
 *                  "overrode": [layers whose content does not],
 *                  "encoding", "content",
 *                  "lines": [{"text", "layer"}]            append only
 *                  "keys": [{"section", "key", "value", "layer",
 *                            "overrode": [...]}]}]}         deep only
 * For JSON files "section" is "" and "key" is a JSON pointer ("/a/b").  For
 * INI files a bare key has value null.  Layer lists are in layer order.
 */
#ifndef DEBATE_OVERLAY_H
#define DEBATE_OVERLAY_H

#include <stddef.h>

#include <jansson.h>

enum overlay_layer {
	OVERLAY_OPENING_STATEMENT,
	OVERLAY_PLATFORM,
	OVERLAY_RHETORIC,
	OVERLAY_TALKING_POINTS,
	OVERLAY_CLOSING_ARGUMENT,
	OVERLAY_LAYER__MAX
};

#define OVERLAY_PATH_MAX	4096	/* bytes of an overlay path */

/* Limits enforced by overlay_validate; see overlay_limits_default(). */
struct overlay_limits {
	size_t	max_files;		/* file entries over all layers (256) */
	size_t	max_file_bytes;		/* decoded bytes of one entry (1 MiB) */
	size_t	max_total_bytes;	/* decoded bytes of all entries (8 MiB) */
	size_t	max_packages;		/* entries of one packages/remove list (4096) */
};

/* The layer's document name ("rhetoric"), or NULL when out of range. */
const char	*overlay_layer_name(enum overlay_layer l);
/* The layer for a name, or -1. */
int		 overlay_layer_from_name(const char *name);

/* Fill lim with the defaults named above. */
void		 overlay_limits_default(struct overlay_limits *lim);

/*
 * Check one overlay path of len bytes (path need not be NUL-terminated).
 * Valid: absolute, at most OVERLAY_PATH_MAX bytes, no NUL or control
 * characters, no empty ("//"), "." or ".." component, no trailing '/', not
 * "/" itself, not under /proc, /sys, /dev or /run (mounted over at boot), not
 * through or onto a symlink of Arch's filesystem package (/bin, /sbin, /lib,
 * /lib64, /usr/sbin, /usr/lib64, /var/run, /var/lock, /var/mail, /etc/mtab,
 * /usr/local/share/man), and not a place mkarchiso executes from at build
 * time (/root/customize_airootfs.sh, /etc/pacman.d/hooks/).  Returns 0, or -1
 * with *why (when why is not NULL) pointing at a static English reason.
 */
int		 overlay_path_check(const char *path, size_t len, const char **why);

/*
 * Validate a document against lim (NULL: defaults).  Returns NULL when it is
 * valid, else a new array of {"field": "layers.rhetoric.files[2].path",
 * "message": "..."} in document order (at most 100 entries); the caller
 * json_decref()s it.  Beyond each member's own rules this merges the layers,
 * so a deep merge that fails across layers is reported on the higher file's
 * content.  A NULL or non-object doc is one error with field "".  When out
 * of memory it returns json_null(), which must also be taken as "invalid".
 */
json_t		*overlay_validate(const json_t *doc, const struct overlay_limits *lim);

/*
 * overlay_validate that also hands over the merge it had to do anyway: when
 * doc is valid (NULL returned) *effective is the effective configuration
 * (the caller json_decref()s it); otherwise *effective is NULL.  A save path
 * calls this once instead of validate + merge.
 */
json_t		*overlay_validate_merge(const json_t *doc,
		    const struct overlay_limits *lim, json_t **effective);

/*
 * Merge a document's layers into the effective configuration (shape above).
 * Returns a new object the caller json_decref()s, or NULL with a message in
 * err ("field: reason").  The document should have passed overlay_validate;
 * merge re-checks what it relies on and fails rather than guess.
 */
json_t		*overlay_merge(const json_t *doc, char *err, size_t errsz);

/*
 * SHA-256 (lowercase hex, NUL-terminated into out) of the canonical
 * effective configuration: iso members, package names, pins, and per file
 * path, mode, owner, group and the SHA-256 of its bytes; provenance,
 * encodings and every order that does not reach the ISO are left out.
 * repo_checksums (may be NULL) is what the configuration was resolved
 * against, e.g. [{"name": "core", "sha256": "..."}] in priority order, or an
 * object; it is hashed as given, object keys sorted.  Returns 0, or -1 when
 * effective is not an effective configuration.
 */
int		 overlay_hash(const json_t *effective, const json_t *repo_checksums,
		    char out[65]);

/*
 * What changed from document a to document b (either may be NULL: empty).
 *   {"name": {"from", "to"}, "description": {...},        only when changed
 *    "iso": {"label": {"from", "to"}, ...},               effective values
 *    "layers": {"rhetoric": {
 *        "packages": {"added": [...], "removed": [...]},
 *        "remove":   {"added": [...], "removed": [...]},
 *        "pins":     {"added": {..}, "removed": {..}, "changed": {"sh": {"from", "to"}}},
 *        "files":    {"added":   [{"path", "diff"}],    diff from /dev/null
 *                     "removed": [{"path", "diff"}],    diff to /dev/null
 *                     "changed": [{"path", "changed": ["content", "mode",
 *                                  "owner", "group", "strategy"],
 *                                  "diff": "--- a/etc/motd\n+++ b/etc/motd\n@@ ..."}]}}}}
 * "diff" is diff -u text of the layer's own entry, null when a side is
 * binary or (changed) the content is the same; arrays are sorted by path.
 * "iso" compares the effective values (defaults filled in).
 * Empty parts are left out; identical documents give {}.  Returns a new
 * object (caller decrefs) or NULL when out of memory or not objects.
 */
json_t		*overlay_diff(const json_t *a, const json_t *b);

#endif
