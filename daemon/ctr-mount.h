/* Mounting inside a container root by file descriptor. Every target is
 * resolved with openat2(RESOLVE_IN_ROOT), so a symlink planted in an image
 * can never redirect a mount to the host (runc CVE-2021-30465), and the
 * mount is made onto the fd that was resolved, not a path looked up again. */
#ifndef MD_CTR_MOUNT_H
#define MD_CTR_MOUNT_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

/* Open PATH (relative to the container root rootfd) as O_PATH, scoped to
 * the root. Extra open flags such as O_DIRECTORY may be given. */
int mnt_open_in_root(int rootfd, const char *path, int flags, struct md_err *err);

/* Mount a new filesystem of TYPE on PATH inside the root. */
int mnt_fs_in_root(int rootfd, const char *path, const char *type, unsigned long flags,
		   const char *data, struct md_err *err);

/* Bind the host's SRC (recursively) onto PATH inside the root, read-only
 * when ro; always nosuid and nodev unless keep_dev. */
int mnt_bind_in_root(int rootfd, const char *src, const char *path, int ro, int keep_dev,
		     struct md_err *err);

/* Make PATH inside the root read-only, recursively. A missing path is
 * skipped (the kernel may not have it). */
int mnt_readonly_in_root(int rootfd, const char *path, struct md_err *err);

/* Hide PATH inside the root: /dev/null over a file, an empty read-only
 * tmpfs over a directory. A missing path is skipped. */
int mnt_mask_in_root(int rootfd, const char *path, struct md_err *err);

/* mkdir PATH inside the root (parent must exist; an existing dir is fine). */
int mnt_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct md_err *err);

/* A detached copy (recursive) of the mount tree at the file fd, nosuid
 * and nodev throughout, read-only throughout when ro: a volume's source,
 * made in the host's namespaces before the container's child moves it
 * in. Returns the tree's fd. */
int mnt_tree_from_fd(int fd, bool ro, struct md_err *err);

/* Resolve PATH ("/a/b", normalized) inside the root, creating what is
 * missing with every step resolved inside the root again: directories
 * (0755) down to the last component, which becomes a directory when dir,
 * else an empty file. Returns an O_PATH fd of it, which must not be the
 * root itself and must be a directory exactly when dir is. */
int mnt_make_target(int rootfd, const char *path, bool dir, struct md_err *err);

/* Move the detached mount tree onto PATH inside the root (made when
 * missing, see mnt_make_target). */
int mnt_move_in_root(int rootfd, int tree, const char *path, bool dir, struct md_err *err);

/* Mount a new filesystem of TYPE (flags, data as mount(2)) on the file
 * fd, resolved before: the mount lands on exactly what fd is. */
int mnt_fs_on_fd(int fd, const char *type, unsigned long flags, const char *data,
		 const char *what, struct md_err *err);

#endif
