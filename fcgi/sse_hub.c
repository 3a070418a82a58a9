/*
 * sse_hub.c - see sse_hub.h.
 *
 * The hub thread sleeps in poll() on its PostgreSQL socket and a wake-up
 * pipe.  A NOTIFY names a build; the hub reads that build's rows after the
 * lowest sequence any of its streams has sent (one query), writes each row to
 * every stream that lacks it, and ends the streams with a "done" or "failed"
 * event once the build is over.  Every HUB_HEARTBEAT_MS a comment line keeps
 * idle streams (and the proxies between) alive.  A stream whose client went
 * away fails its next write and is closed.  After a lost connection the hub
 * reconnects, LISTENs again and catches every stream up, so no row is missed.
 */
#include "sse_hub.h"
#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct stream {
	FCGX_Request	*r;
	char		 build[40];
	long long	 seq;		/* last row sent */
	int		 dirty;		/* rows may be waiting */
	struct stream	*next;
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream	*pending;	/* adopted, not yet seen by the hub */
static int		 wake[2] = { -1, -1 };
static int		 started, count;
static const struct conf *hub_conf;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write text to s and flush; -1 when the client is gone. */
static int
put(struct stream *s, const char *text, size_t len)
{
	if (FCGX_PutStr(text, (int)len, s->r->out) != (int)len || FCGX_FFlush(s->r->out) != 0 ||
	    FCGX_GetError(s->r->out) != 0)
		return -1;
	return 0;
}

static void
close_stream(struct stream *s)
{
	s->r->keepConnection = 0;	/* nobody will read another request on it */
	FCGX_Finish_r(s->r);
	free(s->r);
	free(s);
	__atomic_sub_fetch(&count, 1, __ATOMIC_SEQ_CST);
}

/*
 * Bring every stream of `build` up to date with one query; close the ones
 * that ended or failed.  Returns 0, or -1 when the database is unreachable
 * (the streams stay dirty).
 */
static int
refresh(struct db *db, struct stream **list, const char *build)
{
	struct stream	*s, **pp;
	long long	 from = -1;
	char		 after[24];
	const char	*p[2] = { build, after };
	PGresult	*res;
	const char	*state = "";
	int		 i, n;

	for (s = *list; s != NULL; s = s->next)
		if (strcmp(s->build, build) == 0 && (from < 0 || s->seq < from))
			from = s->seq;
	if (from < 0)
		return 0;
	snprintf(after, sizeof(after), "%lld", from);
	res = db_exec(db, DB_PROGRESS_AFTER, p);
	if (!db_ok(res)) {
		PQclear(res);
		return -1;
	}
	n = PQntuples(res);
	if (n > 0)
		state = PQgetvalue(res, 0, 2);
	for (pp = list; (s = *pp) != NULL;) {
		int dead = 0, over;

		if (strcmp(s->build, build) != 0) {
			pp = &s->next;
			continue;
		}
		s->dirty = 0;
		for (i = 0; i < n && !dead; i++) {
			long long	 seq;
			char		 buf[8192];
			int		 len;

			if (PQgetisnull(res, i, 0))
				continue;
			seq = atoll(PQgetvalue(res, i, 0));
			if (seq <= s->seq)
				continue;
			len = snprintf(buf, sizeof(buf), "id: %lld\nevent: progress\ndata: %s\n\n", seq,
			    PQgetvalue(res, i, 1));
			if (len < 0 || (size_t)len >= sizeof(buf) || put(s, buf, (size_t)len) == -1)
				dead = 1;
			else
				s->seq = seq;
		}
		over = n == 0 || strcmp(state, "succeeded") == 0 || strcmp(state, "failed") == 0 ||
		    strcmp(state, "cancelled") == 0;
		if (!dead && over) {
			char	buf[256];
			int	len = snprintf(buf, sizeof(buf), "event: %s\ndata: {\"state\":\"%s\"}\n\n",
			    strcmp(state, "succeeded") == 0 ? "done" : "failed", n ? state : "gone");

			(void)put(s, buf, (size_t)len);
		}
		if (dead || over) {
			*pp = s->next;
			close_stream(s);
		} else
			pp = &s->next;
	}
	PQclear(res);
	return 0;
}

