/*
 * overlay_path.c - the rules for a path inside the live root.  The profile
 * writer relies on them: a path that passes can be created component by
 * component under airootfs/ without ever leaving it.
 */
#include "overlay.h"

#include <string.h>

/* Mounted over at boot (pseudo file systems and the runtime tmpfs). */
static const char *const mounted[] = { "/proc", "/sys", "/dev", "/run" };

/*
 * Symlinks that Arch's filesystem package (and pacman's usrmerge) ships.  A
 * file through one of them would make mkarchiso create a real directory where
 * pacman then wants to put the link; a file onto one replaces the link.
 */
static const char *const symlinks[] = {
	"/bin", "/sbin", "/lib", "/lib64", "/usr/sbin", "/usr/lib64",
	"/var/run", "/var/lock", "/var/mail", "/etc/mtab", "/usr/local/share/man",
};

/* Equal to prefix, or below it. */
static int
under(const char *path, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (len < n || memcmp(path, prefix, n) != 0)
		return 0;
	return len == n || path[n] == '/';
}

int
overlay_path_check(const char *path, size_t len, const char **why)
{
	const char *reason = NULL;
	size_t i, start;

	if (path == NULL || len == 0) {
		reason = "must not be empty";
		goto out;
	}
	if (len > OVERLAY_PATH_MAX) {
		reason = "longer than 4096 bytes";
		goto out;
	}
	if (path[0] != '/') {
		reason = "must be absolute (start with '/')";
		goto out;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];

		if (c == 0) {
			reason = "contains a NUL byte";
			goto out;
		}
		if (c < 0x20 || c == 0x7f) {
			reason = "contains a control character";
			goto out;
		}
	}
	if (len == 1) {
		reason = "is the root directory, not a file";
		goto out;
	}
	if (path[len - 1] == '/') {
		reason = "ends with '/': a file path is expected";
		goto out;
	}
	/* Walk the components between slashes. */
	for (start = 1, i = 1; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		if (i == start) {
			reason = "contains an empty component ('//')";
			goto out;
		}
		if ((i - start == 1 && path[start] == '.') ||
		    (i - start == 2 && path[start] == '.' && path[start + 1] == '.')) {
			reason = "contains a '.' or '..' component";
			goto out;
		}
		start = i + 1;
	}
	for (i = 0; i < sizeof(mounted) / sizeof(mounted[0]); i++)
		if (under(path, len, mounted[i])) {
			reason = "is under /proc, /sys, /dev or /run, which are mounted over at boot";
			goto out;
		}
	for (i = 0; i < sizeof(symlinks) / sizeof(symlinks[0]); i++)
		if (under(path, len, symlinks[i])) {
			reason = "goes through or onto a symlink of the base system "
			    "(use the /usr path it points to)";
			goto out;
		}
	if (under(path, len, "/root/customize_airootfs.sh") ||
	    under(path, len, "/etc/pacman.d/hooks")) {
		reason = "is run by mkarchiso at build time, which is not allowed";
		goto out;
	}
out:
	if (reason != NULL && why != NULL)
		*why = reason;
	return reason == NULL ? 0 : -1;
}
