/*
 * test_overlay.c - the overlay engine as a user of the API sees it: every
 * merge strategy with its provenance, removal by a higher layer, each
 * validation error's field path, the hash's invariance and sensitivity, and
 * the revision diff.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "overlay.h"
#include "overlay_int.h"

/* JSON from a C literal written with ' for " (test documents only). */
static json_t *
J(const char *s)
{
	char *t = strdup(s), *p;
	json_error_t e;
	json_t *v;

	for (p = t; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(t, 0, &e);
	if (v == NULL)
		ck_abort_msg("bad test JSON at line %d: %s\n%s", e.line, e.text, t);
	free(t);
	return v;
}

/* The error list has an entry for field whose message contains needle. */
static int
has_error(const json_t *errs, const char *field, const char *needle)
{
	size_t i;

	for (i = 0; i < json_array_size(errs); i++) {
		const json_t *e = json_array_get(errs, i);
		const char *f = json_string_value(json_object_get(e, "field"));
		const char *m = json_string_value(json_object_get(e, "message"));

		if (f && strcmp(f, field) == 0 && (needle == NULL || strstr(m, needle)))
			return 1;
	}
	return 0;
}

/* v equals the test JSON text. */
static int
eqj(const json_t *v, const char *text)
{
	json_t *want = J(text);
	int eq = json_equal(v, want);

	json_decref(want);
	return eq;
}

static char *
dump(const json_t *v)
{
	return json_dumps(v, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

#define ck_assert_error(errs, field, needle) do { \
	char *_d = dump(errs); \
	ck_assert_msg(has_error(errs, field, needle), "no error %s (%s) in %s", \
	    field, needle ? needle : "", _d); \
	free(_d); \
} while (0)

/* The effective entry for path. */
static const json_t *
file_of(const json_t *eff, const char *path)
{
	const json_t *files = json_object_get(eff, "files");
	size_t i;

	for (i = 0; i < json_array_size(files); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(files, i),
		    "path")), path) == 0)
			return json_array_get(files, i);
	return NULL;
}

static const json_t *
named(const json_t *list, const char *name)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(list, i),
		    "name")), name) == 0)
			return json_array_get(list, i);
	return NULL;
}

/* Merge a document that must be valid; fail the test with the reason otherwise. */
static json_t *
merged(const json_t *doc)
{
	char err[512];
	json_t *errs = overlay_validate(doc, NULL), *eff;

	if (errs != NULL) {
		char *d = dump(errs);

		ck_abort_msg("unexpectedly invalid: %s", d);
	}
	eff = overlay_merge(doc, err, sizeof(err));
	ck_assert_msg(eff != NULL, "merge failed: %s", err);
	return eff;
}

static void
ck_layers(const json_t *a, const char *expect)
{
	json_t *want = J(expect);
	char *got = dump(a);

	ck_assert_msg(json_equal(a, want), "layers %s, want %s", got, expect);
	free(got);
	json_decref(want);
}

/* ---- paths ---- */

START_TEST(path_rules)
{
	static const struct { const char *p; int ok; } cases[] = {
		{ "/etc/motd", 1 }, { "/etc/skel/.bashrc", 1 }, { "/usr/bin/x", 1 },
		{ "/etc/a..b", 1 }, { "/etc/'q\"`$(x)", 1 }, { "/etc/ünï", 1 },
		{ "/processes", 1 }, { "/devices/x", 1 },
		{ "", 0 }, { "etc/motd", 0 }, { "/", 0 }, { "/etc/", 0 },
		{ "/etc//motd", 0 }, { "/etc/../shadow", 0 }, { "/etc/./x", 0 },
		{ "/..", 0 }, { "/proc/self", 0 }, { "/sys", 0 }, { "/dev/null", 0 },
		{ "/run/x", 0 }, { "/bin/sh", 0 }, { "/lib/x", 0 }, { "/usr/sbin/x", 0 },
		{ "/var/run/x", 0 }, { "/etc/mtab", 0 }, { "/etc/a\nb", 0 },
		{ "/root/customize_airootfs.sh", 0 }, { "/etc/pacman.d/hooks/x.hook", 0 },
	};
	const char *why;
	char big[OVERLAY_PATH_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		ck_assert_msg((overlay_path_check(cases[i].p, strlen(cases[i].p), &why) == 0) ==
		    cases[i].ok, "%s: expected %s", cases[i].p, cases[i].ok ? "ok" : "refused");
		ck_assert(cases[i].ok || why != NULL);
	}
	ck_assert_int_eq(overlay_path_check("/etc/a\0b", 8, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "NUL"));
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	ck_assert_int_eq(overlay_path_check(big, OVERLAY_PATH_MAX, &why), 0);
	ck_assert_int_eq(overlay_path_check(big, OVERLAY_PATH_MAX + 1, &why), -1);
}
END_TEST

