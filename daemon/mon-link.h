/* The daemon's side of each monitor: spawning it (or the spare factory
 * that forks spares, spare.c), and the control connection over which it
 * reports start, exit and state. */
#ifndef MD_MON_LINK_H
#define MD_MON_LINK_H

#include <json-c/json.h>

#include "../common/err.h"
#include "container.h"
#include "mon-fds.h"
#include "run-mounts.h"

/* fds the monitor finds its peers on: the control socket, an attached
 * client, then one per volume source in config order (see monitor.c). */
/* fds below this are the daemon's own from its start (main.c reserves
 * them), never a caller's: the spawn dup2s onto them. */
#define MON_RESERVED_FDS (MON_VOLUME_FD + RUN_VOLUMES_MAX + 1)

/* Start the monitor of c (the spare, when one waits). client_fd, when >= 0, is an attached client's
 * connection: the monitor gets its own copy and talks to it directly.
 * vol_fds are the sources of c's volumes (c->cfg.nvolumes of them), which
 * the monitor gets on MON_VOLUME_FD and up; the caller keeps its own. */
int monlink_spawn(struct container *c, int client_fd, const int *vol_fds, struct md_err *err);

/* Start a spare monitor (spare.c) for the container to be created with
 * id: our end of its control socket, or -1. */
int monlink_spawn_spare(struct daemon *d, const char *id, pid_t *pid, struct md_err *err);

/* Start the spare factory (mon-factory.c): our end of its control socket,
 * or -1. */
int monlink_spawn_factory(struct daemon *d, pid_t *pid, struct md_err *err);

/* A control socket for a spare the factory makes: our end, or -1; *theirs
 * is its end, to send to the factory. */
int monlink_spare_pair(int *theirs, struct md_err *err);

/* Make fd (a connected monitor's control socket) c's link. Takes fd. */
int monlink_attach(struct container *c, int fd, struct md_err *err);

/* Reconnect to the monitor of a container found running at start-up. */
int monlink_connect(struct container *c, struct md_err *err);

/* Send a message to the monitor; -1 if there is no live link. */
int monlink_send(struct container *c, struct json_object *msg);

/* Close the link, writing out first what is queued on it. */
void monlink_close(struct container *c);

/* Send a message with a client's socket attached (SCM_RIGHTS): the
 * monitor then talks to that client directly. */
int monlink_handoff(struct container *c, struct json_object *msg, int client_fd,
		    struct md_err *err);

/* Reap exited monitors (our children); called on SIGCHLD. */
void monlink_reap(struct daemon *d);

#endif
