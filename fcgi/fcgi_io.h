/*
 * fcgi_io.h - one FastCGI request in, one response out, one log line.
 */
#ifndef DEBATE_FCGI_IO_H
#define DEBATE_FCGI_IO_H

#include <fcgiapp.h>

#include "api.h"

/* Serve the accepted request r: read it, dispatch, answer, log. */
void	 fcgi_io_serve(struct app *app, FCGX_Request *r);

#endif