/* ---- validation ---- */

START_TEST(validate_fields)
{
	json_t *doc = J("{'name': 5, 'colour': 'red',"
	    " 'iso': {'label': 'lower', 'install_dir': 'toolongdir', 'bootmodes':"
	    "   ['bios.syslinux', 'bios.syslinux.mbr'], 'image_type': 'erofs',"
	    "   'compression': 'xz', 'size': 1},"
	    " 'layers': {'bogus': {},"
	    "  'platform': {'packages': ['Bad Name', 'ok', 'ok'], 'extra': 1,"
	    "               'remove': ['ok'], 'pins': {'sh': 'Bash!'}},"
	    "  'rhetoric': {'files': ["
	    "     {'path': '/etc/a', 'mode': '999', 'owner': 'alice', 'strategy': 'merge'},"
	    "     {'path': '/etc/b', 'encoding': 'base64', 'content': 'aGk=', 'strategy': 'append'},"
	    "     {'path': '/etc/../shadow'},"
	    "     {'path': '/etc/a'},"
	    "     {'path': '/etc/c', 'encoding': 'base64', 'content': '!!'},"
	    "     {'path': '/etc/d', 'colour': 1}]},"
	    "  'talking_points': {'files': ["
	    "     {'path': '/etc/x.conf', 'strategy': 'deep', 'content': '[a]\\nk=v\\nnot a line\\n'},"
	    "     {'path': '/etc/y.json', 'strategy': 'deep', 'content': '{\\n  \\'a\\': \\n}'}]}}}");
	json_t *errs = overlay_validate(doc, NULL);

	ck_assert_ptr_nonnull(errs);
	ck_assert_error(errs, "name", NULL);
	ck_assert_error(errs, "colour", "unknown key");
	ck_assert_error(errs, "iso.label", "[A-Z0-9_-]");
	ck_assert_error(errs, "iso.install_dir", "8 characters");
	ck_assert_error(errs, "iso.bootmodes[1]", "bios.syslinux");
	ck_assert_error(errs, "iso.compression", "erofs");
	ck_assert_error(errs, "iso.size", "unknown key");
	ck_assert_error(errs, "layers.bogus", "unknown layer");
	ck_assert_error(errs, "layers.platform.packages[0]", "package name");
	ck_assert_error(errs, "layers.platform.packages[2]", "twice");
	ck_assert_error(errs, "layers.platform.extra", "unknown key");
	ck_assert_error(errs, "layers.platform.remove[0]", "also adds");
	ck_assert_error(errs, "layers.platform.pins.sh", "provider");
	ck_assert_error(errs, "layers.rhetoric.files[0].mode", "octal");
	ck_assert_error(errs, "layers.rhetoric.files[0].owner", "root");
	ck_assert_error(errs, "layers.rhetoric.files[0].strategy", "replace");
	ck_assert_error(errs, "layers.rhetoric.files[1].encoding", "utf-8");
	ck_assert_error(errs, "layers.rhetoric.files[2].path", "'..'");
	ck_assert_error(errs, "layers.rhetoric.files[3].path", "files[0]");
	ck_assert_error(errs, "layers.rhetoric.files[4].content", "base64");
	ck_assert_error(errs, "layers.rhetoric.files[5].colour", "unknown key");
	ck_assert_error(errs, "layers.talking_points.files[0].content", "line 3");
	ck_assert_error(errs, "layers.talking_points.files[1].content", "line 3");
	json_decref(errs);
	json_decref(doc);

	ck_assert_ptr_nonnull(errs = overlay_validate(NULL, NULL));
	ck_assert_error(errs, "", "object");
	json_decref(errs);
}
END_TEST

START_TEST(validate_paths_each_reason)
{
	static const char *const bad[] = {
		"relative", "/etc//x", "/etc/x/", "/proc/x", "/sys/x", "/dev/x", "/bin/x",
		"/a/../b", "/a/./b",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc = json_pack("{s:{s:{s:[{s:s}]}}}", "layers", "closing_argument",
		    "files", "path", bad[i]);
		json_t *errs = overlay_validate(doc, NULL);

		ck_assert_msg(errs != NULL, "%s accepted", bad[i]);
		ck_assert_error(errs, "layers.closing_argument.files[0].path", NULL);
		json_decref(errs);
		json_decref(doc);
	}
}
END_TEST

