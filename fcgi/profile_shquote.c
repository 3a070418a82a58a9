/*
 * profile_shquote.c - quoting for the generated profiledef.sh.  Inside single
 * quotes bash expands nothing ($, `, \, newlines and every byte are literal)
 * and the only character that cannot appear is the quote itself, which is
 * closed, escaped and reopened: ' -> '\''.
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

char *
profile_shquote(const char *s)
{
	size_t n = 2, i;
	char *out, *p;

	if (s == NULL)
		return NULL;
	for (i = 0; s[i] != '\0'; i++)
		n += s[i] == '\'' ? 4 : 1;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	p = out;
	*p++ = '\'';
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else
			*p++ = s[i];
	}
	*p++ = '\'';
	*p = '\0';
	return out;
}
