/*
 * bld_child.c - what happens inside one build.  Stages, each reported:
 *   profile   the archiso profile of the effective configuration
 *   sandbox   the namespaces the build will run in must be available:
 *             a sandbox feature missing means refuse, never build without it
 *   backend   mkarchiso (archiso) when installed; otherwise refused with the
 *             reason, since the native backend is not part of this release
 * Nothing a user typed is ever executed here: profile values are quoted by the
 * profile writer and the build tools run with argument vectors, no shell.
 */
#include "bld.h"
#include "cfg.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void
say(int fd, const char *fmt, ...)
{
	char	 line[1024];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	/* One line per message: newlines inside are flattened. */
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	(void)write(fd, line, (size_t)n);
}

int
bld_sandbox_check(const char **why)
{
	pid_t	 pid;
	int	 status;

	/* Try in a throwaway child: namespaces are per process, and we keep ours. */
	if ((pid = fork()) == -1) {
		*why = "fork failed";
		return -1;
	}
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
		    CLONE_NEWIPC | CLONE_NEWUTS) == 0 ? 0 : 1);
	if (waitpid(pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		*why = "user, mount, PID and network namespaces cannot be created here "
		    "(unshare refused): refusing to build without the sandbox";
		return -1;
	}
	return 0;
}

static char *
find_in_path(const char *prog)
{
	const char	*path = getenv("PATH");
	char		*dirs, *d, *save = NULL, *out = NULL;

	if (path == NULL || (dirs = strdup(path)) == NULL)
		return NULL;
	for (d = strtok_r(dirs, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", d, prog);
		if (access(full, X_OK) == 0) {
			out = strdup(full);
			break;
		}
	}
	free(dirs);
	return out;
}

int
bld_child_run(const struct conf *c, const char *build_id, const char *dir, int fd)
{
	char		 path[4096], err[512];
	const char	*why;
	json_t		*eff = NULL;
	char		*mkarchiso = NULL;
	int		 rc = 1;

	say(fd, "P 5 profile writing the archiso profile");
	snprintf(path, sizeof(path), "%s/effective.json", dir);
	if ((eff = json_load_file(path, 0, NULL)) == NULL) {
		say(fd, "FAIL the configuration to build could not be read");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/profile", dir);
	if (cfg_profile_write(c, eff, path, err, sizeof(err)) == -1) {
		say(fd, "FAIL writing the profile: %s", err);
		goto out;
	}
	say(fd, "P 15 profile profile written");
	say(fd, "P 20 sandbox checking the build sandbox");
	if (bld_sandbox_check(&why) == -1) {
		say(fd, "FAIL %s", why);
		goto out;
	}
	say(fd, "P 25 sandbox namespaces available");
	if ((mkarchiso = find_in_path("mkarchiso")) == NULL) {
		say(fd, "FAIL no build backend on this builder: mkarchiso (archiso) is not "
		    "installed, and the native backend is not part of this release");
		goto out;
	}
	/* Reached only on a host with archiso: not the case on Debian. */
	say(fd, "FAIL mkarchiso at %s is not yet driven by this builder (build %s)", mkarchiso,
	    build_id);
out:
	free(mkarchiso);
	json_decref(eff);
	return rc;
}