START_TEST(validate_limits)
{
	struct overlay_limits lim;
	json_t *doc = J("{'layers': {'opening_statement': {'files': ["
	    "{'path': '/a', 'content': '12345'}, {'path': '/b', 'content': '123'},"
	    "{'path': '/c', 'content': '1'}]}}}");
	json_t *errs;

	overlay_limits_default(&lim);
	lim.max_files = 2;
	ck_assert_ptr_nonnull(errs = overlay_validate(doc, &lim));
	ck_assert_error(errs, "layers.opening_statement.files[2]", "more than 2 files");
	json_decref(errs);

	overlay_limits_default(&lim);
	lim.max_file_bytes = 4;
	ck_assert_ptr_nonnull(errs = overlay_validate(doc, &lim));
	ck_assert_error(errs, "layers.opening_statement.files[0].content", "larger than 4");
	ck_assert(!has_error(errs, "layers.opening_statement.files[1].content", NULL));
	json_decref(errs);

	overlay_limits_default(&lim);
	lim.max_total_bytes = 8;
	ck_assert_ptr_nonnull(errs = overlay_validate(doc, &lim));
	ck_assert_error(errs, "layers.opening_statement.files[2].content", "more than 8 bytes");
	json_decref(errs);

	ck_assert_ptr_null(overlay_validate(doc, NULL));
	json_decref(doc);
}
END_TEST

START_TEST(validate_cross_layer)
{
	/* A deep merge onto a lower replace that does not parse: the line is named. */
	json_t *doc = J("{'layers': {"
	    "'platform': {'files': [{'path': '/etc/pacman.conf', 'content': '[options]\\nthis is not ini\\n'}]},"
	    "'rhetoric': {'files': [{'path': '/etc/pacman.conf', 'strategy': 'deep', 'content': '[options]\\nColor\\n'}]}}}");
	json_t *errs = overlay_validate(doc, NULL);

	ck_assert_ptr_nonnull(errs);
	ck_assert_error(errs, "layers.rhetoric.files[0].content", "platform");
	ck_assert_error(errs, "layers.rhetoric.files[0].content", "line 2");
	json_decref(errs);
	json_decref(doc);

	/* A file where another layer needs a directory. */
	doc = J("{'layers': {'platform': {'files': [{'path': '/etc/foo'}]},"
	    "'rhetoric': {'files': [{'path': '/etc/foo/bar'}]}}}");
	ck_assert_ptr_nonnull(errs = overlay_validate(doc, NULL));
	ck_assert_error(errs, "layers.rhetoric.files[0].path", "/etc/foo");
	json_decref(errs);
	json_decref(doc);

	/* Appending text to binary content. */
	doc = J("{'layers': {'platform': {'files': [{'path': '/x', 'encoding': 'base64', 'content': '/w=='}]},"
	    "'rhetoric': {'files': [{'path': '/x', 'strategy': 'append', 'content': 'a'}]}}}");
	ck_assert_ptr_nonnull(errs = overlay_validate(doc, NULL));
	ck_assert_error(errs, "layers.rhetoric.files[0].content", "binary");
	json_decref(errs);
	json_decref(doc);
}
END_TEST

START_TEST(validate_accepts_full_document)
{
	json_t *doc = J("{'name': 'My ISO', 'description': 'd\\nx',"
	    " 'iso': {'name': 'debate', 'label': 'DEBATE_2026', 'publisher': 'P \\'q\\' $(x)',"
	    "  'application': 'A', 'version': '2026.12', 'install_dir': 'arch',"
	    "  'bootmodes': ['uefi.grub', 'bios.syslinux'], 'image_type': 'erofs', 'compression': 'lzma'},"
	    " 'layers': {'opening_statement': {'packages': ['base', 'linux'], 'remove': [],"
	    "   'pins': {'sh': 'bash'}, 'files': [{'path': '/etc/motd', 'content': 'hello\\n',"
	    "   'encoding': 'utf-8', 'mode': '0644', 'owner': 'root', 'group': 0, 'strategy': 'append'}]}}}");

	json_t *eff = NULL, *errs;

	ck_assert_ptr_null(overlay_validate(doc, NULL));
	/* The save path: validation hands over the merge it did. */
	ck_assert_ptr_null(overlay_validate_merge(doc, NULL, &eff));
	ck_assert_ptr_nonnull(eff);
	ck_assert_ptr_nonnull(file_of(eff, "/etc/motd"));
	json_decref(eff);
	json_object_set_new(json_object_get(doc, "iso"), "label", json_string("bad label"));
	ck_assert_ptr_nonnull(errs = overlay_validate_merge(doc, NULL, &eff));
	ck_assert_ptr_null(eff);
	json_decref(errs);
	json_decref(doc);
}
END_TEST

