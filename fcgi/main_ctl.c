/*
 * main_ctl.c - debatectl, the admin command.
 *
 * Usage: debatectl [-c CONF] COMMAND [ARGS]
 *   migrate            apply pending SQL migrations
 *   user add NAME      create an account (password on standard input)
 *   config             check the configuration file and print where it is
 */
#include <stdio.h>
#include <stdlib.h>
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

int	 ctl_resolve_main(int, char **);

/*
 * `debatectl resolve`: with --repo, against the given databases; without,
 * against the configured repositories as last synced (the copies `repo sync`
 * keeps in [web] cache_dir), in priority order.
 */
int
ctl_resolve(const struct conf *c, int argc, char **argv)
{
	char	**av = NULL, *specs[CONF_REPO_MAX] = { NULL };
	size_t	  i;
	int	  a, rc = 2, n = 0;

	for (a = 1; a < argc; a++)
		if (strcmp(argv[a], "--repo") == 0 || strncmp(argv[a], "--repo=", 7) == 0)
			return ctl_resolve_main(argc, argv);
	if (c->nrepos == 0) {
		fprintf(stderr, "debatectl resolve: no repositories configured; give --repo NAME=DBFILE\n");
		return 2;
	}
	if ((av = calloc((size_t)argc + 2 * c->nrepos + 1, sizeof(*av))) == NULL)
		return 2;
	av[n++] = argv[0];
	for (i = 0; i < c->nrepos; i++) {
		if (asprintf(&specs[i], "%s=%s/%s.db", c->repos[i].name, c->web_cache_dir,
		    c->repos[i].name) < 0)
			goto out;
		if (access(strchr(specs[i], '=') + 1, R_OK) != 0) {
			fprintf(stderr, "debatectl resolve: repository %s has not been synced "
			    "(debatectl repo sync)\n", c->repos[i].name);
			goto out;
		}
		av[n++] = "--repo";
		av[n++] = specs[i];
	}
	for (a = 1; a < argc; a++)
		av[n++] = argv[a];
	rc = ctl_resolve_main(n, av);
out:
	for (i = 0; i < c->nrepos; i++)
		free(specs[i]);
	free(av);
	return rc;
}

static const struct ctl_cmd cmds[] = {
	{ "migrate", ctl_migrate, "apply pending SQL migrations" },
	{ "user", ctl_user, "user add NAME: create an account (password on stdin)" },
	{ "config", ctl_config, "check the configuration file" },
	{ "repo", ctl_repo, "repo sync [--force] | repo list: the package catalogue" },
	{ "warm-cache", ctl_warm, "warm-cache [--days N] [--top M]: build popular ISOs ahead" },
	{ "profile", ctl_profile, "profile ID DIR: write a configuration's archiso profile" },
	{ "resolve", ctl_resolve, "resolve [--json] [--repo NAME=DBFILE]... NAME...: an install set" },
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
