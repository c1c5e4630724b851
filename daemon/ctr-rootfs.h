/* The default image `host`: a fresh root whose programs are the host's own,
 * read-only, with a generated /etc and nothing private of the host.
 *
 * It is made of three parts. The skeleton (the container's own
 * directories, mount points for the host's program directories, the
 * generated /etc) is the same for every container of one owner, so the
 * monitor builds it once (host-skel.c) and shares it as an overlay's
 * lower layer. The names (/etc/hostname, /etc/hosts) are the container's
 * own. The binds of the host's directories are made by the container's
 * child in its own mount namespace. Where no overlay can be had, the
 * child builds all three in the container's rootfs directory. */
#ifndef MD_CTR_ROOTFS_H
#define MD_CTR_ROOTFS_H

#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

/* As the owner of what is made: leave it as created. */
#define ROOTFS_OWN_AS_CREATED ((uid_t)-1)

/* The skeleton in the empty directory dirfd, every entry owned by
 * uid:gid (container root's host IDs), or as created. host_root is the
 * host's root directory as a prefix: "" (a fake host's tree in tests). */
int rootfs_host_skeleton(int dirfd, const char *host_root, uid_t uid, gid_t gid,
			 struct md_err *err);

/* /etc/hostname and /etc/hosts for hostname in dirfd (a skeleton, or an
 * overlay's upper directory over one), /etc made if missing. */
int rootfs_host_names(int dirfd, const char *hostname, uid_t uid, gid_t gid, struct md_err *err);

/* The host's program directories and public /etc directories bound
 * read-only onto their mount points in rootfd (inside the container's
 * own mount namespace). */
int rootfs_host_binds(int rootfd, struct md_err *err);

/* All three in the empty directory rootfd, owned as created. */
int rootfs_build_host(int rootfd, const char *hostname, struct md_err *err);

/* A fingerprint of everything of the host a skeleton is built from: it
 * changes when any copied file or the shape of the host's directories
 * does, so a skeleton named for it is never stale. */
uint64_t rootfs_host_key(const char *host_root);

#endif
