/* exec and attach: checked here, then the client's socket is handed to the
 * container's monitor, which runs the session and talks to it directly. */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "container.h"
#include "mon-link.h"
#include "request.h"
#include "run-config.h"
#include "server.h"

/* The running container the request names; a stopped one fails with
 * not_running_status (CLI.md: 125 for exec, 1 for attach). */
static struct container *find_running(struct daemon *d, struct client *c, struct json_object *req,
				      int not_running_status, struct md_err *err)
{
	const char *name = NULL;
	struct container *ct;

	if (proto_req_str(req, "container", true, &name, err) < 0)
		return NULL;
	ct = ctr_find(d->ctrs, d->nctrs, name, server_client_uid(c), err);
	if (ct == NULL)
		return NULL;
	if (ct->state.status != CTR_RUNNING || ct->link == NULL) {
		md_err_setst(err, not_running_status, 0, "container %s is not running", name);
		return NULL;
	}
	return ct;
}

/* The container's environment with the exec's -e entries on top. */
static struct json_object *merged_env(const struct container *ct, const char **extra, size_t n,
				      struct md_err *err)
{
	struct json_object *env = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		if (strchr(extra[i], '=') == NULL || extra[i][0] == '=') {
			json_object_put(env);
			md_err_set(err, 0, "invalid environment variable: %.64s", extra[i]);
			return NULL;
		}
		json_object_array_add(env, json_object_new_string(extra[i]));
	}
	for (char **e = ct->cfg.env; *e != NULL; e++) {
		size_t klen = strcspn(*e, "=");
		bool overridden = false;

		for (size_t i = 0; i < n && !overridden; i++)
			overridden = strncmp(extra[i], *e, klen) == 0 && extra[i][klen] == '=';
		if (!overridden)
			json_object_array_add(env, json_object_new_string(*e));
	}
	return env;
}

static struct json_object *exec_msg(const struct container *ct, struct json_object *req,
				    struct md_err *err)
{
	cleanup_free const char **argv = NULL;
	cleanup_free const char **extra = NULL;
	const char *cwd = ct->cfg.cwd, *user = NULL;
	bool tty = false, in = false, detach = false;
	int64_t rows = 0, cols = 0;
	size_t argc = 0, nextra = 0;
	uid_t uid = ct->cfg.uid;
	gid_t gid = ct->cfg.gid;
	struct json_object *o, *env;

	if (proto_req_strv(req, "argv", true, &argv, &argc, err) < 0 ||
	    proto_req_strv(req, "env", false, &extra, &nextra, err) < 0 ||
	    proto_req_str(req, "workdir", false, &cwd, err) < 0 ||
	    proto_req_str(req, "user", false, &user, err) < 0 ||
	    proto_req_bool(req, "tty", &tty, err) < 0 || proto_req_bool(req, "stdin", &in, err) < 0 ||
	    proto_req_bool(req, "detach", &detach, err) < 0 ||
	    proto_req_int(req, "rows", 0, 65535, &rows, err) < 0 ||
	    proto_req_int(req, "cols", 0, 65535, &cols, err) < 0)
		return NULL;
	if (argc == 0 || argv[0][0] == '\0') {
		md_err_set(err, 0, "no command given");
		return NULL;
	}
	if (cwd[0] != '/') {
		md_err_set(err, 0, "working directory must be an absolute path: %.128s", cwd);
		return NULL;
	}
	if (user != NULL && run_parse_user(user, &uid, &gid) < 0) {
		md_err_set(err, 0, "invalid user %.64s: expected UID[:GID] as numbers", user);
		return NULL;
	}
	if (ct->cfg.userns && ((uid != 0 && uid > ct->cfg.sub_uid_count) ||
			       (gid != 0 && gid > ct->cfg.sub_gid_count))) {
		md_err_set(err, 0, "user %u:%u is not mapped in the container's user namespace "
			   "(add a range to /etc/subuid and /etc/subgid)", (unsigned)uid, (unsigned)gid);
		return NULL;
	}
	env = merged_env(ct, extra, nextra, err);
	if (env == NULL)
		return NULL;
	o = proto_msg_new("exec");
	json_object_object_add(o, "argv", proto_strv_to_json(argv));
	json_object_object_add(o, "env", env);
	json_object_object_add(o, "cwd", json_object_new_string(cwd));
	json_object_object_add(o, "uid", json_object_new_int64(uid));
	json_object_object_add(o, "gid", json_object_new_int64(gid));
	json_object_object_add(o, "tty", json_object_new_boolean(tty));
	json_object_object_add(o, "stdin", json_object_new_boolean(in));
	json_object_object_add(o, "detach", json_object_new_boolean(detach));
	json_object_object_add(o, "rows", json_object_new_int((int)rows));
	json_object_object_add(o, "cols", json_object_new_int((int)cols));
	return o;
}

/* Hand the client to the monitor with msg; the daemon steps out. */
static int hand_over(struct container *ct, struct client *c, struct json_object *msg,
		     struct md_err *err)
{
	int r = monlink_handoff(ct, msg, server_client_fd(c), err);

	json_object_put(msg);
	if (r < 0)
		return -1;
	server_client_handed_off(c);
	return REQ_PENDING;
}

int req_exec(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct container *ct = find_running(d, c, req, MD_STATUS_FAILED, err);
	struct json_object *msg;

	if (ct == NULL)
		return -1;
	msg = exec_msg(ct, req, err);
	if (msg == NULL)
		return -1;
	return hand_over(ct, c, msg, err);
}

int req_attach(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct container *ct = find_running(d, c, req, MD_STATUS_REFUSED, err);
	struct json_object *msg;
	bool in = true;

	if (ct == NULL)
		return -1;
	if (proto_req_bool(req, "stdin", &in, err) < 0)
		return -1;
	msg = proto_msg_new("attach");
	json_object_object_add(msg, "stdin", json_object_new_boolean(in));
	return hand_over(ct, c, msg, err);
}
