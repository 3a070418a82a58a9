/*
 * solve_problem.c - explain why a request cannot be installed: libsolv's
 * problems as plain sentences naming packages and layers, the dependency chain
 * from the user's package to the clash, and solutions as request edits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve_internal.h"

#include <solv/problems.h>
#include <solv/rules.h>

#define MSG_MAX		2048

/* Name of solvable P, a pool string that stays valid. */
static const char *
pname(Pool *pool, Id p)
{
	return pool_id2str(pool, pool_id2solvable(pool, p)->name);
}

/* Layers (bit set) of the live targets whose solvable is P. */
static unsigned
target_layers(const struct solve_run *run, Id p)
{
	unsigned	bits = 0;
	size_t		i;

	for (i = 0; i < run->ntargets; i++)
		if (!run->targets[i].removed && run->targets[i].p == p &&
		    run->targets[i].layer >= 0)
			bits |= 1u << run->targets[i].layer;
	return bits;
}

/*
 * Shortest dependency path from an explicit package to TARGET into CHAIN
 * (explicit package first, TARGET last).  Edges first follow only packages
 * pacman would pick, then any provider.  0, or -1 if TARGET is unreachable
 * (then CHAIN holds just TARGET).
 */
int
solve_chain(struct solve_run *run, Id target, Queue *chain)
{
	Pool	*pool = run->pool;
	Queue	 bfs;
	Map	 allowed;
	Id	*from = NULL, p, pp, *dp;
	int	 i, pass, rc = -1;

	queue_empty(chain);
	queue_init(&bfs);
	map_init(&allowed, pool->nsolvables);
	if ((from = calloc(pool->nsolvables, sizeof(*from))) == NULL)
		goto out;
	for (i = 0; i < run->prefer_q.count; i++)
		MAPSET(&allowed, run->prefer_q.elements[i]);
	for (i = 0; i < run->explicit_q.count; i++)
		MAPSET(&allowed, run->explicit_q.elements[i]);
	for (pass = 0; pass < 2 && rc < 0; pass++) {
		memset(from, 0, pool->nsolvables * sizeof(*from));
		queue_empty(&bfs);
		for (i = 0; i < run->explicit_q.count; i++) {
			p = run->explicit_q.elements[i];
			if (from[p] == 0) {
				from[p] = p;	/* a root points to itself */
				queue_push(&bfs, p);
			}
		}
		for (i = 0; i < bfs.count && from[target] == 0; i++) {
			Solvable *s = pool_id2solvable(pool, bfs.elements[i]);

			if (!s->requires)
				continue;
			for (dp = s->repo->idarraydata + s->requires; *dp; dp++)
				FOR_PROVIDES(p, pp, *dp) {
					if (from[p] != 0 || (pass == 0 &&
					    !MAPTST(&allowed, p)) ||
					    !solve_pkg_satisfies(pool, p, *dp))
						continue;
					from[p] = bfs.elements[i];
					queue_push(&bfs, p);
				}
		}
		if (from[target] != 0)
			rc = 0;
	}
	if (rc == 0) {
		for (p = target; from[p] != p; p = from[p])
			queue_unshift(chain, p);
		queue_unshift(chain, p);
	} else
		queue_push(chain, target);
out:
	free(from);
	map_free(&allowed);
	queue_free(&bfs);
	return rc;
}

/* JSON array of layer names for bit set BITS. */
static json_t *
layers_json(unsigned bits)
{
	json_t	*a = json_array();
	int	 l;

	for (l = 0; l < SOLVE_LAYER__MAX; l++)
		if (bits & (1u << l))
			solve_json_add_str(a, solve_layer_names[l]);
	return a;
}

