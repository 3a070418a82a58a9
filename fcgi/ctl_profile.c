/*
 * ctl_profile.c - `debatectl profile ID DIR`: write the archiso profile of a
 * configuration's head revision into DIR (which must not exist), for running
 * mkarchiso by hand.  An admin command: it reads any account's configuration.
 */
#include "cfg.h"
#include "ctl.h"
#include "db.h"

#include <stdio.h>
#include <string.h>

int
ctl_profile(const struct conf *c, int argc, char **argv)
{
	const char	*p[1];
	char		 err[512];
	PGconn		*pg = NULL;
	PGresult	*res = NULL;
	json_t		*eff = NULL;
	int		 rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: debatectl profile CONFIGURATION-ID DIR\n");
		return 2;
	}
	if (!api_is_uuid(argv[1])) {
		fprintf(stderr, "debatectl profile: '%s' is not a configuration id\n", argv[1]);
		return 2;
	}
	pg = db_connect(c, DB_ROLE_ADMIN);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "debatectl profile: %s", PQerrorMessage(pg));
		goto out;
	}
	p[0] = argv[1];
	res = PQexecParams(pg, "SELECT r.effective FROM configurations.configurations c "
	    "JOIN configurations.revisions r ON r.configuration_id = c.id AND r.number = c.head "
	    "WHERE c.id = $1", 1, NULL, p, NULL, NULL, 0);
	if (!db_ok(res)) {
		fprintf(stderr, "debatectl profile: %s", PQerrorMessage(pg));
		goto out;
	}
	if (PQntuples(res) == 0) {
		fprintf(stderr, "debatectl profile: no configuration %s\n", argv[1]);
		goto out;
	}
	if ((eff = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL ||
	    cfg_profile_write(c, eff, argv[2], err, sizeof(err)) == -1) {
		fprintf(stderr, "debatectl profile: %s\n", eff ? err : "corrupt revision");
		goto out;
	}
	printf("%s\n", argv[2]);
	rc = 0;
out:
	json_decref(eff);
	PQclear(res);
	if (pg != NULL)
		PQfinish(pg);
	return rc;
}
