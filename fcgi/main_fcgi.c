/*
 * main_fcgi.c - debate-fcgi: the FastCGI pool.
 *
 * The parent opens the listening socket (or takes it from systemd socket
 * activation: LISTEN_FDS=1, fd 3), forks [web] workers children and keeps that
 * many alive, restarting one that dies.  Each child runs [web] threads threads,
 * each with its own database connection (made lazily), serving one request at
 * a time.  SIGTERM/SIGINT stop
 * the pool: children finish the request in hand and exit; the parent removes
 * the socket it made.
 *
 * Usage: debate-fcgi [-c CONF]
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "api.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "fcgi_io.h"
#include "ratelimit.h"

static volatile sig_atomic_t stopping;
static atomic_int busy;		/* threads of this child inside a request */

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	/* Every thread idle (in accept or waiting on a kept-alive connection): leave now. */
	if (atomic_load(&busy) == 0)
		_exit(0);
}

static void
parent_on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

struct thread_arg {
	const struct conf	*conf;
	int			 fd;
};

/*
 * One serving thread: its own request and its own database connection, so
 * threads share nothing but the read-only configuration.
 */
static void *
serve_thread(void *p)
{
	const struct thread_arg	*ta = p;
	FCGX_Request		*r = NULL;
	struct app		 app = { ta->conf, NULL };

	if ((app.db = db_new(ta->conf, DB_ROLE_WEB)) == NULL)
		goto oom;
	for (;;) {
		/* Requests live on the heap: a stream's request goes to the hub. */
		if (r == NULL && ((r = malloc(sizeof(*r))) == NULL || FCGX_InitRequest(r, ta->fd, 0) != 0))
			goto oom;
		if (stopping || FCGX_Accept_r(r) < 0)
			break;
		atomic_fetch_add(&busy, 1);
		if (fcgi_io_serve(&app, r) == 1)
			r = NULL;
		else
			FCGX_Finish_r(r);
		if (atomic_fetch_sub(&busy, 1) == 1 && stopping)
			_exit(0);
	}
	free(r);
	db_free(app.db);
	return NULL;
oom:
	fprintf(stderr, "debate-fcgi: out of memory\n");
	_exit(1);
}

/*
 * A child's life: [web] threads serving threads, until told to stop.  Never
 * returns.  Threads matter because nginx keeps FastCGI connections alive: a
 * thread waiting on an idle kept-alive connection must not keep the others
 * from accepting.
 */
static void
child_main(const struct conf *c, int fd)
{
	struct sigaction	 sa = { 0 };
	struct thread_arg	 ta = { c, fd };
	pthread_attr_t		 attr;
	pthread_t		 t;
	int			 i;

	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 1; i < c->web_threads; i++)
		if (pthread_create(&t, &attr, serve_thread, &ta) != 0) {
			fprintf(stderr, "debate-fcgi: cannot start a thread\n");
			_exit(1);
		}
	pthread_attr_destroy(&attr);
	serve_thread(&ta);
	_exit(0);
}

static int
listen_fd(const struct conf *c, int *made)
{
	const char	*lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	int		 fd;
	mode_t		 old;

	*made = 0;
	if (lp && lf && atol(lp) == (long)getpid() && atoi(lf) == 1)
		return 3;
	unlink(c->web_socket);
	old = umask(0777 & ~c->web_socket_mode);
	fd = FCGX_OpenSocket(c->web_socket, 1024);
	umask(old);
	if (fd < 0) {
		fprintf(stderr, "debate-fcgi: cannot listen on %s: %s\n", c->web_socket,
		    strerror(errno));
		return -1;
	}
	chmod(c->web_socket, (mode_t)c->web_socket_mode);
	*made = 1;
	return fd;
}

static pid_t
spawn(const struct conf *c, int fd)
{
	pid_t pid = fork();

	if (pid == 0)
		child_main(c, fd);
	return pid;
}

int
main(int argc, char **argv)
{
	struct conf	 c;
	struct sigaction sa = { 0 };
	char		 err[4096];
	const char	*path = NULL;
	pid_t		*kids = NULL;
	int		 fd = -1, made = 0, rc = 1, i, ch;

	while ((ch = getopt(argc, argv, "c:")) != -1) {
		if (ch == 'c')
			path = optarg;
		else {
			fprintf(stderr, "usage: debate-fcgi [-c CONF]\n");
			return 2;
		}
	}
	if (conf_load(&c, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s", err);
		goto out;
	}
	if (auth_init() == -1 || rl_init() == -1 || FCGX_Init() != 0) {
		fprintf(stderr, "debate-fcgi: library initialisation failed\n");
		goto out;
	}
	/* Open event streams each hold a descriptor: allow as many as we may. */
	{
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			(void)setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	if ((fd = listen_fd(&c, &made)) < 0)
		goto out;
	if ((kids = calloc((size_t)c.web_workers, sizeof(*kids))) == NULL)
		goto out;
	sa.sa_handler = parent_on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < c.web_workers; i++)
		kids[i] = spawn(&c, fd);
	/* Seed jansson's hash once here, not in every child on its first request. */
	json_decref(json_object());
	fprintf(stderr, "debate-fcgi: %d workers x %d threads on %s\n", c.web_workers, c.web_threads,
	    made ? c.web_socket : "fd 3");
	while (!stopping) {
		int	 status;
		pid_t	 pid = wait(&status);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < c.web_workers; i++) {
			if (kids[i] != pid)
				continue;
			if (stopping)
				break;
			fprintf(stderr, "debate-fcgi: worker %ld %s %d; restarting\n", (long)pid,
			    WIFSIGNALED(status) ? "killed by signal" : "exited with",
			    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			sleep(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1);
			kids[i] = spawn(&c, fd);
		}
	}
	for (i = 0; i < c.web_workers; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	rc = 0;
out:
	if (made)
		unlink(c.web_socket);
	free(kids);
	conf_free(&c);
	return rc;
}
