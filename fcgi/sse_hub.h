/*
 * sse_hub.h - the process's Server-Sent Events streams.  A handler that
 * answers with a stream hands its FastCGI request to the hub, which owns it
 * from then on: one thread, one LISTEN connection per process, fanning each
 * NOTIFY on "debate_progress" out to that build's streams.  Never a query per
 * client per tick: one query per notified build.
 */
#ifndef DEBATE_SSE_HUB_H
#define DEBATE_SSE_HUB_H

#include <fcgiapp.h>

#include "conf.h"

#define HUB_CHANNEL		"debate_progress"
#define HUB_HEARTBEAT_MS	15000

/*
 * Take over r (heap-allocated; the hub frees it) for build_id, whose rows up to
 * last_seq the client has.  Starts the hub thread on first use.  0, or -1 when
 * the hub cannot run (the caller then finishes r itself).
 */
int	 hub_adopt(const struct conf *c, FCGX_Request *r, const char *build_id,
	    long long last_seq);

/* Streams open in this process (for tests and logs). */
int	 hub_count(void);

#endif
