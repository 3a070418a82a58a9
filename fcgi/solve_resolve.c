/*
 * solve_resolve.c - turn a request into libsolv jobs, solve, build the answer.
 */
#include <stdlib.h>
#include <string.h>

#include <solv/knownid.h>
#include <solv/solvable.h>

#include "solve_internal.h"

static void
run_free(struct solve_run *run)
{
	size_t i;

	for (i = 0; i < run->ntargets; i++) {
		free(run->targets[i].spec);
		free(run->targets[i].name);
	}
	free(run->targets);
	free(run->pins);
	free(run->job_p);
	queue_free(&run->explicit_q);
	queue_free(&run->prefer_q);
	queue_free(&run->prefer_missing);
	queue_free(&run->job);
}

/* Sort solvable Ids by name. */
static int
cmp_name(const void *a, const void *b, void *dp)
{
	Pool *pool = dp;

	return strcmp(pool_id2str(pool, pool_id2solvable(pool,
	    *(const Id *)a)->name), pool_id2str(pool, pool_id2solvable(pool,
	    *(const Id *)b)->name));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append a copy of string S to JSON array A.  0 or -1. */
int
solve_json_add_str(json_t *a, const char *s)
{
	return json_array_append_new(a, json_string(s));
}

static json_t *
layer_json(int l)
{
	return l >= 0 && l < SOLVE_LAYER__MAX ?
	    json_string(solve_layer_names[l]) : json_null();
}

/*
 * Choice entry for dependency DEP needed by package Q (0 for a user's name):
 * created in CHOICES (keyed by the dependency string) when more than one
 * package name satisfies DEP.  0 or -1 on OOM.
 */
static int
choice_note(struct solve_run *run, json_t *choices, const Map *inst, Id dep,
    Id q)
{
	Pool		*pool = run->pool;
	Queue		 prov;
	json_t		*c, *alts, *rb;
	const char	*chosen = NULL;
	char		 key[512];
	char		**names = NULL;
	int		 i, n = 0, rc = -1, pinlayer;
	Id		 name, pin;

	queue_init(&prov);
	solve_dep2str(pool, dep, key, sizeof(key));
	if ((c = json_object_get(choices, key)) != NULL) {
		rc = 0;
		goto add_rb;
	}
	solve_providers(pool, dep, &prov);
	if ((names = calloc(prov.count + 1, sizeof(*names))) == NULL)
		goto out;
	for (i = 0; i < prov.count; i++) {
		const char *nm = pool_id2str(pool,
		    pool_id2solvable(pool, prov.elements[i])->name);
		int j;

		for (j = 0; j < n; j++)
			if (strcmp(names[j], nm) == 0)
				break;
		if (j == n)
			names[n++] = (char *)nm;
		if (chosen == NULL && MAPTST(inst, prov.elements[i]))
			chosen = nm;
	}
	if (n < 2) {
		rc = 0;
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	alts = json_array();
	for (i = 0; i < n; i++)
		solve_json_add_str(alts, names[i]);
	name = ISRELDEP(dep) ? GETRELDEP(pool, dep)->name : dep;
	pin = solve_pin_lookup(run, name, &pinlayer);
	c = json_pack("{s:s, s:s?, s:o, s:b, s:[]}", "name", key, "chosen",
	    chosen, "alternatives", alts, "pinned", pin != 0 && chosen != NULL &&
	    strcmp(chosen, pool_id2str(pool, pool_id2solvable(pool,
	    pin)->name)) == 0, "required_by");
	if (c == NULL || json_object_set_new(choices, key, c) < 0)
		goto out;
add_rb:
	if (q != 0) {
		json_t		*rbv;
		size_t		 k;
		const char	*qn = pool_id2str(pool,
		    pool_id2solvable(pool, q)->name);

		rb = json_object_get(c, "required_by");
		json_array_foreach(rb, k, rbv)
			if (strcmp(json_string_value(rbv), qn) == 0)
				break;
		if (k == json_array_size(rb))
			solve_json_add_str(rb, qn);
	}
	rc = 0;
out:
	free(names);
	queue_free(&prov);
	return rc;
}

/* Sort the entries of object CHOICES by key into a new array. */
static json_t *
choices_array(json_t *choices)
{
	const char	**keys;
	const char	 *k;
	json_t		 *v, *a;
	size_t		  n = 0, i;

	a = json_array();
	if ((keys = calloc(json_object_size(choices) + 1, sizeof(*keys))) ==
	    NULL)
		return a;
	json_object_foreach(choices, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		v = json_object_get(choices, keys[i]);
		/* required_by sorted for stable output */
		{
			json_t		*rb = json_object_get(v, "required_by");
			const char	**rs;
			size_t		  m = json_array_size(rb), j;

			if ((rs = calloc(m + 1, sizeof(*rs))) != NULL) {
				json_t *nrb = json_array();

				for (j = 0; j < m; j++)
					rs[j] = json_string_value(
					    json_array_get(rb, j));
				qsort(rs, m, sizeof(*rs), cmp_str);
				for (j = 0; j < m; j++)
					solve_json_add_str(nrb, rs[j]);
				free(rs);
				json_object_set_new(v, "required_by", nrb);
			}
		}
		json_array_append(a, v);
	}
	free(keys);
	return a;
}

/*
 * The answer for a solved run: INST (the solver's install decisions) listed
 * with reasons, required_by, layers, sizes and provider choices.  NULL on OOM.
 */
static json_t *
answer_ok(struct solve_run *run, Queue *inst)
{
	Pool			*pool = run->pool;
	Map			 in, isexp;
	Queue			 bfs;
	int			*layer = NULL, i, k;
	json_t			*ans = NULL, *list, *choices = NULL, **rb = NULL;
	unsigned long long	 dl = 0, isz = 0;
	Id			 p, pp, q, *dp;
	size_t			 t;

	map_init(&in, pool->nsolvables);
	map_init(&isexp, pool->nsolvables);
	queue_init(&bfs);
	solv_sort(inst->elements, inst->count, sizeof(Id), cmp_name, pool);
	layer = calloc(pool->nsolvables, sizeof(*layer));
	rb = calloc(pool->nsolvables, sizeof(*rb));
	if ((choices = json_object()) == NULL || layer == NULL || rb == NULL)
		goto out;
	for (i = 0; i < inst->count; i++) {
		MAPSET(&in, inst->elements[i]);
		layer[inst->elements[i]] = -2;	/* not reached yet */
		rb[inst->elements[i]] = json_array();
	}
	for (i = 0; i < run->explicit_q.count; i++)
		MAPSET(&isexp, run->explicit_q.elements[i]);
	/* required_by and choices: walk every requirement inside the set */
	for (i = 0; i < inst->count; i++) {
		Solvable *s;

		q = inst->elements[i];
		s = pool_id2solvable(pool, q);
		if (!s->requires)
			continue;
		for (dp = s->repo->idarraydata + s->requires; *dp; dp++) {
			FOR_PROVIDES(p, pp, *dp) {
				if (p == q || !MAPTST(&in, p) ||
				    !solve_pkg_satisfies(pool, p, *dp))
					continue;
				{
					json_t *a = rb[p], *v;
					size_t j;
					const char *qn = pool_id2str(pool,
					    s->name);

					json_array_foreach(a, j, v)
						if (strcmp(json_string_value(v),
						    qn) == 0)
							break;
					if (j == json_array_size(a))
						solve_json_add_str(a, qn);
				}
			}
			if (choice_note(run, choices, &in, *dp, q) < 0)
				goto out;
		}
	}
	for (t = 0; t < run->ntargets; t++)
		if (!run->targets[t].removed && run->targets[t].kind ==
		    SOLVE_KIND_PROVIDER && choice_note(run, choices, &in,
		    run->targets[t].dep, 0) < 0)
			goto out;
	/* layer of each dependency: breadth first from explicit packages,
	 * lowest layer first */
	for (t = 0; t < run->ntargets; t++) {
		const struct solve_target *tg = &run->targets[t];

		/* explicit: the highest layer asking (targets are in layer
		 * order, so the last one wins) */
		if (!tg->removed && tg->p != 0 && MAPTST(&in, tg->p))
			layer[tg->p] = tg->layer;
	}
	for (k = SOLVE_LAYER_NONE; k < SOLVE_LAYER__MAX; k++)
		for (i = 0; i < run->explicit_q.count; i++) {
			p = run->explicit_q.elements[i];
			if (MAPTST(&in, p) && layer[p] == k)
				queue_push(&bfs, p);
		}
	for (i = 0; i < bfs.count; i++) {
		Solvable *s = pool_id2solvable(pool, bfs.elements[i]);

		if (!s->requires)
			continue;
		for (dp = s->repo->idarraydata + s->requires; *dp; dp++)
			FOR_PROVIDES(p, pp, *dp)
				if (MAPTST(&in, p) && layer[p] == -2) {
					layer[p] = layer[bfs.elements[i]];
					queue_push(&bfs, p);
				}
	}
	list = json_array();
	for (i = 0; i < inst->count; i++) {
		Solvable	*s;
		json_t		*e, *sorted;
		const char	**rs;
		size_t		  m, j;

		p = inst->elements[i];
		s = pool_id2solvable(pool, p);
		dl += solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
		isz += solvable_lookup_num(s, SOLVABLE_INSTALLSIZE, 0);
		m = json_array_size(rb[p]);
		sorted = json_array();
		if ((rs = calloc(m + 1, sizeof(*rs))) != NULL) {
			for (j = 0; j < m; j++)
				rs[j] = json_string_value(json_array_get(rb[p],
				    j));
			qsort(rs, m, sizeof(*rs), cmp_str);
			for (j = 0; j < m; j++)
				solve_json_add_str(sorted, rs[j]);
			free(rs);
		}
		e = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}",
		    "name", pool_id2str(pool, s->name),
		    "version", pool_id2str(pool, s->evr),
		    "repo", s->repo->name,
		    "reason", MAPTST(&isexp, p) ? "explicit" : "dependency",
		    "required_by", sorted,
		    "layer", layer_json(run->layered ? layer[p] : -1));
		if (e == NULL || json_array_append_new(list, e) < 0) {
			json_decref(list);
			goto out;
		}
	}
	ans = json_pack("{s:b, s:o, s:I, s:I, s:o}", "ok", 1, "install", list,
	    "download_size", (json_int_t)dl, "installed_size", (json_int_t)isz,
	    "choices", choices_array(choices));
out:
	for (i = 0; rb != NULL && i < inst->count; i++)
		json_decref(rb[inst->elements[i]]);
	free(rb);
	free(layer);
	json_decref(choices);
	map_free(&in);
	map_free(&isexp);
	queue_free(&bfs);
	return ans;
}

