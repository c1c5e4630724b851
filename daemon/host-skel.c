#include "host-skel.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "ctr-rootfs.h"

/* Build the skeleton in base/.build-PID, then rename it to path. Why this
 * is safe as host root: base is made 0700 in --root (itself 0700), so no
 * one else can reach it, plant a link or watch a half-built skeleton; the
 * build directory is our own (a leftover of a dead monitor with our pid is
 * removed first, without following links); every entry is made with
 * O_EXCL/O_NOFOLLOW or mkdir relative to its fd; and the rename never
 * replaces a skeleton: another monitor that won the race keeps its own,
 * and ours goes. */
static int build(const char *base, const char *path, uid_t uid, gid_t gid, struct md_err *err)
{
	cleanup_free char *tmp = xasprintf("%s/.build-%d", base, (int)getpid());
	cleanup_close int fd = -1;
	struct md_err e2;

	if (mkdir(base, 0700) < 0 && errno != EEXIST)
		return md_err_set(err, errno, "host image skeleton: mkdir %s", base);
	if (dir_remove_tree(tmp, err) < 0)
		return md_err_prefix(err, "host image skeleton");
	if (mkdir(tmp, 0755) < 0)
		return md_err_set(err, errno, "host image skeleton: mkdir %s", tmp);
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0755) < 0 || fchown(fd, uid, gid) < 0) {
		md_err_set(err, errno, "host image skeleton: prepare %s", tmp);
		goto fail;
	}
	if (rootfs_host_skeleton(fd, "", uid, gid, err) < 0)
		goto fail;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EEXIST) {
		md_err_set(err, errno, "host image skeleton: rename %s", tmp);
		goto fail;
	}
	/* Left for the daemon's sweep if it cannot go now: it is never used. */
	if (dir_remove_tree(tmp, &e2) < 0)
		log_warn("%s", e2.msg);
	return 0;
fail:
	/* What cannot go now is the daemon's sweep's. */
	(void)dir_remove_tree(tmp, &e2);
	return -1;
}

int host_skel_get(const char *base, uid_t uid, gid_t gid, char **path, struct md_err *err)
{
	cleanup_free char *p = xasprintf("%s/%u.%u-%016" PRIx64, base, (unsigned)uid,
					 (unsigned)gid, rootfs_host_key(""));
	struct stat st;

	if (lstat(p, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return md_err_set(err, ENOTDIR, "host image skeleton %s", p);
	} else if (errno != ENOENT) {
		return md_err_set(err, errno, "host image skeleton %s", p);
	} else if (build(base, p, uid, gid, err) < 0) {
		return -1;
	}
	*path = steal_ptr(&p);
	return 0;
}
