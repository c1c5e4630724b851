/* The monitor's part of a container's filesystem, done in the host's
 * namespaces before the clone, where host paths and the daemon's fds still
 * mean what they say: an image's root (its overlay, or a copy of its
 * layers), the `host` image's overlay over its skeleton, and each volume's
 * source turned into a detached mount tree.
 * The child only moves what is made here (ctr-setup.c, steps 3 and 4d). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "ctr-mount.h"
#include "ctr-overlay.h"
#include "ctr-rootfs.h"
#include "host-skel.h"
#include "layer-copy.h"
#include "mon-fds.h"
#include "monitor.h"

/* The daemon passes the volumes' sources from here up, in config order. */
#define VOLUME_FD MON_VOLUME_FD

/* Written once the layers are copied into rootfs/: a copy is made on the
 * container's first start only, as its writes go to it. */
#define ROOTFS_COPIED "rootfs.copied"

/* The vfs driver: the layers copied into rootfs/, which the child then
 * binds onto itself as for the `host` image. */
static int copy_layers(struct monitor *m, struct md_err *err)
{
	cleanup_free char *rootfs = xasprintf("%s/%s", m->dir, CTR_ROOTFS_DIR);
	cleanup_free char *done = xasprintf("%s/%s", m->dir, ROOTFS_COPIED);
	int fd;

	if (access(done, F_OK) == 0)
		return 0;
	/* A copy cut short (the monitor died) is done again over itself:
	 * each layer replaces what it names, so the result is the same. */
	if (layer_copy_all(m->cfg.layers, rootfs, err) < 0)
		return md_err_prefix(err, "copy image layers");
	fd = open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fsync(fd) < 0)
		md_err_set(err, errno, "create %s", done);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

/* The `host` image's root: the overlay of the owner's skeleton under the
 * container's upper directory, where the names are written first (upper
 * is the daemon's new, empty directory, which the caller cannot reach).
 * *fd stays -1 where there is no skeleton (it cannot be built here) or
 * overlay is refused: the child then builds the whole root in rootfs/,
 * which fails as clearly if the cause was the disk. */
static int host_root(struct monitor *m, const char *upper, const char *work, int *fd,
		     struct md_err *err)
{
	uid_t uid = m->cfg.userns ? m->cfg.map_uid : 0;
	gid_t gid = m->cfg.userns ? m->cfg.map_gid : 0;
	cleanup_free char *skel = NULL;
	cleanup_close int upfd = -1;
	char *layers[2] = { NULL, NULL };
	bool refused = false;

	if (host_skel_get(m->cfg.host_skel, uid, gid, &skel, err) < 0)
		goto in_place;
	upfd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (upfd < 0)
		return md_err_set(err, errno, "open %s", upper);
	if (rootfs_host_names(upfd, m->cfg.hostname, uid, gid, err) < 0)
		return -1;
	layers[0] = skel;
	*fd = overlay_mount_root(layers, upper, work, m->cfg.auto_remove, &refused, err);
	if (*fd >= 0) {
		/* Recorded for the daemon's sweep: this skeleton is in use. */
		m->state.skeleton = xstrdup(strrchr(skel, '/') + 1);
		return 0;
	}
	if (!refused)
		return -1;
in_place:
	log_warn("%.12s: %s: building the host image in place instead", m->cfg.id, err->msg);
	md_err_clear(err);
	return 0;
}

/* A container's root: *fd its overlay as a detached mount, or -1 with the
 * root made in rootfs/ instead: an image's layers copied there
 * (--storage-driver vfs, or no usable overlay here), or the `host` image
 * built there by the child. */
static int prepare_root(struct monitor *m, int *fd, struct md_err *err)
{
	cleanup_free char *upper = xasprintf("%s/%s", m->dir, CTR_UPPER_DIR);
	cleanup_free char *work = xasprintf("%s/%s", m->dir, CTR_WORK_DIR);
	bool refused = false;

	*fd = -1;
	if (m->cfg.image_id == NULL)
		return m->cfg.host_skel != NULL ? host_root(m, upper, work, fd, err) : 0;
	if (!m->cfg.vfs) {
		*fd = overlay_mount_root(m->cfg.layers, upper, work, m->cfg.auto_remove, &refused,
					 err);
		if (*fd >= 0)
			return 0;
		if (!refused)
			return -1;
		log_warn("%.12s: %s: copying the image's layers instead", m->cfg.id, err->msg);
		md_err_clear(err);
	}
	return copy_layers(m, err);
}

/* Parents before what is mounted below them: fewer components first,
 * the order of the config kept otherwise (insertion sort: few mounts). */
static void sort_mounts(struct ctr_mount *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct ctr_mount x = v[i];
		size_t depth = 0, j = i;

		for (const char *p = x.target; *p; p++)
			depth += *p == '/';
		while (j > 0) {
			size_t d = 0;

			for (const char *p = v[j - 1].target; *p; p++)
				d += *p == '/';
			if (d <= depth)
				break;
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* Volume i's source, as the daemon passed it, into a detached tree. */
static int volume_tree(const struct ctr_volume *v, int fd, struct ctr_mount *out,
		       struct md_err *err)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	/* Checked by the daemon already; checked again at the privileged
	 * edge: an O_PATH fd needs no read permission at all. */
	if (fl < 0 || fstat(fd, &st) < 0)
		return md_err_set(err, errno, "volume %s: no source", v->source);
	if (fl & O_PATH)
		return md_err_set(err, EACCES, "volume %s: not opened for reading", v->source);
	out->is_dir = S_ISDIR(st.st_mode);
	out->tree_fd = mnt_tree_from_fd(fd, v->readonly, err);
	if (out->tree_fd < 0)
		return md_err_prefix(err, "volume %s", v->source);
	return 0;
}

int mon_root_prepare(struct monitor *m, struct mon_root *out, struct md_err *err)
{
	size_t n = m->cfg.nvolumes + m->cfg.ntmpfs;
	int r = 0;

	out->root_fd = -1;
	out->mounts = xcalloc(n + 1, sizeof(*out->mounts));
	out->n = 0;
	for (size_t i = 0; i < m->cfg.nvolumes && r == 0; i++, out->n++) {
		struct ctr_mount *cm = &out->mounts[out->n];

		cm->target = m->cfg.volumes[i].target;
		cm->tree_fd = -1;
		r = volume_tree(&m->cfg.volumes[i], VOLUME_FD + (int)i, cm, err);
	}
	/* The sources are in the trees now: none may reach the container. */
	for (size_t i = 0; i < m->cfg.nvolumes; i++)
		close(VOLUME_FD + (int)i);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < m->cfg.ntmpfs; i++, out->n++) {
		struct ctr_mount *cm = &out->mounts[out->n];

		cm->target = m->cfg.tmpfs[i].target;
		cm->tree_fd = -1;
		cm->tmpfs_data = m->cfg.tmpfs[i].options;
		cm->exec = m->cfg.tmpfs[i].exec;
		cm->readonly = m->cfg.tmpfs[i].readonly;
	}
	sort_mounts(out->mounts, out->n);
	return prepare_root(m, &out->root_fd, err);
}

void mon_root_release(struct mon_root *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->mounts[i].tree_fd >= 0)
			close(r->mounts[i].tree_fd);
	free(r->mounts);
	r->mounts = NULL;
	r->n = 0;
	if (r->root_fd >= 0)
		close(r->root_fd);
	r->root_fd = -1;
}
