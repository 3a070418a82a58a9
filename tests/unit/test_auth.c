/*
 * test_auth.c - names, passwords, hashes, tokens, cookies and the CSRF rule.
 */
#include <check.h>
#include <string.h>

#include "auth.h"

START_TEST(utf8_lengths)
{
	ck_assert_int_eq(auth_utf8_len(""), 0);
	ck_assert_int_eq(auth_utf8_len("abc"), 3);
	ck_assert_int_eq(auth_utf8_len("Zo\xc3\xab"), 3);		/* Zoë */
	ck_assert_int_eq(auth_utf8_len("\xf0\x9f\xa6\x80"), 1);	/* crab */
	ck_assert_int_eq(auth_utf8_len("\xff"), -1);
	ck_assert_int_eq(auth_utf8_len("\xc0\xaf"), -1);		/* overlong '/' */
	ck_assert_int_eq(auth_utf8_len("\xed\xa0\x80"), -1);		/* surrogate */
	ck_assert_int_eq(auth_utf8_len("\xe2\x82"), -1);		/* truncated */
}
END_TEST

START_TEST(name_rules)
{
	char long_name[66];

	ck_assert_ptr_null(auth_name_check("alice"));
	ck_assert_ptr_null(auth_name_check("Robert'); DROP TABLE users;--"));
	ck_assert_ptr_null(auth_name_check("\xe8\xae\xba\xe8\xbe\xa9"));
	ck_assert_ptr_nonnull(auth_name_check(""));
	ck_assert_ptr_nonnull(auth_name_check(" alice"));
	ck_assert_ptr_nonnull(auth_name_check("alice "));
	ck_assert_ptr_nonnull(auth_name_check("a\tb"));
	ck_assert_ptr_nonnull(auth_name_check("a\x7f"));
	ck_assert_ptr_nonnull(auth_name_check("a\xc2\x85"));	/* C1 NEL */
	ck_assert_ptr_nonnull(auth_name_check("\xff"));
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	ck_assert_ptr_null(auth_name_check(long_name));
	long_name[64] = 'a';
	long_name[65] = '\0';
	ck_assert_ptr_nonnull(auth_name_check(long_name));
}
END_TEST

START_TEST(password_rules)
{
	ck_assert_ptr_null(auth_password_check("correct horse battery", "alice"));
	ck_assert_ptr_nonnull(auth_password_check("short", "alice"));
	ck_assert_ptr_nonnull(auth_password_check("aaaaaaaaaaaaaaaa", "alice"));
	ck_assert_ptr_nonnull(auth_password_check("abababababab", "alice"));
	ck_assert_ptr_nonnull(auth_password_check("Password123", "alice"));
	ck_assert_ptr_nonnull(auth_password_check("alice-the-great", "ALICE-THE-GREAT"));
}
END_TEST

START_TEST(hash_and_verify)
{
	struct conf	 c;
	char		 h[AUTH_HASH_MAX];

	conf_defaults(&c);
	c.web_password_mem = 8L << 20;
	c.web_password_ops = 1;
	ck_assert_int_eq(auth_init(), 0);
	ck_assert_int_eq(auth_password_hash(&c, "correct horse battery", h), 0);
	ck_assert_int_eq(strncmp(h, "$argon2id$", 10), 0);
	ck_assert_int_eq(auth_password_verify(h, "correct horse battery"), 1);
	ck_assert_int_eq(auth_password_verify(h, "correct horse batterY"), 0);
	ck_assert_int_eq(auth_password_verify("garbage", "x"), 0);
	conf_free(&c);
}
END_TEST

START_TEST(tokens_and_cookies)
{
	char	 t1[65], h1[65], t2[65], h2[65], got[65], hdr[256];

	auth_init();
	auth_token_new(t1, h1);
	auth_token_new(t2, h2);
	ck_assert_uint_eq(strlen(t1), 64);
	ck_assert_str_ne(t1, t2);
	ck_assert_str_ne(t1, h1);
	auth_token_hash(t1, got);
	ck_assert_str_eq(got, h1);
	snprintf(hdr, sizeof(hdr), "theme=dark; debate_session=%s; x=1", t1);
	ck_assert_int_eq(auth_cookie_token(hdr, got), 0);
	ck_assert_str_eq(got, t1);
	ck_assert_int_eq(auth_cookie_token(NULL, got), -1);
	ck_assert_int_eq(auth_cookie_token("debate_session=short", got), -1);
	ck_assert_int_eq(auth_cookie_token("xdebate_session=" "0000000000000000000000000000000000000000000000000000000000000000", got), -1);
	ck_assert_int_eq(auth_cookie_token("debate_session=" "ZZZZ000000000000000000000000000000000000000000000000000000000000", got), -1);
}
END_TEST

START_TEST(csrf_rule)
{
	struct api_req	 r;
	const char	*why;

	memset(&r, 0, sizeof(r));
	r.host = "debate.example:8080";
	ck_assert_int_eq(auth_csrf_check(&r, &why), -1);		/* nothing at all */
	r.origin = "http://debate.example:8080";
	ck_assert_int_eq(auth_csrf_check(&r, &why), 0);
	r.origin = "http://debate.example:8081";
	ck_assert_int_eq(auth_csrf_check(&r, &why), -1);
	r.origin = "https://debate.example:8080";		/* scheme matters */
	ck_assert_int_eq(auth_csrf_check(&r, &why), -1);
	r.tls = 1;
	ck_assert_int_eq(auth_csrf_check(&r, &why), 0);
	r.origin = NULL;
	r.referer = "https://debate.example:8080/builds";
	ck_assert_int_eq(auth_csrf_check(&r, &why), 0);
	r.referer = "https://debate.example:8080.evil.com/";
	ck_assert_int_eq(auth_csrf_check(&r, &why), -1);
	r.referer = NULL;
	r.requested_with = "XMLHttpRequest";
	ck_assert_int_eq(auth_csrf_check(&r, &why), 0);
	r.fetch_site = "cross-site";
	ck_assert_int_eq(auth_csrf_check(&r, &why), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("auth");
	TCase	*tc = tcase_create("auth");
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, utf8_lengths);
	tcase_add_test(tc, name_rules);
	tcase_add_test(tc, password_rules);
	tcase_add_test(tc, hash_and_verify);
	tcase_add_test(tc, tokens_and_cookies);
	tcase_add_test(tc, csrf_rule);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
