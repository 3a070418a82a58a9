/*
 * solve_request.c - check a resolve request and turn its names into targets:
 * packages, providers or group members, layer by layer, removes applied.
 */
#include <stdlib.h>
#include <string.h>

#include <solv/dataiterator.h>
#include <solv/knownid.h>

#include "solve_internal.h"

#define TOP_PINS	SOLVE_LAYER__MAX	/* top-level pins beat every layer */

/* Copy S into BUF for a message: printable ASCII only, at most 64 bytes. */
static const char *
printable(const char *s, char *buf, size_t bufsz)
{
	size_t i, max = bufsz > 68 ? 64 : bufsz - 4;

	for (i = 0; s[i] != '\0' && i < max; i++)
		buf[i] = (s[i] >= ' ' && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '@' || c == '.' || c == '_' ||
	    c == '+' || c == '-';
}

/*
 * Split SPEC ("name", "name>=1.2") into a pool dependency in *RET.  *NAMELEN
 * gets the length of the name part.  Returns -1 if SPEC is not a valid name or
 * constraint.  A name the pool has never seen gives *RET = 0 and creates
 * nothing, so unknown names from requests cannot grow a long-lived pool.
 */
static int
spec_dep(Pool *pool, const char *spec, size_t *namelen, int allow_version,
    Id *ret)
{
	const char	*op, *ver = NULL, *c;
	int		 flags = 0;
	Id		 name;

	*ret = 0;
	if (strlen(spec) > SOLVE_NAME_MAX || spec[0] == '-' || spec[0] == '.')
		return -1;
	for (op = spec; *op != '\0' && name_char((unsigned char)*op); op++)
		;
	if (op == spec)
		return -1;
	*namelen = (size_t)(op - spec);
	if (*op != '\0') {
		if (!allow_version)
			return -1;
		if (strncmp(op, ">=", 2) == 0)
			flags = REL_GT | REL_EQ, ver = op + 2;
		else if (strncmp(op, "<=", 2) == 0)
			flags = REL_LT | REL_EQ, ver = op + 2;
		else if (*op == '>')
			flags = REL_GT, ver = op + 1;
		else if (*op == '<')
			flags = REL_LT, ver = op + 1;
		else if (*op == '=')
			flags = REL_EQ, ver = op + 1;
		else
			return -1;
		if (*ver == '\0')
			return -1;
		for (c = ver; *c != '\0'; c++)
			if (!name_char((unsigned char)*c) && *c != ':' &&
			    *c != '~')
				return -1;
	}
	if ((name = pool_strn2id(pool, spec, (unsigned)*namelen, 0)) == 0)
		return 0;
	*ret = flags == 0 ? name : pool_rel2id(pool, name, pool_str2id(pool,
	    ver, 1), flags, 1);
	return 0;
}

/* Append a target; -1 on OOM or too many (message set). */
static int
target_add(struct solve_run *run, const char *spec, const char *name,
    size_t namelen, Id dep, int layer, enum solve_kind kind, Id p)
{
	struct solve_target	*t, *nt;
	size_t			 ncap;

	if (run->ntargets >= SOLVE_TARGETS_MAX) {
		solve_seterr(run->ctx, "more than %d package names",
		    SOLVE_TARGETS_MAX);
		return -1;
	}
	if (run->ntargets == run->targets_cap) {
		ncap = run->targets_cap ? run->targets_cap * 2 : 64;
		if ((nt = realloc(run->targets, ncap * sizeof(*nt))) == NULL)
			goto oom;
		run->targets = nt;
		run->targets_cap = ncap;
	}
	t = &run->targets[run->ntargets];
	memset(t, 0, sizeof(*t));
	if ((t->spec = strdup(spec)) == NULL ||
	    (t->name = strndup(name, namelen)) == NULL) {
		free(t->spec);
		goto oom;
	}
	t->dep = dep;
	t->layer = layer;
	t->kind = kind;
	t->p = p;
	run->ntargets++;
	return 0;
oom:
	solve_seterr(run->ctx, "out of memory");
	return -1;
}

/*
 * Members of group GROUP, pacman style: repositories in order, each member
 * name once (first repository wins), names sorted within a repository.
 */
static void
group_members(Pool *pool, Id group, Queue *q)
{
	Dataiterator	 di;
	Queue		 all;
	Map		 names;
	int		 i;

	queue_empty(q);
	queue_init(&all);
	dataiterator_init(&di, pool, NULL, 0, SOLVABLE_GROUP,
	    pool_id2str(pool, group), SEARCH_STRING);
	while (dataiterator_step(&di)) {
		if (pool_installable(pool, pool_id2solvable(pool, di.solvid)))
			queue_push(&all, di.solvid);
		dataiterator_skip_solvable(&di);
	}
	dataiterator_free(&di);
	/* pacman: repositories in order, names sorted; first one wins */
	solve_sort_rank_name(pool, &all);
	map_init(&names, pool->ss.nstrings);
	for (i = 0; i < all.count; i++) {
		Solvable *s = pool_id2solvable(pool, all.elements[i]);

		if (!MAPTST(&names, s->name)) {
			MAPSET(&names, s->name);
			queue_push(q, all.elements[i]);
		}
	}
	map_free(&names);
	queue_free(&all);
}

/* 1 if some package is called NAME or provides it, any version. */
static int
name_known(Pool *pool, Id name)
{
	Id p, pp;

	FOR_PROVIDES(p, pp, name)
		if (pool_installable(pool, pool_id2solvable(pool, p)))
			return 1;
	return 0;
}

/*
 * Resolve one requested SPEC at LAYER into targets, the way `pacman -S` looks
 * a name up: package, provider, group; else an unknown (or unsatisfiable
 * version) target that becomes a problem.  FIELD names it for errors.
 * 0 or -1 (malformed: message and field set).
 */
static int
spec_expand(struct solve_run *run, const char *spec, int layer,
    const char *field, Map *groups)
{
	Pool	*pool = run->pool;
	Queue	 q;
	size_t	 nl = 0;
	Id	 dep, name, p;
	int	 i, rc = -1, pinlayer;
	char	 buf[80];

	queue_init(&q);
	if (spec_dep(pool, spec, &nl, 1, &dep) < 0) {
		solve_setfield(run->ctx, "%s", field);
		solve_seterr(run->ctx, "'%s' is not a package name (letters, "
		    "digits and @._+- with an optional =, >=, <=, > or < "
		    "version)", printable(spec, buf, sizeof(buf)));
		goto out;
	}
	if (dep == 0) {
		rc = target_add(run, spec, spec, nl, 0, layer,
		    SOLVE_KIND_UNKNOWN, 0);
		goto out;
	}
	name = ISRELDEP(dep) ? GETRELDEP(pool, dep)->name : dep;
	if ((p = solve_find_package(pool, name, dep)) != 0) {
		rc = target_add(run, spec, spec, nl, dep, layer,
		    SOLVE_KIND_PACKAGE, p);
		goto out;
	}
	p = solve_pin_lookup(run, name, &pinlayer);
	if (p != 0 && !solve_pkg_satisfies(pool, p, dep))
		p = 0;
	if (p == 0)
		p = solve_find_provider(pool, dep, NULL);
	if (p != 0) {
		rc = target_add(run, spec, spec, nl, dep, layer,
		    SOLVE_KIND_PROVIDER, p);
		goto out;
	}
	if (!ISRELDEP(dep) && (unsigned)name < (unsigned)groups->size << 3 &&
	    MAPTST(groups, name)) {
		group_members(pool, name, &q);
		for (i = 0; i < q.count; i++) {
			const char *m = pool_id2str(pool,
			    pool_id2solvable(pool, q.elements[i])->name);

			if (target_add(run, spec, m, strlen(m), dep, layer,
			    SOLVE_KIND_GROUP, q.elements[i]) < 0)
				goto out;
		}
		rc = 0;
		goto out;
	}
	rc = target_add(run, spec, spec, nl, dep, layer, name_known(pool,
	    name) ? SOLVE_KIND_NOVERSION : SOLVE_KIND_UNKNOWN, 0);
out:
	queue_free(&q);
	return rc;
}

/* Check that V is an array of strings; the error names FIELD. */
static int
check_list(struct solve_run *run, const json_t *v, const char *field)
{
	size_t i;

	if (!json_is_array(v)) {
		solve_setfield(run->ctx, "%s", field);
		solve_seterr(run->ctx, "%s must be an array of names", field);
		return -1;
	}
	if (json_array_size(v) > SOLVE_TARGETS_MAX) {
		solve_setfield(run->ctx, "%s", field);
		solve_seterr(run->ctx, "%s has more than %d names", field,
		    SOLVE_TARGETS_MAX);
		return -1;
	}
	for (i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i))) {
			solve_setfield(run->ctx, "%s[%zu]", field, i);
			solve_seterr(run->ctx, "%s[%zu] is not a string",
			    field, i);
			return -1;
		}
	}
	return 0;
}

