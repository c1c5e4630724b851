/* A blocking read of exactly one frame, and the fds passed with it, from
 * a socket whose next bytes belong to someone else: a spare's take (what
 * follows is its control connection's), the factory's requests and its
 * answers to the daemon. The event loops read with their buffers
 * instead (server.c, mon-conn.c). */
#ifndef MD_PROTO_FRAME_READ_H
#define MD_PROTO_FRAME_READ_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/err.h"

/* The most fds one read collects. */
#define PROTO_READ_FDS_MAX 64

/* Append one whole frame from sock to in (header included), and the fds
 * that came with its bytes to fds[*nfds..max_fds). Never reads past the
 * frame's end. Waits in poll until deadline_ns (time_mono_ns(); 0: no
 * deadline). Returns 0 with a frame, 1 at EOF before one, -1 with err set:
 * a failed recvmsg or poll (their errno), ETIMEDOUT, or EPROTO for a bad
 * header, a payload over max_len, or more fds than fit. The caller
 * closes the fds in every case; after 1 or -1 part of a frame may have
 * been read, and the socket is of no further use. */
int proto_frame_read_one(int sock, struct buf *in, size_t max_len, int64_t deadline_ns, int *fds,
			 size_t *nfds, size_t max_fds, struct md_err *err);

#endif
