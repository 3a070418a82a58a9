/*
 * fuzz_overlay_path.c - libFuzzer target for the overlay path validator.
 * Beyond "no crash", it checks the promise the profile writer relies on: an
 * accepted path is absolute, has no empty, "." or ".." component, no NUL or
 * control byte, and does not end in '/'.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "overlay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *why = NULL;
	size_t i, start;

	if (overlay_path_check(p, size, &why) != 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (size == 0 || size > OVERLAY_PATH_MAX || p[0] != '/' || p[size - 1] == '/')
		abort();
	for (i = 0; i < size; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			abort();
	for (start = 1, i = 1; i <= size; i++) {
		if (i < size && p[i] != '/')
			continue;
		if (i == start || (i - start == 1 && p[start] == '.') ||
		    (i - start == 2 && memcmp(p + start, "..", 2) == 0))
			abort();
		start = i + 1;
	}
	if ((size >= 5 && memcmp(p, "/proc", 5) == 0 && (size == 5 || p[5] == '/')) ||
	    (size >= 4 && memcmp(p, "/dev", 4) == 0 && (size == 4 || p[4] == '/')))
		abort();
	return 0;
}
