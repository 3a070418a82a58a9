/*
 * test_profile.c - the archiso profile writer: every file mkarchiso (v88)
 * reads for the chosen boot modes exists, profiledef.sh passes bash -n, and
 * sourced in a clean shell it defines exactly the user's values even when
 * they hold quotes, $(...), backticks, newlines and unicode - with nothing
 * executed on the way.
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "overlay.h"
#include "profile.h"

static char marker[128];	/* must never come to exist */
static char tmpdir[128];

static const struct profile_repo repos[] = {
	{ "core", "https://mirror.example/$repo/os/$arch" },
	{ "extra", "https://mirror.example/$repo/os/$arch" },
};

/* Hostile values; the marker path is filled in by setup(). */
static char publisher[512], application[512], hostile_path[512];

static void
setup(void)
{
	snprintf(marker, sizeof(marker), "/tmp/debate-pwned-%ld", (long)getpid());
	unlink(marker);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/debate-profile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(publisher, sizeof(publisher),
	    "O'Brien \"Ltd\" $(touch %s) `touch %s` ${HOME} \\ \n second line ✓ Ünïcødé 'x'", marker, marker);
	snprintf(application, sizeof(application), "';touch %s;'\n$((1+1)) !! \\'", marker);
	snprintf(hostile_path, sizeof(hostile_path), "/etc/it's \"$(touch %s)\" `touch %s` ü", marker, marker);
}

static void
teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(access(marker, F_OK) != 0, "something executed a user value");
}

/* The effective configuration for a document built around the hostile values. */
static json_t *
effective(const char *bootmodes_json, const char *kernel)
{
	char err[512];
	json_t *modes = json_loads(bootmodes_json, 0, NULL), *doc, *errs, *eff;

	doc = json_pack("{s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:o},"
	    " s:{s:{s:[s, s, s], s:{s:s}, s:[{s:s, s:s, s:s, s:s}, {s:s, s:s},"
	    " {s:s, s:s, s:s, s:s}]}}}",
	    "name", "profile test",
	    "iso", "name", "debate", "label", "DEBATE_TEST", "publisher", publisher,
	    "application", application, "version", "2026.12", "install_dir", "dbt",
	    "bootmodes", modes,
	    "layers", "opening_statement", "packages", "base", kernel, "vim",
	    "pins", "sh", "bash",
	    "files", "path", "/usr/local/bin/hello", "content", "#!/bin/sh\necho hi\n",
	    "mode", "0755", "owner", "1000",
	    "path", hostile_path, "content", "x",
	    "path", "/etc/shadow", "content", "root::1::::::\n", "mode", "0400", "group", "0");
	ck_assert_ptr_nonnull(doc);
	errs = overlay_validate(doc, NULL);
	ck_assert_msg(errs == NULL, "invalid: %s", errs ? json_dumps(errs, 0) : "");
	eff = overlay_merge(doc, err, sizeof(err));
	ck_assert_msg(eff != NULL, "%s", err);
	json_decref(doc);
	return eff;
}

static char *
path_in(const char *dir, const char *rel)
{
	static char buf[4][1024];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, rel);
	return buf[k];
}

