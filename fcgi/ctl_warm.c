/*
 * ctl_warm.c - `debatectl warm-cache [--days N] [--top M]`: enqueue
 * low-priority builds for the configurations built most in the last N days
 * (default 7) whose ISO is missing, counting an ISO built against older
 * repository databases as missing (the hash covers the databases).  Meant for
 * cron or the systemd timer; prints what it queued.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "db.h"
#include "overlay.h"
#include "q.h"

static long
num_arg(const char *s, long min, long max)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	return *s && *end == '\0' && v >= min && v <= max ? v : -1;
}

int
ctl_warm(const struct conf *c, int argc, char **argv)
{
	PGconn		*pg = NULL;
	PGresult	*res = NULL, *sums_res = NULL;
	json_t		*sums = NULL;
	char		 days[16] = "7", top[16] = "20";
	const char	*p[2] = { days, top };
	int		 a, i, queued = 0, fresh = 0, rc = 1;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--days") == 0 && a + 1 < argc && num_arg(argv[a + 1], 1, 3650) > 0)
			snprintf(days, sizeof(days), "%s", argv[++a]);
		else if (strcmp(argv[a], "--top") == 0 && a + 1 < argc &&
		    num_arg(argv[a + 1], 1, 100000) > 0)
			snprintf(top, sizeof(top), "%s", argv[++a]);
		else {
			fprintf(stderr, "usage: debatectl warm-cache [--days N] [--top M]\n");
			return 2;
		}
	}
	pg = db_connect(c, DB_ROLE_ADMIN);
	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "debatectl warm-cache: %s", PQerrorMessage(pg));
		goto out;
	}
	sums_res = PQexec(pg, db_stmts[DB_REPO_CHECKSUMS].sql);
	if (!db_ok(sums_res) || (sums = json_loads(PQgetvalue(sums_res, 0, 0), 0, NULL)) == NULL) {
		fprintf(stderr, "debatectl warm-cache: %s", PQerrorMessage(pg));
		goto out;
	}
	/* The most requested configurations, with their current head. */
	res = PQexecParams(pg, "SELECT c.id, c.head, r.effective, count(*) AS n "
	    "FROM builds.requests q JOIN configurations.configurations c ON c.id = q.configuration_id "
	    "JOIN configurations.revisions r ON r.configuration_id = c.id AND r.number = c.head "
	    "WHERE q.created_at > now() - make_interval(days => $1::int) AND r.solvable AND NOT r.draft "
	    "GROUP BY c.id, c.head, r.effective ORDER BY n DESC, c.id LIMIT $2::int",
	    2, NULL, p, NULL, NULL, 0);
	if (!db_ok(res)) {
		fprintf(stderr, "debatectl warm-cache: %s", PQerrorMessage(pg));
		goto out;
	}
	for (i = 0; i < PQntuples(res); i++) {
		json_t			*eff = json_loads(PQgetvalue(res, i, 2), 0, NULL);
		char			 hash[65], job[Q_JOB_ID_LEN], err[256], payload[128];
		const char		*bp[5];
		struct q_job_spec	 spec = { 0 };
		PGresult		*ins = NULL;

		if (eff == NULL || overlay_hash(eff, sums, hash) == -1) {
			json_decref(eff);
			continue;
		}
		bp[0] = hash;
		ins = PQexecParams(pg, "SELECT 1 FROM builds.builds WHERE config_hash = $1 AND "
		    "(state IN ('queued', 'running') OR (state = 'succeeded' AND artifact_path IS NOT NULL))",
		    1, NULL, bp, NULL, NULL, 0);
		if (db_ok(ins) && PQntuples(ins) > 0) {
			fresh++;
			goto next;
		}
		PQclear(ins);
		bp[1] = PQgetvalue(res, i, 0);
		bp[2] = PQgetvalue(res, i, 1);
		bp[3] = PQgetvalue(res, i, 2);
		bp[4] = "warm";
		PQclear(PQexec(pg, "BEGIN"));
		ins = PQexecParams(pg, db_stmts[DB_BUILD_INSERT].sql, 5, NULL, bp, NULL, NULL, 0);
		if (!db_ok(ins) || PQntuples(ins) != 1) {
			PQclear(PQexec(pg, "ROLLBACK"));
			goto next;
		}
		snprintf(payload, sizeof(payload), "{\"build_id\":\"%s\"}", PQgetvalue(ins, 0, 0));
		spec.kind = "build";
		spec.payload = payload;
		spec.priority = Q_PRIO_WARM;
		spec.dedupe_key = hash;
		spec.max_attempts = 2;
		{
			const char *jp[2] = { PQgetvalue(ins, 0, 0), job };

			if (q_enqueue(pg, &spec, job, err, sizeof(err)) == -1) {
				fprintf(stderr, "debatectl warm-cache: %s\n", err);
				PQclear(PQexec(pg, "ROLLBACK"));
				goto next;
			}
			PQclear(PQexecParams(pg, db_stmts[DB_BUILD_SET_JOB].sql, 2, NULL, jp, NULL, NULL, 0));
		}
		PQclear(PQexec(pg, "COMMIT"));
		printf("queued %s (configuration %s, requested %s times)\n", PQgetvalue(ins, 0, 0),
		    PQgetvalue(res, i, 0), PQgetvalue(res, i, 3));
		queued++;
next:
		PQclear(ins);
		json_decref(eff);
	}
	printf("%d build(s) queued, %d already cached or building\n", queued, fresh);
	rc = 0;
out:
	json_decref(sums);
	PQclear(sums_res);
	PQclear(res);
	if (pg != NULL)
		PQfinish(pg);
	return rc;
}
