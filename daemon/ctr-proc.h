/* The last steps every container process takes before exec, whether it
 * creates the container (ctr-setup.c) or joins it (ctr-exec.c): its pty
 * or stdio, working directory, privileges, signals and fds. */
#ifndef MD_CTR_PROC_H
#define MD_CTR_PROC_H

#include "../common/err.h"
#include "ctr-setup.h"

/* The signals a monitor ignores, as it must outlive its container's
 * terminal and the daemon (monitor.c). An ignored signal stays ignored
 * across execve, so a container's process sets these back to the default
 * before its exec; a handler would not survive it, and the monitor has
 * none (its SIGCHLD goes to a signalfd). */
#define CTR_MONITOR_IGNORED_SIGNALS SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGQUIT

/* Take a fresh ptmx fd of the container's devpts: unlock it, open its
 * slave, set the size, hand the master to the parent. Returns the slave. */
int proc_open_pty(int master, const struct ctr_spec *spec, int sync_fd, struct md_err *err);

/* stdio, cwd, no_new_privs, capabilities, user, signals, fds, then execve.
 * Never returns: a failure is reported on sync_fd. */
__attribute__((noreturn)) void proc_finish_and_exec(const struct ctr_spec *spec, int sync_fd,
						   int pty_slave);

#endif
