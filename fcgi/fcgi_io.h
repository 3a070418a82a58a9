/*
 * fcgi_io.h - one FastCGI request in, one response out, one log line.
 */
#ifndef DEBATE_FCGI_IO_H
#define DEBATE_FCGI_IO_H

#include <fcgiapp.h>

#include "api.h"

/*
 * Serve the accepted request r (heap-allocated): read it, dispatch, answer,
 * log.  Returns 0 when the caller should FCGX_Finish_r(r) as usual, 1 when r
 * became a Server-Sent Events stream owned by the hub (sse_hub.c): the caller
 * must then forget r and use a new request for its next accept.
 */
int	 fcgi_io_serve(struct app *app, FCGX_Request *r);

#endif
