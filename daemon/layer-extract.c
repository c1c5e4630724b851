/* Layer extraction: libarchive reads the (possibly compressed) tar stream,
 * and every entry is written here by hand, relative to the target directory
 * fd, because archives come from users and are hostile by assumption.
 *
 * Why not archive_write_disk: it resolves paths by name, and its SECURE_*
 * flags check the path before the write, a window that symlink races and
 * symlink-then-write archives have used before (runc CVE-2021-30465, Docker
 * CVE-2018-15664, podman CVE-2019-10152). Here instead:
 *   - a name is split into components and refused if absolute or holding
 *     "..", so no component can name anything but a child;
 *   - parents are opened one component at a time with O_NOFOLLOW|O_DIRECTORY,
 *     so a symlink an earlier entry planted is refused, never followed;
 *   - leaves are created with *at() calls on that parent fd, regular files
 *     with O_CREAT|O_EXCL|O_NOFOLLOW, and metadata set on the fd (or with
 *     AT_SYMLINK_NOFOLLOW), so nothing follows a link by name;
 *   - a hardlink target goes through the same walk, opened O_PATH|O_NOFOLLOW,
 *     must be a regular file, and is linked by fd (AT_EMPTY_PATH). */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../common/util.h"
#include "layer-extract.h"

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

/* A name split into components: no "", ".", ".." or "/" in any of them. */
struct lpath {
	char buf[PATH_MAX];
	char *comp[PATH_MAX / 2];
	size_t n;
};

/* Inode numbers this archive wrote, for an opaque whiteout in apply mode:
 * it hides what the layers below put in the directory, not what this layer
 * put there (open addressing, 0 marks a free slot). */
struct inoset {
	uint64_t *v;
	size_t cap, n;
};

struct lx {
	struct archive *a;
	int fd;                 /* the archive stream */
	char inbuf[64 * 1024];
	const struct extract_opts *o;
	int root;               /* our own readable fd on the target directory */
	struct inoset made;
	struct lpath p;         /* the current entry's name */
	struct lpath t;         /* its hardlink target */
	char shown[256];        /* the current name, escaped, for messages */
	uint64_t files, bytes;
	struct md_err *err;
};

static void inoset_put(struct inoset *s, uint64_t ino);

static uint64_t ino_hash(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void inoset_grow(struct inoset *s)
{
	struct inoset old = *s;

	s->cap = old.cap ? old.cap * 2 : 1024;
	s->v = xcalloc(s->cap, sizeof(*s->v));
	s->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i] != 0)
			inoset_put(s, old.v[i]);
	free(old.v);
}