/* Add every name of list V (field FIELD) at LAYER.  0 or -1. */
static int
add_list(struct solve_run *run, const json_t *v, int layer, const char *field,
    Map *groups)
{
	char	 f[SOLVE_ERRMAX];
	size_t	 i;

	if (v == NULL)
		return 0;
	if (check_list(run, v, field) < 0)
		return -1;
	for (i = 0; i < json_array_size(v); i++) {
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (spec_expand(run, json_string_value(json_array_get(v, i)),
		    layer, f, groups) < 0)
			return -1;
	}
	return 0;
}

/* Apply the "remove" list V of LAYER to all targets added so far.  0 or -1. */
static int
apply_remove(struct solve_run *run, const json_t *v, int layer,
    const char *field)
{
	const char	*r;
	char		 buf[80];
	size_t		 i, j, nl, sl;
	Id		 dep;

	if (v == NULL)
		return 0;
	if (check_list(run, v, field) < 0)
		return -1;
	for (i = 0; i < json_array_size(v); i++) {
		r = json_string_value(json_array_get(v, i));
		if (spec_dep(run->pool, r, &nl, 0, &dep) < 0) {
			solve_setfield(run->ctx, "%s[%zu]", field, i);
			solve_seterr(run->ctx, "'%s' is not a package name",
			    printable(r, buf, sizeof(buf)));
			return -1;
		}
		for (j = 0; j < run->ntargets; j++) {
			struct solve_target *t = &run->targets[j];

			if (t->removed || t->layer > layer)
				continue;
			sl = strcspn(t->spec, "<>=");
			if (strcmp(t->name, r) == 0 || (sl == nl &&
			    strncmp(t->spec, r, nl) == 0))
				t->removed = 1;
		}
	}
	return 0;
}

