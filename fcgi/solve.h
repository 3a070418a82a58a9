/*
 * solve.h - the dependency resolver: Arch sync databases in, install sets out.
 *
 * One struct solve_ctx owns a libsolv Pool and every repository loaded into it.
 * Library code never prints: a function that fails returns -1 or NULL and keeps
 * a one-line message in the context, readable with solve_errmsg().  A context is
 * not thread-safe; use one per thread (they are cheap once a .solv cache exists).
 *
 * ---------------------------------------------------------------------------
 * Request (solve_resolve)
 * ---------------------------------------------------------------------------
 * Flat form:     {"packages":["base","foo>=1.2",...], "remove":[...], "pins":{...}}
 * Layered form:  {"layers":{"opening_statement":{"packages":[...],"remove":[...],
 *                                                "pins":{...}},
 *                           "platform":{...}, "rhetoric":{...},
 *                           "talking_points":{...}, "closing_argument":{...}},
 *                 "pins":{...}}
 * Layers are listed lowest to highest precedence; every layer is optional and
 * unknown keys anywhere are a malformed request.
 *
 * - A name is looked up the way `pacman -S` does: a package of that name (first
 *   repository that has one wins), else a package providing it (pacman's first
 *   provider, or the pinned one), else a group (every member, first repository
 *   wins per member name).  "name<op>version" with op one of = >= <= > < works
 *   for packages and provisions.  Allowed characters: letters, digits and
 *   "@._+-" in names, plus ":~" in versions; at most 256 bytes.  Anything else is
 *   a malformed request (NULL, *err_field = "packages[3]" etc.).
 * - Layers are applied lowest first.  A layer first adds its packages (groups
 *   expanded), then its "remove" list takes out, by package name, whatever this
 *   or a lower layer added (so {"packages":["gnome"],"remove":["epiphany"]} is
 *   "gnome without epiphany", and a higher layer can remove what a lower one
 *   asked for).  Removing a name nobody added is a no-op.  A removed package can
 *   still be installed as a dependency of something else.
 * - "pins":{"virtual":"provider"} chooses the provider of a virtual dependency.
 *   Higher layers override lower ones; top-level pins override every layer.  A
 *   pin whose provider does not exist or does not provide the name is a
 *   malformed request (field "layers.platform.pins.sh" or "pins.sh").  A pin is a
 *   preference: it never makes a request unsolvable.
 * - An empty selection is valid and answers {"ok":true,"install":[],...}.
 *
 * ---------------------------------------------------------------------------
 * Answer
 * ---------------------------------------------------------------------------
 * Solvable:
 *   {"ok":true,
 *    "install":[{"name":"bash","version":"5.2-1","repo":"core",
 *                "reason":"explicit"|"dependency",
 *                "required_by":["base",...],          sorted names in the set
 *                "layer":"platform"|null}, ...],      sorted by name
 *    "download_size":N, "installed_size":N,           bytes, sums over install
 *    "choices":[{"name":"sh",                         the virtual dependency
 *                "chosen":"bash",                     provider in the install set
 *                "alternatives":["bash","dash"],      every provider, sorted
 *                "pinned":false,                      true if a pin chose it
 *                "required_by":["base",...]}, ...]}   sorted by name
 *   "layer" of an explicit package is the highest layer that asked for it; of a
 *   dependency, the layer of the explicit package that pulled it in (lowest
 *   layer first); null in the flat form.  "choices" lists every dependency of a
 *   package in the set that more than one package name could satisfy.
 *
 * Unsolvable:
 *   {"ok":false,
 *    "problems":[{"message":"plain sentence",
 *                 "kind":"missing-dependency"|"conflict"|"requires"|
 *                        "unknown-name"|"no-version"|"not-installable"|"other",
 *                 "packages":[...],                   the packages at fault
 *                 "layers":[...],                     the layers that asked for them
 *                 "chain":["firefox","gtk3","x"],     user's package ... clash
 *                 "chains":[[...],[...]],             one chain per package
 *                                                     at fault (conflicts: 2)
 *                 "dependency":"wine",                missing-dependency only:
 *                 "dependencies":["wine",...],        what nothing provides
 *                 "suggestions":[...],                only for unknown names
 *                 "solutions":[{"description":"...",
 *                               "actions":[{"op":"remove"|"replace"|"relax"|"pin",
 *                                           "package":"...","with":"..."|null,
 *                                           "layer":"..."|null}]}]}]}
 *   Unknown names and unsatisfiable versions are reported without asking
 *   libsolv (only the first 50 unknown names get suggestions: each costs a scan
 *   of all names); everything else comes from libsolv, with a missing
 *   dependency preferred as the explanation (that is what pacman reports),
 *   then a conflict, then libsolv's own choice of rule.
 *   Solutions come least change first.  Meaning of an action, applied to the
 *   request:
 *     remove  - take `package` out of `layer` (delete it from that layer's
 *               "packages"; if it came in through a group, add it to that
 *               layer's "remove" list).  Flat form: the same with the
 *               top-level "packages" and "remove".
 *     replace - write `with` instead of `package` in that layer's "packages"
 *               (used for the closest names of an unknown name).
 *     relax   - write `with` (the bare name) instead of the versioned `package`.
 *     pin     - add "pins":{package: with} to that layer (reserved; libsolv
 *               finds provider alternatives itself, so current code emits none).
 *
 * Semantics follow pacman: a dependency is satisfied by a package of that name
 * or a provision; the package *named* like a dependency is preferred over other
 * providers; among providers the first repository (in the order added) wins,
 * then the alphabetically first name; a dependency already satisfied by a
 * package picked earlier (depth first, in %DEPENDS% order) is not looked up
 * again.  Unversioned provisions never satisfy versioned dependencies or
 * conflicts.  Replaces (%REPLACES%) are not used, like `pacman -S` without -u.
 * Known, deliberate differences from pacman -Sp (see tests/oracle/oracle.py):
 * when pacman's greedy pick contains a conflicting pair or fails on a package
 * that satisfies a dependency only through a provision of its own name, we
 * return a consistent set where one exists.
 */