static void inoset_put(struct inoset *s, uint64_t ino)
{
	size_t i;

	if (ino == 0)
		return;
	if ((s->n + 1) * 2 > s->cap)
		inoset_grow(s);
	for (i = ino_hash(ino) & (s->cap - 1); s->v[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == ino)
			return;
	s->v[i] = ino;
	s->n++;
}

static bool inoset_has(const struct inoset *s, uint64_t ino)
{
	if (s->cap == 0 || ino == 0)
		return false;
	for (size_t i = ino_hash(ino) & (s->cap - 1); s->v[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == ino)
			return true;
	return false;
}

/* Copy s into out with control characters and backslashes as \xHH, so a
 * hostile name cannot break the one-line error; long names end in "...". */
static void name_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 8 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (*s != '\0')
		o += (size_t)snprintf(out + o, len - o, "...");
	out[o] = '\0';
}

/* Fail the current entry: "refused archive entry NAME: REASON". */
static int refuse(struct lx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct lx *x, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return md_err_set(x->err, 0, "refused archive entry %s: %s", x->shown, why);
}

/* Split name into p: a leading "./", "." components and repeated slashes
 * go; absolute names, ".." anywhere and over-long names are refused.
 * Returns NULL, or the reason for the refusal. Zero components means the
 * root itself ("./"). */
static const char *path_split(const char *name, struct lpath *p)
{
	char *s, *save = NULL;

	p->n = 0;
	if (name == NULL || name[0] == '\0')
		return "empty name";
	if (strlen(name) >= sizeof(p->buf))
		return "path longer than PATH_MAX";
	if (name[0] == '/')
		return "absolute path";
	memcpy(p->buf, name, strlen(name) + 1); /* fits: checked above */
	for (s = strtok_r(p->buf, "/", &save); s != NULL; s = strtok_r(NULL, "/", &save)) {
		if (strcmp(s, ".") == 0)
			continue;
		if (strcmp(s, "..") == 0)
			return "\"..\" component";
		if (strlen(s) > NAME_MAX)
			return "component longer than NAME_MAX";
		p->comp[p->n++] = s;
	}
	return NULL;
}

static int entry_owner(struct lx *x, struct archive_entry *e, uid_t *uid, gid_t *gid)
{
	la_int64_t u, g;

	if (!x->o->privileged) {
		*uid = x->o->map_uid;
		*gid = x->o->map_gid;
		return 0;
	}
	u = archive_entry_uid(e);
	g = archive_entry_gid(e);
	/* (uid_t)-1 means "leave unchanged" to chown: the file would stay root's. */
	if (u < 0 || u >= (la_int64_t)UINT32_MAX || g < 0 || g >= (la_int64_t)UINT32_MAX)
		return refuse(x, "uid/gid out of range");
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/* The permission bits to set: set-id bits only for a privileged caller,
 * silently cleared otherwise (as rootless Docker and podman end up with). */
static mode_t entry_perm(struct lx *x, struct archive_entry *e)
{
	mode_t m = archive_entry_perm(e) & 07777;

	if (!x->o->privileged)
		m &= ~(mode_t)(S_ISUID | S_ISGID);
	return m;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = ts[0];
	if (archive_entry_mtime_is_set(e)) {
		ts[1].tv_sec = archive_entry_mtime(e);
		ts[1].tv_nsec = archive_entry_mtime_nsec(e);
		if (ts[1].tv_nsec < 0 || ts[1].tv_nsec > 999999999)
			ts[1].tv_nsec = 0;
		ts[0] = ts[1];
	}
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
		if (ts[0].tv_nsec < 0 || ts[0].tv_nsec > 999999999)
			ts[0].tv_nsec = 0;
	}
}

/* Owner, then mode (chown clears set-id bits), then times on an open fd.
 * A time the filesystem cannot hold is not worth refusing a layer for. */
static int meta_set_fd(struct lx *x, struct archive_entry *e, int fd)
{
	struct timespec ts[2];
	struct stat sb;
	uid_t uid;
	gid_t gid;

	if (entry_owner(x, e, &uid, &gid) < 0)
		return -1;
	if (fchown(fd, uid, gid) < 0)
		return md_err_set(x->err, errno, "extract %s: fchown", x->shown);
	if (fchmod(fd, entry_perm(x, e)) < 0)
		return md_err_set(x->err, errno, "extract %s: fchmod", x->shown);
	entry_times(e, ts);
	(void)futimens(fd, ts);
	if (!x->o->overlay_whiteouts && fstat(fd, &sb) == 0)
		inoset_put(&x->made, sb.st_ino);
	return 0;
}

/* The same for a leaf we cannot open (symlink, node, FIFO): by name in the
 * parent fd, never following a symlink. */
static int meta_set_at(struct lx *x, struct archive_entry *e, int parent, const char *leaf,
		       bool chmod_too)
{
	struct timespec ts[2];
	struct stat sb;
	uid_t uid;
	gid_t gid;

	if (entry_owner(x, e, &uid, &gid) < 0)
		return -1;
	if (fchownat(parent, leaf, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return md_err_set(x->err, errno, "extract %s: fchownat", x->shown);
	/* glibc implements AT_SYMLINK_NOFOLLOW through an O_PATH fd and
	 * /proc/self/fd, refusing a symlink: the mode goes to the inode we made. */
	if (chmod_too && fchmodat(parent, leaf, entry_perm(x, e), AT_SYMLINK_NOFOLLOW) < 0)
		return md_err_set(x->err, errno, "extract %s: fchmodat", x->shown);
	entry_times(e, ts);
	(void)utimensat(parent, leaf, ts, AT_SYMLINK_NOFOLLOW);
	if (!x->o->overlay_whiteouts && fstatat(parent, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		inoset_put(&x->made, sb.st_ino);
	return 0;
}

/* A directory the archive implies but does not list: 0755, owned by root
 * (privileged) or by the caller. */
static int implicit_dir_set(struct lx *x, int fd)
{
	if (!x->o->privileged && fchown(fd, x->o->map_uid, x->o->map_gid) < 0)
		return md_err_set(x->err, errno, "extract %s: fchown parent", x->shown);
	if (fchmod(fd, 0755) < 0)
		return md_err_set(x->err, errno, "extract %s: fchmod parent", x->shown);
	return 0;
}

/* Open the directory that holds p's last component, one component at a
 * time from the root, never following a symlink. With create, missing
 * directories are made; without, a missing one sets *missing and returns
 * -1 with err untouched. Returns an fd the caller closes. */
static int parent_open(struct lx *x, const struct lpath *p, bool create, bool *missing)
{
	cleanup_close int cur = -1;
	char shown[NAME_MAX * 4 + 16];

	if (missing != NULL)
		*missing = false;
	for (size_t i = 0; i + 1 < p->n; i++) {
		int dir = cur >= 0 ? cur : x->root;
		int next = openat(dir, p->comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(dir, p->comp[i], 0700) < 0)
				return md_err_set(x->err, errno, "extract %s: mkdir parent", x->shown);
			next = openat(dir, p->comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next >= 0 && implicit_dir_set(x, next) < 0) {
				close(next);
				return -1;
			}
		}
		if (next < 0) {
			name_escape(p->comp[i], shown, sizeof(shown));
			/* O_NOFOLLOW gives ELOOP on a symlink, O_DIRECTORY ENOTDIR on
			 * anything else: both are an earlier entry in the way. */
			if (errno == ELOOP || errno == ENOTDIR)
				return refuse(x, "path component \"%s\" is a symlink or not a directory",
					      shown);
			if (errno == ENOENT && missing != NULL) {
				*missing = true;
				return -1;
			}
			return md_err_set(x->err, errno, "extract %s: open parent %s", x->shown, shown);
		}
		/* Apply mode: a directory this layer writes into is its own, and an
		 * opaque marker above it keeps it (but not the lower files in it). */
		if (!x->o->overlay_whiteouts) {
			struct stat sb;

			if (fstat(next, &sb) == 0)
				inoset_put(&x->made, sb.st_ino);
		}
		closep(&cur);
		cur = next;
	}
	if (cur < 0) {
		cur = fcntl(x->root, F_DUPFD_CLOEXEC, 3);
		if (cur < 0)
			return md_err_set(x->err, errno, "extract %s: dup", x->shown);
	}
	return steal_fd(&cur);
}

/* Make room for a new leaf, removing what an earlier entry (or a layer
 * below) left there. A directory stays when keep_dir; a non-empty one in
 * the way is refused rather than deleted. Returns 1 when a directory was
 * kept, 0 when the name is free, -1 on error. */
static int leaf_clear(struct lx *x, int parent, const char *leaf, bool keep_dir)
{
	struct stat sb;

	if (fstatat(parent, leaf, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return md_err_set(x->err, errno, "extract %s: fstatat", x->shown);
	}
	if (S_ISDIR(sb.st_mode)) {
		if (keep_dir)
			return 1;
		if (unlinkat(parent, leaf, AT_REMOVEDIR) == 0)
			return 0;
		if (errno == ENOTEMPTY || errno == EEXIST)
			return refuse(x, "replaces a non-empty directory");
		return md_err_set(x->err, errno, "extract %s: rmdir", x->shown);
	}
	if (unlinkat(parent, leaf, 0) < 0)
		return md_err_set(x->err, errno, "extract %s: unlink", x->shown);
	return 0;
}

static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int put_file(struct lx *x, struct archive_entry *e, int parent, const char *leaf)
{
	cleanup_close int f = -1;
	la_int64_t end = 0;

	if (leaf_clear(x, parent, leaf, false) < 0)
		return -1;
	/* O_EXCL|O_NOFOLLOW: whatever is at the name now, we do not write
	 * through it; 0600 until the data and owner are in place. */
	f = openat(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f < 0)
		return md_err_set(x->err, errno, "extract %s: create", x->shown);
	for (;;) {
		const void *buf;
		size_t len;
		la_int64_t off;
		uint64_t grow;
		int r = archive_read_data_block(x->a, &buf, &len, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return md_err_set(x->err, 0, "read archive entry %s: %s", x->shown,
					  archive_error_string(x->a) ?: "unknown error");
		if (off < 0)
			return refuse(x, "negative data offset");
		/* The file's apparent size is what counts: a hole a sparse
		 * entry skips is written out by a copy of the layer. */
		grow = off + (la_int64_t)len > end ? (uint64_t)(off + (la_int64_t)len - end) : 0;
		if (x->o->max_bytes > 0 && grow > x->o->max_bytes - x->bytes)
			return md_err_set(x->err, 0, "refused archive: it unpacks to more than %llu bytes",
					  (unsigned long long)x->o->max_bytes);
		if (pwrite_all(f, buf, len, (off_t)off) < 0)
			return md_err_set(x->err, errno, "extract %s: write", x->shown);
		x->bytes += grow;
		if (off + (la_int64_t)len > end)
			end = off + (la_int64_t)len;
	}
	/* A sparse file may end in a hole the data blocks do not reach. Its
	 * holes count as data: a copy of the layer (vfs) writes them out. */
	if (archive_entry_sparse_count(e) > 0 && archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > end) {
		uint64_t hole = (uint64_t)(archive_entry_size(e) - end);

		if (x->o->max_bytes > 0 && hole > x->o->max_bytes - x->bytes)
			return md_err_set(x->err, 0, "refused archive: it unpacks to more than %llu bytes",
					  (unsigned long long)x->o->max_bytes);
		x->bytes += hole;
		if (ftruncate(f, (off_t)archive_entry_size(e)) < 0)
			return md_err_set(x->err, errno, "extract %s: ftruncate", x->shown);
	}
	return meta_set_fd(x, e, f);
}

static int put_dir(struct lx *x, struct archive_entry *e, int parent, const char *leaf)
{
	cleanup_close int d = -1;
	int r = leaf_clear(x, parent, leaf, true);

	if (r < 0)
		return -1;
	if (r == 0 && mkdirat(parent, leaf, 0700) < 0)
		return md_err_set(x->err, errno, "extract %s: mkdir", x->shown);
	d = openat(parent, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0)
		return md_err_set(x->err, errno, "extract %s: open directory", x->shown);
	return meta_set_fd(x, e, d);
}

/* The target is stored as given: an absolute or ".." target is harmless
 * here because nothing in this file follows a symlink, and in the
 * container it resolves inside the container root. */
static int put_symlink(struct lx *x, struct archive_entry *e, int parent, const char *leaf)
{
	const char *target = archive_entry_symlink(e);

	if (target == NULL)
		target = archive_entry_symlink_utf8(e);
	if (target == NULL || target[0] == '\0')
		return refuse(x, "symlink without a target");
	if (strlen(target) >= PATH_MAX)
		return refuse(x, "symlink target longer than PATH_MAX");
	if (leaf_clear(x, parent, leaf, false) < 0)
		return -1;
	if (symlinkat(target, parent, leaf) < 0)
		return md_err_set(x->err, errno, "extract %s: symlink", x->shown);
	return meta_set_at(x, e, parent, leaf, false);
}

/* The target is walked like any entry name (so neither "/etc/shadow" nor
 * "../x" nor a path through a symlink reaches outside), opened O_PATH|
 * O_NOFOLLOW (so a symlink target is the link itself, and refused), and
 * linked by fd, not by name. */
static int put_hardlink(struct lx *x, const char *tname, int parent, const char *leaf)
{
	char proc[64];
	cleanup_close int tparent = -1;
	cleanup_close int tfd = -1;
	struct stat tsb, sb;
	const char *why = path_split(tname, &x->t);
	bool missing;

	if (why != NULL)
		return refuse(x, "hardlink target: %s", why);
	if (x->t.n == 0)
		return refuse(x, "hardlink to the root directory");
	tparent = parent_open(x, &x->t, false, &missing);
	if (tparent < 0)
		return missing ? refuse(x, "hardlink target not extracted") : -1;
	tfd = openat(tparent, x->t.comp[x->t.n - 1], O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (tfd < 0) {
		if (errno == ENOENT)
			return refuse(x, "hardlink target not extracted");
		return md_err_set(x->err, errno, "extract %s: open hardlink target", x->shown);
	}
	if (fstat(tfd, &tsb) < 0)
		return md_err_set(x->err, errno, "extract %s: fstat hardlink target", x->shown);
	if (!S_ISREG(tsb.st_mode))
		return refuse(x, "hardlink target is not a regular file");
	/* Linking a name to itself: unlinking it first would lose the file. */
	if (fstatat(parent, leaf, &sb, AT_SYMLINK_NOFOLLOW) == 0 && sb.st_dev == tsb.st_dev &&
	    sb.st_ino == tsb.st_ino)
		return 0;
	if (leaf_clear(x, parent, leaf, false) < 0)
		return -1;
	if (linkat(tfd, "", parent, leaf, AT_EMPTY_PATH) == 0)
		return 0;
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the fd's magic link does not. */
	if (errno != ENOENT && errno != EPERM)
		return md_err_set(x->err, errno, "extract %s: link", x->shown);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tfd);
	if (linkat(AT_FDCWD, proc, parent, leaf, AT_SYMLINK_FOLLOW) < 0)
		return md_err_set(x->err, errno, "extract %s: link", x->shown);
	return 0;
}

static int put_node(struct lx *x, struct archive_entry *e, int parent, const char *leaf,
		    mode_t type)
{
	dev_t dev = 0;

	if (type != S_IFIFO) {
		/* A device node in an unprivileged layer would hand the caller
		 * the host's disks or memory when mounted without nodev. */
		if (!x->o->privileged)
			return refuse(x, "device node in an unprivileged extraction");
		dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	}
	if (leaf_clear(x, parent, leaf, false) < 0)
		return -1;
	if (mknodat(parent, leaf, type | 0600, dev) < 0)
		return md_err_set(x->err, errno, "extract %s: mknod", x->shown);
	return meta_set_at(x, e, parent, leaf, true);
}

static int tree_remove_at(struct lx *x, int parent, const char *name);

/* Remove every entry of the directory fd (which is consumed) for
 * tree_remove_at, or, when opaque, every entry this archive did not write
 * (descending into directories it did). */
static int dir_children_remove(struct lx *x, int fd, bool opaque)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	int r = 0;

	if (d == NULL) {
		close(fd);
		return md_err_set(x->err, errno, "extract %s: fdopendir", x->shown);
	}
	while (r == 0 && (errno = 0, de = readdir(d)) != NULL) {
		struct stat sb;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (opaque && fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    inoset_has(&x->made, sb.st_ino)) {
			int sub;

			if (!S_ISDIR(sb.st_mode))
				continue;
			sub = openat(dirfd(d), de->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				r = md_err_set(x->err, errno, "extract %s: open", x->shown);
			else
				r = dir_children_remove(x, sub, true);
			continue;
		}
		r = tree_remove_at(x, dirfd(d), de->d_name);
	}
	if (r == 0 && errno != 0)
		r = md_err_set(x->err, errno, "extract %s: readdir", x->shown);
	closedir(d);
	return r;
}

/* rm -rf of parent/name without following symlinks: unlink, and for a
 * directory (EISDIR) empty it through an O_NOFOLLOW fd first. */
static int tree_remove_at(struct lx *x, int parent, const char *name)
{
	int fd;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return md_err_set(x->err, errno, "extract %s: unlink", x->shown);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return md_err_set(x->err, errno, "extract %s: open", x->shown);
	if (dir_children_remove(x, fd, false) < 0)
		return -1;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return md_err_set(x->err, errno, "extract %s: rmdir", x->shown);
	return 0;
}

/* ".wh..wh..opq" marks parent opaque; ".wh.NAME" hides NAME. In overlay
 * mode they become what overlayfs reads (the xattr, a 0/0 char device);
 * in apply mode they delete from the layers below. parent is -1 in apply
 * mode when the directory does not exist: nothing to hide. */
static int put_whiteout(struct lx *x, struct archive_entry *e, int parent, const char *leaf)
{
	const char *name = leaf + strlen(WH_PREFIX);
	uid_t uid;
	gid_t gid;

	if (strcmp(leaf, WH_OPAQUE) == 0) {
		if (parent < 0)
			return 0;
		if (!x->o->overlay_whiteouts) {
			int fd = fcntl(parent, F_DUPFD_CLOEXEC, 3);

			if (fd < 0)
				return md_err_set(x->err, errno, "extract %s: dup", x->shown);
			return dir_children_remove(x, fd, true);
		}
		if (fsetxattr(parent, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return md_err_set(x->err, errno, "extract %s: set opaque xattr", x->shown);
		x->files++;
		return 0;
	}
	/* Other ".wh..wh." names are AUFS bookkeeping (.wh..wh.plnk), not
	 * whiteouts: Docker skips them too. */
	if (strncmp(leaf, WH_META_PREFIX, strlen(WH_META_PREFIX)) == 0)
		return 0;
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return refuse(x, "whiteout of an invalid name");
	if (parent < 0)
		return 0;
	if (!x->o->overlay_whiteouts)
		return tree_remove_at(x, parent, name);
	if (entry_owner(x, e, &uid, &gid) < 0 || leaf_clear(x, parent, name, false) < 0)
		return -1;
	if (mknodat(parent, name, S_IFCHR | 0600, makedev(0, 0)) < 0)
		return md_err_set(x->err, errno, "extract %s: mknod whiteout", x->shown);
	if (fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return md_err_set(x->err, errno, "extract %s: fchownat", x->shown);
	x->files++;
	return 0;
}

static int put_entry(struct lx *x, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	const char *hl = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	cleanup_close int parent = -1;
	const char *why, *leaf;
	bool whiteout, missing = false;
	int r;

	/* Names that do not convert to the locale still have a UTF-8 form. */
	if (name == NULL)
		name = archive_entry_pathname_utf8(e);
	if (hl == NULL)
		hl = archive_entry_hardlink_utf8(e);
	name_escape(name ? name : "", x->shown, sizeof(x->shown));
	why = path_split(name, &x->p);
	if (why != NULL)
		return refuse(x, "%s", why);
	if (x->p.n == 0) {
		/* "./": the target directory's own metadata. */
		if (hl != NULL || type != AE_IFDIR)
			return refuse(x, "the root is not a directory");
		x->files++;
		return meta_set_fd(x, e, x->root);
	}
	leaf = x->p.comp[x->p.n - 1];
	whiteout = strncmp(leaf, WH_PREFIX, strlen(WH_PREFIX)) == 0;
	/* Applying a whiteout creates nothing, not even its directory. */
	parent = parent_open(x, &x->p, !(whiteout && !x->o->overlay_whiteouts), &missing);
	if (parent < 0 && !missing)
		return -1;
	if (whiteout)
		return put_whiteout(x, e, parent, leaf);

	if (hl != NULL)
		r = put_hardlink(x, hl, parent, leaf);
	else if (type == AE_IFREG)
		r = put_file(x, e, parent, leaf);
	else if (type == AE_IFDIR)
		r = put_dir(x, e, parent, leaf);
	else if (type == AE_IFLNK)
		r = put_symlink(x, e, parent, leaf);
	else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO)
		r = put_node(x, e, parent, leaf, type);
	else if (type == AE_IFSOCK)
		return 0; /* a socket in a tar is dead: nothing listens on it */
	else
		return refuse(x, "unsupported entry type 0%o", (unsigned)type);
	if (r == 0)
		x->files++;
	return r;
}

/* Overlay mode writes whiteouts as the layer's own content: anything
 * already there would be mistaken for part of it. */
static int dir_check_empty(struct lx *x)
{
	int fd = fcntl(x->root, F_DUPFD_CLOEXEC, 3);
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (fd < 0)
		return md_err_set(x->err, errno, "extract layer: dup");
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return md_err_set(x->err, errno, "extract layer: fdopendir");
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	if (!empty)
		return md_err_set(x->err, 0, "extract layer: target directory is not empty");
	return 0;
}

static ssize_t read_some(struct lx *x)
{
	ssize_t n;

	do
		n = read(x->fd, x->inbuf, sizeof(x->inbuf));
	while (n < 0 && errno == EINTR);
	if (n > 0 && x->o->on_read != NULL)
		x->o->on_read(x->o->on_read_arg, x->inbuf, (size_t)n);
	return n;
}

static la_ssize_t reader_read(struct archive *a, void *arg, const void **buf)
{
	struct lx *x = arg;
	ssize_t n = read_some(x);

	if (n < 0)
		archive_set_error(a, errno, "read: %s", strerror(errno));
	*buf = x->inbuf;
	return n;
}

/* The rest of the stream after the archive's end, for on_read. */
static int reader_drain(struct lx *x)
{
	ssize_t n;

	while ((n = read_some(x)) > 0)
		;
	if (n < 0)
		return md_err_set(x->err, errno, "read archive");
	return 0;
}

/* Decompressors built into libarchive only: archive_read_support_filter_all
 * would also register lrzip, lzop and grzip, which run an external program,
 * as root, on hostile input. Tar only, in all its dialects (ustar, pax, GNU),
 * plus an empty stream for an empty layer. */
static int reader_open(struct lx *x, int fd)
{
	x->a = archive_read_new();
	if (x->a == NULL)
		return md_err_set(x->err, ENOMEM, "extract layer: archive_read_new");
	archive_read_support_filter_gzip(x->a);
	archive_read_support_filter_bzip2(x->a);
	archive_read_support_filter_xz(x->a);
	archive_read_support_filter_lzma(x->a);
	archive_read_support_filter_lzip(x->a);
	archive_read_support_filter_zstd(x->a);
	archive_read_support_filter_lz4(x->a);
	archive_read_support_filter_compress(x->a);
	archive_read_support_format_tar(x->a);
	archive_read_support_format_empty(x->a);
	x->fd = fd;
	if (archive_read_open(x->a, x, NULL, reader_read, NULL) != ARCHIVE_OK)
		return md_err_set(x->err, 0, "read archive: %s",
				  archive_error_string(x->a) ?: "unknown error");
	return 0;
}

int layer_extract(int fd, int dirfd, const struct extract_opts *o, struct extract_stats *st,
		  struct md_err *err)
{
	struct lx *x = xcalloc(1, sizeof(*x));
	uint64_t entries = 0;
	int r = -1;

	x->o = o;
	x->err = err;
	/* Our own readable fd: dirfd may be O_PATH, and fchmod on the root
	 * ("./" entry) and fsetxattr need a real one. */
	x->root = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (x->root < 0) {
		md_err_set(err, errno, "extract layer: open target directory");
		goto out;
	}
	if (o->overlay_whiteouts && dir_check_empty(x) < 0)
		goto out;
	if (reader_open(x, fd) < 0)
		goto out;
	for (;;) {
		struct archive_entry *e;
		int h = archive_read_next_header(x->a, &e);

		if (h == ARCHIVE_EOF)
			break;
		/* RETRY (a damaged header) is as fatal as FAILED here: we never
		 * skip ahead in a hostile archive. Only WARN and OK go on. */
		if (h != ARCHIVE_OK && h != ARCHIVE_WARN) {
			md_err_set(err, 0, "read archive: %s",
				   archive_error_string(x->a) ?: "unknown error");
			goto out;
		}
		if (++entries > LAYER_EXTRACT_MAX_ENTRIES) {
			md_err_set(err, 0, "refused archive: more than %d entries",
				   LAYER_EXTRACT_MAX_ENTRIES);
			goto out;
		}
		if (put_entry(x, e) < 0)
			goto out;
	}
	if (o->on_read != NULL && reader_drain(x) < 0)
		goto out;
	if (st != NULL) {
		st->files = x->files;
		st->bytes = x->bytes;
	}
	r = 0;
out:
	if (x->a != NULL)
		archive_read_free(x->a);
	if (x->root >= 0)
		close(x->root);
	free(x->made.v);
	free(x);
	return r;
}
