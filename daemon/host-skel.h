/* The `host` image's skeletons (ctr-rootfs.h): one per owner and per state
 * of the host files it copies, kept under --root/host and shared
 * read-only, as an overlay's lower layer, by every container of that
 * owner. A skeleton is built once, by the first monitor that needs it, in
 * a directory of its own that is then renamed into place, so no monitor
 * ever sees one half-built. (Nothing is synced: after a host crash the
 * daemon starts with no container running and moves every skeleton to the
 * trash, so one the crash left incomplete is never used.) The monitor
 * records the skeleton it used in the container's state; a daemon that
 * starts moves to the trash every skeleton no running container records,
 * which takes those made stale by a change of the host. */
#ifndef MD_HOST_SKEL_H
#define MD_HOST_SKEL_H

#include <sys/types.h>

#include "../common/err.h"

#define HOST_SKEL_DIR "host"

/* *path (malloc'd): the skeleton under base (--root/host) for containers
 * whose root is uid:gid on the host, built if there is none yet. */
int host_skel_get(const char *base, uid_t uid, gid_t gid, char **path, struct md_err *err);

#endif
