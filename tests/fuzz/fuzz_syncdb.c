/*
 * fuzz_syncdb.c - libFuzzer target for the sync database reader: the input
 * bytes are one database file (compressed or plain tar).  When it loads, a
 * resolve and a cache round trip run on it too, so odd but accepted data is
 * exercised downstream.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     $(pkg-config --cflags libsolv libsolvext jansson) \
 *     tests/fuzz/fuzz_syncdb.c fcgi/solve_*.c \
 *     $(pkg-config --libs libsolv libsolvext jansson) -o fuzz_syncdb
 *   ./fuzz_syncdb corpus/        (seed corpus: copies of real .db files)
 *
 * Built with -DFUZZ_STANDALONE (any compiler) it replays the files named on
 * the command line instead, for regression runs without libFuzzer.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "../../fcgi/solve.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct solve_ctx	*ctx = NULL;
	json_t			*req = NULL, *ans = NULL;
	char			 path[64], cache[] = "/tmp/fuzz_syncdb.XXXXXX";
	size_t			 off = 0;
	ssize_t			 n;
	int			 fd = -1, cfd = -1;

	if ((fd = memfd_create("fuzz.db", MFD_CLOEXEC)) < 0)
		goto out;
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) <= 0)
			goto out;
		off += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((ctx = solve_ctx_new()) == NULL)
		goto out;
	if (solve_repo_add_db(ctx, "fuzz", path) != 0) {
		/* a failure must say something */
		if (solve_errmsg(ctx)[0] == '\0')
			abort();
		goto out;
	}
	req = json_pack("{s:[s,s,s]}", "packages", "a", "base", "glibc>=2");
	if (req == NULL)
		goto out;
	ans = solve_resolve(ctx, req, NULL);
	if (ans == NULL)
		abort();
	if ((cfd = mkstemp(cache)) >= 0) {
		if (solve_cache_write(ctx, cache) != 0 ||
		    solve_cache_load(ctx, cache) != 0)
			abort();
		unlink(cache);
	}
out:
	if (cfd >= 0)
		close(cfd);
	json_decref(ans);
	json_decref(req);
	solve_ctx_free(ctx);
	if (fd >= 0)
		close(fd);
	return 0;
}

#ifdef FUZZ_STANDALONE
int
main(int argc, char **argv)
{
	FILE	*fp;
	uint8_t	*buf;
	long	 len;
	int	 i;

	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		fseek(fp, 0, SEEK_END);
		len = ftell(fp);
		rewind(fp);
		if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL ||
		    fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			fclose(fp);
			free(buf);
			return 1;
		}
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
	}
	return 0;
}
#endif
