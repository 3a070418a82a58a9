/*
 * ratelimit.c - a fixed table of token buckets in shared memory, keyed by a
 * hash of (kind, address), guarded by one process-shared mutex.  When the table
 * is full, the least recently used bucket of a probe run is recycled: an
 * attacker spraying addresses can only make buckets forget, never block others.
 */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define RL_SLOTS 8192
#define RL_PROBE 16

struct rl_bucket {
	uint64_t	key;		/* 0 = free */
	double		tokens;
	double		last;		/* seconds, CLOCK_MONOTONIC */
};

struct rl_table {
	pthread_mutex_t		lock;
	struct rl_bucket	b[RL_SLOTS];
};

static struct rl_table *table;

int
rl_init(void)
{
	pthread_mutexattr_t a;

	table = mmap(NULL, sizeof(*table), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (table == MAP_FAILED) {
		table = NULL;
		return -1;
	}
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&table->lock, &a);
	pthread_mutexattr_destroy(&a);
	return 0;
}

/* FNV-1a over kind, a separator and addr; never 0. */
static uint64_t
key_of(const char *kind, const char *addr)
{
	uint64_t	 h = 1469598103934665603ULL;
	const char	*s;

	for (s = kind; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (s = addr ? addr : ""; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

int
rl_take(const char *kind, const char *addr, int rate, int burst)
{
	struct timespec	 ts;
	struct rl_bucket *b = NULL, *oldest = NULL;
	uint64_t	 key = key_of(kind, addr);
	double		 now, per_sec = rate / 60.0;
	int		 i, wait = 0;

	if (table == NULL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	pthread_mutex_lock(&table->lock);
	for (i = 0; i < RL_PROBE; i++) {
		struct rl_bucket *c = &table->b[(key + (uint64_t)i) % RL_SLOTS];

		if (c->key == key) {
			b = c;
			break;
		}
		/* Prefer a free slot, else the least recently used one. */
		if (oldest == NULL || (oldest->key != 0 &&
		    (c->key == 0 || c->last < oldest->last)))
			oldest = c;
	}
	if (b == NULL) {
		b = oldest;
		b->key = key;
		b->tokens = burst;
		b->last = now;
	}
	b->tokens = fmin((double)burst, b->tokens + (now - b->last) * per_sec);
	b->last = now;
	if (b->tokens >= 1.0)
		b->tokens -= 1.0;
	else
		wait = (int)ceil((1.0 - b->tokens) / per_sec);
	pthread_mutex_unlock(&table->lock);
	return wait;
}
