/* info: facts about the daemon for `minidocker info`. */
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <linux/magic.h>

#include "../proto/msg.h"
#include "container.h"
#include "image-store.h"
#include "request.h"
#include "server.h"

/* "2" on a pure cgroup v2 host, "1" with v1 controllers (hybrid hosts
 * included: their cgroup2 mount holds no controller we use). */
static const char *cgroup_version(void)
{
	struct statfs fs;

	if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return "2";
	return "1";
}

/* The images `images` lists for the caller (the built-in `host` is not
 * one of them). */
static size_t images_visible(const struct daemon *d, uid_t uid)
{
	size_t n = 0;

	for (size_t i = 0; i < d->images->n; i++)
		n += image_visible(d->images->v[i], uid);
	return n;
}

int req_info(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct json_object *o = proto_msg_new("info");
	uid_t uid = server_client_uid(c);
	int running = 0, stopped = 0;
	struct utsname u;

	(void)req;
	(void)err;
	for (size_t i = 0; i < d->nctrs; i++) {
		if (!ctr_visible(d->ctrs[i], uid))
			continue;
		if (d->ctrs[i]->state.status == CTR_RUNNING)
			running++;
		else
			stopped++;
	}
	json_object_object_add(o, "containers", json_object_new_int(running + stopped));
	json_object_object_add(o, "running", json_object_new_int(running));
	json_object_object_add(o, "stopped", json_object_new_int(stopped));
	json_object_object_add(o, "images", json_object_new_int((int)images_visible(d, uid)));
	json_object_object_add(o, "cgroup_version", json_object_new_string(cgroup_version()));
	json_object_object_add(o, "root_dir", json_object_new_string(d->root_dir));
	json_object_object_add(o, "run_dir", json_object_new_string(d->run_dir));
	json_object_object_add(o, "socket", json_object_new_string(d->socket_path));
	json_object_object_add(o, "version", json_object_new_string(MD_VERSION));
	if (uname(&u) == 0)
		json_object_object_add(o, "kernel", json_object_new_string(u.release));
	server_reply(c, o);
	json_object_put(o);
	return REQ_DONE;
}
