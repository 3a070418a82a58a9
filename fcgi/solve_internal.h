/*
 * solve_internal.h - what the solve_*.c files share; not for other modules.
 */
#ifndef DEBATE_SOLVE_INTERNAL_H
#define DEBATE_SOLVE_INTERNAL_H

#include <stddef.h>

#include <solv/pool.h>
#include <solv/poolarch.h>
#include <solv/repo.h>
#include <solv/solver.h>
#include <solv/bitmap.h>
#include <solv/queue.h>

#include <jansson.h>

#include "solve.h"

#define SOLVE_ERRMAX		1024
#define SOLVE_NAME_MAX		256	/* longest name or "name>=version" accepted */
#define SOLVE_TARGETS_MAX	100000	/* most names in one request */
#define SOLVE_SUGGEST_MAX	5	/* closest names offered for an unknown one */
#define SOLVE_SUGGEST_NAMES	50	/* unknown names that get suggestions */

struct solve_sindex;

struct solve_ctx {
	Pool			*pool;
	struct solve_sindex	*sindex;	/* solve_search.c, built lazily */
	char			 err[SOLVE_ERRMAX];
	char			 field[SOLVE_ERRMAX];
};

enum solve_layer {
	SOLVE_LAYER_OPENING_STATEMENT,
	SOLVE_LAYER_PLATFORM,
	SOLVE_LAYER_RHETORIC,
	SOLVE_LAYER_TALKING_POINTS,
	SOLVE_LAYER_CLOSING_ARGUMENT,
	SOLVE_LAYER__MAX
};
#define SOLVE_LAYER_NONE	(-1)	/* flat request */

extern const char *const solve_layer_names[SOLVE_LAYER__MAX];

/* How a target name was found in the pool (pacman's order). */
enum solve_kind {
	SOLVE_KIND_PACKAGE,	/* a package of that name */
	SOLVE_KIND_PROVIDER,	/* a package providing it */
	SOLVE_KIND_GROUP,	/* a member of a group of that name */
	SOLVE_KIND_UNKNOWN,	/* nothing anywhere: suggestions */
	SOLVE_KIND_NOVERSION,	/* the name exists, no version satisfies */
	SOLVE_KIND__MAX
};

/* One name the user asked for, or one member of a group they asked for. */
struct solve_target {
	char		*spec;		/* as written: "foo>=1.2" or group name */
	char		*name;		/* package name installed (member for groups) */
	Id		 dep;		/* name or name<op>evr as a pool dependency */
	int		 layer;		/* enum solve_layer or SOLVE_LAYER_NONE */
	enum solve_kind	 kind;
	Id		 p;		/* chosen solvable, 0 if none */
	int		 removed;	/* taken out by a "remove" list */
};

/* A pin: provider PROVIDER (a package name) for virtual dependency NAME. */
struct solve_pin {
	Id	name;
	Id	provider;
	int	layer;			/* lowest to highest; top level is __MAX */
};

/* Everything one solve_resolve call builds; freed by solve_run_free. */
struct solve_run {
	struct solve_ctx	*ctx;
	Pool			*pool;
	int			 layered;
	struct solve_target	*targets;
	size_t			 ntargets, targets_cap;
	struct solve_pin	*pins;
	size_t			 npins, pins_cap;
	Queue			 explicit_q;	/* unique target solvables, job order */
	Queue			 prefer_q;	/* pacman's pick: explicit + deps */
	Queue			 prefer_missing; /* (package, dep) pacman fails on */
	Queue			 job;
	Id			*job_p;		/* job index -> solvable (0: weak) */
};

/* solve_pool.c */
void	 solve_seterr(struct solve_ctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 solve_setfield(struct solve_ctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 solve_pool_ready(Pool *);
void	 solve_fmt(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* solve_search.c: drop the search index (the pool changed). */
void	 solve_search_forget(struct solve_ctx *);

/* solve_syncdb.c */
int	 solve_syncdb_read(Repo *, int, const char *, char *, size_t);
void	 solve_syncdb_restore_order(Repo *);

/* solve_unpack.c: the decompressors a sync database may come in. */
enum solve_unpack_kind {
	SOLVE_UNPACK_UNKNOWN,
	SOLVE_UNPACK_TAR,
	SOLVE_UNPACK_GZIP,
	SOLVE_UNPACK_XZ,
	SOLVE_UNPACK_ZSTD,
	SOLVE_UNPACK_BZIP2,
	SOLVE_UNPACK__MAX
};
enum solve_unpack_kind solve_unpack_sniff(const unsigned char *, size_t);
FILE	*solve_unpack_open(int, enum solve_unpack_kind, char *, size_t);

/* Where the reader keeps the database order of %DEPENDS% (a string). */
#define SOLVE_KEY_DEPORDER	"debate:deporder"

/* solve_depcmp.c */
int	 solve_pkg_satisfies(Pool *, Id, Id);
int	 solve_pkg_satisfies_literal(Pool *, Id, Id);
Id	 solve_find_package(Pool *, Id, Id);
Id	 solve_find_provider(Pool *, Id, const Map *);
void	 solve_providers(Pool *, Id, Queue *);
void	 solve_sort_rank_name(Pool *, Queue *);
int	 solve_repo_rank(const Repo *);
void	 solve_pool_pacman_semantics(Pool *);
const char *solve_dep2str(Pool *, Id, char *, size_t);

/* solve_request.c */
int	 solve_request_parse(struct solve_run *, const json_t *);
Id	 solve_pin_lookup(const struct solve_run *, Id, int *);

/* solve_prefer.c */
int	 solve_prefer(struct solve_run *, Queue *);

/* solve_suggest.c */
json_t	*solve_suggest(Pool *, const char *, int);

/* solve_problem.c */
json_t	*solve_problems(struct solve_run *, Solver *);
json_t	*solve_target_problem(struct solve_run *, const struct solve_target *,
	    int);
int	 solve_chain(struct solve_run *, Id, Queue *);
int	 solve_json_add_str(json_t *, const char *);

#endif /* DEBATE_SOLVE_INTERNAL_H */