/* Look up the package for pin NAME -> PROVIDER; error names FIELD.  0 or -1. */
static int
pin_add(struct solve_run *run, const char *name, const json_t *v, int layer,
    const char *field)
{
	struct solve_pin	*np;
	Pool			*pool = run->pool;
	char			 b1[80], b2[80];
	size_t			 nl;
	Id			 nid, pid, p;

	if (spec_dep(pool, name, &nl, 0, &nid) < 0 || !json_is_string(v) ||
	    spec_dep(pool, json_string_value(v), &nl, 0, &pid) < 0) {
		solve_setfield(run->ctx, "%s", field);
		solve_seterr(run->ctx, "%s must map a name to a package name",
		    field);
		return -1;
	}
	p = pid != 0 ? solve_find_package(pool, pid, pid) : 0;
	if (p == 0 || nid == 0 || !solve_pkg_satisfies(pool, p, nid)) {
		solve_setfield(run->ctx, "%s", field);
		solve_seterr(run->ctx, p == 0 ? "pinned provider '%s' does "
		    "not exist" : "'%s' does not provide '%s'",
		    printable(json_string_value(v), b1, sizeof(b1)),
		    printable(name, b2, sizeof(b2)));
		return -1;
	}
	if (run->npins == run->pins_cap) {
		size_t ncap = run->pins_cap ? run->pins_cap * 2 : 8;

		if ((np = realloc(run->pins, ncap * sizeof(*np))) == NULL) {
			solve_seterr(run->ctx, "out of memory");
			return -1;
		}
		run->pins = np;
		run->pins_cap = ncap;
	}
	run->pins[run->npins].name = nid;
	run->pins[run->npins].provider = pid;
	run->pins[run->npins].layer = layer;
	run->npins++;
	return 0;
}