/* A stable copy of a path_in() result (path_in's buffers rotate). */
static char *
keep(const char *s)
{
	static char slots[8][1024];
	static int k;

	k = (k + 1) % 8;
	snprintf(slots[k], sizeof(slots[k]), "%s", s);
	return slots[k];
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	do {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			ck_assert_ptr_nonnull(buf = realloc(buf, cap + 1));
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static void
ck_file(const char *dir, const char *rel, mode_t mode)
{
	struct stat st;
	const char *p = path_in(dir, rel);

	ck_assert_msg(lstat(p, &st) == 0, "%s missing", rel);
	ck_assert_msg(S_ISREG(st.st_mode), "%s not a regular file", rel);
	ck_assert_msg((st.st_mode & 07777) == mode, "%s mode %o, want %o", rel,
	    (unsigned)(st.st_mode & 07777), (unsigned)mode);
	ck_assert_msg(st.st_size > 0, "%s empty", rel);
}

static int
contains(const char *dir, const char *rel, const char *needle)
{
	char *text = slurp(path_in(dir, rel), NULL);
	int yes = strstr(text, needle) != NULL;

	free(text);
	return yes;
}

/* Run a bash script; its stdout split at NULs into out (caller frees each). */
static size_t
bash_fields(const char *script, char **out, size_t max)
{
	char *cmd, *q = profile_shquote(script), *buf = NULL;
	size_t n = 0, cap = 0, r, k = 0, i, start = 0;
	FILE *p;

	ck_assert_ptr_nonnull(q);
	ck_assert_int_ge(asprintf(&cmd, "env -i /bin/bash --noprofile --norc -c %s", q), 0);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	do {
		if (n + 4096 > cap) {
			cap = cap ? cap * 2 : 8192;
			ck_assert_ptr_nonnull(buf = realloc(buf, cap));
		}
		r = fread(buf + n, 1, cap - n, p);
		n += r;
	} while (r > 0);
	ck_assert_int_eq(pclose(p), 0);
	for (i = 0; i < n && k < max; i++)
		if (buf[i] == '\0') {
			out[k++] = strndup(buf + start, i - start);
			start = i + 1;
		}
	free(buf);
	free(cmd);
	free(q);
	return k;
}

START_TEST(shquote)
{
	char *q, in[256], *fields[1], *script;
	int i;

	q = profile_shquote("it's");
	ck_assert_str_eq(q, "'it'\\''s'");
	free(q);
	q = profile_shquote("");
	ck_assert_str_eq(q, "''");
	free(q);
	ck_assert_ptr_null(profile_shquote(NULL));

	/* Every byte but NUL survives a round trip through bash. */
	for (i = 1; i < 256; i++)
		in[i - 1] = (char)i;
	in[255] = '\0';
	q = profile_shquote(in);
	ck_assert_int_ge(asprintf(&script, "printf '%%s\\0' %s", q), 0);
	ck_assert_int_eq(bash_fields(script, fields, 1), 1);
	ck_assert_mem_eq(fields[0], in, 256);
	free(fields[0]);
	free(script);
	free(q);
}
END_TEST

START_TEST(writes_every_file_mkarchiso_reads)
{
	json_t *eff = effective("[\"bios.syslinux\", \"uefi.systemd-boot\"]", "linux-lts");
	char *dir = keep(path_in(tmpdir, "profile")), err[512], *pk, *rel;
	struct stat st;

	ck_assert_msg(profile_write(eff, repos, 2, dir, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(lstat(dir, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	ck_assert_int_eq(st.st_mode & 0777, 0755);
	/* What _read_profile and the iso build mode read. */
	ck_file(dir, "profiledef.sh", 0644);
	ck_file(dir, "packages.x86_64", 0644);
	ck_file(dir, "pacman.conf", 0644);
	ck_assert_int_eq(stat(path_in(dir, "airootfs"), &st), 0);
	/* bios.syslinux: a .cfg in syslinux/, and the syslinux package. */
	ck_file(dir, "syslinux/syslinux.cfg", 0644);
	/* uefi.systemd-boot: loader.conf and at least one entry file. */
	ck_file(dir, "efiboot/loader/loader.conf", 0644);
	ck_file(dir, "efiboot/loader/entries/01-debate-linux-lts.conf", 0644);
	ck_assert_int_ne(stat(path_in(dir, "grub/grub.cfg"), &st), 0);

	pk = slurp(path_in(dir, "packages.x86_64"), NULL);
	ck_assert_ptr_nonnull(strstr(pk, "\nsyslinux\n"));
	ck_assert_ptr_nonnull(strstr(pk, "\nmkinitcpio-archiso\n"));
	ck_assert_ptr_nonnull(strstr(pk, "\nlinux-lts\n"));
	ck_assert_ptr_nonnull(strstr(pk, "\nbash\n"));		/* the pinned provider */
	free(pk);
	ck_assert(contains(dir, "pacman.conf", "[core]\nServer = https://mirror.example/$repo/os/$arch\n"));
	ck_assert(contains(dir, "pacman.conf", "\n[extra]\n"));

	/* archiso's tokens, and the kernel actually installed. */
	ck_assert(contains(dir, "syslinux/syslinux.cfg",
	    "LINUX /%INSTALL_DIR%/boot/%ARCH%/vmlinuz-linux-lts"));
	ck_assert(contains(dir, "syslinux/syslinux.cfg", "archisolabel=%ARCHISO_LABEL%"));
	ck_assert(contains(dir, "efiboot/loader/entries/01-debate-linux-lts.conf",
	    "initrd   /%INSTALL_DIR%/boot/%ARCH%/initramfs-linux-lts.img"));

	/* The merged files with their modes, and the archiso initramfs setup. */
	ck_file(dir, "airootfs/usr/local/bin/hello", 0755);
	ck_file(dir, "airootfs/etc/shadow", 0400);
	rel = NULL;
	ck_assert_int_ge(asprintf(&rel, "airootfs%s", hostile_path), 0);
	ck_file(dir, rel, 0644);
	free(rel);
	ck_file(dir, "airootfs/etc/mkinitcpio.conf.d/archiso.conf", 0644);
	ck_file(dir, "airootfs/etc/mkinitcpio.d/linux-lts.preset", 0644);
	ck_assert(contains(dir, "airootfs/etc/mkinitcpio.d/linux-lts.preset",
	    "ALL_kver='/boot/vmlinuz-linux-lts'"));
	json_decref(eff);
}
END_TEST

START_TEST(grub_bootmode)
{
	json_t *eff = effective("[\"uefi.grub\"]", "linux");
	char *dir = keep(path_in(tmpdir, "g")), err[512], *pk;
	struct stat st;

	ck_assert_msg(profile_write(eff, NULL, 0, dir, err, sizeof(err)) == 0, "%s", err);
	ck_file(dir, "grub/grub.cfg", 0644);
	ck_assert(contains(dir, "grub/grub.cfg", "search --no-floppy --set=root --label %ARCHISO_LABEL%"));
	ck_assert(contains(dir, "grub/grub.cfg", "linux /%INSTALL_DIR%/boot/%ARCH%/vmlinuz-linux archisobasedir="));
	ck_assert_int_ne(stat(path_in(dir, "syslinux"), &st), 0);
	ck_assert_int_ne(stat(path_in(dir, "efiboot"), &st), 0);
	pk = slurp(path_in(dir, "packages.x86_64"), NULL);
	ck_assert_ptr_null(strstr(pk, "syslinux"));
	free(pk);
	json_decref(eff);
}
END_TEST

START_TEST(profiledef_is_inert_and_exact)
{
	json_t *eff = effective("[\"bios.syslinux\", \"uefi.systemd-boot\"]", "linux");
	char *dir = keep(path_in(tmpdir, "p")), err[512], *cmd, *q, *script, *f[64];
	const char *want[] = {
		"debate", "DEBATE_TEST", publisher, application, "2026.12", "dbt",
		"x86_64", "pacman.conf", "squashfs", "iso",
		"bios.syslinux", "uefi.systemd-boot", "-comp", "zstd", "-b", "1M",
	};
	size_t n, i;

	ck_assert_msg(profile_write(eff, repos, 1, dir, err, sizeof(err)) == 0, "%s", err);
	q = profile_shquote(path_in(dir, "profiledef.sh"));
	ck_assert_int_ge(asprintf(&cmd, "bash -n %s", q), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);

	/* Sourced the way mkarchiso does it: from inside a function. */
	ck_assert_int_ge(asprintf(&script,
	    "set -eu; declare -A file_permissions=(); load() { source %s; }; load;"
	    " printf '%%s\\0' \"$iso_name\" \"$iso_label\" \"$iso_publisher\" \"$iso_application\""
	    " \"$iso_version\" \"$install_dir\" \"$arch\" \"$pacman_conf\" \"$airootfs_image_type\""
	    " \"${buildmodes[@]}\" \"${bootmodes[@]}\" \"${airootfs_image_tool_options[@]}\";"
	    " printf '%%s\\0' \"${#file_permissions[@]}\" \"${file_permissions[/etc/shadow]}\""
	    " \"${file_permissions[/usr/local/bin/hello]}\";"
	    " for k in \"${!file_permissions[@]}\"; do case $k in /etc/it*) printf '%%s\\0' \"$k\" \"${file_permissions[$k]}\";; esac; done",
	    q), 0);
	n = bash_fields(script, f, 64);
	ck_assert_int_eq(n, sizeof(want) / sizeof(want[0]) + 5);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strcmp(f[i], want[i]) == 0, "field %zu: got [%s] want [%s]",
		    i, f[i], want[i]);
	ck_assert_str_eq(f[i++], "3");
	ck_assert_str_eq(f[i++], "0:0:0400");
	ck_assert_str_eq(f[i++], "1000:0:0755");
	ck_assert_str_eq(f[i++], hostile_path);
	ck_assert_str_eq(f[i++], "0:0:0644");
	for (i = 0; i < n; i++)
		free(f[i]);
	free(script);

	/* A clean shell with nothing declared beforehand works as well. */
	ck_assert_int_ge(asprintf(&script, "set -eu; source %s; printf '%%s\\0' \"$iso_publisher\""
	    " \"${file_permissions[/etc/shadow]}\"", q), 0);
	ck_assert_int_eq(bash_fields(script, f, 2), 2);
	ck_assert_str_eq(f[0], publisher);
	ck_assert_str_eq(f[1], "0:0:0400");
	free(f[0]);
	free(f[1]);
	free(script);
	free(q);
	ck_assert_msg(access(marker, F_OK) != 0, "a user value was executed");
	json_decref(eff);
}
END_TEST

START_TEST(refuses_unsafe_targets)
{
	json_t *eff = effective("[\"uefi.systemd-boot\"]", "linux");
	char *full = keep(path_in(tmpdir, "full")), *link = keep(path_in(tmpdir, "link"));
	char *empty = keep(path_in(tmpdir, "empty")), err[512], *cmd;
	struct stat st;
	FILE *f;

	ck_assert_int_eq(mkdir(full, 0755), 0);
	ck_assert_ptr_nonnull(f = fopen(path_in(full, "keep"), "w"));
	fclose(f);
	ck_assert_int_eq(profile_write(eff, NULL, 0, full, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not empty"));
	ck_assert_int_ne(stat(path_in(full, "profiledef.sh"), &st), 0);

	ck_assert_int_eq(symlink(empty, link), 0);
	ck_assert_int_eq(mkdir(empty, 0755), 0);
	ck_assert_int_eq(profile_write(eff, NULL, 0, link, err, sizeof(err)), -1);
	ck_assert_int_ne(stat(path_in(empty, "profiledef.sh"), &st), 0);

	/* An empty directory is replaced whole. */
	ck_assert_msg(profile_write(eff, NULL, 0, empty, err, sizeof(err)) == 0, "%s", err);
	ck_file(empty, "profiledef.sh", 0644);

	/* A bad repository fails the write and leaves nothing behind. */
	{
		struct profile_repo bad = { "core", "https://x/ # comment" };
		char *dir = keep(path_in(tmpdir, "bad"));

		ck_assert_int_eq(profile_write(eff, &bad, 1, dir, err, sizeof(err)), -1);
		ck_assert_int_ne(stat(dir, &st), 0);
	}
	ck_assert_int_ge(asprintf(&cmd, "ls -a '%s' | grep -q tmp-", tmpdir), 0);
	ck_assert_msg(system(cmd) != 0, "a temporary directory was left behind");
	free(cmd);

	/* Not an effective configuration. */
	ck_assert_int_eq(profile_write(json_object_get(eff, "iso"), NULL, 0,
	    path_in(tmpdir, "x"), err, sizeof(err)), -1);
	json_decref(eff);
}
END_TEST

static Suite *
profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *t = tcase_create("writer");

	tcase_set_timeout(t, 60);
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, shquote);
	tcase_add_test(t, writes_every_file_mkarchiso_reads);
	tcase_add_test(t, grub_bootmode);
	tcase_add_test(t, profiledef_is_inert_and_exact);
	tcase_add_test(t, refuses_unsafe_targets);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(profile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
