/*
 * cfg.h - saving a configuration: everything that turns a submitted document
 * into a revision (validation, overlay merge, resolution, hash), and the
 * profile tarball.  Shared by the API handlers and debatectl.
 */
#ifndef DEBATE_CFG_H
#define DEBATE_CFG_H

#include <jansson.h>

#include "api.h"

/* A revision about to be stored. */
struct cfg_rev {
	json_t	*doc;		/* the document, without "draft" and "revision" */
	json_t	*effective;	/* overlay_merge's result */
	json_t	*problems;	/* the resolver's problems, NULL when solvable */
	char	 hash[65];	/* overlay_hash over effective and the repositories */
	int	 draft;
	int	 solvable;
	long	 expected;	/* the "revision" the client edited, -1 when not given */
};

/*
 * Check body (a document, optionally with "draft": bool and "revision": N)
 * and fill rev.  0, or -1 with resp written: 422 listing every invalid field
 * (error.errors), 422 "unsatisfiable" with the resolver's problems (unless a
 * draft), 503 when the catalogue or database is unavailable.  The caller
 * frees rev with cfg_rev_clear in either case.
 */
int	 cfg_rev_prepare(struct app *app, const json_t *body, struct cfg_rev *rev,
	    struct api_resp *resp);
void	 cfg_rev_clear(struct cfg_rev *rev);

/* RFC 7396 JSON merge patch: patch applied to target (new reference). */
json_t	*cfg_merge_patch(const json_t *target, const json_t *patch);

/*
 * Write the archiso profile of effective into dir (which must not exist), with
 * the configured repositories in pacman.conf.  0 or -1 with err.
 */
int	 cfg_profile_write(const struct conf *c, const json_t *effective, const char *dir,
	    char *err, size_t errsz);

/*
 * The profile as a gzip'd tar (one folder, "profile/").  Returns a malloc'd
 * buffer of *len bytes, or NULL with err.
 */
char	*cfg_profile_tarball(const struct conf *c, const json_t *effective, size_t *len,
	    char *err, size_t errsz);

#endif
