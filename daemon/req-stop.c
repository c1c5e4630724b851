/* stop, kill, rm and wait: requests over several containers, each argument
 * answered in order (batch.c). stop's SIGKILL timer lives in the monitor,
 * so a stop completes even if the daemon dies meanwhile. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "batch.h"
#include "container.h"
#include "mon-link.h"
#include "request.h"
#include "server.h"

static bool ctr_running(const struct container *ct)
{
	return (ct->state.status == CTR_RUNNING || ct->starting) && ct->link != NULL;
}

static void released_on_exit_cb(struct container *ct, void *arg, bool lost)
{
	(void)ct;
	(void)lost;
	batch_release(arg);
}

/* Ask the monitor to stop ct (SIGKILL at once when timeout is 0) and hold
 * the batch until it has exited. */
static void stop_and_hold(struct container *ct, int timeout, struct batch *b)
{
	struct json_object *msg = proto_msg_new("stop");

	json_object_object_add(msg, "timeout", json_object_new_int(timeout));
	if (monlink_send(ct, msg) == 0) {
		batch_hold(b);
		ctr_add_waiter(ct, true, released_on_exit_cb, b);
	}
	json_object_put(msg);
}

/* Parse the "containers" array every batch request carries. */
static int batch_names(struct json_object *req, const char ***names, size_t *n,
		       struct md_err *err)
{
	if (proto_req_strv(req, "containers", true, names, n, err) < 0)
		return -1;
	if (*n == 0) {
		free(*names);
		return md_err_set(err, 0, "invalid request: no container given");
	}
	return 0;
}

int req_stop(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	cleanup_free const char **names = NULL;
	int64_t timeout = -1;
	struct batch *b;
	size_t n = 0;

	if (batch_names(req, &names, &n, err) < 0 ||
	    proto_req_int(req, "timeout", -1, 24 * 3600, &timeout, err) < 0)
		return -1;
	b = batch_new(c, "stopped");
	for (size_t i = 0; i < n; i++) {
		struct container *ct = batch_find(b, d, names[i]);

		if (ct == NULL)
			continue;
		batch_result(b, names[i], NULL);
		/* Stopping a stopped container succeeds, as in Docker. */
		if (ctr_running(ct))
			stop_and_hold(ct, timeout >= 0 ? (int)timeout : ct->cfg.stop_timeout, b);
	}
	batch_done_adding(b);
	return REQ_PENDING;
}

int req_kill(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	cleanup_free const char **names = NULL;
	int64_t sig = SIGKILL;
	struct batch *b;
	size_t n = 0;

	if (batch_names(req, &names, &n, err) < 0 ||
	    proto_req_int(req, "signal", 1, NSIG - 1, &sig, err) < 0)
		return -1;
	b = batch_new(c, "killed");
	for (size_t i = 0; i < n; i++) {
		struct container *ct = batch_find(b, d, names[i]);
		struct json_object *msg;
		struct md_err e;

		if (ct == NULL)
			continue;
		if (!ctr_running(ct)) {
			md_err_set(&e, 0, "container %s is not running", names[i]);
			batch_result(b, names[i], e.msg);
			continue;
		}
		msg = proto_msg_new("signal");
		json_object_object_add(msg, "signal", json_object_new_int((int)sig));
		monlink_send(ct, msg);
		json_object_put(msg);
		batch_result(b, names[i], NULL);
	}
	batch_done_adding(b);
	return REQ_PENDING;
}

/* rm -f of a running container: remove once its exit is recorded. */
static void remove_on_exit_cb(struct container *ct, void *arg, bool lost)
{
	struct md_err err;

	(void)lost;
	ctr_remove(ct->d, ct, &err); /* a failure is logged there */
	batch_release(arg);
}

int req_rm(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	cleanup_free const char **names = NULL;
	bool force = false;
	struct batch *b;
	size_t n = 0;

	if (batch_names(req, &names, &n, err) < 0 || proto_req_bool(req, "force", &force, err) < 0)
		return -1;
	b = batch_new(c, "removed");
	for (size_t i = 0; i < n; i++) {
		struct container *ct = batch_find(b, d, names[i]);
		struct json_object *msg;
		struct md_err e;

		if (ct == NULL)
			continue;
		if (ctr_running(ct) && !force) {
			md_err_set(&e, 0, "cannot remove running container %s: stop it first or use -f",
				   names[i]);
			batch_result(b, names[i], e.msg);
			continue;
		}
		batch_result(b, names[i], NULL);
		if (ctr_running(ct)) {
			msg = proto_msg_new("stop");
			json_object_object_add(msg, "timeout", json_object_new_int(0));
			monlink_send(ct, msg);
			json_object_put(msg);
			batch_hold(b);
			ctr_add_waiter(ct, true, remove_on_exit_cb, b);
		} else {
			ctr_remove(d, ct, &e); /* a failure is logged there */
		}
	}
	batch_done_adding(b);
	return REQ_PENDING;
}

struct wait_one {
	struct batch *b;
	struct json_object *result;
};

static void wait_exited_cb(struct container *ct, void *arg, bool lost)
{
	struct wait_one *w = arg;

	(void)lost;
	json_object_object_add(w->result, "exit_code", json_object_new_int(ct->state.exit_code));
	batch_release(w->b);
	free(w);
}

int req_wait(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	cleanup_free const char **names = NULL;
	struct batch *b;
	size_t n = 0;

	if (batch_names(req, &names, &n, err) < 0)
		return -1;
	b = batch_new(c, "waited");
	for (size_t i = 0; i < n; i++) {
		struct container *ct = batch_find(b, d, names[i]);
		struct json_object *r;
		struct wait_one *w;

		if (ct == NULL)
			continue;
		r = batch_result(b, names[i], NULL);
		if (!ctr_running(ct)) {
			json_object_object_add(r, "exit_code", json_object_new_int(ct->state.exit_code));
			continue;
		}
		w = xcalloc(1, sizeof(*w));
		w->b = b;
		w->result = r;
		batch_hold(b);
		ctr_add_waiter(ct, true, wait_exited_cb, w);
	}
	batch_done_adding(b);
	return REQ_PENDING;
}