/* ---- merge ---- */

START_TEST(merge_replace)
{
	json_t *doc = J("{'layers': {"
	    "'opening_statement': {'files': [{'path': '/etc/hostname', 'content': 'a\\n', 'mode': '0600'}]},"
	    "'talking_points': {'files': [{'path': '/etc/hostname', 'content': 'b\\n'}]}}}");
	json_t *eff = merged(doc);
	const json_t *f = file_of(eff, "/etc/hostname");

	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(json_string_value(json_object_get(f, "content")), "b\n");
	ck_assert_str_eq(json_string_value(json_object_get(f, "strategy")), "replace");
	ck_assert_str_eq(json_string_value(json_object_get(f, "layer")), "talking_points");
	ck_layers(json_object_get(f, "from"), "['talking_points']");
	ck_layers(json_object_get(f, "overrode"), "['opening_statement']");
	/* The mode was stated only below, so it is kept. */
	ck_assert_str_eq(json_string_value(json_object_get(f, "mode")), "0600");
	ck_assert_ptr_null(json_object_get(f, "lines"));
	json_decref(eff);
	json_decref(doc);
}
END_TEST

START_TEST(merge_append)
{
	json_t *doc = J("{'layers': {"
	    "'closing_argument': {'files': [{'path': '/etc/motd', 'strategy': 'append', 'content': 'bye\\n'}]},"
	    "'opening_statement': {'files': [{'path': '/etc/motd', 'content': 'hello\\n', 'mode': '0640'}]},"
	    "'platform': {'files': [{'path': '/etc/motd', 'strategy': 'append', 'content': 'world'}]}}}");
	json_t *eff = merged(doc);
	const json_t *f = file_of(eff, "/etc/motd"), *lines;
	json_t *want = J("[{'text': 'hello', 'layer': 'opening_statement'},"
	    "{'text': 'world', 'layer': 'platform'}, {'text': 'bye', 'layer': 'closing_argument'}]");

	ck_assert_str_eq(json_string_value(json_object_get(f, "content")), "hello\nworld\nbye\n");
	ck_assert_str_eq(json_string_value(json_object_get(f, "strategy")), "append");
	ck_assert_str_eq(json_string_value(json_object_get(f, "layer")), "closing_argument");
	ck_assert_str_eq(json_string_value(json_object_get(f, "mode")), "0640");
	ck_layers(json_object_get(f, "from"), "['opening_statement', 'platform', 'closing_argument']");
	ck_layers(json_object_get(f, "overrode"), "[]");
	lines = json_object_get(f, "lines");
	ck_assert_msg(json_equal(lines, want), "lines: %s", dump(lines));
	json_decref(want);
	json_decref(eff);
	json_decref(doc);
}
END_TEST

START_TEST(merge_deep_ini)
{
	json_t *doc = J("{'layers': {"
	    "'opening_statement': {'files': [{'path': '/etc/pacman.conf', 'strategy': 'deep', 'content':"
	    "  '# comment\\n[options]\\nHoldPkg = pacman glibc\\nParallelDownloads = 5\\n\\n[core]\\nServer = https://a/$repo\\nServer = https://b/$repo\\n'}]},"
	    "'rhetoric': {'files': [{'path': '/etc/pacman.conf', 'strategy': 'deep', 'content':"
	    "  '[options]\\nParallelDownloads = 10\\nColor\\n[core]\\nServer = https://c/$repo\\n[extra]\\nInclude = /etc/pacman.d/mirrorlist\\n'}]},"
	    "'closing_argument': {'files': [{'path': '/etc/os-release', 'strategy': 'deep', 'content': 'NAME=\\'Debate\\'\\nID=debate\\n'}]}}}");
	json_t *eff = merged(doc);
	const json_t *f = file_of(eff, "/etc/pacman.conf"), *keys = json_object_get(f, "keys");
	json_t *want = J("["
	    "{'section': 'options', 'key': 'HoldPkg', 'value': 'pacman glibc', 'layer': 'opening_statement', 'overrode': []},"
	    "{'section': 'options', 'key': 'ParallelDownloads', 'value': '10', 'layer': 'rhetoric', 'overrode': ['opening_statement']},"
	    "{'section': 'options', 'key': 'Color', 'value': null, 'layer': 'rhetoric', 'overrode': []},"
	    "{'section': 'core', 'key': 'Server', 'value': 'https://c/$repo', 'layer': 'rhetoric', 'overrode': ['opening_statement']},"
	    "{'section': 'extra', 'key': 'Include', 'value': '/etc/pacman.d/mirrorlist', 'layer': 'rhetoric', 'overrode': []}]");

	ck_assert_msg(json_equal(keys, want), "keys: %s", dump(keys));
	ck_assert_str_eq(json_string_value(json_object_get(f, "content")),
	    "[options]\nHoldPkg=pacman glibc\nParallelDownloads=10\nColor\n\n"
	    "[core]\nServer=https://c/$repo\n\n[extra]\nInclude=/etc/pacman.d/mirrorlist\n");
	ck_layers(json_object_get(f, "from"), "['opening_statement', 'rhetoric']");
	ck_assert_str_eq(json_string_value(json_object_get(f, "strategy")), "deep");
	/* Sectionless files (os-release) keep their quoting verbatim. */
	ck_assert_str_eq(json_string_value(json_object_get(file_of(eff, "/etc/os-release"),
	    "content")), "NAME=\"Debate\"\nID=debate\n");
	json_decref(want);
	json_decref(eff);
	json_decref(doc);
}
END_TEST