/* "the platform and rhetoric layers" / "you" for bit set BITS. */
static void
who_asked(const struct solve_run *run, unsigned bits, char *buf, size_t sz)
{
	int	l, n = 0, seen = 0;
	size_t	off;

	if (!run->layered || bits == 0) {
		solve_fmt(buf, sz, "you");
		return;
	}
	for (l = 0; l < SOLVE_LAYER__MAX; l++)
		if (bits & (1u << l))
			n++;
	off = (size_t)snprintf(buf, sz, "the ");
	for (l = 0; l < SOLVE_LAYER__MAX && off < sz; l++) {
		if (!(bits & (1u << l)))
			continue;
		seen++;
		off += (size_t)snprintf(buf + off, sz - off, "%s%s",
		    seen == 1 ? "" : seen == n ? " and " : ", ",
		    solve_layer_names[l]);
	}
	if (off < sz)
		snprintf(buf + off, sz - off, " layer%s", n > 1 ? "s" : "");
}

/*
 * Describe how package P got into the request, e.g. "the platform layer asked
 * for foo" or "foo is pulled in by bar, which you asked for".  Fills CHAIN
 * (names) and sets the bits of the asking layers in *BITS.
 */
static void
describe_origin(struct solve_run *run, Id p, char *buf, size_t sz,
    json_t *chain, unsigned *bits)
{
	Pool		*pool = run->pool;
	Queue		 q;
	char		 who[256];
	int		 i;
	unsigned	 b;

	queue_init(&q);
	solve_chain(run, p, &q);
	for (i = 0; i < q.count; i++)
		solve_json_add_str(chain, pname(pool, q.elements[i]));
	b = target_layers(run, q.elements[0]);
	*bits |= b;
	who_asked(run, b, who, sizeof(who));
	if (q.count == 1)
		solve_fmt(buf, sz, "%s asked for %s", who, pname(pool, p));
	else
		solve_fmt(buf, sz, "%s is pulled in by %s, which %s asked for",
		    pname(pool, p), pname(pool, q.elements[0]), who);
	queue_free(&q);
}

/* Append to JSON array ACTS one remove action per layer that asked for P. */
static void
remove_actions(struct solve_run *run, Id p, json_t *acts)
{
	size_t	i;
	int	seen_flat = 0;
	json_t	*done = json_object();

	for (i = 0; i < run->ntargets; i++) {
		struct solve_target	*t = &run->targets[i];
		char			 key[32];

		if (t->removed || t->p != p)
			continue;
		if (t->layer < 0) {
			if (seen_flat++)
				continue;
		} else {
			snprintf(key, sizeof(key), "%d", t->layer);
			if (json_object_get(done, key) != NULL)
				continue;
			json_object_set_new(done, key, json_true());
		}
		json_array_append_new(acts, json_pack("{s:s, s:s, s:n, s:o}",
		    "op", "remove", "package", t->name, "with",
		    "layer", t->layer >= 0 ?
		    json_string(solve_layer_names[t->layer]) : json_null()));
	}
	json_decref(done);
}

/* Sort solutions by number of actions: least change first. */
static int
cmp_solution(const void *a, const void *b)
{
	size_t na = json_array_size(json_object_get(*(json_t *const *)a,
	    "actions"));
	size_t nb = json_array_size(json_object_get(*(json_t *const *)b,
	    "actions"));

	return na < nb ? -1 : na > nb;
}

