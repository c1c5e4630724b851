/* Closing an fd a client passed can block: a FUSE file flushes to a
 * server its owner runs at every close, and the last close of a TCP socket
 * with SO_LINGER waits for its peer. The event loop must never wait on a
 * caller's file, so such fds are closed in short-lived threads of the
 * daemon, which share its fd table. */
#ifndef MD_FD_CLOSER_H
#define MD_FD_CLOSER_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"

/* Once, before the event loop. */
int closer_start(struct md_err *err);

/* Close fds that came from a client (n of them) without waiting on them;
 * -1 entries are skipped. */
void closer_close(const int *fds, size_t n);
void closer_close_fd(int fd);

#endif