#ifndef DEBATE_SOLVE_H
#define DEBATE_SOLVE_H

#include <jansson.h>

struct solve_ctx;	/* owns the libsolv Pool and all repos */

/* A new empty context (Arch semantics, x86_64).  NULL on OOM.  Free with
 * solve_ctx_free, which accepts NULL. */
struct solve_ctx *solve_ctx_new(void);
void solve_ctx_free(struct solve_ctx *ctx);

/* Last error message, "" if none.  Owned by ctx, valid until the next call. */
const char *solve_errmsg(const struct solve_ctx *ctx);

/* Add one sync database (gzip/xz/zstd/bzip2 or plain tar, old desc+depends or
 * new single-desc layout) as repository NAME.  Repositories added first have the
 * highest priority (pacman.conf order).  Returns 0, or -1 with a message naming
 * the file: unreadable, not a tarball, truncated, corrupt tar header, an entry
 * with a missing or garbage %NAME%/%VERSION%/size field, a duplicate name.  A
 * failed add leaves ctx exactly as it was.  NAME must be unique in ctx. */
int solve_repo_add_db(struct solve_ctx *ctx, const char *name, const char *dbpath);

/* Write every repository (names and priorities included) to PATH as one cache
 * file: written to PATH.tmp.XXXXXX, fsynced, renamed over PATH.  0 or -1. */
int solve_cache_write(struct solve_ctx *ctx, const char *path);

/* Replace all repositories of ctx by the ones in the cache file PATH.  0 or -1
 * (unreadable, wrong magic/version, corrupt); on -1 ctx is unchanged. */
int solve_cache_load(struct solve_ctx *ctx, const char *path);

/* Number of repositories and packages loaded (for logs and tests). */
int solve_repo_count(const struct solve_ctx *ctx);
int solve_package_count(const struct solve_ctx *ctx);

/* Resolve REQ (see the top of this file).  Returns a new reference (the caller
 * json_decref()s it) with the answer, or NULL when the request itself is
 * malformed or memory ran out: then *err_field (if err_field is not NULL) names
 * the offending field ("packages[3]", "layers.rhetoric", "layers.foo",
 * "request" for the whole thing) and solve_errmsg says why.  *err_field points
 * into ctx and stays valid until the next call on ctx. */
json_t *solve_resolve(struct solve_ctx *ctx, const json_t *req, const char **err_field);

#endif /* DEBATE_SOLVE_H */
