/*
 * main_builder.c - debate-builder: claims "build" jobs from the queue and runs
 * each in a child process (bld_child.c), turning the child's framed reports
 * into progress rows and the build's state.  The parent alone holds the
 * database connection (the builder role); the child gets the effective
 * configuration as a file and a pipe to report on.
 *
 * While a build runs the parent heartbeats its lease; a cancel seen at a
 * heartbeat, or a lost lease, kills the child's process group.  A failed
 * attempt goes back to the queue with backoff (state "queued" again) until
 * the job runs out of attempts; then the build is "failed".
 *
 * Usage: debate-builder [-c CONF] [-1]   (-1: exit when idle, for tests)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "bld.h"
#include "conf.h"
#include "db.h"
#include "q.h"

#define SLOTS_MAX 16

struct run {
	struct q_job	*job;
	char		 build[40];
	pid_t		 pid;
	int		 fd;		/* the child's reports */
	char		 buf[4096];
	size_t		 len;
	char		 result[1024];	/* "OK ..." or "FAIL ..." */
};

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static int
exec1(PGconn *pg, const char *sql, int n, const char *const *p)
{
	PGresult	*res = PQexecParams(pg, sql, n, NULL, p, NULL, NULL, 0);
	int		 ok = db_ok(res);

	if (!ok)
		fprintf(stderr, "debate-builder: %s", PQerrorMessage(pg));
	PQclear(res);
	return ok ? 0 : -1;
}

static void
progress(PGconn *pg, const char *build, const char *stage, int pct, const char *msg)
{
	char		 ps[8];
	const char	*p[4] = { build, stage, ps, msg };

	snprintf(ps, sizeof(ps), "%d", pct < 0 ? 0 : pct > 100 ? 100 : pct);
	if (exec1(pg, "INSERT INTO builds.progress (build_id, stage, percent, message) "
	    "VALUES ($1, $2, $3::int, $4)", 4, p) == 0)
		(void)exec1(pg, "UPDATE builds.builds SET stage = $2, percent = $3::int WHERE id = $1",
		    3, p);
}

