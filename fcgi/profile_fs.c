/*
 * profile_fs.c - creating and removing the profile tree relative to an open
 * directory, never through a symlink: whatever appears in the tree while we
 * write it, nothing lands outside.
 */
#include "profile_int.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

/*
 * The directory that holds rel's last component, made as needed: a new fd
 * the caller closes, with *base pointing into rel; -1 with errno.
 */
static int
open_parent(int root, const char *rel, const char **base)
{
	char comp[NAME_MAX + 1];
	const char *p = rel, *slash;
	int fd = -1, nfd;

	if ((fd = fcntl(root, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	while ((slash = strchr(p, '/')) != NULL) {
		size_t n = (size_t)(slash - p);

		if (n == 0 || n > NAME_MAX) {
			errno = n ? ENAMETOOLONG : EINVAL;
			goto fail;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (mkdirat(fd, comp, 0755) != 0 && errno != EEXIST)
			goto fail;
		/* EEXIST may be anything: O_NOFOLLOW|O_DIRECTORY refuses links and files. */
		if ((nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			goto fail;
		close(fd);
		fd = nfd;
		p = slash + 1;
	}
	if (*p == '\0' || strlen(p) > NAME_MAX) {
		errno = *p ? ENAMETOOLONG : EINVAL;
		goto fail;
	}
	*base = p;
	return fd;
fail:
	nfd = errno;
	close(fd);
	errno = nfd;
	return -1;
}

int
pfs_write(int root, const char *rel, const void *data, size_t len, mode_t mode)
{
	const char *base, *p = data;
	int dfd = -1, fd = -1, rc = -1, saved;

	if ((dfd = open_parent(root, rel, &base)) < 0)
		goto out;
	if ((fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0)
		goto out;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		p += w;
		len -= (size_t)w;
	}
	/* fchmod, not the open mode: the umask must not change what was asked. */
	if (fchmod(fd, mode) != 0)
		goto out;
	rc = 0;
out:
	saved = errno;
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		saved = errno;
		rc = -1;
	}
	if (dfd >= 0)
		close(dfd);
	errno = saved;
	return rc;
}

int
pfs_rmtree(int dirfd, const char *name)
{
	DIR *d = NULL;
	struct dirent *e;
	int fd, rc = -1, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) < 0) {
		/* Not a directory (or a link to one): just unlink it. */
		return unlinkat(dirfd, name, 0);
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			goto out;
		if (S_ISDIR(st.st_mode) ? pfs_rmtree(fd, e->d_name) != 0 :
		    unlinkat(fd, e->d_name, 0) != 0)
			goto out;
	}
	rc = unlinkat(dirfd, name, AT_REMOVEDIR);
out:
	saved = errno;
	if (d != NULL)
		closedir(d);
	errno = saved;
	return rc;
}
