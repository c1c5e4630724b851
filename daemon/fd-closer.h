/* Closing an fd a client passed can block: its last close runs the file's
 * release, and a TCP socket with SO_LINGER waits for its peer, a FUSE
 * file flushes to a server its owner runs. The event loop must never wait
 * on a caller's file, so such fds go to a closer process, which closes
 * each in a thread of its own, after the daemon has dropped its copy (so
 * the closer's close is the last one). */
#ifndef MD_FD_CLOSER_H
#define MD_FD_CLOSER_H

#include "../common/err.h"

/* Fork the closer; it dies with the daemon. Before the event loop. */
int closer_start(struct md_err *err);

/* Close fds that came from a client (n of them); never blocks the caller
 * on the files' release, unless the closer is gone (then they are closed
 * here, as a last resort). */
void closer_close(const int *fds, size_t n);

/* One fd. */
void closer_close_fd(int fd);

#endif
