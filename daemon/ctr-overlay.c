#include "ctr-overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../common/util.h"

/* A directory parameter of the overlay: by fd where the kernel takes one
 * (6.13 and later: nothing looked up again by path, and no limit on the
 * path's length, which fsconfig strings cap at 256 bytes), else by path.
 * *by_fd turns false for good once the kernel refuses an fd. */
static int set_dir(int fs, const char *key, const char *path, bool *by_fd)
{
	if (*by_fd) {
		cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0)
			return -1;
		if (fsconfig(fs, FSCONFIG_SET_FD, key, NULL, fd) == 0)
			return 0;
		if (errno != EINVAL)
			return -1;
		*by_fd = false;
	}
	return fsconfig(fs, FSCONFIG_SET_STRING, key, path, 0);
}

/* Kernels before 6.8 know no "lowerdir+": one "lowerdir" string of the
 * layers, top first, joined by ':' (escaped with '\' inside names). */
static int set_lowerdir_joined(int fs, char *const *layers, size_t n)
{
	size_t len = 1;
	cleanup_free char *s = NULL;
	char *p;

	for (size_t i = 0; i < n; i++)
		len += 2 * strlen(layers[i]) + 1;
	p = s = xmalloc(len);
	for (size_t i = n; i-- > 0;) {
		for (const char *c = layers[i]; *c != '\0'; c++) {
			if (*c == ':' || *c == '\\')
				*p++ = '\\';
			*p++ = *c;
		}
		if (i > 0)
			*p++ = ':';
	}
	*p = '\0';
	return fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", s, 0);
}

/* Each layer as its own "lowerdir+", the top one first. */
static int set_layers(int fs, char *const *layers, struct md_err *err)
{
	bool by_fd = true;
	size_t n = 0;

	while (layers[n] != NULL)
		n++;
	if (n == 0)
		return md_err_set(err, EINVAL, "mount overlay root: no layers");
	for (size_t i = n; i-- > 0;) {
		if (set_dir(fs, "lowerdir+", layers[i], &by_fd) == 0)
			continue;
		if (errno == EINVAL && i == n - 1 && set_lowerdir_joined(fs, layers, n) == 0)
			return 0;
		return md_err_set(err, errno, "mount overlay root: layer %s", layers[i]);
	}
	return 0;
}

int overlay_mount_root(char *const *layers, const char *upper, const char *work, bool disposable,
		       bool *refused, struct md_err *err)
{
	cleanup_close int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	bool by_fd = true;
	int mfd;

	*refused = false;
	if (fs < 0) {
		*refused = errno == ENODEV;
		return md_err_set(err, errno, "mount overlay root: fsopen overlay");
	}
	if (set_layers(fs, layers, err) < 0)
		return -1;
	/* From here a refusal is the filesystem's of upper: not one overlay
	 * can use (or a kernel that wants more than we give). */
	if (set_dir(fs, "upperdir", upper, &by_fd) < 0 || set_dir(fs, "workdir", work, &by_fd) < 0) {
		*refused = errno != ENOENT && errno != ENOMEM && errno != EMFILE;
		return md_err_set(err, errno, "mount overlay root: %s", upper);
	}
	/* volatile: no sync reaches upper's filesystem. Without it the last
	 * unmount (the container's exit) syncs that whole filesystem, disk
	 * cache flush included: milliseconds on every exit. A kernel before
	 * 5.10 does not know it (EINVAL): then the syncs stay. */
	if (disposable && fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL, 0) < 0 &&
	    errno != EINVAL)
		return md_err_set(err, errno, "mount overlay root: volatile");
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		*refused = errno != ENOMEM;
		return md_err_set(err, errno, "mount overlay root");
	}
	/* nosuid, nodev: set-id files and device nodes of an image are inert. */
	mfd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mfd < 0)
		return md_err_set(err, errno, "mount overlay root: fsmount");
	return mfd;
}