/* The solutions libsolv offers for problem PID, as request edits. */
static json_t *
solutions_json(struct solve_run *run, Solver *solv, Id pid)
{
	Pool	 *pool = run->pool;
	json_t	 *sols = json_array(), **arr = NULL, *acts, *sol;
	Id	  sid, elem, p, rp, nsol;
	char	  desc[MSG_MAX];
	size_t	  off, n = 0, i;

	nsol = solver_solution_count(solv, pid);
	if ((arr = calloc((size_t)nsol + 1, sizeof(*arr))) == NULL)
		return sols;
	for (sid = 1; sid <= nsol; sid++) {
		acts = json_array();
		off = 0;
		desc[0] = '\0';
		elem = 0;
		while ((elem = solver_next_solutionelement(solv, pid, sid, elem,
		    &p, &rp)) != 0) {
			Id q = 0;

			if (p == SOLVER_SOLUTION_JOB && rp > 0 &&
			    rp < run->job.count)
				q = run->job_p[rp];
			if (q == 0)
				continue;	/* nothing the user can edit */
			remove_actions(run, q, acts);
			if (off < sizeof(desc))
				off += (size_t)snprintf(desc + off,
				    sizeof(desc) - off, "%sdo not install %s",
				    off ? ", and " : "", pname(pool, q));
		}
		if (json_array_size(acts) == 0) {
			json_decref(acts);
			continue;
		}
		sol = json_pack("{s:s, s:o}", "description", desc, "actions",
		    acts);
		if (sol != NULL)
			arr[n++] = sol;
	}
	qsort(arr, n, sizeof(*arr), cmp_solution);
	for (i = 0; i < n; i++)
		json_array_append_new(sols, arr[i]);
	free(arr);
	return sols;
}

/* 1 if pacman's walk found nothing for dependency DEP of package P. */
static int
pacman_missing(const struct solve_run *run, Id p, Id dep)
{
	int i;

	for (i = 0; i < run->prefer_missing.count; i += 2)
		if (run->prefer_missing.elements[i] == p &&
		    run->prefer_missing.elements[i + 1] == dep)
			return 1;
	return 0;
}

/*
 * The rule that best explains problem PID to a user, in this order: a
 * dependency nothing provides (the root cause pacman also reports), a
 * conflict, then libsolv's own pick.  Every missing dependency of the problem
 * goes into MISSING as (source, dep) pairs.
 */
static Id
best_rule(struct solve_run *run, Solver *solv, Id pid, Queue *missing)
{
	Queue	 rules;
	Id	 rid, conflict = 0, source, target, dep;
	int	 i, j, keep;

	queue_init(&rules);
	queue_empty(missing);
	solver_findallproblemrules(solv, pid, &rules);
	for (i = 0; i < rules.count; i++) {
		SolverRuleinfo type = solver_ruleinfo(solv, rules.elements[i],
		    &source, &target, &dep);

		if (type == SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP) {
			for (j = 0; j < missing->count; j += 3)
				if (missing->elements[j + 1] == dep)
					break;
			if (j == missing->count)
				queue_push2(missing, source, dep),
				    queue_push(missing, rules.elements[i]);
		} else if (type == SOLVER_RULE_PKG_CONFLICTS && conflict == 0)
			conflict = rules.elements[i];
	}
	/* several alternatives may each miss something; keep those on the
	 * path pacman takes, the ones it reports */
	for (i = 0, keep = 0; i < missing->count; i += 3)
		if (pacman_missing(run, missing->elements[i],
		    missing->elements[i + 1]))
			keep++;
	if (keep > 0)
		for (i = missing->count - 3; i >= 0; i -= 3)
			if (!pacman_missing(run, missing->elements[i],
			    missing->elements[i + 1])) {
				queue_delete(missing, i + 2);
				queue_delete(missing, i + 1);
				queue_delete(missing, i);
			}
	rid = missing->count ? missing->elements[2] : conflict ? conflict :
	    solver_findproblemrule(solv, pid);
	queue_free(&rules);
	return rid;
}

