/*
 * profile_int.h - what the profile_*.c files share: file system helpers that
 * never follow a symlink, and the boot loader configuration texts.
 */
#ifndef DEBATE_PROFILE_INT_H
#define DEBATE_PROFILE_INT_H

#include <sys/types.h>

#include <jansson.h>

#include "overlay_int.h"
#include "profile.h"

/*
 * Write data to rel (a relative path "a/b/c" of at most OVERLAY_PATH_MAX
 * bytes) under the directory root: missing directories are made 0755 with
 * mkdirat, every directory is entered with O_NOFOLLOW, the file is created
 * with O_EXCL|O_NOFOLLOW and given exactly mode.  Returns 0, or -1 with errno.
 */
int	 pfs_write(int root, const char *rel, const void *data, size_t len, mode_t mode);

/* Remove the tree name under dirfd without following symlinks; -1 with errno. */
int	 pfs_rmtree(int dirfd, const char *name);

/* Boot configuration for the boot modes of iso, one entry per kernel. */
int	 pboot_syslinux(struct ovl_buf *b, const json_t *kernels);
int	 pboot_loader_conf(struct ovl_buf *b, const json_t *kernels);
int	 pboot_sdboot_entry(struct ovl_buf *b, const char *kernel, size_t n);
int	 pboot_grub(struct ovl_buf *b, const json_t *kernels);

/* The kernel packages among names (a sorted array of strings): a new array. */
json_t	*pboot_kernels(const json_t *names);

#endif
