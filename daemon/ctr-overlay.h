/* An image container's root: an overlay of the image's read-only layers
 * (shared by every container of the image) under the container's own
 * upper directory. Built by the monitor in the host's namespaces as a
 * detached mount (fsopen/fsmount), which the container's child then
 * moves onto its root directory (ctr-setup.c, step 3). */
#ifndef MD_CTR_OVERLAY_H
#define MD_CTR_OVERLAY_H

#include <stdbool.h>

#include "../common/err.h"

/* The overlay of layers (absolute directories, bottom first,
 * NULL-terminated) under upper, with work as overlay's scratch directory
 * (same filesystem as upper), nosuid and nodev. disposable: upper is
 * thrown away with the container (run --rm), so the overlay is mounted
 * volatile: fsync and sync inside it, and the sync at its unmount, are
 * skipped; after a host crash overlayfs refuses to mount that upper
 * again (it is deleted anyway). Returns the detached
 * mount's fd, or -1 with err set ("mount overlay root: ...") and
 * *refused true when overlayfs cannot be used here at all (the kernel
 * has none, or refuses upper's filesystem): the caller may copy the
 * layers instead. */
int overlay_mount_root(char *const *layers, const char *upper, const char *work, bool disposable,
		       bool *refused, struct md_err *err);

#endif
