/*
 * bench.c - save-with-validation and effective-read latency of the overlay
 * engine for a configuration of 300 packages and 50 files (all five layers,
 * every strategy).  Pure C: no HTTP, no database.
 *   save = parse the request body + overlay_validate_merge (validation
 *          and the effective configuration in one pass) + overlay_hash:
 *          what a save computes before it stores
 *   read = parse the stored document + overlay_merge + serialise the
 *          effective configuration (what GET .../effective returns)
 * Usage: bench [runs]   (default 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "overlay.h"

static const char *const layers[] = {
	"opening_statement", "platform", "rhetoric", "talking_points", "closing_argument"
};

static double
ms(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Text of about n bytes for one file. */
static char *
text(int kind, int i, size_t n)
{
	char *s = malloc(n + 256), line[128];
	size_t len = 0;
	int k = 0;

	s[0] = '\0';
	while (len < n) {
		if (kind == 0)		/* plain lines */
			snprintf(line, sizeof(line), "line %d of file %d: lorem ipsum dolor\n", k, i);
		else if (kind == 1)	/* INI */
			snprintf(line, sizeof(line), "%sKey%d = value %d of %d\n",
			    k % 8 == 0 ? "[Section" : "", k, k, i);
		if (kind == 1 && k % 8 == 0) {
			snprintf(line, sizeof(line), "[Section%d]\nKey%d = value %d\n", k / 8, k, i);
		}
		memcpy(s + len, line, strlen(line) + 1);
		len += strlen(line);
		k++;
	}
	return s;
}

static json_t *
document(void)
{
	json_t *doc = json_pack("{s:s, s:{s:s, s:s}, s:{}}", "name", "bench",
	    "iso", "label", "BENCH", "publisher", "Bench", "layers");
	json_t *ly = json_object_get(doc, "layers");
	char name[64], path[64];
	int l, i;

	for (l = 0; l < 5; l++)
		json_object_set_new(ly, layers[l], json_pack("{s:[], s:[], s:{}, s:[]}",
		    "packages", "remove", "pins", "files"));
	/* 300 packages over the layers, with some overlap and removals. */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "pkg-%03d", i);
		json_array_append_new(json_object_get(json_object_get(ly, layers[i % 5]),
		    "packages"), json_string(name));
	}
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "pkg-%03d", i * 5);
		json_array_append_new(json_object_get(json_object_get(ly, layers[3]),
		    "remove"), json_string(name));
	}
	json_object_set_new(json_object_get(json_object_get(ly, layers[0]), "pins"),
	    "sh", json_string("bash"));
	/* 50 file entries: 20 replace, 15 append chains, 15 deep (INI and JSON). */
	for (i = 0; i < 50; i++) {
		const char *strategy = i < 20 ? "replace" : i < 35 ? "append" : "deep";
		int l2 = i < 20 ? i % 5 : i < 35 ? (i - 20) % 5 : (i - 35) % 5;
		char *content;

		if (i < 20)
			snprintf(path, sizeof(path), "/etc/bench/replace-%d", i);
		else if (i < 35)
			snprintf(path, sizeof(path), "/etc/bench/append-%d", (i - 20) % 3);
		else if (i < 45)
			snprintf(path, sizeof(path), "/etc/bench/deep-%d.conf", (i - 35) % 2);
		else
			snprintf(path, sizeof(path), "/etc/bench/deep-%d.json", (i - 45) % 2);
		if (i >= 45) {
			content = malloc(256);
			snprintf(content, 256, "{\"layer%d\": {\"a\": %d, \"b\": [1, 2, 3]}, \"common\": %d}",
			    i, i, i);
		} else
			content = text(i >= 35, i, 2048);
		/* Each layer holds a path once; the chains rotate through the layers. */
		json_array_append_new(json_object_get(json_object_get(ly, layers[l2]), "files"),
		    json_pack("{s:s, s:s, s:s, s:s}", "path", path, "content", content,
		    "strategy", strategy, "mode", "0644"));
		free(content);
	}
	return doc;
}

static void
report(const char *what, double *v, int n, double goal)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	printf("%-34s p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms", what,
	    v[n / 2], v[(n * 99) / 100], v[n - 1]);
	if (goal > 0)
		printf("   p99/goal %.3f (goal %.0f ms)", v[(n * 99) / 100] / goal, goal);
	printf("\n");
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 1000, i;
	json_t *doc = document(), *errs;
	char *body = json_dumps(doc, JSON_COMPACT), hash[65], err[256];
	/* Wall time, and CPU time which a loaded machine does not inflate. */
	double *save = calloc((size_t)runs, sizeof(double));
	double *read = calloc((size_t)runs, sizeof(double));
	double *save_cpu = calloc((size_t)runs, sizeof(double));
	double *read_cpu = calloc((size_t)runs, sizeof(double));

	if ((errs = overlay_validate(doc, NULL)) != NULL) {
		char *e = json_dumps(errs, JSON_INDENT(1));

		fprintf(stderr, "bench document is invalid: %s\n", e);
		return 1;
	}
	if (runs < 1 || save == NULL || read == NULL || save_cpu == NULL || read_cpu == NULL)
		return 1;
	for (i = 0; i < runs; i++) {
		double t0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_THREAD_CPUTIME_ID);
		json_t *d = json_loads(body, 0, NULL), *eff;

		errs = overlay_validate_merge(d, NULL, &eff);
		if (errs != NULL || eff == NULL || overlay_hash(eff, NULL, hash) != 0)
			return 1;
		save[i] = ms(CLOCK_MONOTONIC) - t0;
		save_cpu[i] = ms(CLOCK_THREAD_CPUTIME_ID) - c0;
		json_decref(eff);
		json_decref(d);
	}
	for (i = 0; i < runs; i++) {
		double t0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_THREAD_CPUTIME_ID);
		json_t *d = json_loads(body, 0, NULL), *eff = overlay_merge(d, err, sizeof(err));
		char *out = eff ? json_dumps(eff, JSON_COMPACT) : NULL;

		if (out == NULL)
			return 1;
		read[i] = ms(CLOCK_MONOTONIC) - t0;
		read_cpu[i] = ms(CLOCK_THREAD_CPUTIME_ID) - c0;
		free(out);
		json_decref(eff);
		json_decref(d);
	}
	printf("overlay bench: %d runs, 300 packages, 50 files (%zu-byte document), hash %.12s...\n",
	    runs, strlen(body), hash);
	report("save (parse+validate_merge+hash)", save, runs, 50.0);
	report("  same, CPU time", save_cpu, runs, 50.0);
	report("read effective (parse+merge+dump)", read, runs, 0);
	report("  same, CPU time", read_cpu, runs, 0);
	free(body);
	free(save);
	free(read);
	free(save_cpu);
	free(read_cpu);
	json_decref(doc);
	return 0;
}
