/*
 * fuzz_resolve_request.c - libFuzzer target for the resolve request parser:
 * the input bytes are a request body, parsed exactly as the pool parses one
 * (api_route.c: duplicates rejected, NUL allowed in strings, any JSON value)
 * and handed to solve_resolve over a real Arch pool.
 *
 * The pool is loaded once from FUZZ_RESOLVE_DBS, a colon-separated list of
 * NAME=PATH sync databases in priority order (tests/fuzz/suite points it at
 * the 2014-08 snapshot).  Every input must end in either a well-formed answer
 * ("ok" true with an "install" array, or false with a non-empty "problems"
 * array) or a refusal that names its field and says why.  A reference
 * request is resolved again every 256 inputs and must answer as it did at the
 * start: a malformed request must never leave the shared pool changed (the
 * pool's resolver serves every request of a process from one context).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../../fcgi/solve.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct solve_ctx	*ctx;
static char		*reference;	/* the reference request's answer */
static unsigned long	 inputs;

static const char REFERENCE_REQ[] =
    "{\"layers\":{\"platform\":{\"packages\":[\"base\",\"sudo>=1.8\"]},"
    "\"closing_argument\":{\"remove\":[\"nano\"]}}}";

/* The reference request's answer as compact, sorted JSON; the caller frees. */
static char *
reference_answer(void)
{
	json_t	*req = NULL, *ans = NULL;
	char	*s = NULL;

	if ((req = json_loads(REFERENCE_REQ, 0, NULL)) == NULL ||
	    (ans = solve_resolve(ctx, req, NULL)) == NULL)
		goto out;
	s = json_dumps(ans, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(ans);
	json_decref(req);
	return s;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*dbs = getenv("FUZZ_RESOLVE_DBS");
	char		*list = NULL, *item, *save = NULL, *eq;

	(void)argc;
	(void)argv;
	if (dbs == NULL || *dbs == '\0') {
		fprintf(stderr, "fuzz_resolve_request: set FUZZ_RESOLVE_DBS=NAME=PATH[:NAME=PATH...]\n");
		exit(2);
	}
	if ((ctx = solve_ctx_new()) == NULL || (list = strdup(dbs)) == NULL)
		abort();
	for (item = strtok_r(list, ":", &save); item != NULL; item = strtok_r(NULL, ":", &save)) {
		if ((eq = strchr(item, '=')) == NULL) {
			fprintf(stderr, "fuzz_resolve_request: %s: not NAME=PATH\n", item);
			exit(2);
		}
		*eq = '\0';
		if (solve_repo_add_db(ctx, item, eq + 1) != 0) {
			fprintf(stderr, "fuzz_resolve_request: %s\n", solve_errmsg(ctx));
			exit(2);
		}
	}
	free(list);
	if ((reference = reference_answer()) == NULL) {
		fprintf(stderr, "fuzz_resolve_request: the reference request failed: %s\n",
		    solve_errmsg(ctx));
		exit(2);
	}
	return 0;
}

/* Abort unless ANS has the documented shape of an answer. */
static void
check_answer(const json_t *ans)
{
	const json_t	*ok = json_object_get(ans, "ok");
	const json_t	*list;
	char		*s;

	if (!json_is_boolean(ok))
		abort();
	list = json_object_get(ans, json_is_true(ok) ? "install" : "problems");
	if (!json_is_array(list) || (json_is_false(ok) && json_array_size(list) == 0))
		abort();
	/* The pool sends this with JSON_ENSURE_ASCII: it must encode. */
	if ((s = json_dumps(ans, JSON_COMPACT | JSON_ENSURE_ASCII)) == NULL)
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t		*req, *ans;
	json_error_t	 e;
	const char	*field = NULL;
	char		*again;

	req = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &e);
	if (req == NULL)
		return 0;	/* the pool answers 400 before any resolve */
	if ((ans = solve_resolve(ctx, req, &field)) != NULL)
		check_answer(ans);
	else if (field == NULL || *field == '\0' || solve_errmsg(ctx)[0] == '\0')
		abort();	/* a refusal must name its field and say why */
	json_decref(ans);
	json_decref(req);
	if (++inputs % 256 == 0) {
		if ((again = reference_answer()) == NULL || strcmp(again, reference) != 0)
			abort();
		free(again);
	}
	return 0;
}