/* Add every pin of object V (field FIELD) at LAYER.  0 or -1. */
static int
pins_add(struct solve_run *run, const json_t *v, int layer, const char *field)
{
	const char	*k;
	json_t		*pv;
	char		 f[SOLVE_ERRMAX], buf[80];

	if (v == NULL)
		return 0;
	if (!json_is_object(v)) {
		solve_setfield(run->ctx, "%s", field);
		solve_seterr(run->ctx, "%s must be an object", field);
		return -1;
	}
	json_object_foreach((json_t *)v, k, pv) {
		snprintf(f, sizeof(f), "%s.%s", field, printable(k, buf,
		    sizeof(buf)));
		if (pin_add(run, k, pv, layer, f) < 0)
			return -1;
	}
	return 0;
}

/*
 * The pinned provider package for virtual name NAME: the pin of the highest
 * layer wins.  *LAYER gets that pin's layer.  0 if NAME is not pinned.
 */
Id
solve_pin_lookup(const struct solve_run *run, Id name, int *layer)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < run->npins; i++)
		if (run->pins[i].name == name && (best < 0 ||
		    run->pins[i].layer >= run->pins[best].layer))
			best = (int)i;
	if (best < 0)
		return 0;
	if (layer != NULL)
		*layer = run->pins[best].layer;
	return solve_find_package(run->pool, run->pins[best].provider,
	    run->pins[best].provider);
}

/* 1 if object V has only keys from the NULL-terminated list OK. */
static const char *
unknown_key(const json_t *v, const char *const *ok)
{
	const char	*k;
	json_t		*x;
	int		 i;

	json_object_foreach((json_t *)v, k, x) {
		for (i = 0; ok[i] != NULL; i++)
			if (strcmp(k, ok[i]) == 0)
				break;
		if (ok[i] == NULL)
			return k;
	}
	return NULL;
}

/* Every group name in the pool, as a map over string Ids. */
static void
group_map(Pool *pool, Map *m)
{
	Dataiterator di;

	map_init(m, pool->ss.nstrings);
	dataiterator_init(&di, pool, NULL, 0, SOLVABLE_GROUP, NULL, 0);
	while (dataiterator_step(&di))
		if (di.kv.id > 0 && di.kv.id < pool->ss.nstrings)
			MAPSET(m, di.kv.id);
	dataiterator_free(&di);
}

/*
 * Check REQ and fill run->targets and run->pins.  0, or -1 with ctx->field
 * naming the offending field and ctx->err saying why.
 */