START_TEST(merge_deep_ini_overrides_everything)
{
	/* Every key of the lower layer replaced: it contributes nothing. */
	json_t *doc = J("{'layers': {"
	    "'platform': {'files': [{'path': '/etc/systemd/system/x.service.d/o.conf', 'strategy': 'deep',"
	    "  'content': '[Service]\\nExecStart=\\nExecStart=/a\\n'}]},"
	    "'rhetoric': {'files': [{'path': '/etc/systemd/system/x.service.d/o.conf', 'strategy': 'deep',"
	    "  'content': '[Service]\\nExecStart=\\nExecStart=/b --x\\n'}]}}}");
	json_t *eff = merged(doc);
	const json_t *f = file_of(eff, "/etc/systemd/system/x.service.d/o.conf");

	ck_assert_str_eq(json_string_value(json_object_get(f, "content")),
	    "[Service]\nExecStart=\nExecStart=/b --x\n");
	ck_layers(json_object_get(f, "from"), "['rhetoric']");
	ck_layers(json_object_get(f, "overrode"), "['platform']");
	json_decref(eff);
	json_decref(doc);
}
END_TEST

START_TEST(merge_deep_json)
{
	json_t *doc = J("{'layers': {"
	    "'opening_statement': {'files': [{'path': '/etc/app/c.json', 'strategy': 'deep',"
	    "  'content': '{\\'a\\': {\\'b\\': 1, \\'c\\': [1, 2]}, \\'d\\': 5, \\'x/y\\': true}'}]},"
	    "'talking_points': {'files': [{'path': '/etc/app/c.json', 'strategy': 'deep',"
	    "  'content': '{\\'a\\': {\\'b\\': 2}, \\'d\\': {\\'e\\': null}}'}]}}}");
	json_t *eff = merged(doc);
	const json_t *f = file_of(eff, "/etc/app/c.json");
	json_t *content = json_loads(json_string_value(json_object_get(f, "content")), 0, NULL);
	json_t *want_content = J("{'a': {'b': 2, 'c': [1, 2]}, 'd': {'e': null}, 'x/y': true}");
	json_t *want_keys = J("["
	    "{'section': '', 'key': '/a/b', 'value': 2, 'layer': 'talking_points', 'overrode': ['opening_statement']},"
	    "{'section': '', 'key': '/a/c', 'value': [1, 2], 'layer': 'opening_statement', 'overrode': []},"
	    "{'section': '', 'key': '/d/e', 'value': null, 'layer': 'talking_points', 'overrode': ['opening_statement']},"
	    "{'section': '', 'key': '/x~1y', 'value': true, 'layer': 'opening_statement', 'overrode': []}]");

	ck_assert_msg(json_equal(content, want_content), "content: %s",
	    json_string_value(json_object_get(f, "content")));
	ck_assert_msg(json_equal(json_object_get(f, "keys"), want_keys), "keys: %s",
	    dump(json_object_get(f, "keys")));
	json_decref(content);
	json_decref(want_content);
	json_decref(want_keys);
	json_decref(eff);
	json_decref(doc);
}
END_TEST

