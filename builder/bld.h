/*
 * bld.h - debate-builder: the parent that owns the database connection and
 * the queue worker, and the child per build that does the work.  The child
 * never touches the database; it reports in framed lines the parent checks:
 *     "P <percent> <stage> <message>\n"   progress
 *     "OK <size> <sha256> <path>\n"       the ISO is ready at path
 *     "FAIL <message>\n"                  the build failed
 */
#ifndef DEBATE_BLD_H
#define DEBATE_BLD_H

#include <sys/types.h>

#include "conf.h"

/*
 * Run one build in this (child) process: effective configuration in
 * dir/effective.json, work under dir, the ISO to c->builder_artifacts.
 * Reports on fd; returns the exit status (0 built).
 */
int	 bld_child_run(const struct conf *c, const char *build_id, const char *dir, int fd);

/*
 * Refuse unless the sandbox can be made: user, mount, PID and network
 * namespaces.  0, or -1 with why (static text) set.
 */
int	 bld_sandbox_check(const char **why);

#endif