/* (Re)connect and LISTEN; 0 or -1. */
static int
listen_on(struct db *db)
{
	PGconn		*pg;
	PGresult	*res;
	int		 ok;

	if ((pg = db_conn(db)) == NULL)
		return -1;
	res = PQexec(pg, "LISTEN " HUB_CHANNEL);
	ok = db_ok(res);
	PQclear(res);
	return ok ? 0 : -1;
}

static void *
hub_main(void *arg)
{
	struct db	*db = db_new(hub_conf, DB_ROLE_WEB);
	struct stream	*list = NULL, *s;
	long long	 beat = now_ms() + HUB_HEARTBEAT_MS;
	PGconn		*listened = NULL;	/* the connection our LISTEN is on */
	int		 listening = 0;

	(void)arg;
	for (;;) {
		struct pollfd	 fds[2];
		PGconn		*pg;
		PGnotify	*nt;
		int		 nfds = 1, timeout;
		char		 junk[256];

		/* Adopt what the serving threads handed over. */
		pthread_mutex_lock(&lock);
		while ((s = pending) != NULL) {
			pending = s->next;
			s->next = list;
			s->dirty = 1;
			list = s;
		}
		pthread_mutex_unlock(&lock);
		/* A query that reconnected under us left the LISTEN behind. */
		if (listening && db_conn(db) != listened)
			listening = 0;
		if (!listening && listen_on(db) == 0) {
			listening = 1;
			listened = db_conn(db);
			for (s = list; s != NULL; s = s->next)
				s->dirty = 1;	/* catch up on what the outage hid */
		}
		pg = listening ? db_conn(db) : NULL;
		if (pg != NULL && PQstatus(pg) == CONNECTION_OK) {
			PQconsumeInput(pg);
			while ((nt = PQnotifies(pg)) != NULL) {
				for (s = list; s != NULL; s = s->next)
					if (strcmp(s->build, nt->extra) == 0)
						s->dirty = 1;
				PQfreemem(nt);
			}
		} else
			listening = 0;
		/* Refresh each build that has a dirty stream, one query per build. */
		for (;;) {
			char build[40] = "";

			for (s = list; s != NULL; s = s->next)
				if (s->dirty) {
					snprintf(build, sizeof(build), "%s", s->build);
					break;
				}
			if (build[0] == '\0')
				break;
			if (refresh(db, &list, build) == -1) {
				listening = 0;
				break;
			}
		}
		if (now_ms() >= beat) {
			struct stream **pp;

			for (pp = &list; (s = *pp) != NULL;) {
				if (put(s, ": keepalive\n\n", 13) == -1) {
					*pp = s->next;
					close_stream(s);
				} else
					pp = &s->next;
			}
			beat = now_ms() + HUB_HEARTBEAT_MS;
		}
		fds[0].fd = wake[0];
		fds[0].events = POLLIN;
		if (listening && (pg = db_conn(db)) != NULL && PQsocket(pg) >= 0) {
			fds[1].fd = PQsocket(pg);
			fds[1].events = POLLIN;
			nfds = 2;
		}
		timeout = (int)(beat - now_ms());
		if (!listening && timeout > 1000)
			timeout = 1000;		/* retry the database soon */
		if (timeout < 0)
			timeout = 0;
		if (poll(fds, (nfds_t)nfds, timeout) > 0 && (fds[0].revents & POLLIN))
			while (read(wake[0], junk, sizeof(junk)) > 0)
				;
	}
	return NULL;
}

static int
start(const struct conf *c)
{
	pthread_t	 t;
	pthread_attr_t	 attr;
	int		 rc;

	hub_conf = c;
	if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) == -1)
		return -1;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, hub_main, NULL);
	pthread_attr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}

int
hub_adopt(const struct conf *c, FCGX_Request *r, const char *build_id, long long last_seq)
{
	struct stream	*s;
	int		 rc = -1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->r = r;
	s->seq = last_seq;
	snprintf(s->build, sizeof(s->build), "%s", build_id);
	pthread_mutex_lock(&lock);
	if (!started && start(c) == 0)
		started = 1;
	if (started) {
		s->next = pending;
		pending = s;
		__atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST);
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	if (rc == -1) {
		free(s);
		return -1;
	}
	(void)write(wake[1], "x", 1);
	return 0;
}

int
hub_count(void)
{
	return __atomic_load_n(&count, __ATOMIC_SEQ_CST);
}
