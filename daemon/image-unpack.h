/* The worker side of import and load (run through job.h, never in the
 * event loop): read an archive from an fd the caller opened, verify every
 * digest, unpack each new layer safely (layer-extract.h) into the store's
 * scratch space, and only when all of it succeeded move the layers into
 * the store. The result names the images made; recording them is the
 * daemon's (image-store.h). A refused archive leaves nothing behind. */
#ifndef MD_IMAGE_UNPACK_H
#define MD_IMAGE_UNPACK_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct unpack_req {
	char *store_dir;      /* --root/images */
	uid_t owner;          /* the caller: its layers are owned as its files */
	gid_t owner_gid;
	char *name;           /* import: the normalized NAME:TAG */
	uint64_t max_bytes;   /* file data one import or load may unpack, in all */
};

/* The scratch directory of the worker of that pid, which a worker that
 * was killed leaves behind. */
char *image_unpack_scratch(const char *store_dir, pid_t worker);

/* job_fn for `import`: fds[0] is a root filesystem tar (plain or
 * compressed). Result: {"type":"unpacked","images":[IMAGE]}, where IMAGE
 * is {"id","names","layers","size","config"} (config as image-spec's
 * image_config_to_json text), or an error message. */
struct json_object *image_unpack_import(void *req, const int *fds);

/* job_fn for `load`: fds[0] is a `docker save` or OCI layout archive.
 * Same result, one IMAGE per image in the archive. */
struct json_object *image_unpack_load(void *req, const int *fds);

#endif
