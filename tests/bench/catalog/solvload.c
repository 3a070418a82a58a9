/*
 * solvload - time loading the resolver's .solv cache (what every FastCGI
 * process does at start and after a sync) against parsing the sync databases
 * themselves, and the search index the pool builds after each load (so load
 * + index is what a process spends on a reload).  Usage: solvload CACHE DB...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "solve.h"
#include "solve_catalog.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	double	 load[21], index[21], parse[5];
	int	 i, j;

	if (argc < 3) {
		fprintf(stderr, "usage: solvload CACHE DB...\n");
		return 2;
	}
	for (i = 0; i < 21; i++) {
		struct solve_ctx *ctx = solve_ctx_new();
		double t0 = now_ms();

		if (solve_cache_load(ctx, argv[1]) == -1) {
			fprintf(stderr, "%s\n", solve_errmsg(ctx));
			return 1;
		}
		load[i] = now_ms() - t0;
		t0 = now_ms();
		if (solve_search_prepare(ctx) == -1)
			return 1;
		index[i] = now_ms() - t0;
		solve_ctx_free(ctx);
	}
	for (i = 0; i < 5; i++) {
		struct solve_ctx *ctx = solve_ctx_new();
		double t0 = now_ms();

		for (j = 2; j < argc; j++) {
			char name[32];

			snprintf(name, sizeof(name), "r%d", j);
			if (solve_repo_add_db(ctx, name, argv[j]) == -1) {
				fprintf(stderr, "%s\n", solve_errmsg(ctx));
				return 1;
			}
		}
		parse[i] = now_ms() - t0;
		solve_ctx_free(ctx);
	}
	qsort(load, 21, sizeof(double), cmp);
	qsort(index, 21, sizeof(double), cmp);
	qsort(parse, 5, sizeof(double), cmp);
	printf(".solv load: median %.2f ms; parsing the sync databases: median %.2f ms; "
	    "ratio %.3f (goal: load <= 50 ms)\n", load[10], parse[2], load[10] / parse[2]);
	printf("reload in the pool (.solv load + search index): median %.2f + %.2f ms\n",
	    load[10], index[10]);
	return 0;
}
