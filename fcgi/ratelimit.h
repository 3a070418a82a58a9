/*
 * ratelimit.h - token buckets per client address, shared by every process of
 * the pool (a MAP_SHARED table made by the parent before it forks).
 */
#ifndef DEBATE_RATELIMIT_H
#define DEBATE_RATELIMIT_H

/* Make the shared table; call once before forking.  0 or -1. */
int	 rl_init(void);

/*
 * Take one token from the bucket of (kind, addr): `rate` tokens a minute,
 * holding at most `burst`.  Returns 0 when allowed, else the whole seconds to
 * wait (>= 1).  Without rl_init it allows everything.
 */
int	 rl_take(const char *kind, const char *addr, int rate, int burst);

#endif