/*
 * Build jobs: a hard install of every explicit package (each once), then a
 * weak install of every other package pacman would pick.  0 or -1 on OOM.
 */
static int
build_jobs(struct solve_run *run)
{
	Pool	*pool = run->pool;
	Map	 seen;
	size_t	 t;
	int	 i;

	map_init(&seen, pool->nsolvables);
	for (t = 0; t < run->ntargets; t++) {
		Id p = run->targets[t].p;

		if (run->targets[t].removed || p == 0 || MAPTST(&seen, p))
			continue;
		MAPSET(&seen, p);
		queue_push(&run->explicit_q, p);
	}
	solve_prefer(run, &run->prefer_q);
	for (i = 0; i < run->explicit_q.count; i++)
		queue_push2(&run->job, SOLVER_INSTALL | SOLVER_SOLVABLE,
		    run->explicit_q.elements[i]);
	for (i = 0; i < run->prefer_q.count; i++)
		if (!MAPTST(&seen, run->prefer_q.elements[i]))
			queue_push2(&run->job, SOLVER_INSTALL |
			    SOLVER_SOLVABLE | SOLVER_WEAK,
			    run->prefer_q.elements[i]);
	map_free(&seen);
	/* job index (as libsolv reports it: offset in the job queue) ->
	 * explicit solvable, 0 for weak jobs */
	if ((run->job_p = calloc(run->job.count + 1, sizeof(Id))) == NULL)
		return -1;
	for (i = 0; i < run->job.count; i += 2)
		if (!(run->job.elements[i] & SOLVER_WEAK))
			run->job_p[i] = run->job_p[i + 1] =
			    run->job.elements[i + 1];
	return 0;
}

