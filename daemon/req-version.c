#include <sys/utsname.h>

#include "../proto/frame.h"
#include "../proto/msg.h"
#include "request.h"
#include "server.h"

int req_version(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct json_object *o = proto_msg_new("version");
	struct utsname u;

	(void)d;
	(void)req;
	(void)err;
	json_object_object_add(o, "version", json_object_new_string(MD_VERSION));
	json_object_object_add(o, "proto", json_object_new_int(PROTO_VERSION));
	if (uname(&u) == 0) {
		json_object_object_add(o, "os", json_object_new_string(u.sysname));
		json_object_object_add(o, "kernel", json_object_new_string(u.release));
		json_object_object_add(o, "arch", json_object_new_string(u.machine));
	}
	server_reply(c, o);
	json_object_put(o);
	return REQ_DONE;
}
