/*
 * profile.h - the archiso profile writer: an effective configuration (see
 * overlay.h) becomes a profile directory exactly as mkarchiso (archiso v88)
 * reads it:
 *
 *   profiledef.sh          generated; every value single-quoted, nothing a
 *                          user typed is ever expanded or executed
 *   packages.x86_64        the effective packages, pinned providers, and what
 *                          the boot needs (mkinitcpio, mkinitcpio-archiso;
 *                          syslinux for bios.syslinux) - see profile_packages()
 *   pacman.conf            [options] and the given repositories in order
 *   airootfs/...           the merged files, plus the archiso initramfs
 *                          configuration (etc/mkinitcpio.conf.d/archiso.conf,
 *                          etc/mkinitcpio.d/KERNEL.preset) unless the
 *                          configuration brings its own
 *   syslinux/syslinux.cfg                      (bios.syslinux)
 *   efiboot/loader/loader.conf, entries/NN-debate-KERNEL.conf  (uefi.systemd-boot)
 *   grub/grub.cfg                              (uefi.grub)
 *
 * Boot files use archiso's %ARCHISO_LABEL%, %INSTALL_DIR% and %ARCH% tokens
 * and one entry per kernel package found (linux, linux-lts, linux-zen,
 * linux-hardened, linux-rt, linux-rt-lts; "linux" when none is).
 */
#ifndef DEBATE_PROFILE_H
#define DEBATE_PROFILE_H

#include <stddef.h>

#include <jansson.h>

/* A pacman repository: [name] with one Server line. */
struct profile_repo {
	const char	*name;		/* [A-Za-z0-9._-]+ */
	const char	*server;	/* URL; $repo and $arch are pacman's to expand */
};

/*
 * Write the profile for effective into dir, which must not exist or be an
 * empty directory (its parent must exist).  Everything is written into a
 * fresh sibling directory with openat/mkdirat and O_NOFOLLOW, then renamed
 * over dir, so dir is either complete or untouched.  repos: pacman.conf
 * repositories in priority order (nrepos may be 0).  Returns 0, or -1 with
 * a message in err.
 */
int	 profile_write(const json_t *effective, const struct profile_repo *repos,
	    size_t nrepos, const char *dir, char *err, size_t errsz);

/*
 * s as one shell word: wrapped in single quotes, each ' written as '\''.
 * Returns a new string the caller frees, or NULL when out of memory.
 */
char	*profile_shquote(const char *s);

/*
 * The package list profile_write puts in packages.x86_64: a new sorted array
 * of unique names (caller decrefs), or NULL when effective has no package list.
 */
json_t	*profile_packages(const json_t *effective);

#endif
