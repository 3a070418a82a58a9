/*
 * conf.c - read the INI configuration file into struct conf.
 *
 * Keys are described by a table (section, key, type, offset, bounds) so that the
 * parser, the defaults and the error messages agree.  The parser reports every
 * error it finds, each with file:line, rather than stopping at the first.
 */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DEBATE_SHAREDIR
#define DEBATE_SHAREDIR "/usr/local/share/debate"
#endif

enum conf_type { CT_STR, CT_INT, CT_SIZE, CT_MODE };

struct conf_key {
	const char	*section;
	const char	*key;
	enum conf_type	 type;
	size_t		 off;
	long		 min, max;
};

#define O(f) offsetof(struct conf, f)
static const struct conf_key keys[] = {
	{ "database", "host", CT_STR, O(db_host), 0, 0 },
	{ "database", "port", CT_INT, O(db_port), 1, 65535 },
	{ "database", "name", CT_STR, O(db_name), 0, 0 },
	{ "database", "admin_user", CT_STR, O(db_admin_user), 0, 0 },
	{ "database", "web_user", CT_STR, O(db_web_user), 0, 0 },
	{ "database", "builder_user", CT_STR, O(db_builder_user), 0, 0 },
	{ "database", "connect_timeout", CT_INT, O(db_connect_timeout), 1, 600 },
	{ "database", "migrations", CT_STR, O(db_migrations), 0, 0 },
	{ "web", "socket", CT_STR, O(web_socket), 0, 0 },
	{ "web", "socket_mode", CT_MODE, O(web_socket_mode), 0, 0777 },
	{ "web", "workers", CT_INT, O(web_workers), 1, 256 },
	{ "web", "threads", CT_INT, O(web_threads), 1, 1024 },
	{ "web", "max_body", CT_SIZE, O(web_max_body), 1024, 1L << 30 },
	{ "web", "session_ttl", CT_INT, O(web_session_ttl), 60, 365 * 86400 },
	{ "web", "cache_dir", CT_STR, O(web_cache_dir), 0, 0 },
	{ "web", "password_ops", CT_INT, O(web_password_ops), 1, 64 },
	{ "web", "password_mem", CT_SIZE, O(web_password_mem), 8192, 1L << 32 },
	{ "builder", "workdir", CT_STR, O(builder_workdir), 0, 0 },
	{ "builder", "slots", CT_INT, O(builder_slots), 1, 64 },
	{ "builder", "artifacts", CT_STR, O(builder_artifacts), 0, 0 },
	{ "limits", "login_failures_per_account", CT_INT, O(lim_login_account), 1, 100000 },
	{ "limits", "login_failures_per_address", CT_INT, O(lim_login_address), 1, 100000 },
	{ "limits", "login_window", CT_INT, O(lim_login_window), 1, 86400 * 7 },
	{ "limits", "resolve_per_minute", CT_INT, O(lim_resolve_rate), 1, 1000000 },
	{ "limits", "resolve_burst", CT_INT, O(lim_resolve_burst), 1, 1000000 },
	{ "limits", "overlay_files", CT_INT, O(lim_overlay_files), 0, 100000 },
	{ "limits", "overlay_file_bytes", CT_SIZE, O(lim_overlay_file_bytes), 0, 1L << 30 },
	{ "limits", "overlay_bytes", CT_SIZE, O(lim_overlay_bytes), 0, 1L << 30 },
	{ "limits", "packages", CT_INT, O(lim_packages), 1, 100000 },
	{ "limits", "builds_concurrent", CT_INT, O(lim_builds_live), 1, 100000 },
	{ "limits", "builds_per_day", CT_INT, O(lim_builds_day), 1, 1000000 },
	{ "limits", "storage", CT_SIZE, O(lim_storage), 0, 1L << 50 },
};
#undef O

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	set_str(&c->db_host, "/run/postgresql");
	c->db_port = 5432;
	set_str(&c->db_name, "debate");
	set_str(&c->db_admin_user, "debate");
	set_str(&c->db_web_user, "debate_web");
	set_str(&c->db_builder_user, "debate_builder");
	c->db_connect_timeout = 5;
	set_str(&c->db_migrations, DEBATE_SHAREDIR "/sql/migrations");
	set_str(&c->web_socket, "/run/debate/fcgi.sock");
	c->web_socket_mode = 0660;
	c->web_workers = 4;
	c->web_threads = 2;	/* per process; not tied to connections (main_fcgi.c) */
	c->web_max_body = 1L << 20;
	c->web_session_ttl = 30 * 86400;
	set_str(&c->web_cache_dir, "/var/cache/debate");
	c->web_password_ops = 2;		/* libsodium's "interactive" */
	c->web_password_mem = 64L << 20;
	set_str(&c->builder_workdir, "/var/lib/debate/builds");
	c->builder_slots = 1;
	set_str(&c->builder_artifacts, "/var/lib/debate/artifacts");
	c->lim_login_account = 5;
	c->lim_login_address = 50;
	c->lim_login_window = 900;
	c->lim_resolve_rate = 120;
	c->lim_resolve_burst = 30;
	c->lim_overlay_files = 256;
	c->lim_overlay_file_bytes = 1L << 20;
	c->lim_overlay_bytes = 8L << 20;
	c->lim_packages = 4096;
	c->lim_builds_live = 2;
	c->lim_builds_day = 20;
	c->lim_storage = 20L << 30;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].type == CT_STR)
			free(*(char **)((char *)c + keys[i].off));
	for (i = 0; i < c->nrepos; i++) {
		free(c->repos[i].name);
		free(c->repos[i].db);
		free(c->repos[i].server);
	}
	free(c->path);
	memset(c, 0, sizeof(*c));
}

