/* The mounts a `run` request asks for: -v volumes, --tmpfs and
 * --read-only, every field of the untrusted request checked. Pure logic,
 * as run-config.h. */
#ifndef MD_RUN_MOUNTS_H
#define MD_RUN_MOUNTS_H

#include <json-c/json.h>

#include "../common/err.h"
#include "ctr-config.h"

#define RUN_VOLUMES_MAX 32
#define RUN_TMPFS_MAX 32

/* Fill c's volumes, tmpfs and read_only from req. Each volume names the
 * index of the fd the client passed for its source ("fd"); the caller
 * takes those fds. */
int run_mounts_from_request(struct json_object *req, struct ctr_config *c, struct md_err *err);

#endif
