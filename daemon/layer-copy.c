#include "layer-copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../common/util.h"

#define OPAQUE_XATTR "trusted.overlay.opaque"
#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

struct lc {
	struct md_err *err;
	char path[PATH_MAX]; /* the entry at hand, relative to the layer: for messages */
};

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* Remove name in dst (a tree or not), never following a symlink. */
static int remove_at(struct lc *x, int dst, const char *name)
{
	if (dir_remove_at(dst, name, x->err) < 0)
		return md_err_prefix(x->err, "copy layer: %s", x->path);
	return 0;
}

/* Owner, then mode (chown clears set-id bits), then times, of name in dir
 * as st says. Symlinks have no mode of their own. */
static int copy_attrs(struct lc *x, int dir, const char *name, const struct stat *st)
{
	struct timespec times[2] = { st->st_atim, st->st_mtim };

	if (fchownat(dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return md_err_set(x->err, errno, "copy layer: chown %s", x->path);
	/* Not a symlink (checked by the caller), and no one else writes the
	 * copy while it is made: fchmodat's following is harmless here. */
	if (!S_ISLNK(st->st_mode) && fchmodat(dir, name, st->st_mode & 07777, 0) < 0)
		return md_err_set(x->err, errno, "copy layer: chmod %s", x->path);
	if (utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return md_err_set(x->err, errno, "copy layer: set times of %s", x->path);
	return 0;
}

static int copy_data(struct lc *x, int in, int out)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n < 0)
			break;
	}
	/* Across filesystems or where the kernel will not: plain copies. */
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return md_err_set(x->err, errno, "copy layer: copy %s", x->path);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write_all(out, buf, (size_t)n) < 0)
			return md_err_set(x->err, errno, "copy layer: write %s", x->path);
	if (n < 0)
		return md_err_set(x->err, errno, "copy layer: read %s", x->path);
	return 0;
}

static int copy_file(struct lc *x, int src, int dst, const char *name)
{
	cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = -1;

	if (in < 0)
		return md_err_set(x->err, errno, "copy layer: open %s", x->path);
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return md_err_set(x->err, errno, "copy layer: create %s", x->path);
	if (copy_data(x, in, out) < 0)
		return -1;
	if (close(steal_fd(&out)) < 0)
		return md_err_set(x->err, errno, "copy layer: close %s", x->path);
	return 0;
}