/* Append one "name:line: message" line to err (silently truncated). */
static void
report(char *err, size_t errsz, const char *name, int line, const char *fmt, ...)
{
	size_t	 len = strlen(err);
	va_list	 ap;

	if (len + 1 >= errsz)
		return;
	len += (size_t)snprintf(err + len, errsz - len, "%s:%d: ", name, line);
	if (len + 1 >= errsz)
		return;
	va_start(ap, fmt);
	len += (size_t)vsnprintf(err + len, errsz - len, fmt, ap);
	va_end(ap);
	if (len + 1 < errsz)
		strcat(err, "\n");
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Parse a size: digits with an optional K, M or G suffix (powers of 1024). */
static int
parse_size(const char *v, long *out)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || n < 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K': n *= 1024; end++; break;
	case 'M': n *= 1024 * 1024; end++; break;
	case 'G': n *= 1024LL * 1024 * 1024; end++; break;
	default: break;
	}
	if (*end != '\0' || n > LONG_MAX)
		return -1;
	*out = (long)n;
	return 0;
}

/* Store value v for key k; returns 0 or -1 with a reason in why. */
static int
set_key(struct conf *c, const struct conf_key *k, const char *v, const char **why)
{
	char	*end;
	long	 n;
	void	*dst = (char *)c + k->off;

	switch (k->type) {
	case CT_STR:
		if (*v == '\0') {
			*why = "expected a non-empty value";
			return -1;
		}
		set_str(dst, v);
		return 0;
	case CT_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || end == v || *end != '\0' || n < k->min || n > k->max) {
			*why = "expected a whole number in range";
			return -1;
		}
		*(int *)dst = (int)n;
		return 0;
	case CT_MODE:
		errno = 0;
		n = strtol(v, &end, 8);
		if (errno || end == v || *end != '\0' || n < k->min || n > k->max) {
			*why = "expected an octal mode such as 0660";
			return -1;
		}
		*(int *)dst = (int)n;
		return 0;
	case CT_SIZE:
		if (parse_size(v, &n) == -1 || n < k->min || n > k->max) {
			*why = "expected a size in range, such as 1048576, 512K or 1M";
			return -1;
		}
		*(long *)dst = n;
		return 0;
	}
	*why = "internal: unknown key type";
	return -1;
}

/*
 * Without a server line, packages are fetched from beside the database, as
 * for a local pacman repository: the folder of a path becomes a file:// URL,
 * the folder of a URL stays a URL.
 */
static void
repo_default_server(struct conf_repo *r)
{
	const char	*db = r->db, *slash = strrchr(db, '/');
	int		 url = strstr(db, "://") != NULL;
	char		*s = NULL;

	if (slash == NULL)
		(void)asprintf(&s, "file://.");
	else
		(void)asprintf(&s, "%s%.*s", url ? "" : "file://", (int)(slash - db), db);
	r->server = s;
}

static int
set_repo_key(struct conf_repo *r, const char *key, const char *v)
{
	if (*v == '\0')
		return -1;
	if (strcmp(key, "db") == 0)
		set_str(&r->db, v);
	else if (strcmp(key, "server") == 0)
		set_str(&r->server, v);
	else
		return -2;
	return 0;
}

/*
 * Parse text line by line over the values already in c.  Errors are collected
 * in err; returns 0 when there were none, else -1.
 */
