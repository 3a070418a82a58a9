/*
 * ctl_resolve.c - `debatectl resolve`: resolve package names against sync
 * databases from the command line.
 *
 *   debatectl resolve [--json] [--each] --repo NAME=DBFILE [--repo ...] NAME...
 *
 * Output (default): one "name version repo" line per package to install,
 * sorted by name, exit 0; when unsolvable the problems go to stderr, exit 1.
 * --json prints the solve_resolve answer instead (exit 0 or 1 the same way).
 * --each resolves every NAME on its own (one database load for all) and prints
 * per name a block:
 *     ## NAME OK COUNT            followed by COUNT "name version repo" lines
 *     ## NAME FAIL KIND DETAIL    followed by "# message" lines
 * KIND is missing-dependency (DETAIL: the missing names, comma separated),
 * conflict (DETAIL: the packages), unknown-name, no-version, requires, other.
 * With --json --each: one line {"name":NAME,"answer":{...}} per name.
 * Exit: 0 all solvable, 1 some unsolvable, 2 usage or load error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve.h"

int	ctl_resolve_main(int, char **);

static void
usage(void)
{
	fprintf(stderr, "usage: debatectl resolve [--json] [--each] "
	    "--repo NAME=DBFILE [--repo ...] NAME...\n");
}

/* Print install lines of a solvable answer to FP. */
static void
print_install(FILE *fp, const json_t *ans)
{
	json_t	*e;
	size_t	 i;

	json_array_foreach(json_object_get(ans, "install"), i, e)
		fprintf(fp, "%s %s %s\n",
		    json_string_value(json_object_get(e, "name")),
		    json_string_value(json_object_get(e, "version")),
		    json_string_value(json_object_get(e, "repo")));
}

/* Print the problems of an unsolvable answer readably to FP. */
static void
print_problems(FILE *fp, const json_t *ans, const char *prefix)
{
	json_t	*pr, *v, *sol;
	size_t	 i, j;

	json_array_foreach(json_object_get(ans, "problems"), i, pr) {
		fprintf(fp, "%sproblem %zu: %s\n", prefix, i + 1,
		    json_string_value(json_object_get(pr, "message")));
		if (json_array_size(json_object_get(pr, "chain")) > 1) {
			fprintf(fp, "%s  chain:", prefix);
			json_array_foreach(json_object_get(pr, "chain"), j, v)
				fprintf(fp, "%s%s", j ? " -> " : " ",
				    json_string_value(v));
			fputc('\n', fp);
		}
		json_array_foreach(json_object_get(pr, "solutions"), j, sol)
			fprintf(fp, "%s  solution %zu: %s\n", prefix, j + 1,
			    json_string_value(json_object_get(sol,
			    "description")));
	}
}

/* One-word kind and detail of the first problem, for --each. */
static void
print_fail_head(const char *name, const json_t *ans)
{
	json_t		*pr, *v;
	const char	*kind = "other";
	size_t		 i, j;
	int		 n = 0;

	/* prefer a missing dependency anywhere: that is what pacman reports */
	json_array_foreach(json_object_get(ans, "problems"), i, pr) {
		v = json_object_get(pr, "kind");
		if (json_is_string(v) && strcmp(json_string_value(v),
		    "missing-dependency") == 0)
			kind = "missing-dependency";
	}
	if (strcmp(kind, "missing-dependency") != 0) {
		pr = json_array_get(json_object_get(ans, "problems"), 0);
		if (json_is_string(json_object_get(pr, "kind")))
			kind = json_string_value(json_object_get(pr, "kind"));
	}
	printf("## %s FAIL %s ", name, kind);
	json_array_foreach(json_object_get(ans, "problems"), i, pr) {
		if (strcmp(kind, "missing-dependency") == 0) {
			json_array_foreach(json_object_get(pr, "dependencies"),
			    j, v)
				printf("%s%s", n++ ? "," : "",
				    json_string_value(v));
			continue;
		}
		if (i > 0)
			break;
		json_array_foreach(json_object_get(pr, "packages"), j, v)
			printf("%s%s", n++ ? "," : "", json_string_value(v));
	}
	if (n == 0)
		printf("-");
	putchar('\n');
}