START_TEST(merge_packages_and_removal)
{
	json_t *doc = J("{'layers': {"
	    "'opening_statement': {'packages': ['base', 'nano', 'vim', 'linux']},"
	    "'platform': {'packages': ['base', 'git']},"
	    "'rhetoric': {'remove': ['nano', 'vim', 'emacs']},"
	    "'closing_argument': {'packages': ['vim']}}}");
	json_t *eff = merged(doc);
	const json_t *pk = json_object_get(eff, "packages"), *rm = json_object_get(eff, "removed"), *p;
	size_t i;

	/* Sorted by name; nano is gone. */
	ck_assert_int_eq(json_array_size(pk), 4);
	for (i = 1; i < json_array_size(pk); i++)
		ck_assert(strcmp(json_string_value(json_object_get(json_array_get(pk, i - 1), "name")),
		    json_string_value(json_object_get(json_array_get(pk, i), "name"))) < 0);
	ck_assert_ptr_null(named(pk, "nano"));
	p = named(pk, "base");
	ck_assert_str_eq(json_string_value(json_object_get(p, "layer")), "platform");
	ck_layers(json_object_get(p, "also_in"), "['opening_statement']");
	ck_layers(json_object_get(p, "overrode"), "[]");
	/* Removed by rhetoric, added back by closing_argument. */
	p = named(pk, "vim");
	ck_assert_str_eq(json_string_value(json_object_get(p, "layer")), "closing_argument");
	ck_layers(json_object_get(p, "also_in"), "['opening_statement']");
	ck_layers(json_object_get(p, "overrode"), "['rhetoric']");
	p = named(rm, "nano");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(json_string_value(json_object_get(p, "layer")), "rhetoric");
	ck_layers(json_object_get(p, "removed_from"), "['opening_statement']");
	/* Removing what nobody added is harmless and visible. */
	p = named(rm, "emacs");
	ck_layers(json_object_get(p, "removed_from"), "[]");
	ck_assert_int_eq(json_array_size(rm), 2);
	json_decref(eff);
	json_decref(doc);
}
END_TEST

START_TEST(merge_pins_and_iso_defaults)
{
	json_t *doc = J("{'iso': {'name': 'my.iso', 'version': '2026.12'}, 'layers': {"
	    "'opening_statement': {'pins': {'sh': 'busybox', 'libgl': 'mesa'}},"
	    "'talking_points': {'pins': {'sh': 'dash'}},"
	    "'closing_argument': {'pins': {'sh': 'bash'}}}}");
	json_t *eff = merged(doc);
	const json_t *pins = json_object_get(eff, "pins"), *sh = named(pins, "sh");
	const json_t *iso = json_object_get(eff, "iso");
	json_t *want_modes = J("['bios.syslinux', 'uefi.systemd-boot']");

	ck_assert_str_eq(json_string_value(json_object_get(sh, "provider")), "bash");
	ck_assert_str_eq(json_string_value(json_object_get(sh, "layer")), "closing_argument");
	ck_layers(json_object_get(sh, "overrode"), "['opening_statement', 'talking_points']");
	ck_assert_str_eq(json_string_value(json_object_get(named(pins, "libgl"), "provider")), "mesa");
	ck_assert_str_eq(json_string_value(json_object_get(iso, "label")), "MY_ISO_202612");
	ck_assert_str_eq(json_string_value(json_object_get(iso, "install_dir")), "arch");
	ck_assert_str_eq(json_string_value(json_object_get(iso, "image_type")), "squashfs");
	ck_assert_str_eq(json_string_value(json_object_get(iso, "compression")), "zstd");
	ck_assert(json_equal(json_object_get(iso, "bootmodes"), want_modes));
	json_decref(want_modes);
	json_decref(eff);
	json_decref(doc);
}
END_TEST

START_TEST(merge_binary_and_errors)
{
	char err[256];
	json_t *doc = J("{'layers': {'platform': {'files': [{'path': '/x.bin', 'encoding': 'base64', 'content': 'AP8='}]}}}");
	json_t *eff = merged(doc);
	const json_t *f = file_of(eff, "/x.bin");

	ck_assert_str_eq(json_string_value(json_object_get(f, "encoding")), "base64");
	ck_assert_str_eq(json_string_value(json_object_get(f, "content")), "AP8=");
	json_decref(eff);
	json_decref(doc);

	doc = J("{'layers': {'rhetoric': {'files': [{'path': '/e.conf', 'strategy': 'deep', 'content': 'a=1\\n[broken\\n'}]}}}");
	ck_assert_ptr_null(overlay_merge(doc, err, sizeof(err)));
	ck_assert_msg(strstr(err, "layers.rhetoric.files[0].content: line 2") != NULL, "%s", err);
	json_decref(doc);

	/* Found by fuzz_deep_merge: a continuation with nothing after it would
	 * swallow the next layer's first line once rendered. */
	doc = J("{'layers': {'rhetoric': {'files': [{'path': '/e.conf', 'strategy': 'deep', 'content': '[s]\\na=1 \\\\ \\n b \\\\  \\n'}]}}}");
	ck_assert_ptr_null(overlay_merge(doc, err, sizeof(err)));
	ck_assert_msg(strstr(err, "line 2: the value continues") != NULL, "%s", err);
	json_decref(doc);
}
END_TEST

