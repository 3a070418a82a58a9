/*
 * main_fcgi.c - debate-fcgi: the FastCGI pool.
 *
 * The parent opens the listening socket (or takes it from systemd socket
 * activation: LISTEN_FDS=1, fd 3), forks [web] workers children and keeps that
 * many alive, restarting one that dies.  Each child runs [web] threads threads,
 * each with its own database connection (made lazily), serving one request at
 * a time from whichever connection has one waiting (an epoll set per child
 * holds the listener and the idle kept-alive connections).  SIGTERM/SIGINT stop
 * the pool: children finish the request in hand and exit; the parent removes
 * the socket it made.
 *
 * Usage: debate-fcgi [-c CONF]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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
	/* Every thread idle (waiting in epoll for a request): leave now. */
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
	int			 fd;	/* the listening socket (non-blocking) */
	int			 epfd;	/* this child's: listener + idle connections */
};

/*
 * Park a kept-alive connection: the next request on it (or its end) wakes one
 * thread, whichever is free.  0, or -1 (the caller closes it).
 */
static int
park(const struct thread_arg *ta, FCGX_Request *r)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.ptr = r };

	if (epoll_ctl(ta->epfd, EPOLL_CTL_MOD, r->ipcFd, &ev) == 0)
		return 0;
	return errno == ENOENT ? epoll_ctl(ta->epfd, EPOLL_CTL_ADD, r->ipcFd, &ev) : -1;
}

static void
drop(FCGX_Request *r)
{
	if (r->ipcFd >= 0)
		close(r->ipcFd);	/* also leaves the epoll set */
	free(r);
}

/*
 * The next connection with a request waiting: a new one from the listener or
 * a parked one that became readable.  NULL when there is nothing this time
 * (another thread took it, the peer closed, or out of memory).  The request
 * returned has its connection set and keepConnection on, so FCGX_Accept_r
 * reads from it instead of accepting (libfcgi 2.4: it accepts only when
 * ipcFd < 0, and its opening FCGX_Finish_r keeps a kept connection open).
 */
static FCGX_Request *
next_connection(const struct thread_arg *ta)
{
	struct epoll_event	 ev;
	FCGX_Request		*r;
	char			 c;
	ssize_t			 k;
	int			 cfd;

	if (epoll_wait(ta->epfd, &ev, 1, -1) != 1)
		return NULL;
	if (ev.data.ptr == NULL) {
		if ((cfd = accept4(ta->fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			return NULL;
		if ((r = malloc(sizeof(*r))) == NULL || FCGX_InitRequest(r, ta->fd, 0) != 0) {
			free(r);
			close(cfd);
			return NULL;
		}
		r->ipcFd = cfd;
		r->keepConnection = 1;
		return r;
	}
	r = ev.data.ptr;
	k = recv(r->ipcFd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
		drop(r);	/* nginx closed its idle connection */
		return NULL;
	}
	if (k < 0 && park(ta, r) == -1) {
		drop(r);
		return NULL;
	}
	return k < 0 ? NULL : r;
}

/*
 * One serving thread with its own database connection; threads share nothing
 * but the read-only configuration and the child's epoll set.  A thread is
 * never tied to a connection: between requests a kept-alive connection is
 * parked in the epoll set, so a burst of new connections from nginx is
 * accepted by whichever threads are free instead of waiting behind
 * connections that other threads sit on (which held some requests in the
 * accept queue for seconds under 64 concurrent clients).
 */
static void *
serve_thread(void *p)
{
	const struct thread_arg	*ta = p;
	FCGX_Request		*r;
	struct app		 app = { ta->conf, NULL };

	if ((app.db = db_new(ta->conf, DB_ROLE_WEB)) == NULL)
		goto oom;
	while (!stopping) {
		if ((r = next_connection(ta)) == NULL)
			continue;
		if (FCGX_Accept_r(r) < 0) {
			drop(r);	/* a broken connection; libfcgi closed it */
			continue;
		}
		atomic_fetch_add(&busy, 1);
		/* Requests live on the heap: a stream's request goes to the hub. */
		if (fcgi_io_serve(&app, r) != 1) {
			FCGX_Finish_r(r);
			if (r->ipcFd < 0 || park(ta, r) == -1)
				drop(r);
		}
		if (atomic_fetch_sub(&busy, 1) == 1 && stopping)
			_exit(0);
	}
	db_free(app.db);
	return NULL;
oom:
	fprintf(stderr, "debate-fcgi: out of memory\n");
	_exit(1);
}

/*
 * A child's life: [web] threads serving threads over one epoll set, until
 * told to stop.  Never returns.
 */
static void
child_main(const struct conf *c, int fd)
{
	struct sigaction	 sa = { 0 };
	struct thread_arg	 ta = { c, fd, -1 };
	struct epoll_event	 ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL };
	pthread_attr_t		 attr;
	pthread_t		 t;
	int			 i;

	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* EPOLLEXCLUSIVE: a new connection wakes one child, not all of them. */
	if ((ta.epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(ta.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		fprintf(stderr, "debate-fcgi: epoll: %s\n", strerror(errno));
		_exit(1);
	}
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
	/* Stopping: the last busy thread exits for us; until then, wait. */
	while (atomic_load(&busy) > 0)
		usleep(10000);
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
	/* Threads accept only when epoll says a connection waits; a thread that
	 * loses the race gets EAGAIN instead of blocking. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		fprintf(stderr, "debate-fcgi: %s\n", strerror(errno));
		goto out;
	}
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
