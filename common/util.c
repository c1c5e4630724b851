#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libgen.h>
#include <linux/fs.h> /* before any <sys/mount.h>: glibc < 2.36 clashes */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
	static const char msg[] = "minidocker: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xcalloc(size_t nmemb, size_t n)
{
	void *p = calloc(nmemb ? nmemb : 1, n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return s;
}

void freep(void *p)
{
	free(*(void **)p);
}

void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

ssize_t fds_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDS_SEND_MAX)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (nfds > FDS_SEND_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (nfds > 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

ssize_t fd_send(int sock, const void *buf, size_t len, int fd)
{
	return fds_send(sock, buf, len, &fd, fd >= 0 ? 1 : 0);
}

size_t fds_from_cmsg(struct msghdr *mh, int *fds, size_t max)
{
	size_t kept = 0;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (kept < max)
				fds[kept++] = fd;
			else
				close(fd);
		}
	}
	return kept;
}

int fd_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

int fd_set_cloexec(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -1;
	fl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
	return fcntl(fd, F_SETFD, fl);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_read_all(const char *path, size_t max, char **out, size_t *len, struct md_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	cleanup_free char *buf = NULL;
	size_t used = 0, cap = 4096;

	if (fd < 0)
		return md_err_set(err, errno, "open %s", path);
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			if (cap > max)
				return md_err_set(err, EFBIG, "read %s", path);
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return md_err_set(err, errno, "read %s", path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > max)
		return md_err_set(err, EFBIG, "read %s", path);
	buf[used] = '\0';
	*out = steal_ptr(&buf);
	if (len != NULL)
		*len = used;
	return 0;
}

static int fsync_parent_dir(const char *path, struct md_err *err)
{
	cleanup_free char *copy = xstrdup(path);
	cleanup_close int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return md_err_set(err, errno, "open directory of %s", path);
	if (fsync(dfd) < 0)
		return md_err_set(err, errno, "fsync directory of %s", path);
	return 0;
}

static int write_replace(const char *path, const void *data, size_t len, mode_t mode,
			 bool durable, struct md_err *err)
{
	cleanup_free char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return md_err_set(err, errno, "create %s", tmp);
	if (write_all(fd, data, len) < 0 || (durable && fsync(fd) < 0)) {
		md_err_set(err, errno, "write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		md_err_set(err, errno, "close %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		md_err_set(err, errno, "rename %s", path);
		unlink(tmp);
		return -1;
	}
	return durable ? fsync_parent_dir(path, err) : 0;
}

int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		      struct md_err *err)
{
	return write_replace(path, data, len, mode, true, err);
}

int file_replace(const char *path, const void *data, size_t len, mode_t mode,
		 struct md_err *err)
{
	return write_replace(path, data, len, mode, false, err);
}

int dir_ensure(const char *path, mode_t mode, struct md_err *err)
{
	struct stat st;

	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return md_err_set(err, errno, "mkdir %s", path);
	if (lstat(path, &st) < 0)
		return md_err_set(err, errno, "stat %s", path);
	if (!S_ISDIR(st.st_mode))
		return md_err_set(err, ENOTDIR, "mkdir %s", path);
	if ((st.st_mode & 07777) != mode && chmod(path, mode) < 0)
		return md_err_set(err, errno, "chmod %s", path);
	return 0;
}

int dir_spread_subdirs(const char *path, struct md_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	int flags = 0;

	if (fd < 0)
		return md_err_set(err, errno, "open %s", path);
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
		return md_err_set(err, errno, "get the flags of %s", path);
	if (flags & FS_TOPDIR_FL)
		return 0;
	flags |= FS_TOPDIR_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags) < 0)
		return md_err_set(err, errno, "set the top-directory flag of %s", path);
	return 0;
}

void strv_free(char **v)
{
	for (char **p = v; p != NULL && *p != NULL; p++)
		free(*p);
	free(v);
}

