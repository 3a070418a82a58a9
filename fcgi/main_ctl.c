/*
 * main_ctl.c - debatectl, the admin command.
 *
 * Usage: debatectl [-c CONF] COMMAND [ARGS]
 *   migrate            apply pending SQL migrations
 *   user add NAME      create an account (password on standard input)
 *   config             check the configuration file and print where it is
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "ctl.h"

struct ctl_cmd {
	const char	*name;
	int		(*run)(const struct conf *, int, char **);
	const char	*help;
};

static int
ctl_config(const struct conf *c, int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: debatectl config\n");
		return 2;
	}
	printf("%s: ok (%zu repositories)\n", c->path ? c->path : "(defaults)", c->nrepos);
	return 0;
}

static const struct ctl_cmd cmds[] = {
	{ "migrate", ctl_migrate, "apply pending SQL migrations" },
	{ "user", ctl_user, "user add NAME: create an account (password on stdin)" },
	{ "config", ctl_config, "check the configuration file" },
};

static int
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: debatectl [-c CONF] COMMAND [ARGS]\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	return 2;
}

int
main(int argc, char **argv)
{
	struct conf	 c;
	char		 err[4096];
	const char	*path = NULL;
	size_t		 i;
	int		 ch, rc = 2;

	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		if (ch == 'c')
			path = optarg;
		else
			return usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		return usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0]))
		return usage();
	if (conf_load(&c, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s", err);
		rc = 1;
	} else
		rc = cmds[i].run(&c, argc, argv);
	conf_free(&c);
	return rc;
}
