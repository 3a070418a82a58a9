/*
 * ctl_user.c - `debatectl user add NAME`: create an account from the shell.
 * The password is read from standard input (one line); on a terminal it is
 * asked for twice without echo.
 */
#include "auth.h"
#include "ctl.h"
#include "db.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Read one line into buf without its newline; -1 at end of input. */
static int
read_line(const char *prompt, char *buf, size_t size)
{
	struct termios	 old, quiet;
	int		 tty = isatty(0), rc = 0;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &quiet);
	}
	if (fgets(buf, (int)size, stdin) == NULL)
		rc = -1;
	else
		buf[strcspn(buf, "\r\n")] = '\0';
	if (tty) {
		tcsetattr(0, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	return rc;
}

int
ctl_user(const struct conf *c, int argc, char **argv)
{
	char		 pw[AUTH_PASSWORD_MAX + 2], again[AUTH_PASSWORD_MAX + 2];
	char		 hash[AUTH_HASH_MAX];
	const char	*why, *p[2];
	PGconn		*pg = NULL;
	PGresult	*res = NULL;
	int		 rc = 1;

	if (argc != 3 || strcmp(argv[1], "add") != 0) {
		fprintf(stderr, "usage: debatectl user add NAME   (password on standard input)\n");
		return 2;
	}
	if ((why = auth_name_check(argv[2])) != NULL) {
		fprintf(stderr, "debatectl user: %s\n", why);
		goto out;
	}
	if (read_line("Password: ", pw, sizeof(pw)) == -1) {
		fprintf(stderr, "debatectl user: no password given on standard input\n");
		goto out;
	}
	if (isatty(0) && (read_line("Again: ", again, sizeof(again)) == -1 || strcmp(pw, again))) {
		fprintf(stderr, "debatectl user: the passwords differ\n");
		goto out;
	}
	if ((why = auth_password_check(pw, argv[2])) != NULL) {
		fprintf(stderr, "debatectl user: %s\n", why);
		goto out;
	}
	if (auth_init() == -1 || auth_password_hash(c, pw, hash) == -1) {
		fprintf(stderr, "debatectl user: cannot hash the password\n");
		goto out;
	}
	pg = db_connect(c, DB_ROLE_ADMIN);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "debatectl user: %s", PQerrorMessage(pg));
		goto out;
	}
	p[0] = argv[2];
	p[1] = hash;
	res = PQexecParams(pg, db_stmts[DB_USER_INSERT].sql, 2, NULL, p, NULL, NULL, 0);
	if (!db_ok(res)) {
		if (strcmp(db_sqlstate(res), "23505") == 0)
			fprintf(stderr, "debatectl user: the name '%s' is taken\n", argv[2]);
		else
			fprintf(stderr, "debatectl user: %s", PQerrorMessage(pg));
		goto out;
	}
	printf("%s %s\n", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	rc = 0;
out:
	PQclear(res);
	if (pg != NULL)
		PQfinish(pg);
	return rc;
}
