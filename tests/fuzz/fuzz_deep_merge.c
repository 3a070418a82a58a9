/*
 * fuzz_deep_merge.c - libFuzzer target for the deep merger.  The input is
 * split at the first NUL byte into a lower and an upper file; the first byte
 * picks INI or JSON.  Both are folded as two layers, the result is rendered,
 * and the rendering must itself parse and merge again (what a third layer
 * would do), and re-merging it onto itself must change nothing for INI.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "overlay_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *nul;
	size_t n, lowlen, outlen, out2len;
	struct ovl_deep d, again;
	char why[160], *out = NULL, *out2 = NULL;
	int line, kind;

	if (size < 1)
		return 0;
	kind = data[0] & 1 ? OVL_DEEP_JSON : OVL_DEEP_INI;
	n = size - 1;
	nul = memchr(p, 0, n);
	lowlen = nul ? (size_t)(nul - p) : n;
	if (ovl_deep_init(&d, (enum ovl_deep_kind)kind) != 0)
		return 0;
	if (ovl_deep_apply(&d, p, lowlen, OVERLAY_PLATFORM, &line, why, sizeof(why)) != 0)
		goto out;
	if (nul != NULL && ovl_deep_apply(&d, nul + 1, n - lowlen - 1,
	    OVERLAY_RHETORIC, &line, why, sizeof(why)) != 0)
		goto out;
	if ((out = ovl_deep_render(&d, &outlen)) == NULL)
		goto out;
	/* The merged file is valid input for the next layer. */
	if (ovl_deep_init(&again, (enum ovl_deep_kind)kind) != 0)
		goto out;
	if (ovl_deep_apply(&again, out, outlen, OVERLAY_TALKING_POINTS, &line, why,
	    sizeof(why)) != 0)
		abort();
	if (kind == OVL_DEEP_INI) {
		/* Rendering is a fixed point: parse(render(x)) renders the same. */
		if ((out2 = ovl_deep_render(&again, &out2len)) == NULL)
			abort();
		if (out2len != outlen || memcmp(out, out2, outlen) != 0)
			abort();
	}
	ovl_deep_free(&again);
out:
	free(out);
	free(out2);
	ovl_deep_free(&d);
	return 0;
}