int
solve_request_parse(struct solve_run *run, const json_t *req)
{
	static const char *const top_ok[] = { "packages", "remove", "layers",
	    "pins", NULL };
	static const char *const layer_ok[] = { "packages", "remove", "pins",
	    NULL };
	const json_t	*layers, *lv;
	const char	*k;
	char		 f[SOLVE_ERRMAX], buf[80];
	json_t		*x;
	Map		 groups;
	int		 l, rc = -1;

	map_init(&groups, 0);
	if (!json_is_object(req)) {
		solve_setfield(run->ctx, "request");
		solve_seterr(run->ctx, "the request must be a JSON object");
		goto out;
	}
	if ((k = unknown_key(req, top_ok)) != NULL) {
		/* An empty key cannot name itself: the request is at fault. */
		solve_setfield(run->ctx, "%s", *printable(k, buf, sizeof(buf)) ? buf : "request");
		solve_seterr(run->ctx, "unknown field '%s' (known: packages, remove, layers, pins)",
		    buf);
		goto out;
	}
	layers = json_object_get(req, "layers");
	if ((layers != NULL) == (json_object_get(req, "packages") != NULL)) {
		solve_setfield(run->ctx, "request");
		solve_seterr(run->ctx, "give either \"packages\" or \"layers\"");
		goto out;
	}
	if (layers != NULL && json_object_get(req, "remove") != NULL) {
		solve_setfield(run->ctx, "remove");
		solve_seterr(run->ctx, "\"remove\" belongs inside a layer");
		goto out;
	}
	if (layers != NULL && !json_is_object(layers)) {
		solve_setfield(run->ctx, "layers");
		solve_seterr(run->ctx, "\"layers\" must be an object");
		goto out;
	}
	run->layered = layers != NULL;
	if (layers != NULL) {
		json_object_foreach((json_t *)layers, k, x) {
			for (l = 0; l < SOLVE_LAYER__MAX; l++)
				if (strcmp(k, solve_layer_names[l]) == 0)
					break;
			if (l == SOLVE_LAYER__MAX) {
				solve_setfield(run->ctx, "layers.%s",
				    printable(k, buf, sizeof(buf)));
				solve_seterr(run->ctx, "unknown layer '%s' "
				    "(known: opening_statement, platform, "
				    "rhetoric, talking_points, "
				    "closing_argument)", buf);
				goto out;
			}
			if (!json_is_object(x)) {
				solve_setfield(run->ctx, "layers.%s", k);
				solve_seterr(run->ctx, "layer %s must be an "
				    "object", k);
				goto out;
			}
			if ((k = unknown_key(x, layer_ok)) != NULL) {
				solve_setfield(run->ctx, "layers.%s.%s",
				    solve_layer_names[l], printable(k, buf,
				    sizeof(buf)));
				solve_seterr(run->ctx, "unknown field %s",
				    run->ctx->field);
				goto out;
			}
		}
	}
	/* pins first: they steer how provider names are looked up */
	for (l = 0; layers != NULL && l < SOLVE_LAYER__MAX; l++) {
		if ((lv = json_object_get(layers, solve_layer_names[l])) == NULL)
			continue;
		snprintf(f, sizeof(f), "layers.%s.pins", solve_layer_names[l]);
		if (pins_add(run, json_object_get(lv, "pins"), l, f) < 0)
			goto out;
	}
	if (pins_add(run, json_object_get(req, "pins"), TOP_PINS, "pins") < 0)
		goto out;
	group_map(run->pool, &groups);
	if (layers == NULL) {
		if (add_list(run, json_object_get(req, "packages"),
		    SOLVE_LAYER_NONE, "packages", &groups) < 0 ||
		    apply_remove(run, json_object_get(req, "remove"),
		    SOLVE_LAYER_NONE, "remove") < 0)
			goto out;
	}
	for (l = 0; layers != NULL && l < SOLVE_LAYER__MAX; l++) {
		if ((lv = json_object_get(layers, solve_layer_names[l])) == NULL)
			continue;
		snprintf(f, sizeof(f), "layers.%s.packages",
		    solve_layer_names[l]);
		if (add_list(run, json_object_get(lv, "packages"), l, f,
		    &groups) < 0)
			goto out;
		snprintf(f, sizeof(f), "layers.%s.remove",
		    solve_layer_names[l]);
		if (apply_remove(run, json_object_get(lv, "remove"), l, f) < 0)
			goto out;
	}
	rc = 0;
out:
	map_free(&groups);
	return rc;
}
