#include "mon-log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"

int mon_log_open(const char *path, struct md_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return md_err_set(err, errno, "open log %s", path);
	return fd;
}

/* Dropping the last reference to a rotated-away file frees its blocks and
 * pages in the caller: 2-8 ms for 10 MB on a disk mounted with discard or
 * while the pages are still being written back, and a chatty container
 * rotates every few tens of milliseconds. A child drops it instead, so
 * the relay goes on; the monitor reaps it like any child. The child
 * shares our fd table (CLONE_FILES) and we never close fd: its close is
 * the last by construction (with fork, whichever closed last would pay),
 * and it holds no copy of a pipe or socket that would delay an EOF. */
static void release_elsewhere(int fd, bool may_fork)
{
	pid_t pid = may_fork ? (pid_t)syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, NULL, NULL, 0) : -1;

	if (pid == 0) {
		close(fd);
		_exit(0);
	}
	if (pid < 0) {
		if (may_fork)
			log_warn("rotate log: clone: %s", strerror(errno));
		close(fd);
	}
}

int mon_log_rotate(const char *path, int log_fd, bool may_fork, struct md_err *err)
{
	cleanup_free char *old = xasprintf("%s.1", path);
	/* Held across the rename, which then frees nothing. O_PATH: it never
	 * blocks (a FIFO) and needs no access. Without it (none yet, or an
	 * error) the rename frees the old file itself, as it always did. */
	int prev = open(old, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	int fd;

	/* Keep one rotated file: a follower still reading it has its fd. */
	if (rename(path, old) < 0) {
		md_err_set(err, errno, "rotate log %s", path);
		if (prev >= 0)
			close(prev);
		return -1;
	}
	if (prev >= 0)
		release_elsewhere(prev, may_fork);
	fd = mon_log_open(path, err);
	if (fd < 0) {
		/* log_fd goes on under its own name, which the next rotation
		 * needs to find. */
		if (rename(old, path) < 0)
			log_warn("rotate log: rename %s back: %s", old, strerror(errno));
		return -1;
	}
	close(log_fd);
	return fd;
}

/* One record per line, all with the same time and stream: the prefix is
 * formatted once and the output reserved in one piece, as a stream of
 * short lines (base64, a build log) is the common case and each line
 * otherwise cost six appends. */
void mon_log_format(struct buf *out, enum frame_type stream, const uint8_t *data, size_t len,
		    int64_t now_ns)
{
	const char *name = stream == FRAME_STDERR ? "stderr" : "stdout";
	char stamp[64], prefix[96];
	size_t plen, records = 1;
	uint8_t *start, *w;

	time_format_rfc3339(now_ns, stamp, sizeof(stamp));
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%s %s ", stamp, name);
	for (const uint8_t *p = data, *end = data + len;
	     p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		records++;
	/* Each record: the prefix, "F " or "P ", its bytes, a newline. */
	start = w = buf_reserve(out, len + records * (plen + 3));
	while (len > 0) {
		const uint8_t *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		memcpy(w, prefix, plen);
		w += plen;
		memcpy(w, nl ? "F " : "P ", 2);
		w += 2;
		memcpy(w, data, n);
		w += n;
		*w++ = '\n';
		if (nl)
			n++;
		data += n;
		len -= n;
	}
	buf_commit(out, (size_t)(w - start));
}

uint64_t mon_log_write(int fd, enum frame_type stream, const uint8_t *data, size_t len,
		       int64_t now_ns)
{
	struct buf out = { 0 };
	uint64_t n = 0;

	if (fd < 0)
		return 0;
	mon_log_format(&out, stream, data, len, now_ns);
	if (write_all(fd, buf_head(&out), buf_used(&out)) < 0)
		log_warn("write container log: %s", strerror(errno));
	else
		n = buf_used(&out);
	buf_free(&out);
	return n;
}
