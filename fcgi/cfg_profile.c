/*
 * cfg_profile.c - the archiso profile of an effective configuration, as a
 * directory (debatectl profile) or a tarball (the API), with the configured
 * repositories in its pacman.conf.
 */
#define _XOPEN_SOURCE 700
#include "cfg.h"
#include "profile.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
cfg_profile_write(const struct conf *c, const json_t *effective, const char *dir, char *err,
    size_t errsz)
{
	struct profile_repo	repos[CONF_REPO_MAX];
	size_t			i;

	for (i = 0; i < c->nrepos; i++) {
		if (c->repos[i].server == NULL) {
			snprintf(err, errsz, "[repo %s] has no server = line", c->repos[i].name);
			return -1;
		}
		repos[i].name = c->repos[i].name;
		repos[i].server = c->repos[i].server;
	}
	return profile_write(effective, repos, c->nrepos, dir, err, errsz);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Run tar over dir/profile, collecting its standard output.  NULL on failure. */
static char *
tar_gz(const char *dir, size_t *len, char *err, size_t errsz)
{
	char	*buf = NULL;
	size_t	 cap = 0;
	int	 fds[2], status;
	pid_t	 pid;
	ssize_t	 n;

	*len = 0;
	if (pipe(fds) == -1 || (pid = fork()) == -1) {
		snprintf(err, errsz, "tar: %s", strerror(errno));
		return NULL;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("tar", "tar", "-C", dir, "--owner=0", "--group=0", "--numeric-owner",
		    "--sort=name", "-czf", "-", "profile", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		if (*len + 65536 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 262144);

			if (nb == NULL)
				break;
			buf = nb;
		}
		if ((n = read(fds[0], buf + *len, cap - *len)) <= 0)
			break;
		*len += (size_t)n;
	}
	close(fds[0]);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errsz, "tar failed");
		free(buf);
		return NULL;
	}
	return buf;
}

char *
cfg_profile_tarball(const struct conf *c, const json_t *effective, size_t *len, char *err,
    size_t errsz)
{
	char	 tmp[] = "/tmp/debate-profile-XXXXXX", dir[64];
	char	*out = NULL;

	if (mkdtemp(tmp) == NULL) {
		snprintf(err, errsz, "mkdtemp: %s", strerror(errno));
		return NULL;
	}
	snprintf(dir, sizeof(dir), "%s/profile", tmp);
	if (cfg_profile_write(c, effective, dir, err, errsz) == 0)
		out = tar_gz(tmp, len, err, errsz);
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return out;
}
