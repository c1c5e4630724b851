/* Turning a `run` request into a container config: every field of the
 * untrusted request checked, Docker's defaults filled in. Pure logic: no
 * daemon state, so it is unit-tested and fuzzed on its own. */
#ifndef MD_RUN_CONFIG_H
#define MD_RUN_CONFIG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "ctr-config.h"

struct run_opts {
	bool detach;
};

/* Fill c (all but id, name when not given, and created_ns) from req for a
 * caller of uid/gid. On error err says which field and why. */
int run_config_from_request(struct json_object *req, uid_t uid, gid_t gid,
			    struct ctr_config *c, struct run_opts *opts, struct md_err *err);

/* "UID[:GID]" with numbers only; GID defaults to 0 as in Docker. */
int run_parse_user(const char *s, uid_t *uid, gid_t *gid);

bool run_hostname_valid(const char *s);

#endif
