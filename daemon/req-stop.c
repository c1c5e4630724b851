/* stop: SIGTERM to each container's PID 1, SIGKILL after the timeout. The
 * monitor keeps the timer, so a stop completes even if the daemon dies. */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "container.h"
#include "mon-link.h"
#include "request.h"
#include "server.h"

/* One stop request over several containers, answered when all are down. */
struct stop_op {
	struct client *client;
	struct json_object *results; /* [{"name": as given, "error": msg|null}] */
	size_t pending;
};

static void stop_op_finish(struct stop_op *op)
{
	struct json_object *o = proto_msg_new("stopped");

	json_object_object_add(o, "results", op->results);
	server_reply(op->client, o);
	json_object_put(o);
	server_request_done(op->client);
	server_client_unref(op->client);
	free(op);
}

static void stop_exited_cb(struct container *ct, void *arg, bool lost)
{
	struct stop_op *op = arg;

	(void)ct;
	(void)lost;
	if (--op->pending == 0)
		stop_op_finish(op);
}

static void add_result(struct stop_op *op, const char *name, const char *error)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "name", json_object_new_string(name));
	json_object_object_add(r, "error", error ? json_object_new_string(error) : NULL);
	json_object_array_add(op->results, r);
}

int req_stop(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	const char **names = NULL;
	size_t n = 0;
	int64_t timeout = -1;
	struct stop_op *op;

	if (proto_req_strv(req, "containers", true, &names, &n, err) < 0 ||
	    proto_req_int(req, "timeout", -1, 24 * 3600, &timeout, err) < 0) {
		free(names);
		return -1;
	}
	op = xcalloc(1, sizeof(*op));
	op->client = c;
	op->results = json_object_new_array();
	op->pending = 1; /* held until every container is asked */
	server_client_ref(c);
	for (size_t i = 0; i < n; i++) {
		struct md_err e;
		struct container *ct = ctr_find(d->ctrs, d->nctrs, names[i], server_client_uid(c), &e);
		struct json_object *msg;

		if (ct == NULL) {
			add_result(op, names[i], e.msg);
			continue;
		}
		add_result(op, names[i], NULL);
		if (ct->state.status != CTR_RUNNING || ct->link == NULL)
			continue; /* stopping a stopped container succeeds, as in Docker */
		msg = proto_msg_new("stop");
		json_object_object_add(msg, "timeout",
				       json_object_new_int(timeout >= 0 ? (int)timeout : ct->cfg.stop_timeout));
		if (monlink_send(ct, msg) == 0) {
			op->pending++;
			ctr_add_waiter(ct, true, stop_exited_cb, op);
		}
		json_object_put(msg);
	}
	free(names);
	if (--op->pending == 0)
		stop_op_finish(op); /* nothing to wait for: answered and done */
	return REQ_PENDING;
}
