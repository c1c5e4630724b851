/* The container's log file, written by its monitor. One record per line:
 *   TIMESTAMP STREAM F|P BYTES\n
 * TIMESTAMP is RFC 3339 with nanoseconds, STREAM "stdout" or "stderr", F a
 * full line and P a partial one (output that did not end in a newline yet);
 * conmon's and the CRI's format, easy to replay and to follow. */
#ifndef MD_MON_LOG_H
#define MD_MON_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "../proto/frame.h"

int mon_log_open(const char *path, struct md_err *err);

/* Rename the log at path (log_fd) to path.1 and open a new one: the new
 * fd (log_fd closed), or -1 with log_fd still open and still at path. The
 * path.1 it replaces is freed by a child when may_fork (one the caller
 * reaps), else here. */
int mon_log_rotate(const char *path, int log_fd, bool may_fork, struct md_err *err);

/* Append the records for len bytes the container wrote on stream, and
 * return how many bytes the log grew. A failure is only a warning: the
 * container must not stop for its log. */
uint64_t mon_log_write(int fd, enum frame_type stream, const uint8_t *data, size_t len,
		       int64_t now_ns);

/* Render the records into out (exposed for the unit tests). */
void mon_log_format(struct buf *out, enum frame_type stream, const uint8_t *data, size_t len,
		    int64_t now_ns);

#endif
