#include "../proto/msg.h"
#include "container.h"
#include "request.h"
#include "server.h"

static struct json_object *ctr_summary(const struct container *ct)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(ct->cfg.id));
	json_object_object_add(o, "name", json_object_new_string(ct->cfg.name));
	json_object_object_add(o, "image", json_object_new_string(ct->cfg.image));
	json_object_object_add(o, "argv", proto_strv_to_json((const char *const *)ct->cfg.argv));
	json_object_object_add(o, "created_ns", json_object_new_int64(ct->cfg.created_ns));
	json_object_object_add(o, "state", json_object_new_string(ctr_status_name(ct->state.status)));
	json_object_object_add(o, "started_ns", json_object_new_int64(ct->state.started_ns));
	json_object_object_add(o, "finished_ns", json_object_new_int64(ct->state.finished_ns));
	json_object_object_add(o, "exit_code", json_object_new_int(ct->state.exit_code));
	json_object_object_add(o, "pid", json_object_new_int(ct->state.pid));
	return o;
}

int req_ps(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct json_object *o, *list;
	bool all = false;
	uid_t uid = server_client_uid(c);

	if (proto_req_bool(req, "all", &all, err) < 0)
		return -1;
	o = proto_msg_new("containers");
	list = json_object_new_array();
	for (size_t i = 0; i < d->nctrs; i++) {
		const struct container *ct = d->ctrs[i];

		if (!ctr_visible(ct, uid) || (!all && ct->state.status != CTR_RUNNING))
			continue;
		json_object_array_add(list, ctr_summary(ct));
	}
	json_object_object_add(o, "containers", list);
	server_reply(c, o);
	json_object_put(o);
	return REQ_DONE;
}