/* ---- hash ---- */

static void
hash_of(const char *doc_text, const json_t *repos, char out[65])
{
	json_t *doc = J(doc_text), *eff = merged(doc);

	ck_assert_int_eq(overlay_hash(eff, repos, out), 0);
	ck_assert_int_eq(strlen(out), 64);
	json_decref(eff);
	json_decref(doc);
}

#define BASE_DOC "{'name': 'A', 'iso': {'label': 'X', 'bootmodes': ['bios.syslinux', 'uefi.systemd-boot']}," \
	" 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'}," \
	"   'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}"

START_TEST(hash_invariance)
{
	char a[65], b[65];
	json_t *repos = J("[{'name': 'core', 'sha256': 'aa'}]");

	hash_of(BASE_DOC, repos, a);
	/* Key order, whitespace, layer-internal order, bootmode order, name: same ISO. */
	hash_of("{ 'layers' : { 'opening_statement' : {"
	    "  'files' : [ {'content': 'x', 'mode': '600', 'path': '/etc/issue', 'owner': 'root'},"
	    "              {'path': '/etc/motd', 'content': 'aGkK', 'encoding': 'base64'} ],"
	    "  'pins': {'sh': 'bash'}, 'packages' : [ 'vim', 'linux', 'base' ] } },"
	    "  'iso' : {'bootmodes': ['uefi.systemd-boot', 'bios.syslinux'], 'label': 'X', 'install_dir': 'arch'},"
	    "  'name': 'Another account', 'description': 'different words' }", repos, b);
	ck_assert_str_eq(a, b);
	/* Which layer a package or file comes from does not reach the ISO either. */
	hash_of("{'iso': {'label': 'X'}, 'layers': {"
	    " 'opening_statement': {'packages': ['base'], 'files': [{'path': '/etc/motd', 'content': 'old'}]},"
	    " 'talking_points': {'packages': ['vim', 'linux', 'nano'], 'pins': {'sh': 'bash'}, 'remove': [],"
	    "   'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]},"
	    " 'closing_argument': {'remove': ['nano']}}}", repos, b);
	ck_assert_str_eq(a, b);
	json_decref(repos);
}
END_TEST

START_TEST(hash_sensitivity)
{
	static const char *const changed[] = {
		/* each alters the ISO */
		"{'iso': {'label': 'Y'}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}",
		"{'iso': {'label': 'X'}, 'layers': {'opening_statement': {'packages': ['base', 'linux'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}",
		"{'iso': {'label': 'X'}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'dash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}",
		"{'iso': {'label': 'X'}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi!\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}",
		"{'iso': {'label': 'X'}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0644'}]}}}",
		"{'iso': {'label': 'X'}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600', 'owner': '1000'}]}}}",
		"{'iso': {'label': 'X', 'compression': 'xz'}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}",
		"{'iso': {'label': 'X', 'bootmodes': ['uefi.systemd-boot']}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}",
		"{'iso': {'label': 'X'}, 'layers': {'opening_statement': {'packages': ['base', 'linux', 'vim'], 'pins': {'sh': 'bash'},"
		" 'files': [{'path': '/etc/motd2', 'content': 'hi\\n'}, {'path': '/etc/issue', 'content': 'x', 'mode': '0600'}]}}}",
	};
	char a[65], b[65];
	json_t *repos = J("[{'name': 'core', 'sha256': 'aa'}]");
	json_t *repos2 = J("[{'name': 'core', 'sha256': 'ab'}]");
	size_t i;

	hash_of(BASE_DOC, repos, a);
	for (i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
		hash_of(changed[i], repos, b);
		ck_assert_msg(strcmp(a, b) != 0, "change %zu kept the hash", i);
	}
	hash_of(BASE_DOC, repos2, b);
	ck_assert_str_ne(a, b);
	hash_of(BASE_DOC, NULL, b);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(overlay_hash(repos, NULL, b), -1);
	json_decref(repos);
	json_decref(repos2);
}
END_TEST