size_t strv_count(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

char **strv_copy(const char *const *v, size_t n)
{
	char **r = xcalloc(n + 1, sizeof(*r));

	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

/* Removing a tree a container could still be changing (an fd it kept into
 * its overlay): every step is relative to a directory fd, never follows a
 * symlink, never leaves the tree's filesystem. Past this depth a subtree
 * is moved up to the top and removed from there, so the fds held stay
 * bounded however deep the nesting. */
#define REMOVE_DEPTH_MAX 64

struct rm_tree {
	int top;
	dev_t dev;
	unsigned moved;
	const char *path;
	struct md_err *err;
};

static int rm_children(struct rm_tree *x, int fd, int depth, bool *any);

static int rm_at(struct rm_tree *x, int dir, const char *name, int depth)
{
	struct stat st;
	bool any = false;
	int fd, r;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : md_err_set(x->err, errno, "remove %s", x->path);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
			return md_err_set(x->err, errno, "remove %s", x->path);
		return 0;
	}
	if (st.st_dev != x->dev)
		return md_err_set(x->err, EBUSY, "remove %s: something is mounted in it", x->path);
	if (depth >= REMOVE_DEPTH_MAX) {
		char flat[64];
		int rr;

		/* A name the tree may hold too: never over it. */
		do {
			snprintf(flat, sizeof(flat), ".deep-%u", x->moved++);
			rr = renameat2(dir, name, x->top, flat, RENAME_NOREPLACE);
		} while (rr < 0 && errno == EEXIST);
		if (rr < 0)
			return md_err_set(x->err, errno, "remove %s", x->path);
		return 0;
	}
	/* What is opened is what is emptied, even if the name changed since. */
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : md_err_set(x->err, errno, "remove %s", x->path);
	r = rm_children(x, fd, depth + 1, &any);
	close(fd);
	if (r == 0 && unlinkat(dir, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = md_err_set(x->err, errno, "remove %s", x->path);
	return r;
}

static int rm_children(struct rm_tree *x, int fd, int depth, bool *any)
{
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return md_err_set(x->err, errno, "remove %s", x->path);
	}
	/* The dup shares fd's offset: a second pass must start over. */
	rewinddir(d);
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		*any = true;
		r = rm_at(x, dirfd(d), e->d_name, depth);
	}
	closedir(d);
	return r;
}

/* Empty the directory top (x->top): again until nothing is left, as
 * subtrees moved up from deep down land in it. */
static int rm_empty(struct rm_tree *x)
{
	struct stat st;
	bool any = true;
	int r = 0;

	if (fstat(x->top, &st) < 0)
		return md_err_set(x->err, errno, "remove %s", x->path);
	x->dev = st.st_dev;
	while (r == 0 && any) {
		any = false;
		r = rm_children(x, x->top, 0, &any);
	}
	return r;
}

int dir_empty(int fd, struct md_err *err)
{
	struct rm_tree x = { .top = fd, .path = "directory", .err = err };

	return rm_empty(&x);
}

int dir_remove_at(int dir, const char *name, struct md_err *err)
{
	struct rm_tree x = { .path = name, .err = err };
	struct stat st;
	int r;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : md_err_set(err, errno, "remove %s", name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
			return md_err_set(err, errno, "remove %s", name);
		return 0;
	}
	x.top = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x.top < 0)
		return errno == ENOENT ? 0 : md_err_set(err, errno, "remove %s", name);
	r = rm_empty(&x);
	close(x.top);
	if (r == 0 && unlinkat(dir, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = md_err_set(err, errno, "remove %s", name);
	return r;
}

int dir_remove_tree(const char *path, struct md_err *err)
{
	struct rm_tree x = { .path = path, .err = err };
	int r;

	x.top = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x.top < 0) {
		if (errno == ENOENT)
			return 0;
		if ((errno == ENOTDIR || errno == ELOOP) && unlink(path) == 0)
			return 0;
		return md_err_set(err, errno, "remove %s", path);
	}
	r = rm_empty(&x);
	close(x.top);
	if (r == 0 && rmdir(path) < 0 && errno != ENOENT)
		r = md_err_set(err, errno, "remove %s", path);
	return r;
}

int64_t time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void time_format_rfc3339(int64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000LL);
	long frac = (long)(ns % 1000000000LL);
	struct tm tm;
	char date[32];

	gmtime_r(&sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", date, frac);
}

int time_parse_rfc3339(const char *s, int64_t *ns)
{
	struct tm tm;
	const char *p;
	long frac = 0;
	int digits = 0;
	time_t sec;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
			frac = frac * 10 + (*p - '0');
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (strcmp(p, "Z") != 0)
		return -1;
	sec = timegm(&tm);
	/* int64 nanoseconds reach from 1677 to 2262: refuse what falls outside. */
	if (sec == (time_t)-1 || sec > INT64_MAX / 1000000000LL - 1 ||
	    sec < INT64_MIN / 1000000000LL + 1)
		return -1;
	*ns = (int64_t)sec * 1000000000LL + frac;
	return 0;
}

int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}
