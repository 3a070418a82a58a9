/*
 * auth_password.c - Argon2id password hashes (libsodium) and the rules for
 * account names and passwords.
 */
#include "auth.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

int
auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int
auth_password_hash(const struct conf *c, const char *password, char *out)
{
	if (crypto_pwhash_str_alg(out, password, strlen(password),
	    (unsigned long long)c->web_password_ops, (size_t)c->web_password_mem,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	return 0;
}

int
auth_password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void
auth_password_dummy(const struct conf *c, const char *password)
{
	char h[crypto_pwhash_STRBYTES];

	/* Same cost as a real check, so unknown names do not answer faster. */
	(void)auth_password_hash(c, password, h);
}

/*
 * Count the characters of s, or -1 when s is not valid UTF-8 (overlong forms,
 * surrogates and code points past U+10FFFF are invalid).
 */
long
auth_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	while (*p) {
		unsigned cp, need, i;

		if (*p < 0x80) { cp = *p; need = 0; }
		else if ((*p & 0xe0) == 0xc0) { cp = *p & 0x1f; need = 1; }
		else if ((*p & 0xf0) == 0xe0) { cp = *p & 0x0f; need = 2; }
		else if ((*p & 0xf8) == 0xf0) { cp = *p & 0x07; need = 3; }
		else return -1;
		for (i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += need + 1;
		n++;
	}
	return n;
}

/*
 * Names: 1 to AUTH_NAME_MAX characters of valid UTF-8, no control characters
 * (C0, DEL, C1), no leading or trailing space.  Anything else printable,
 * quotes and SQL metacharacters included, is a legal name: values only ever
 * reach SQL as parameters.
 */
const char *
auth_name_check(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	long n = auth_utf8_len(name);

	if (n < 0)
		return "name must be valid UTF-8";
	if (n == 0)
		return "name must not be empty";
	if (n > AUTH_NAME_MAX)
		return "name must be at most 64 characters";
	if (isspace(p[0]) || isspace(p[strlen(name) - 1]))
		return "name must not start or end with a space";
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "name must not contain control characters";
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return "name must not contain control characters";
	}
	return NULL;
}

static const char *const common_passwords[] = {
	"password", "password1", "password123", "1234567890", "12345678910",
	"qwertyuiop", "0123456789", "iloveyou12", "letmein123", "welcome123",
	"administrator", "passw0rd123", "abcdefghij", "qwerty1234", "1q2w3e4r5t",
};

/*
 * Passwords: at least AUTH_PASSWORD_MIN characters, at most AUTH_PASSWORD_MAX
 * bytes, at least 5 different characters, not the name, not a well-known one.
 */
const char *
auth_password_check(const char *password, const char *name)
{
	unsigned char	 seen[256] = { 0 };
	long		 n = auth_utf8_len(password);
	size_t		 i, distinct = 0;

	if (n < 0)
		return "password must be valid UTF-8";
	if (n < AUTH_PASSWORD_MIN)
		return "password must be at least 10 characters";
	if (strlen(password) > AUTH_PASSWORD_MAX)
		return "password must be at most 1024 bytes";
	for (i = 0; password[i]; i++)
		if (!seen[(unsigned char)password[i]]++)
			distinct++;
	if (distinct < 5)
		return "password is too repetitive";
	if (name != NULL && strcasecmp(password, name) == 0)
		return "password must not be the account name";
	for (i = 0; i < sizeof(common_passwords) / sizeof(common_passwords[0]); i++)
		if (strcasecmp(password, common_passwords[i]) == 0)
			return "password is too common";
	return NULL;
}
