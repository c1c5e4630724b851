/* The mounts a `run` request asks for: -v volumes, --tmpfs and
 * --read-only, every field of the untrusted request checked. Pure logic,
 * as run-config.h. */
#ifndef MD_RUN_MOUNTS_H
#define MD_RUN_MOUNTS_H

#include <json-c/json.h>
#include <stdbool.h>

#include "../common/err.h"
#include "ctr-config.h"

#define RUN_VOLUMES_MAX 32
#define RUN_TMPFS_MAX 32
#define RUN_MOUNT_PATH_MAX 4096

/* Fill c's volumes, tmpfs and read_only from req:
 *   "volumes": [{"source": S, "target": T, "readonly": B, "fd": N}, ...]
 *   "tmpfs":   [{"target": T, "options": "size=64m,mode=1777,exec"}, ...]
 *   "read_only": B
 * Each volume names the index of the fd the client passed for its source;
 * the indexes are 0..n-1, each once, and c->volumes[i] is the volume of fd
 * i (the order the caller takes the fds in). Targets come out normalized
 * ("//a/./b/" is "/a/b"). */
int run_mounts_from_request(struct json_object *req, struct ctr_config *c, struct md_err *err);

/* A mount target as "/a/b": absolute, no "..", not "/", not under /proc,
 * /sys or /dev (mounted by the setup itself), at most RUN_MOUNT_PATH_MAX
 * bytes. A malloc'd normalized copy, or NULL with err set. */
char *run_mount_target(const char *path, struct md_err *err);

/* --tmpfs options: size=N[kmg], mode=OCTAL (at most 01777), exec, noexec,
 * ro, rw, and nosuid, nodev (always in force anyway). *data is the checked
 * mount data ("size=N,mode=M", either left out when not given), malloc'd. */
int run_tmpfs_options(const char *opts, char **data, bool *exec, bool *readonly,
		      struct md_err *err);

#endif
