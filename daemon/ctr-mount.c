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

int mnt_fs_in_root(int rootfd, const char *path, const char *type, unsigned long flags,
		   const char *data, struct md_err *err)
{
	cleanup_close int fd = mnt_open_in_root(rootfd, path, O_DIRECTORY, err);
	char proc[64];

	if (fd < 0)
		return -1;
	/* Mounting onto /proc/self/fd/N lands on exactly the directory that fd
	 * resolved to; the host /proc is still ours at this point of setup. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (mount(type, proc, type, flags, data) < 0)
		return md_err_set(err, errno, "mount %s on %s", type, path);
	return 0;
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
