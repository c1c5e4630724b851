/* Small helpers both programs use: allocation that aborts on failure,
 * cleanup attributes, fd and file utilities. */
#ifndef MD_UTIL_H
#define MD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void freep(void *p);
void closep(int *fd);
#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_close __attribute__((cleanup(closep)))

/* Hand an fd out of a cleanup_close variable: the variable no longer owns it. */
static inline int steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

static inline void *steal_ptr(void *pp)
{
	void **p = pp;
	void *r = *p;

	*p = NULL;
	return r;
}

/* sendmsg len bytes of buf on a unix socket with fd attached (SCM_RIGHTS)
 * when fd >= 0. Returns what sendmsg returns (EINTR retried). */
ssize_t fd_send(int sock, const void *buf, size_t len, int fd);

/* The same with nfds (at most FDS_SEND_MAX) fds attached. */
#define FDS_SEND_MAX 64
ssize_t fds_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds);

/* The fds a recvmsg brought (SCM_RIGHTS in mh): the first max go to fds,
 * the rest are closed at once, so a peer cannot pile them up. Returns how
 * many went to fds. */
struct msghdr;
size_t fds_from_cmsg(struct msghdr *mh, int *fds, size_t max);

int fd_set_nonblock(int fd, bool on);
int fd_set_cloexec(int fd, bool on);

/* Write all of buf, retrying on EINTR and short writes (blocking fds only). */
int write_all(int fd, const void *buf, size_t len);

/* Read a whole regular file (at most max bytes) into a NUL-terminated buffer. */
int file_read_all(const char *path, size_t max, char **out, size_t *len, struct md_err *err);

/* Replace path atomically and durably: write a temp file beside it, fsync,
 * rename over path, fsync the directory. A crash leaves old or new, never a
 * torn file. */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct md_err *err);

/* The same without the fsyncs: readers never see a torn file, but a crash
 * of the host may leave the old one, or (for a new file) an empty one. */
int file_replace(const char *path, const void *data, size_t len, mode_t mode,
		 struct md_err *err);

/* mkdir that accepts an existing directory and enforces the mode. */
int dir_ensure(const char *path, mode_t mode, struct md_err *err);

/* Ask ext2/3/4 to spread the subdirectories of path over the disk, as if
 * each were a top-level directory (FS_TOPDIR_FL, chattr +T): their files
 * then live in different (flex) block groups. Other flags are kept. Most
 * other filesystems refuse (ENOTTY, EOPNOTSUPP); an overlay passes it to
 * its upper layer. */
int dir_spread_subdirs(const char *path, struct md_err *err);

/* NULL-terminated string vectors (argv, env, names): free one and its
 * strings (NULL is fine), count one (NULL counts 0), copy n strings into a
 * new one. */
void strv_free(char **v);
size_t strv_count(char *const *v);
char **strv_copy(const char *const *v, size_t n);

/* Remove a directory tree fd-relative: never following a symlink (even
 * one swapped in while it runs), never crossing into a mount, with a
 * bounded number of fds however deep the tree. */
int dir_remove_tree(const char *path, struct md_err *err);

/* The same, relative to dir: name, a tree or not (gone already is fine);
 * or everything in the directory fd, not fd itself. */
int dir_remove_at(int dir, const char *name, struct md_err *err);
int dir_empty(int fd, struct md_err *err);

/* Current wall time as nanoseconds since the epoch. */
int64_t time_now_ns(void);
/* CLOCK_MONOTONIC in ns: for intervals, which a clock step must not stretch. */
int64_t time_mono_ns(void);

/* Format ns since the epoch as RFC 3339 with nanoseconds, UTC. */
void time_format_rfc3339(int64_t ns, char *buf, size_t len);

/* Parse what time_format_rfc3339 wrote; -1 on anything else. */
int time_parse_rfc3339(const char *s, int64_t *ns);

/* Parse a non-negative decimal integer that fits in max; -1 if not. */
int parse_uint(const char *s, unsigned long long max, unsigned long long *out);

#endif
