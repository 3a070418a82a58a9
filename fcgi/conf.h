/*
 * conf.h - the one configuration file every Debate program reads.
 *
 * pacman.conf-style INI: `[section]` headers, `key = value` lines, `#` comments.
 * Sections: [database] [web] [builder] [limits] and any number of [repo NAME]
 * (order = priority, highest first, as pacman.conf).  The path comes from
 * DEBATE_CONF, else CONF_DEFAULT_PATH.  Unknown sections, unknown keys and bad
 * values are errors reported as "file:line: message".
 */
#ifndef DEBATE_CONF_H
#define DEBATE_CONF_H

#include <stddef.h>

#define CONF_DEFAULT_PATH "/etc/debate/debate.conf"
#define CONF_REPO_MAX 32

struct conf_repo {
	char	*name;		/* [repo NAME] */
	char	*db;		/* path or URL of the sync database */
	char	*server;	/* URL packages are fetched from */
};

struct conf {
	char	*path;			/* the file read, or NULL for defaults */
	/* [database] */
	char	*db_host;		/* socket directory or host name */
	int	 db_port;
	char	*db_name;
	char	*db_admin_user;		/* owns the schema; runs migrations */
	char	*db_web_user;		/* the FastCGI pool's role */
	char	*db_builder_user;	/* the builders' role */
	int	 db_connect_timeout;	/* seconds */
	char	*db_migrations;		/* folder of NNNN_name.sql files */
	/* [web] */
	char	*web_socket;		/* FastCGI unix socket path */
	int	 web_socket_mode;	/* octal, e.g. 0660 */
	int	 web_workers;		/* FastCGI processes */
	int	 web_threads;		/* serving threads in each */
	long	 web_max_body;		/* bytes; larger request bodies get 413 */
	int	 web_session_ttl;	/* seconds a login lasts */
	char	*web_cache_dir;		/* the resolver's .solv cache lives here */
	int	 web_password_ops;	/* Argon2id passes */
	long	 web_password_mem;	/* Argon2id memory, bytes */
	/* [builder] */
	char	*builder_workdir;
	char	*builder_artifacts;	/* finished ISOs; nginx serves them */
	int	 builder_slots;
	/* [limits] */
	int	 lim_login_account;	/* failed logins per account per window */
	int	 lim_login_address;	/* failed logins per address per window */
	int	 lim_login_window;	/* seconds */
	int	 lim_resolve_rate;	/* resolves per minute per address */
	int	 lim_resolve_burst;	/* resolves at once per address */
	int	 lim_overlay_files;	/* overlay files per configuration */
	long	 lim_overlay_file_bytes; /* bytes of one overlay file */
	long	 lim_overlay_bytes;	/* bytes of all overlay files */
	int	 lim_packages;		/* names in one layer's list */
	int	 lim_builds_live;	/* queued + running builds per account */
	int	 lim_builds_day;	/* new builds per account per day */
	long	 lim_storage;		/* ISO bytes per account */
	/* [repo NAME]... */
	struct conf_repo repos[CONF_REPO_MAX];
	size_t	 nrepos;
};

/*
 * Fill `c` with defaults, then read `path` over them (path NULL: DEBATE_CONF,
 * else CONF_DEFAULT_PATH; a missing default file is not an error).  Returns 0,
 * or -1 with every problem found written to err as "file:line: ..." lines.
 * The caller frees c with conf_free() in either case.
 */
int	 conf_load(struct conf *c, const char *path, char *err, size_t errsz);

/* Same, reading from a buffer; `name` is used in messages.  For tests. */
int	 conf_parse(struct conf *c, const char *name, const char *text,
	    char *err, size_t errsz);

void	 conf_defaults(struct conf *c);
void	 conf_free(struct conf *c);

#endif
