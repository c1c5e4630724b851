/* The default image `host`: a fresh root whose programs are the host's own,
 * read-only, with a generated /etc and nothing private of the host. */
#ifndef MD_CTR_ROOTFS_H
#define MD_CTR_ROOTFS_H

#include "../common/err.h"

/* Populate the empty directory rootfd (inside the container's own mount
 * namespace) as the `host` image. hostname goes into /etc/hostname and
 * /etc/hosts. */
int rootfs_build_host(int rootfd, const char *hostname, struct md_err *err);

#endif