/* Build one problem: message, kind, packages, layers, chain(s), solutions. */
static json_t *
problem_json(struct solve_run *run, Solver *solv, Id pid)
{
	Pool		*pool = run->pool;
	Id		 rid, source = 0, target = 0, dep = 0;
	SolverRuleinfo	 type;
	Queue		 missing;
	char		 msg[MSG_MAX], o1[MSG_MAX / 2], o2[MSG_MAX / 2];
	char		 depstr[512], who[256];
	const char	*kind = "other";
	json_t		*pkgs = json_array(), *chains = json_array();
	json_t		*c1 = json_array(), *c2 = json_array(), *pr, *deps;
	unsigned	 bits = 0;
	int		 i;
	size_t		 off;

	queue_init(&missing);
	deps = json_array();
	rid = best_rule(run, solv, pid, &missing);
	type = solver_ruleinfo(solv, rid, &source, &target, &dep);
	if (dep)
		solve_dep2str(pool, dep, depstr, sizeof(depstr));
	else
		depstr[0] = '\0';
	switch (type) {
	case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
		kind = "missing-dependency";
		describe_origin(run, source, o1, sizeof(o1), c1, &bits);
		off = 0;
		for (i = 0; i < missing.count && off < sizeof(msg); i += 3) {
			char d[512];

			solve_dep2str(pool, missing.elements[i + 1], d,
			    sizeof(d));
			solve_json_add_str(deps, d);
			off += (size_t)snprintf(msg + off, sizeof(msg) - off,
			    "%s%s requires %s", i ? "; " : "",
			    pname(pool, missing.elements[i]), d);
			solve_json_add_str(pkgs, pname(pool,
			    missing.elements[i]));
		}
		if (off < sizeof(msg))
			solve_fmt(msg + off, sizeof(msg) - off, ", which no "
			    "repository provides (%s).", o1);
		break;
	case SOLVER_RULE_PKG_REQUIRES:
		kind = "requires";
		describe_origin(run, source, o1, sizeof(o1), c1, &bits);
		solve_fmt(msg, sizeof(msg), "%s requires %s, but no package "
		    "providing it can be installed alongside the rest (%s).",
		    pname(pool, source), depstr, o1);
		solve_json_add_str(pkgs, pname(pool, source));
		break;
	case SOLVER_RULE_PKG_CONFLICTS:
	case SOLVER_RULE_PKG_SAME_NAME:
	case SOLVER_RULE_PKG_OBSOLETES:
	case SOLVER_RULE_PKG_IMPLICIT_OBSOLETES:
		kind = "conflict";
		describe_origin(run, source, o1, sizeof(o1), c1, &bits);
		describe_origin(run, target, o2, sizeof(o2), c2, &bits);
		if (type == SOLVER_RULE_PKG_CONFLICTS)
			solve_fmt(msg, sizeof(msg), "%s and %s cannot be "
			    "installed together: %s conflicts with %s (%s; %s).",
			    pname(pool, source), pname(pool, target),
			    pname(pool, source), depstr, o1, o2);
		else
			solve_fmt(msg, sizeof(msg), "%s and %s cannot be "
			    "installed together (%s; %s).",
			    pool_solvid2str(pool, source), pname(pool, target),
			    o1, o2);
		solve_json_add_str(pkgs, pname(pool, source));
		if (strcmp(pname(pool, source), pname(pool, target)) != 0)
			solve_json_add_str(pkgs, pname(pool, target));
		break;
	case SOLVER_RULE_PKG_NOT_INSTALLABLE:
		kind = "not-installable";
		describe_origin(run, source, o1, sizeof(o1), c1, &bits);
		solve_fmt(msg, sizeof(msg), "%s cannot be installed on x86_64 "
		    "(architecture %s; %s).", pname(pool, source),
		    pool_id2str(pool, pool_id2solvable(pool, source)->arch),
		    o1);
		solve_json_add_str(pkgs, pname(pool, source));
		break;
	default:
		if (source > 0 && source < pool->nsolvables) {
			describe_origin(run, source, o1, sizeof(o1), c1, &bits);
			solve_json_add_str(pkgs, pname(pool, source));
		}
		who_asked(run, bits, who, sizeof(who));
		solve_fmt(msg, sizeof(msg), "%s (asked for by %s).",
		    solver_problemruleinfo2str(solv, type, source, target,
		    dep), who);
		break;
	}
	json_array_append(chains, c1);
	if (json_array_size(c2) > 0)
		json_array_append(chains, c2);
	pr = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
	    "message", msg, "kind", kind, "packages", pkgs,
	    "layers", layers_json(bits), "chain", c1, "chains", chains,
	    "solutions", solutions_json(run, solv, pid));
	if (pr != NULL && json_array_size(deps) > 0) {
		json_object_set(pr, "dependency", json_array_get(deps, 0));
		json_object_set(pr, "dependencies", deps);
	}
	json_decref(deps);
	json_decref(c2);
	queue_free(&missing);
	return pr;
}