/*
 * Resolve NAMES (NNAMES of them) as one flat request.  Prints per the mode;
 * returns 0 solvable, 1 unsolvable, 2 error.
 */
static int
resolve_names(struct solve_ctx *ctx, char **names, int nnames, int json,
    int each)
{
	json_t		*req = NULL, *list, *ans = NULL;
	const char	*field = NULL;
	char		*s;
	int		 i, rc = 2;

	list = json_array();
	for (i = 0; i < nnames; i++)
		json_array_append_new(list, json_string(names[i]));
	req = json_pack("{s:o}", "packages", list);
	if (req == NULL) {
		fprintf(stderr, "debatectl resolve: out of memory\n");
		goto out;
	}
	if ((ans = solve_resolve(ctx, req, &field)) == NULL) {
		if (each) {
			printf("## %s FAIL invalid %s\n# %s\n", names[0],
			    field ? field : "-", solve_errmsg(ctx));
			rc = 1;
		} else
			fprintf(stderr, "debatectl resolve: %s: %s\n",
			    field ? field : "request", solve_errmsg(ctx));
		goto out;
	}
	rc = json_is_true(json_object_get(ans, "ok")) ? 0 : 1;
	if (json) {
		if (each) {
			json_t *line = json_pack("{s:s, s:O}", "name",
			    names[0], "answer", ans);

			s = json_dumps(line, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(line);
		} else
			s = json_dumps(ans, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (s != NULL)
			puts(s);
		free(s);
		if (rc == 1 && !each)
			print_problems(stderr, ans, "");
	} else if (each) {
		if (rc == 0) {
			printf("## %s OK %zu\n", names[0],
			    json_array_size(json_object_get(ans, "install")));
			print_install(stdout, ans);
		} else {
			print_fail_head(names[0], ans);
			print_problems(stdout, ans, "# ");
		}
	} else if (rc == 0)
		print_install(stdout, ans);
	else
		print_problems(stderr, ans, "");
out:
	json_decref(req);
	json_decref(ans);
	return rc;
}

/*
 * Entry point; argv[0] is "resolve".  Returns the exit status described at the
 * top of this file.
 */
int
ctl_resolve_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "each", no_argument, NULL, 'e' },
		{ "repo", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct solve_ctx	*ctx = NULL;
	char			*eq, *name;
	int			 ch, json = 0, each = 0, nrepos = 0, rc = 2, i, r;

	if ((ctx = solve_ctx_new()) == NULL) {
		fprintf(stderr, "debatectl resolve: out of memory\n");
		goto out;
	}
	optind = 0;	/* GNU: full reinitialisation for a subcommand */
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'e':
			each = 1;
			break;
		case 'r':
			if ((eq = strchr(optarg, '=')) == NULL ||
			    eq == optarg || eq[1] == '\0') {
				fprintf(stderr, "debatectl resolve: --repo "
				    "wants NAME=DBFILE, got '%s'\n", optarg);
				goto out;
			}
			if ((name = strndup(optarg, eq - optarg)) == NULL)
				goto out;
			r = solve_repo_add_db(ctx, name, eq + 1);
			free(name);
			if (r < 0) {
				fprintf(stderr, "debatectl resolve: %s\n",
				    solve_errmsg(ctx));
				goto out;
			}
			nrepos++;
			break;
		case 'h':
			usage();
			rc = 0;
			goto out;
		default:
			usage();
			goto out;
		}
	}
	if (nrepos == 0) {
		fprintf(stderr, "debatectl resolve: no --repo given (using the "
		    "configured repositories is not implemented yet)\n");
		goto out;
	}
	if (optind >= argc && !json) {
		usage();
		goto out;
	}
	if (!each) {
		rc = resolve_names(ctx, argv + optind, argc - optind, json, 0);
		goto out;
	}
	rc = 0;
	for (i = optind; i < argc; i++) {
		r = resolve_names(ctx, argv + i, 1, json, 1);
		if (r > rc)
			rc = r;
		fflush(stdout);
	}
out:
	solve_ctx_free(ctx);
	return rc;
}