/*
 * Take %REPLACES% (kept as obsoletes for the catalogue) out of the pool while
 * solving: `pacman -S` ignores them, libsolv would turn them into conflicts.
 * Returns the saved offsets (restore with obsoletes_restore) or NULL on OOM.
 * Rule explanations re-read obsoletes, so they stay hidden until the answer is
 * built.
 */
static Offset *
obsoletes_hide(Pool *pool)
{
	Offset	*saved;
	Id	 p;

	if ((saved = calloc(pool->nsolvables + 1, sizeof(*saved))) == NULL)
		return NULL;
	for (p = 2; p < pool->nsolvables; p++) {
		saved[p] = pool->solvables[p].obsoletes;
		pool->solvables[p].obsoletes = 0;
	}
	return saved;
}

static void
obsoletes_restore(Pool *pool, Offset *saved)
{
	Id p;

	if (saved == NULL)
		return;
	for (p = 2; p < pool->nsolvables; p++)
		pool->solvables[p].obsoletes = saved[p];
	free(saved);
}

/*
 * Parse REQ into RUN, solve, and build the answer (new reference).  NULL on a
 * malformed request or OOM, with ctx->err and ctx->field set.
 */
static json_t *
resolve_run(struct solve_run *run, const json_t *req)
{
	struct solve_ctx	*ctx = run->ctx;
	Solver			*solv = NULL;
	Queue			 dq, inst;
	json_t			*ans = NULL, *probs = NULL, *more = NULL;
	Offset			*obs = NULL;
	size_t			 t;
	int			 i, nsugg = 0, oom = 1;

	queue_init(&dq);
	queue_init(&inst);
	if (solve_request_parse(run, req) < 0) {
		oom = 0;	/* message and field already say why */
		goto out;
	}
	if (build_jobs(run) < 0 || (probs = json_array()) == NULL)
		goto out;
	/* names that resolve nowhere: problems of their own */
	for (t = 0; t < run->ntargets; t++) {
		struct solve_target *tg = &run->targets[t];

		if (tg->removed || tg->p != 0)
			continue;
		more = solve_target_problem(run, tg, nsugg++ <
		    SOLVE_SUGGEST_NAMES);
		/* append_new drops its argument even when it fails */
		if (more == NULL || json_array_append_new(probs, more) < 0) {
			more = NULL;
			goto out;
		}
	}
	more = NULL;
	if ((obs = obsoletes_hide(run->pool)) == NULL ||
	    (solv = solver_create(run->pool)) == NULL)
		goto out;
	solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, 1);
	if (solver_solve(solv, &run->job) != 0) {
		if ((more = solve_problems(run, solv)) == NULL ||
		    json_array_extend(probs, more) < 0)
			goto out;
	}
	if (json_array_size(probs) > 0) {
		ans = json_pack("{s:b, s:O}", "ok", 0, "problems", probs);
		goto out;
	}
	solver_get_decisionqueue(solv, &dq);
	for (i = 0; i < dq.count; i++)
		if (dq.elements[i] > 0 && dq.elements[i] != SYSTEMSOLVABLE)
			queue_push(&inst, dq.elements[i]);
	ans = answer_ok(run, &inst);
out:
	if (ans == NULL && oom) {
		solve_seterr(ctx, "out of memory");
		solve_setfield(ctx, "request");
	}
	json_decref(more);
	json_decref(probs);
	if (solv != NULL)
		solver_free(solv);
	obsoletes_restore(run->pool, obs);
	queue_free(&dq);
	queue_free(&inst);
	return ans;
}

json_t *
solve_resolve(struct solve_ctx *ctx, const json_t *req, const char **err_field)
{
	struct solve_run	 run;
	json_t			*ans;

	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	run.pool = ctx->pool;
	queue_init(&run.explicit_q);
	queue_init(&run.prefer_q);
	queue_init(&run.prefer_missing);
	queue_init(&run.job);
	ctx->err[0] = '\0';
	ctx->field[0] = '\0';
	ans = resolve_run(&run, req);
	if (err_field != NULL)
		*err_field = ans == NULL ? ctx->field : NULL;
	run_free(&run);
	return ans;
}
