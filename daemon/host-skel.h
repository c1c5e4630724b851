/* The `host` image's skeletons (ctr-rootfs.h): one per owner and per state
 * of the host files it copies, kept under --root/host and shared
 * read-only, as an overlay's lower layer, by every container of that
 * owner. A skeleton is built once, by the first monitor that needs it, in
 * a directory of its own that is then renamed into place: a skeleton is
 * complete or absent. The daemon moves them all to the trash when it
 * starts with no container of the `host` image running, so one left
 * half-written by a crash, or made stale by a change of the host, goes. */
#ifndef MD_HOST_SKEL_H
#define MD_HOST_SKEL_H

#include <sys/types.h>

#include "../common/err.h"

#define HOST_SKEL_DIR "host"

/* *path (malloc'd): the skeleton under base (--root/host) for containers
 * whose root is uid:gid on the host, built if there is none yet. */
int host_skel_get(const char *base, uid_t uid, gid_t gid, char **path, struct md_err *err);

#endif
