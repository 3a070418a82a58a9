/*
 * resolver.h - the process's dependency resolver: one libsolv context loaded
 * from the .solv cache that `debatectl repo sync` writes, shared by the
 * process's threads under a lock, and reloaded (without a restart) when a sync
 * replaces the cache file.
 */
#ifndef DEBATE_RESOLVER_H
#define DEBATE_RESOLVER_H

#include <jansson.h>

#include "conf.h"

#define RESOLVER_CACHE_FILE "packages.solv"

enum resolver_rc {
	RESOLVER_OK = 0,
	RESOLVER_BAD_REQUEST = -1,	/* *field and err say what is wrong */
	RESOLVER_UNAVAILABLE = -2,	/* no repositories synced yet, or the cache is unreadable */
};

/*
 * Resolve req (solve.h's request forms).  On RESOLVER_OK *answer is a new
 * reference (caller json_decref()s).  On RESOLVER_BAD_REQUEST, field (at least
 * 256 bytes) names the request field and err says why.
 */
enum resolver_rc resolver_resolve(const struct conf *c, const json_t *req, json_t **answer,
		    char *field, char *err, size_t errsz);

/*
 * Search the catalogue as the resolver has it.  RESOLVER_OK with *answer a new
 * array (caller decrefs) and *total, or RESOLVER_UNAVAILABLE.
 */
enum resolver_rc resolver_search(const struct conf *c, const char *q, const char *repo,
		    size_t limit, size_t offset, json_t **answer, size_t *total);

/* The cache path for c, written into buf (PATH_MAX bytes). */
void		 resolver_cache_path(const struct conf *c, char *buf, size_t size);

#endif
