/*
 * test_conf.c - the configuration file: defaults, every type of key, and the
 * file:line of every error.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

START_TEST(defaults_without_file)
{
	struct conf	 c;
	char		 err[512];

	unsetenv("DEBATE_CONF");
	ck_assert_int_eq(conf_load(&c, NULL, err, sizeof(err)) == 0 ||
	    access(CONF_DEFAULT_PATH, F_OK) == 0, 1);
	ck_assert_int_eq(c.web_workers > 0, 1);
	ck_assert_str_eq(c.db_web_user, "debate_web");
	conf_free(&c);
}
END_TEST

START_TEST(reads_every_type)
{
	struct conf	 c;
	char		 err[512];
	const char	*text =
	    "# comment\n"
	    "[database]\n host = /tmp/sock \n port=6543\n"
	    "[web]\nworkers = 7\nmax_body = 2M\nsocket_mode = 0600\n"
	    "[limits]\nlogin_window = 60\n"
	    "[repo core]\ndb = /srv/core.db\nserver = file:///srv/pkgs\n"
	    "[repo extra]\ndb = https://mirror/extra.db\n";

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "t.conf", text, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(c.db_host, "/tmp/sock");
	ck_assert_int_eq(c.db_port, 6543);
	ck_assert_int_eq(c.web_workers, 7);
	ck_assert_int_eq(c.web_max_body, 2L << 20);
	ck_assert_int_eq(c.web_socket_mode, 0600);
	ck_assert_int_eq(c.lim_login_window, 60);
	ck_assert_uint_eq(c.nrepos, 2);
	ck_assert_str_eq(c.repos[0].name, "core");
	ck_assert_str_eq(c.repos[0].server, "file:///srv/pkgs");
	ck_assert_str_eq(c.repos[1].db, "https://mirror/extra.db");
	/* Without a server line, packages come from beside the database. */
	ck_assert_str_eq(c.repos[1].server, "https://mirror");
	ck_assert_str_eq(c.repos[0].server, "file:///srv/pkgs");
	conf_free(&c);
}
END_TEST

START_TEST(errors_name_file_and_line)
{
	struct conf	 c;
	char		 err[1024];
	const char	*text =
	    "[web]\n"
	    "workers = lots\n"		/* 2: bad int */
	    "colour = blue\n"		/* 3: unknown key */
	    "[nonsense]\n"		/* 4: unknown section */
	    "[web]\n"
	    "max_body = 12Q\n"		/* 6: bad size */
	    "just words\n"		/* 7: not key = value */
	    "[repo bad name!]\n"	/* 8: bad repo name */
	    "[repo ok]\n"
	    "mirror = x\n";		/* 10: unknown repo key; and no db */

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "my.conf", text, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "my.conf:2: bad value 'lots' for workers"));
	ck_assert_ptr_nonnull(strstr(err, "my.conf:3: unknown key 'colour' in [web]"));
	ck_assert_ptr_nonnull(strstr(err, "my.conf:4: unknown section [nonsense]"));
	ck_assert_ptr_nonnull(strstr(err, "my.conf:6: bad value '12Q' for max_body"));
	ck_assert_ptr_nonnull(strstr(err, "my.conf:7: expected 'key = value'"));
	ck_assert_ptr_nonnull(strstr(err, "my.conf:8: bad repository name"));
	ck_assert_ptr_nonnull(strstr(err, "my.conf:10: unknown key 'mirror' in [repo ok]"));
	ck_assert_ptr_nonnull(strstr(err, "[repo ok] has no 'db ='"));
	/* A bad value leaves the default in place. */
	ck_assert_int_eq(c.web_workers, 4);
	conf_free(&c);
}
END_TEST

START_TEST(default_server_beside_database)
{
	struct conf	 c;
	char		 err[512];

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "d", "[repo local]\ndb = /srv/x/local.db\n"
	    "[repo rel]\ndb = rel.db\n", err, sizeof(err)), 0);
	ck_assert_str_eq(c.repos[0].server, "file:///srv/x");
	ck_assert_str_eq(c.repos[1].server, "file://.");
	conf_free(&c);
}
END_TEST

START_TEST(range_is_enforced)
{
	struct conf	 c;
	char		 err[512];

	conf_defaults(&c);
	ck_assert_int_eq(conf_parse(&c, "r", "[web]\nworkers = 0\n", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "r:2: bad value '0' for workers"));
	ck_assert_int_eq(conf_parse(&c, "r", "[database]\nport = 70000\n", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse(&c, "r", "[database]\nhost =\n", err, sizeof(err)), -1);
	ck_assert_int_eq(conf_parse(&c, "r", "[repo a]\ndb = x\n[repo a]\ndb = y\n", err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "defined twice"));
	conf_free(&c);
}
END_TEST

START_TEST(load_reports_missing_explicit_file)
{
	struct conf	 c;
	char		 err[512];

	ck_assert_int_eq(conf_load(&c, "/nonexistent/debate.conf", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/debate.conf:0: No such file"));
	conf_free(&c);
}
END_TEST

START_TEST(load_from_env)
{
	struct conf	 c;
	char		 err[512], path[] = "/tmp/debate-conf-XXXXXX";
	int		 fd = mkstemp(path);
	FILE		*f = fdopen(fd, "w");

	fputs("[web]\nworkers = 9\n", f);
	fclose(f);
	setenv("DEBATE_CONF", path, 1);
	ck_assert_int_eq(conf_load(&c, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(c.web_workers, 9);
	ck_assert_str_eq(c.path, path);
	conf_free(&c);
	unlink(path);
	unsetenv("DEBATE_CONF");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("conf");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, defaults_without_file);
	tcase_add_test(tc, reads_every_type);
	tcase_add_test(tc, errors_name_file_and_line);
	tcase_add_test(tc, default_server_beside_database);
	tcase_add_test(tc, range_is_enforced);
	tcase_add_test(tc, load_reports_missing_explicit_file);
	tcase_add_test(tc, load_from_env);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