/* ---- diff ---- */

START_TEST(diff_revisions)
{
	json_t *a = J("{'name': 'A', 'iso': {'label': 'X'}, 'layers': {"
	    "'platform': {'packages': ['base', 'vim'], 'files': ["
	    "  {'path': '/etc/motd', 'content': 'one\\ntwo\\nthree\\nfour\\nfive\\nsix\\nseven\\n'},"
	    "  {'path': '/etc/gone', 'content': 'bye\\n'}, {'path': '/etc/same', 'content': 's'}]}}}");
	json_t *b = J("{'name': 'B', 'iso': {'label': 'Y'}, 'layers': {"
	    "'platform': {'packages': ['base', 'git'], 'files': ["
	    "  {'path': '/etc/motd', 'content': 'one\\ntwo\\nthree\\nFOUR\\nfive\\nsix\\nseven\\n', 'mode': '0600'},"
	    "  {'path': '/etc/new', 'content': 'hi'}, {'path': '/etc/same', 'content': 's'}]},"
	    "'closing_argument': {'remove': ['vim']}}}");
	json_t *d = overlay_diff(a, b), *same;
	const json_t *pl = json_object_get(json_object_get(d, "layers"), "platform");
	const json_t *files = json_object_get(pl, "files"), *ch;
	char *text = dump(d);

	ck_assert_msg(eqj(json_object_get(pl, "packages"), ("{'added': ['git'], 'removed': ['vim']}")), "%s", text);
	ck_assert_msg(eqj(json_object_get(json_object_get(json_object_get(d, "layers"),
	    "closing_argument"), "remove"), ("{'added': ['vim'], 'removed': []}")), "%s", text);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(d, "name"), "to")), "B");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(json_object_get(d, "iso"),
	    "label"), "from")), "X");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(files,
	    "added"), 0), "path")), "/etc/new");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(files,
	    "added"), 0), "diff")), "--- /dev/null\n+++ b/etc/new\n@@ -0,0 +1 @@\n+hi\n\\ No newline at end of file\n");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(files,
	    "removed"), 0), "path")), "/etc/gone");
	ck_assert_int_eq(json_array_size(json_object_get(files, "changed")), 1);
	ch = json_array_get(json_object_get(files, "changed"), 0);
	ck_assert_msg(eqj(json_object_get(ch, "changed"), ("['content', 'mode']")), "%s", text);
	ck_assert_str_eq(json_string_value(json_object_get(ch, "diff")),
	    "--- a/etc/motd\n+++ b/etc/motd\n@@ -1,7 +1,7 @@\n one\n two\n three\n-four\n+FOUR\n five\n six\n seven\n");
	free(text);

	same = overlay_diff(a, a);
	ck_assert_int_eq(json_object_size(same), 0);
	json_decref(same);
	json_decref(d);
	json_decref(a);
	json_decref(b);
}
END_TEST

START_TEST(unified_diff_hunks)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n";
	const char *b = "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n21\n";
	json_t *d = ovl_unified_diff("/f", a, strlen(a), b, strlen(b));

	ck_assert_str_eq(json_string_value(d), "--- a/f\n+++ b/f\n"
	    "@@ -1,6 +1,6 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n"
	    "@@ -18,3 +18,4 @@\n 18\n 19\n 20\n+21\n");
	json_decref(d);
}
END_TEST

static Suite *
overlay_suite(void)
{
	Suite *s = suite_create("overlay");
	TCase *t = tcase_create("core");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, path_rules);
	tcase_add_test(t, validate_fields);
	tcase_add_test(t, validate_paths_each_reason);
	tcase_add_test(t, validate_limits);
	tcase_add_test(t, validate_cross_layer);
	tcase_add_test(t, validate_accepts_full_document);
	tcase_add_test(t, merge_replace);
	tcase_add_test(t, merge_append);
	tcase_add_test(t, merge_deep_ini);
	tcase_add_test(t, merge_deep_ini_overrides_everything);
	tcase_add_test(t, merge_deep_json);
	tcase_add_test(t, merge_packages_and_removal);
	tcase_add_test(t, merge_pins_and_iso_defaults);
	tcase_add_test(t, merge_binary_and_errors);
	tcase_add_test(t, hash_invariance);
	tcase_add_test(t, hash_sensitivity);
	tcase_add_test(t, diff_revisions);
	tcase_add_test(t, unified_diff_hunks);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(overlay_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
