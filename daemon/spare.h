/* The spare monitor: the daemon keeps one monitor started ahead of need,
 * and a `run` hands it its container instead of spawning one (the
 * monitor's side, and why, is in mon-spare.c). */
#ifndef MD_SPARE_H
#define MD_SPARE_H

#include "container.h"
#include "daemon.h"

/* Start a spare when none waits (unless --no-spare-monitor or stopping),
 * on the event loop's next turn: the events at hand (the replies a start
 * owes) go first. Its start-up then runs beside the container that took
 * the last one; a delay of a few ms measured no better (README). */
void spare_refill(struct daemon *d);

/* The ID for the next container: the waiting spare's (its command line
 * already names it, as a spawned monitor's does), or a new one. id holds
 * ID_LEN + 1 bytes. */
void spare_next_id(const struct daemon *d, char *id);

/* Let the spare factory go (after a SIGHUP: it holds the log file and the
 * monitor binary it was started with); the next spare starts a new one. */
void spare_factory_retire(struct daemon *d);

/* Hand c to the waiting spare (when c has its ID) with copies of the
 * attached client's connection (client_fd >= 0) and of c's volume
 * sources. 0: it is c's monitor, linked as a spawned one would be; 1: no
 * spare took it (none waits, or the hand-over failed, which is logged):
 * spawn one instead; -1: it took it but cannot be linked (err set). */
int spare_take(struct daemon *d, struct container *c, int client_fd, const int *vol_fds,
	       struct md_err *err);

#endif
