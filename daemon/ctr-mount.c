#include "ctr-mount.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/util.h"

int mnt_open_in_root(int rootfd, const char *path, int flags, struct md_err *err)
{
	struct open_how how = {
		.flags = (unsigned long long)(O_PATH | O_CLOEXEC | flags),
		/* IN_ROOT: ".." and absolute symlinks stop at the container root.
		 * NO_MAGICLINKS: no /proc/PID/fd jumps out of it. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	if (fd < 0)
		return md_err_set(err, errno, "open %s in container root", path);
	return fd;
}

int mnt_fs_on_fd(int fd, const char *type, unsigned long flags, const char *data,
		 const char *what, struct md_err *err)
{
	char proc[64];

	/* Mounting onto /proc/self/fd/N lands on exactly the directory that fd
	 * resolved to; the host /proc is still ours at this point of setup. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (mount(type, proc, type, flags, data) < 0)
		return md_err_set(err, errno, "mount %s on %s", type, what);
	return 0;
}

int mnt_fs_in_root(int rootfd, const char *path, const char *type, unsigned long flags,
		   const char *data, struct md_err *err)
{
	cleanup_close int fd = mnt_open_in_root(rootfd, path, O_DIRECTORY, err);

	if (fd < 0)
		return -1;
	return mnt_fs_on_fd(fd, type, flags, data, path, err);
}

int mnt_bind_in_root(int rootfd, const char *src, const char *path, int ro, int keep_dev,
		     struct md_err *err)
{
	cleanup_close int target = mnt_open_in_root(rootfd, path, 0, err);
	cleanup_close int tree = -1;
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | (keep_dev ? 0 : MOUNT_ATTR_NODEV) |
			    (ro ? MOUNT_ATTR_RDONLY : 0),
	};

	if (target < 0)
		return -1;
	tree = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return md_err_set(err, errno, "open_tree %s", src);
	/* Unlike MS_REMOUNT, mount_setattr with AT_RECURSIVE makes every
	 * submount read-only too: ":ro" really means read-only. */
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return md_err_set(err, errno, "mount_setattr %s", src);
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return md_err_set(err, errno, "move_mount %s to %s", src, path);
	return 0;
}

/* Open PATH in the root; 0 with *fd = -1 when it does not exist. */
static int open_optional(int rootfd, const char *path, int *fd, struct md_err *err)
{
	*fd = mnt_open_in_root(rootfd, path, 0, err);
	if (*fd >= 0)
		return 0;
	return err->errnum == ENOENT ? 0 : -1;
}

/* Clone the mount at fd (or at host path src), set attr, move it onto target. */
static int remount_onto(int src_dfd, const char *src, unsigned extra, int target,
			unsigned long long attr, const char *what, struct md_err *err)
{
	cleanup_close int tree = open_tree(src_dfd, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | extra);
	struct mount_attr a = { .attr_set = attr };

	if (tree < 0)
		return md_err_set(err, errno, "open_tree %s", what);
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
		return md_err_set(err, errno, "mount_setattr %s", what);
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return md_err_set(err, errno, "move_mount %s", what);
	return 0;
}

int mnt_readonly_in_root(int rootfd, const char *path, struct md_err *err)
{
	cleanup_close int fd = -1;

	if (open_optional(rootfd, path, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return 0;
	return remount_onto(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, fd,
			    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
			    path, err);
}

int mnt_mask_in_root(int rootfd, const char *path, struct md_err *err)
{
	cleanup_close int fd = -1;
	struct stat st;
	char proc[64];

	if (open_optional(rootfd, path, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0)
		return md_err_set(err, errno, "stat %s", path);
	if (!S_ISDIR(st.st_mode))
		return remount_onto(AT_FDCWD, "/dev/null", 0, fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID,
				    path, err);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (mount("tmpfs", proc, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") < 0)
		return md_err_set(err, errno, "mask %s", path);
	return 0;
}

int mnt_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct md_err *err)
{
	char parent[4096];
	const char *slash = strrchr(path, '/');
	cleanup_close int pfd = -1;
	const char *leaf = path;

	if (slash != NULL) {
		if ((size_t)(slash - path) >= sizeof(parent))
			return md_err_set(err, ENAMETOOLONG, "mkdir %s", path);
		memcpy(parent, path, (size_t)(slash - path));
		parent[slash - path] = '\0';
		pfd = mnt_open_in_root(rootfd, parent[0] ? parent : "/", O_DIRECTORY, err);
		if (pfd < 0)
			return -1;
		leaf = slash + 1;
	}
	if (mkdirat(pfd >= 0 ? pfd : rootfd, leaf, mode) < 0 && errno != EEXIST)
		return md_err_set(err, errno, "mkdir %s", path);
	return 0;
}

int mnt_tree_from_fd(int fd, bool ro, struct md_err *err)
{
	cleanup_close int tree = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
						       AT_RECURSIVE);
	/* Private: a clone made in the host's namespace stays in the source's
	 * peer group, so mounts the setup makes on it (a nested volume, a
	 * --tmpfs inside it) would propagate to the host's mount. */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (ro ? MOUNT_ATTR_RDONLY : 0),
		.propagation = MS_PRIVATE,
	};

	/* EINVAL: the file is on a mount of another mount namespace than
	 * ours (the client's is not the daemon's), which cannot be cloned. */
	if (tree < 0)
		return md_err_set(err, errno, "open_tree");
	/* AT_RECURSIVE: every submount too, so ":ro" is read-only all the
	 * way down and no set-id file below becomes usable. */
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return md_err_set(err, errno, "mount_setattr");
	return steal_fd(&tree);
}

/* Open or create the component prefix (of path) inside the root; parent
 * is the fd of the prefix before it. */
static int make_step(int rootfd, int parent, const char *prefix, const char *leaf, bool dir,
		     struct md_err *err)
{
	int fd = mnt_open_in_root(rootfd, prefix, dir ? O_DIRECTORY : 0, err);
	int made;

	if (fd >= 0 || err->errnum != ENOENT)
		return fd;
	/* Created in the parent fd just resolved, then resolved again from
	 * the root: whatever the name is, it is looked at inside the root. A
	 * dangling symlink there stays one (EEXIST). */
	if (dir)
		made = mkdirat(parent, leaf, 0755);
	else
		made = openat(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (made < 0)
		return md_err_set(err, errno, "create %s in container root", prefix);
	if (!dir)
		close(made);
	return mnt_open_in_root(rootfd, prefix, dir ? O_DIRECTORY : 0, err);
}

/* The target is not the root itself: a symlink in an image (`mnt -> /`)
 * may name it, and a mount over the root would replace the container. */
static int check_target(int rootfd, int fd, const char *path, bool dir, struct md_err *err)
{
	struct stat root, st;

	if (fstat(rootfd, &root) < 0 || fstat(fd, &st) < 0)
		return md_err_set(err, errno, "stat %s", path);
	if (st.st_dev == root.st_dev && st.st_ino == root.st_ino)
		return md_err_set(err, EBUSY, "mount on %s: it is the container root", path);
	if (S_ISDIR(st.st_mode) != dir)
		return md_err_set(err, dir ? ENOTDIR : EISDIR, "mount on %s", path);
	return 0;
}

int mnt_make_target(int rootfd, const char *path, bool dir, struct md_err *err)
{
	size_t len = strlen(path);
	cleanup_free char *prefix = xstrdup(path);
	int parent = rootfd, fd = -1;

	if (path[0] != '/' || len < 2)
		return md_err_set(err, EINVAL, "mount target %s", path);
	for (size_t end = 1; end <= len; end++) {
		size_t start;
		bool last = end == len;

		if (!last && path[end] != '/')
			continue;
		start = end;
		while (start > 0 && path[start - 1] != '/')
			start--;
		if (start == end)
			continue; /* "//" or a trailing "/": nothing to make */
		prefix[end] = '\0';
		fd = make_step(rootfd, parent, prefix, prefix + start, !last || dir, err);
		if (parent != rootfd)
			close(parent);
		if (fd < 0)
			return -1;
		parent = fd;
		prefix[end] = path[end];
	}
	if (fd < 0)
		return md_err_set(err, EINVAL, "mount target %s", path);
	if (check_target(rootfd, fd, path, dir, err) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int mnt_move_in_root(int rootfd, int tree, const char *path, bool dir, struct md_err *err)
{
	cleanup_close int target = mnt_make_target(rootfd, path, dir, err);

	if (target < 0)
		return -1;
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return md_err_set(err, errno, "move_mount to %s", path);
	return 0;
}
