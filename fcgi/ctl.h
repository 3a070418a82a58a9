/*
 * ctl.h - debatectl's subcommands.  Each takes the configuration and its own
 * argv (argv[0] is the subcommand's name) and returns the exit status:
 * 0 done, 1 failed, 2 usage error.
 */
#ifndef DEBATE_CTL_H
#define DEBATE_CTL_H

#include "conf.h"

int	 ctl_migrate(const struct conf *c, int argc, char **argv);
int	 ctl_user(const struct conf *c, int argc, char **argv);
int	 ctl_repo(const struct conf *c, int argc, char **argv);
int	 ctl_resolve(const struct conf *c, int argc, char **argv);
int	 ctl_profile(const struct conf *c, int argc, char **argv);
int	 ctl_warm(const struct conf *c, int argc, char **argv);

#endif