/* A file, symlink, device node or FIFO: whatever was below goes. */
static int copy_leaf(struct lc *x, int src, int dst, const char *name, const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n;

	if (S_ISSOCK(st->st_mode))
		return 0; /* a socket is nothing without its server */
	if (remove_at(x, dst, name) < 0)
		return -1;
	if (S_ISREG(st->st_mode)) {
		if (copy_file(x, src, dst, name) < 0)
			return -1;
	} else if (S_ISLNK(st->st_mode)) {
		n = readlinkat(src, name, target, sizeof(target));
		if (n < 0 || (size_t)n >= sizeof(target))
			return md_err_set(x->err, n < 0 ? errno : ENAMETOOLONG,
					  "copy layer: readlink %s", x->path);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return md_err_set(x->err, errno, "copy layer: symlink %s", x->path);
	} else if (mknodat(dst, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0) {
		return md_err_set(x->err, errno, "copy layer: mknod %s", x->path);
	}
	return copy_attrs(x, dst, name, st);
}

static int copy_dir(struct lc *x, int src, int dst, int depth);

static bool is_opaque(int fd)
{
	char v[2];

	return fgetxattr(fd, OPAQUE_XATTR, v, sizeof(v)) == 1 && v[0] == 'y';
}

/* A directory: merged into one of the same name below, unless opaque
 * (emptied first); anything else of that name below is replaced. */
static int copy_subdir(struct lc *x, int src, int dst, const char *name, const struct stat *st,
		       int depth)
{
	cleanup_close int sfd = -1;
	cleanup_close int dfd = -1;
	struct stat below;
	bool exists = fstatat(dst, name, &below, AT_SYMLINK_NOFOLLOW) == 0;

	if (!exists && errno != ENOENT)
		return md_err_set(x->err, errno, "copy layer: stat %s", x->path);
	if (depth > LAYER_COPY_DEPTH_MAX)
		return md_err_set(x->err, ELOOP, "copy layer: %s: too deep", x->path);
	sfd = openat(src, name, DIR_FLAGS);
	if (sfd < 0)
		return md_err_set(x->err, errno, "copy layer: open %s", x->path);
	if (exists && !S_ISDIR(below.st_mode)) {
		if (remove_at(x, dst, name) < 0)
			return -1;
		exists = false;
	}
	if (!exists && mkdirat(dst, name, 0700) < 0)
		return md_err_set(x->err, errno, "copy layer: mkdir %s", x->path);
	dfd = openat(dst, name, DIR_FLAGS);
	if (dfd < 0)
		return md_err_set(x->err, errno, "copy layer: open %s", x->path);
	if (exists && is_opaque(sfd) && dir_empty(dfd, x->err) < 0)
		return md_err_prefix(x->err, "copy layer: %s", x->path);
	if (copy_dir(x, sfd, dfd, depth + 1) < 0)
		return -1;
	/* After its entries, which changed its mtime. */
	return copy_attrs(x, dst, name, st);
}

/* x->path grows by "/name" while an entry is copied, for messages. */
static size_t path_push(struct lc *x, const char *name)
{
	size_t len = strlen(x->path);

	snprintf(x->path + len, sizeof(x->path) - len, "%s%s", len ? "/" : "", name);
	return len;
}

static int copy_entry(struct lc *x, int src, int dst, const char *name, int depth)
{
	struct stat st;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return md_err_set(x->err, errno, "copy layer: stat %s", x->path);
	if (is_whiteout(&st))
		return remove_at(x, dst, name);
	if (S_ISDIR(st.st_mode))
		return copy_subdir(x, src, dst, name, &st, depth);
	return copy_leaf(x, src, dst, name, &st);
}

static int copy_dir(struct lc *x, int src, int dst, int depth)
{
	int dfd = dup(src);
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return md_err_set(x->err, errno, "copy layer: open %s", x->path);
	}
	while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
		size_t len;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		len = path_push(x, e->d_name);
		r = copy_entry(x, dirfd(d), dst, e->d_name, depth);
		x->path[len] = '\0';
	}
	if (r == 0 && errno != 0)
		r = md_err_set(x->err, errno, "copy layer: read %s", x->path);
	closedir(d);
	return r;
}

int layer_copy(int src_dir, int dst_dir, struct md_err *err)
{
	struct lc x = { .err = err };
	struct stat st;
	struct timespec times[2];

	if (fstat(src_dir, &st) < 0)
		return md_err_set(err, errno, "copy layer: stat");
	if (copy_dir(&x, src_dir, dst_dir, 0) < 0)
		return -1;
	/* The root directory takes the layer's owner, mode and times too. */
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	if (fchown(dst_dir, st.st_uid, st.st_gid) < 0 || fchmod(dst_dir, st.st_mode & 07777) < 0 ||
	    futimens(dst_dir, times) < 0)
		return md_err_set(err, errno, "copy layer: set attributes of /");
	return 0;
}

int layer_copy_all(char *const *layers, const char *dst, struct md_err *err)
{
	cleanup_close int dfd = open(dst, DIR_FLAGS);

	if (dfd < 0)
		return md_err_set(err, errno, "open %s", dst);
	for (size_t i = 0; layers[i] != NULL; i++) {
		cleanup_close int sfd = open(layers[i], DIR_FLAGS);

		if (sfd < 0)
			return md_err_set(err, errno, "open layer %s", layers[i]);
		if (layer_copy(sfd, dfd, err) < 0)
			return -1;
	}
	return 0;
}