/* Start the child for job; 0, or -1 (the job is failed). */
static int
start(const struct conf *c, PGconn *pg, struct run *r)
{
	json_t		*pl = json_loads(r->job->payload, 0, NULL);
	const char	*id = json_string_value(json_object_get(pl, "build_id"));
	char		 dir[4096], file[4200], att[16];
	const char	*p[2];
	PGresult	*res = NULL;
	int		 fds[2] = { -1, -1 }, rc = -1;

	if (id == NULL || strlen(id) >= sizeof(r->build)) {
		snprintf(r->result, sizeof(r->result), "FAIL the job names no build");
		goto out;
	}
	snprintf(r->build, sizeof(r->build), "%s", id);
	snprintf(att, sizeof(att), "%d", r->job->attempt);
	p[0] = r->build;
	p[1] = att;
	res = PQexecParams(pg, "UPDATE builds.builds SET state = 'running', stage = 'starting', "
	    "percent = 0, attempts = $2::int, started_at = now(), error = NULL "
	    "WHERE id = $1 AND state IN ('queued', 'running') RETURNING effective", 2, NULL, p,
	    NULL, NULL, 0);
	if (!db_ok(res) || PQntuples(res) != 1) {
		snprintf(r->result, sizeof(r->result), "FAIL the build is gone or finished");
		goto out;
	}
	progress(pg, r->build, "starting", 0, "a builder took the build");
	snprintf(dir, sizeof(dir), "%s/%s-%d", c->builder_workdir, r->build, r->job->attempt);
	snprintf(file, sizeof(file), "%s/effective.json", dir);
	if ((mkdir(c->builder_workdir, 0755) == -1 && errno != EEXIST) ||
	    (mkdir(dir, 0700) == -1 && errno != EEXIST)) {
		snprintf(r->result, sizeof(r->result), "FAIL cannot make %.900s: %s", dir, strerror(errno));
		goto out;
	}
	{
		FILE *f = fopen(file, "w");

		if (f == NULL || fputs(PQgetvalue(res, 0, 0), f) < 0 || fclose(f) != 0) {
			snprintf(r->result, sizeof(r->result), "FAIL cannot write %.900s", file);
			goto out;
		}
	}
	if (pipe2(fds, O_CLOEXEC) == -1 || (r->pid = fork()) == -1) {
		snprintf(r->result, sizeof(r->result), "FAIL cannot start the build: %s", strerror(errno));
		goto out;
	}
	if (r->pid == 0) {
		setpgid(0, 0);		/* so a cancel kills everything it started */
		close(fds[0]);
		_exit(bld_child_run(c, r->build, dir, fds[1]));
	}
	setpgid(r->pid, r->pid);
	close(fds[1]);
	fds[1] = -1;
	r->fd = fds[0];
	fcntl(r->fd, F_SETFL, O_NONBLOCK);
	rc = 0;
out:
	if (rc == -1 && fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
	PQclear(res);
	json_decref(pl);
	return rc;
}

/* Handle one framed line from the child. */
static void
report(PGconn *pg, struct run *r, char *line)
{
	int pct;
	char stage[64];
	int used = 0;

	if (strncmp(line, "P ", 2) == 0 &&
	    sscanf(line + 2, "%d %63s %n", &pct, stage, &used) == 2 && used > 0)
		progress(pg, r->build, stage, pct, line + 2 + used);
	else if (strncmp(line, "OK ", 3) == 0 || strncmp(line, "FAIL ", 5) == 0)
		snprintf(r->result, sizeof(r->result), "%.1000s", line);
	else
		fprintf(stderr, "debate-builder: build %s: unframed report ignored\n", r->build);
}

static void
drain(PGconn *pg, struct run *r)
{
	ssize_t n;

	while ((n = read(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len)) > 0) {
		char *nl;

		r->len += (size_t)n;
		r->buf[r->len] = '\0';
		while ((nl = strchr(r->buf, '\n')) != NULL) {
			size_t used = (size_t)(nl - r->buf) + 1;

			*nl = '\0';
			report(pg, r, r->buf);
			memmove(r->buf, r->buf + used, r->len - used + 1);
			r->len -= used;
		}
		if (r->len == sizeof(r->buf) - 1)
			r->len = 0;	/* a line too long to be ours */
	}
}

/* The child ended: record the outcome and finish the job. */
static void
finish(struct q_worker *w, PGconn *pg, struct run *r)
{
	const char	*p[3] = { r->build, NULL, NULL };
	const char	*msg;
	PGresult	*res;

	if (strncmp(r->result, "OK ", 3) == 0) {
		/* Success path for a backend that produces an ISO: "OK size sha256 path". */
		char size[32], sha[65], path[3000];

		if (sscanf(r->result + 3, "%31s %64s %2999s", size, sha, path) == 3) {
			const char *pp[4] = { r->build, path, size, sha };

			if (exec1(pg, "BEGIN", 0, NULL) == 0 &&
			    exec1(pg, "UPDATE builds.builds SET state = 'succeeded', stage = 'done', "
			    "percent = 100, finished_at = now(), artifact_path = $2, "
			    "artifact_size = $3::bigint, artifact_sha256 = $4 WHERE id = $1", 4, pp) == 0 &&
			    exec1(pg, "INSERT INTO builds.progress (build_id, stage, percent, message) "
			    "VALUES ($1, 'done', 100, 'the ISO is ready')", 1, pp) == 0 &&
			    q_complete(w, r->job) == 0 && exec1(pg, "COMMIT", 0, NULL) == 0)
				return;
			exec1(pg, "ROLLBACK", 0, NULL);
		}
		snprintf(r->result, sizeof(r->result), "FAIL the build's result could not be recorded");
	}
	msg = strncmp(r->result, "FAIL ", 5) == 0 ? r->result + 5 : "the build stopped unexpectedly";
	if (q_fail(w, r->job, msg) == -1) {
		fprintf(stderr, "debate-builder: %s\n", q_worker_errmsg(w));
		q_drop(w, r->job);
	}
	/* Retried (queued again) or out of attempts (dead)? The job says. */
	p[1] = msg;
	res = PQexecParams(pg, "UPDATE builds.builds b SET state = CASE WHEN j.state = 'queued' "
	    "THEN 'queued' ELSE 'failed' END, stage = CASE WHEN j.state = 'queued' THEN 'queued' "
	    "ELSE 'failed' END, error = $2, finished_at = CASE WHEN j.state = 'queued' THEN NULL "
	    "ELSE now() END FROM builds.jobs j WHERE b.id = $1 AND j.id = b.job_id RETURNING b.state",
	    2, NULL, p, NULL, NULL, 0);
	if (db_ok(res) && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "queued") == 0) {
		char m[1200];

		snprintf(m, sizeof(m), "attempt failed: %s; it will be retried", msg);
		progress(pg, r->build, "queued", 0, m);
	} else
		progress(pg, r->build, "failed", 100, msg);
	PQclear(res);
}