int
conf_parse(struct conf *c, const char *name, const char *text, char *err,
    size_t errsz)
{
	char		 section[128] = "";
	char		*buf = NULL, *line, *next;
	struct conf_repo *repo = NULL;
	int		 lineno = 0, bad = 0;
	size_t		 i;

	if (errsz)
		err[0] = '\0';
	if ((buf = strdup(text)) == NULL) {
		report(err, errsz, name, 0, "out of memory");
		return -1;
	}
	for (line = buf; line != NULL; line = next) {
		char *s, *eq, *key, *val;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			repo = NULL;
			if (close == NULL || close[1] != '\0' || close - s - 1 >= (long)sizeof(section)) {
				report(err, errsz, name, lineno, "malformed section header");
				bad = 1;
				section[0] = '\0';
				continue;
			}
			*close = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			if (strncmp(section, "repo ", 5) == 0) {
				const char *rn = trim(section + 5);

				if (*rn == '\0' || strspn(rn, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(rn)) {
					report(err, errsz, name, lineno, "bad repository name '%s'", rn);
					bad = 1;
					continue;
				}
				for (i = 0; i < c->nrepos; i++)
					if (strcmp(c->repos[i].name, rn) == 0)
						break;
				if (i < c->nrepos) {
					report(err, errsz, name, lineno, "repository '%s' defined twice", rn);
					bad = 1;
					continue;
				}
				if (c->nrepos == CONF_REPO_MAX) {
					report(err, errsz, name, lineno, "more than %d repositories", CONF_REPO_MAX);
					bad = 1;
					continue;
				}
				repo = &c->repos[c->nrepos++];
				repo->name = strdup(rn);
				continue;
			}
			if (strcmp(section, "database") && strcmp(section, "web") &&
			    strcmp(section, "builder") && strcmp(section, "limits")) {
				report(err, errsz, name, lineno, "unknown section [%s]", section);
				bad = 1;
				section[0] = '\0';
			}
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			report(err, errsz, name, lineno, "expected 'key = value'");
			bad = 1;
			continue;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (section[0] == '\0') {
			report(err, errsz, name, lineno, "'%s' outside any known section", key);
			bad = 1;
			continue;
		}
		if (strncmp(section, "repo ", 5) == 0) {
			int rc;

			if (repo == NULL)
				continue;	/* header already reported */
			rc = set_repo_key(repo, key, val);
			if (rc == -2)
				report(err, errsz, name, lineno, "unknown key '%s' in [%s]", key, section);
			else if (rc == -1)
				report(err, errsz, name, lineno, "%s: expected a non-empty value", key);
			bad |= rc != 0;
			continue;
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0])) {
			report(err, errsz, name, lineno, "unknown key '%s' in [%s]", key, section);
			bad = 1;
			continue;
		}
		{
			const char *why = NULL;

			if (set_key(c, &keys[i], val, &why) == -1) {
				if (keys[i].type == CT_INT || keys[i].type == CT_SIZE)
					report(err, errsz, name, lineno, "bad value '%s' for %s: %s %ld..%ld",
					    val, key, why, keys[i].min, keys[i].max);
				else
					report(err, errsz, name, lineno, "bad value '%s' for %s: %s", val, key, why);
				bad = 1;
			}
		}
	}
	for (i = 0; i < c->nrepos; i++) {
		struct conf_repo *r = &c->repos[i];

		if (r->db == NULL) {
			report(err, errsz, name, lineno, "[repo %s] has no 'db ='", r->name);
			bad = 1;
		} else if (r->server == NULL)
			repo_default_server(r);
	}
	free(buf);
	return bad ? -1 : 0;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	FILE	*f = NULL;
	char	*text = NULL;
	long	 len;
	int	 rc = -1, explicit = path != NULL;

	conf_defaults(c);
	if (errsz)
		err[0] = '\0';
	if (path == NULL && (path = getenv("DEBATE_CONF")) != NULL && *path)
		explicit = 1;
	if (path == NULL || *path == '\0')
		path = CONF_DEFAULT_PATH;
	if ((f = fopen(path, "r")) == NULL) {
		if (!explicit && errno == ENOENT) {
			rc = 0;
			goto out;
		}
		report(err, errsz, path, 0, "%s", strerror(errno));
		goto out;
	}
	if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || len > (1L << 20)) {
		report(err, errsz, path, 0, "unreadable or larger than 1 MiB");
		goto out;
	}
	if ((text = calloc(1, (size_t)len + 1)) == NULL ||
	    fread(text, 1, (size_t)len, f) != (size_t)len) {
		report(err, errsz, path, 0, "read failed");
		goto out;
	}
	c->path = strdup(path);
	rc = conf_parse(c, path, text, err, errsz);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}
