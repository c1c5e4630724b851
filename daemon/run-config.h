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

#include "image-spec.h"

struct run_opts {
	bool detach;
};

/* The image a request names, found by the daemon: what run takes from it. */
struct run_image {
	const char *id;              /* "sha256:HEX" */
	char *const *layer_dirs;     /* bottom first, NULL-terminated */
	bool vfs;                    /* copy the layers instead of an overlay */
	const struct image_config *config;
	bool has_user;               /* the image's USER, resolved in its /etc/passwd */
	uid_t uid;
	gid_t gid;
};

/* Fill c (all but id, name when not given, and created_ns) from req for a
 * caller of uid/gid. img is the image req names, NULL for `host`; its
 * Entrypoint, Cmd, Env, WorkingDir and User apply unless req overrides
 * them, as in Docker. On error err says which field and why. */
int run_config_from_request(struct json_object *req, uid_t uid, gid_t gid,
			    const struct run_image *img, struct ctr_config *c,
			    struct run_opts *opts, struct md_err *err);

/* "UID[:GID]" with numbers only; GID defaults to 0 as in Docker. */
int run_parse_user(const char *s, uid_t *uid, gid_t *gid);

bool run_hostname_valid(const char *s);

#endif
