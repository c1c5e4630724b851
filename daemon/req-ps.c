#include "../common/buf.h"
#include "../common/util.h"
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

/* What the summary shows of the state (not the error text, nor times of
 * the monitor's own). */
static bool summary_state_same(const struct ctr_state *a, const struct ctr_state *b)
{
	return a->status == b->status && a->pid == b->pid && a->started_ns == b->started_ns &&
	       a->finished_ns == b->finished_ns && a->exit_code == b->exit_code;
}

/* The summary as JSON text, built again only when its state changed: a
 * ps of many containers then costs a copy of each, not a JSON tree. */
static void summary_text(struct container *ct, const char **text, size_t *len)
{
	if (ct->ps_text == NULL || !summary_state_same(&ct->ps_state, &ct->state)) {
		struct json_object *o = ctr_summary(ct);
		const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN,
								  &ct->ps_len);

		free(ct->ps_text);
		ct->ps_text = xstrdup(s);
		ct->ps_state.status = ct->state.status;
		ct->ps_state.pid = ct->state.pid;
		ct->ps_state.started_ns = ct->state.started_ns;
		ct->ps_state.finished_ns = ct->state.finished_ns;
		ct->ps_state.exit_code = ct->state.exit_code;
		json_object_put(o);
	}
	*text = ct->ps_text;
	*len = ct->ps_len;
}

int req_ps(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	static const char head[] = "{\"type\":\"containers\",\"containers\":[";
	static const char tail[] = "]}";
	struct buf text = { 0 };
	bool all = false, first = true;
	uid_t uid = server_client_uid(c);

	if (proto_req_bool(req, "all", &all, err) < 0)
		return -1;
	buf_append(&text, head, sizeof(head) - 1);
	for (size_t i = 0; i < d->nctrs; i++) {
		struct container *ct = d->ctrs[i];
		const char *s;
		size_t n;

		if (!ctr_visible(ct, uid) || (!all && ct->state.status != CTR_RUNNING))
			continue;
		summary_text(ct, &s, &n);
		if (!first)
			buf_append(&text, ",", 1);
		buf_append(&text, s, n);
		first = false;
	}
	buf_append(&text, tail, sizeof(tail) - 1);
	server_reply_text(c, buf_head(&text), buf_used(&text));
	buf_free(&text);
	return REQ_DONE;
}
