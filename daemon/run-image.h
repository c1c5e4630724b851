/* The image a `run` request names, looked up in the store for the caller,
 * with its USER resolved in the image's own /etc/passwd and /etc/group. */
#ifndef MD_RUN_IMAGE_H
#define MD_RUN_IMAGE_H

#include <json-c/json.h>
#include <sys/types.h>

#include "../common/err.h"
#include "daemon.h"
#include "run-config.h"

/* 1 with *ri filled (release it with run_image_release) for an image of
 * the store, 0 for the default image `host`, -1 with err ("no such image:
 * REF") otherwise. */
int run_image_find(struct daemon *d, uid_t caller, struct json_object *req, struct run_image *ri,
		   struct md_err *err);

void run_image_release(struct run_image *ri);

#endif