/* Every libsolv problem of SOLV as a JSON array (new reference). */
json_t *
solve_problems(struct solve_run *run, Solver *solv)
{
	json_t	*a = json_array(), *p;
	Id	 pid, n;

	n = solver_problem_count(solv);
	for (pid = 1; pid <= n; pid++)
		if ((p = problem_json(run, solv, pid)) != NULL)
			json_array_append_new(a, p);
	return a;
}

/*
 * The problem for a requested name that matched nothing (or no version):
 * message, suggestions (only when SUGGEST is set; they cost a scan of every
 * name) and solutions: remove it, or replace it by a suggestion / relax the
 * version.  New reference or NULL on OOM.
 */
json_t *
solve_target_problem(struct solve_run *run, const struct solve_target *t,
    int suggest)
{
	json_t		*sugg, *sols, *v, *layer, *pr;
	char		 msg[MSG_MAX], who[256], buf[MSG_MAX];
	size_t		 i;
	unsigned	 bits = t->layer >= 0 ? 1u << t->layer : 0;
	int		 noversion = t->kind == SOLVE_KIND_NOVERSION;

	who_asked(run, bits, who, sizeof(who));
	layer = t->layer >= 0 ? json_string(solve_layer_names[t->layer]) :
	    json_null();
	sugg = suggest && !noversion ? solve_suggest(run->pool, t->name,
	    SOLVE_SUGGEST_MAX) : json_array();
	if (noversion)
		solve_fmt(msg, sizeof(msg), "No version of %s satisfies '%s', "
		    "which %s asked for.", t->name, t->spec, who);
	else if (json_array_size(sugg) > 0) {
		size_t off = 0;

		buf[0] = '\0';
		json_array_foreach(sugg, i, v)
			off += (size_t)snprintf(buf + off, off < sizeof(buf) ?
			    sizeof(buf) - off : 0, "%s%s", i ? ", " : "",
			    json_string_value(v));
		solve_fmt(msg, sizeof(msg), "There is no package, group or "
		    "provision called '%s', which %s asked for. Did you mean: "
		    "%s?", t->name, who, buf);
	} else
		solve_fmt(msg, sizeof(msg), "There is no package, group or "
		    "provision called '%s', which %s asked for.", t->name,
		    who);
	sols = json_array();
	snprintf(buf, sizeof(buf), "do not ask for %s", t->spec);
	json_array_append_new(sols, json_pack("{s:s, s:[{s:s, s:s, s:n, s:O}]}",
	    "description", buf, "actions", "op", "remove", "package", t->spec,
	    "with", "layer", layer));
	if (noversion) {
		snprintf(buf, sizeof(buf), "ask for any version of %s",
		    t->name);
		json_array_append_new(sols, json_pack("{s:s, s:[{s:s, s:s, "
		    "s:s, s:O}]}", "description", buf, "actions", "op", "relax",
		    "package", t->spec, "with", t->name, "layer", layer));
	}
	json_array_foreach(sugg, i, v) {
		snprintf(buf, sizeof(buf), "ask for %s instead",
		    json_string_value(v));
		json_array_append_new(sols, json_pack("{s:s, s:[{s:s, s:s, "
		    "s:O, s:O}]}", "description", buf, "actions", "op",
		    "replace", "package", t->spec, "with", v, "layer", layer));
	}
	pr = json_pack("{s:s, s:s, s:[s], s:o, s:[s], s:[[s]], s:o, s:o}",
	    "message", msg, "kind", noversion ? "no-version" : "unknown-name",
	    "packages", t->name, "layers", layers_json(bits), "chain", t->name,
	    "chains", t->name, "suggestions", sugg, "solutions", sols);
	json_decref(layer);
	return pr;
}