static void
stop_child(struct run *r)
{
	if (r->pid > 0) {
		kill(-r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		r->pid = 0;
	}
}

int
main(int argc, char **argv)
{
	struct conf		 c;
	struct q_worker_opts	 o = { 0 };
	struct q_worker		*w = NULL;
	struct run		 runs[SLOTS_MAX];
	struct sigaction	 sa = { 0 };
	const char		*path = NULL;
	char			 err[4096];
	int			 nrun = 0, ch, once = 0, rc = 1, i;

	while ((ch = getopt(argc, argv, "c:1")) != -1) {
		if (ch == 'c')
			path = optarg;
		else if (ch == '1')
			once = 1;
		else {
			fprintf(stderr, "usage: debate-builder [-c CONF] [-1]\n");
			return 2;
		}
	}
	if (conf_load(&c, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s", err);
		goto out;
	}
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	o.conf = &c;
	o.slots = c.builder_slots < SLOTS_MAX ? c.builder_slots : SLOTS_MAX;
	if ((w = q_worker_new(&o)) == NULL) {
		fprintf(stderr, "debate-builder: cannot make the queue worker\n");
		goto out;
	}
	fprintf(stderr, "debate-builder: %s, %d slot(s)\n", q_worker_id(w), o.slots);
	while (!stopping) {
		struct pollfd	 fds[SLOTS_MAX + 1];
		PGconn		*pg = q_worker_conn(w);
		int		 n = 0, timeout = q_worker_next_ms(w), woke;

		woke = q_worker_service(w);
		if (pg == NULL) {
			sleep(1);
			continue;
		}
		/* Cancels and lost leases, as the last heartbeat found them. */
		for (i = 0; i < nrun; i++) {
			if (runs[i].job->cancel_requested) {
				stop_child(&runs[i]);
				q_cancelled(w, runs[i].job);
				exec1(pg, "UPDATE builds.builds SET state = 'cancelled', stage = 'cancelled', "
				    "finished_at = now() WHERE id = $1", 1, (const char *[]){ runs[i].build });
				progress(pg, runs[i].build, "cancelled", 100, "cancelled");
			} else if (runs[i].job->lease_lost) {
				stop_child(&runs[i]);
				q_drop(w, runs[i].job);
			} else
				continue;
			close(runs[i].fd);
			runs[i--] = runs[--nrun];
		}
		if (woke != 0 && nrun < o.slots) {
			struct q_job	*jobs[SLOTS_MAX];
			int		 got = 0;

			if (q_claim(w, o.slots - nrun, jobs, &got) == 0)
				for (i = 0; i < got; i++) {
					memset(&runs[nrun], 0, sizeof(runs[nrun]));
					runs[nrun].job = jobs[i];
					if (start(&c, pg, &runs[nrun]) == -1)
						finish(w, pg, &runs[nrun]);
					else
						nrun++;
				}
		}
		if (once && nrun == 0 && woke == 0)
			break;
		for (i = 0; i < nrun; i++) {
			fds[n].fd = runs[i].fd;
			fds[n++].events = POLLIN;
		}
		if (q_worker_fd(w) >= 0) {
			fds[n].fd = q_worker_fd(w);
			fds[n++].events = POLLIN;
		}
		if (timeout < 0 || timeout > 1000)
			timeout = 1000;
		poll(fds, (nfds_t)n, timeout);
		for (i = 0; i < nrun; i++) {
			int status;

			drain(pg, &runs[i]);
			if (waitpid(runs[i].pid, &status, WNOHANG) != runs[i].pid)
				continue;
			drain(pg, &runs[i]);
			runs[i].pid = 0;
			finish(w, pg, &runs[i]);
			close(runs[i].fd);
			runs[i--] = runs[--nrun];
		}
	}
	for (i = 0; i < nrun; i++) {
		stop_child(&runs[i]);
		q_drop(w, runs[i].job);	/* the lease runs out; another builder takes it */
	}
	rc = 0;
out:
	q_worker_free(w);
	conf_free(&c);
	return rc;
}
