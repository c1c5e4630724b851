/* inspect: the full state and configuration, with Docker's key names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "container.h"
#include "request.h"
#include "server.h"

static struct json_object *time_json(int64_t ns)
{
	char buf[64];

	if (ns == 0)
		return json_object_new_string("0001-01-01T00:00:00Z"); /* Docker's zero time */
	time_format_rfc3339(ns, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *state_json(const struct container *ct)
{
	struct json_object *s = json_object_new_object();

	add(s, "Status", json_object_new_string(ctr_status_name(ct->state.status)));
	add(s, "Running", json_object_new_boolean(ct->state.status == CTR_RUNNING));
	add(s, "Pid", json_object_new_int(ct->state.pid));
	add(s, "ExitCode", json_object_new_int(ct->state.exit_code));
	add(s, "Error", json_object_new_string(ct->state.error ? ct->state.error : ""));
	add(s, "StartedAt", time_json(ct->state.started_ns));
	add(s, "FinishedAt", time_json(ct->state.finished_ns));
	add(s, "OOMKilled", json_object_new_boolean(ct->state.oom_killed));
	return s;
}

static struct json_object *config_json(const struct container *ct)
{
	struct json_object *c = json_object_new_object();
	char user[32];

	snprintf(user, sizeof(user), "%u:%u", (unsigned)ct->cfg.uid, (unsigned)ct->cfg.gid);
	add(c, "Hostname", json_object_new_string(ct->cfg.hostname));
	add(c, "Env", proto_strv_to_json((const char *const *)ct->cfg.env));
	add(c, "Cmd", proto_strv_to_json((const char *const *)ct->cfg.argv));
	add(c, "WorkingDir", json_object_new_string(ct->cfg.cwd));
	add(c, "User", json_object_new_string(user));
	add(c, "Tty", json_object_new_boolean(ct->cfg.tty));
	add(c, "OpenStdin", json_object_new_boolean(ct->cfg.open_stdin));
	add(c, "Image", json_object_new_string(ct->cfg.image));
	add(c, "StopTimeout", json_object_new_int(ct->cfg.stop_timeout));
	return c;
}

/* Docker's "Binds": "SRC:DST" or "SRC:DST:ro", as given. */
static struct json_object *binds_json(const struct ctr_config *cfg)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < cfg->nvolumes; i++) {
		cleanup_free char *b = xasprintf("%s:%s%s", cfg->volumes[i].source,
						 cfg->volumes[i].target,
						 cfg->volumes[i].readonly ? ":ro" : "");

		json_object_array_add(a, proto_text(b));
	}
	return a;
}

/* Docker's "Tmpfs": {"/tmp": "size=...,mode=...,exec,ro"} as in force. */
static struct json_object *tmpfs_json(const struct ctr_config *cfg)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < cfg->ntmpfs; i++) {
		const struct ctr_tmpfs *t = &cfg->tmpfs[i];
		cleanup_free char *opts = xasprintf("%s%s%s%s", t->options,
						    t->options[0] ? "," : "",
						    t->exec ? "exec" : "noexec",
						    t->readonly ? ",ro" : "");

		/* The key as proto_text makes it: valid UTF-8 whatever the path. */
		struct json_object *key = proto_text(t->target);

		json_object_object_add(o, json_object_get_string(key), proto_text(opts));
		json_object_put(key);
	}
	return o;
}

/* Docker's top-level "Mounts": one object per volume and tmpfs. */
static struct json_object *mounts_json(const struct ctr_config *cfg)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < cfg->nvolumes + cfg->ntmpfs; i++) {
		struct json_object *m = json_object_new_object();
		bool vol = i < cfg->nvolumes;
		const char *target = vol ? cfg->volumes[i].target : cfg->tmpfs[i - cfg->nvolumes].target;
		bool ro = vol ? cfg->volumes[i].readonly : cfg->tmpfs[i - cfg->nvolumes].readonly;

		add(m, "Type", json_object_new_string(vol ? "bind" : "tmpfs"));
		add(m, "Source", vol ? proto_text(cfg->volumes[i].source) : json_object_new_string(""));
		add(m, "Destination", proto_text(target));
		add(m, "Mode", json_object_new_string(ro ? "ro" : ""));
		add(m, "RW", json_object_new_boolean(!ro));
		add(m, "Propagation", json_object_new_string(vol ? "rprivate" : ""));
		json_object_array_add(a, m);
	}
	return a;
}

static struct json_object *host_config_json(const struct container *ct)
{
	struct json_object *h = json_object_new_object();

	add(h, "Memory", json_object_new_int64((int64_t)ct->cfg.memory));
	add(h, "MemorySwap", json_object_new_int64((int64_t)ct->cfg.memory));
	add(h, "NanoCpus", json_object_new_int64(ct->cfg.nano_cpus));
	add(h, "PidsLimit", json_object_new_int64(ct->cfg.pids_limit));
	add(h, "CapAdd", proto_strv_to_json((const char *const *)ct->cfg.cap_add));
	add(h, "CapDrop", proto_strv_to_json((const char *const *)ct->cfg.cap_drop));
	add(h, "Binds", binds_json(&ct->cfg));
	add(h, "Tmpfs", tmpfs_json(&ct->cfg));
	add(h, "NetworkMode", json_object_new_string(ct->cfg.host_network ? "host" : "none"));
	add(h, "UsernsMode", json_object_new_string(ct->cfg.userns ? "private" : "host"));
	add(h, "ReadonlyRootfs", json_object_new_boolean(ct->cfg.read_only));
	add(h, "AutoRemove", json_object_new_boolean(ct->cfg.auto_remove));
	add(h, "Init", json_object_new_boolean(ct->cfg.init));
	return h;
}

static struct json_object *inspect_json(const struct container *ct)
{
	struct json_object *o = json_object_new_object();
	cleanup_free char *log_path = NULL;

	add(o, "Id", json_object_new_string(ct->cfg.id));
	add(o, "Name", json_object_new_string(ct->cfg.name));
	add(o, "Created", time_json(ct->cfg.created_ns));
	add(o, "Path", json_object_new_string(ct->cfg.argv[0]));
	add(o, "Args", proto_strv_to_json((const char *const *)ct->cfg.argv + 1));
	add(o, "State", state_json(ct));
	add(o, "Image", json_object_new_string(ct->cfg.image));
	add(o, "Config", config_json(ct));
	add(o, "HostConfig", host_config_json(ct));
	add(o, "Mounts", mounts_json(&ct->cfg));
	log_path = xasprintf("%s/%s", ct->dir, CTR_LOG_FILE);
	add(o, "LogPath", json_object_new_string(log_path));
	return o;
}

int req_inspect(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	cleanup_free const char **names = NULL;
	struct json_object *o, *list, *errors;
	size_t n = 0;

	if (proto_req_strv(req, "containers", true, &names, &n, err) < 0)
		return -1;
	o = proto_msg_new("inspected");
	list = json_object_new_array();
	errors = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		struct md_err e;
		struct container *ct = ctr_find(d->ctrs, d->nctrs, names[i], server_client_uid(c), &e);

		if (ct != NULL)
			json_object_array_add(list, inspect_json(ct));
		else
			json_object_array_add(errors, proto_text(e.msg));
	}
	json_object_object_add(o, "containers", list);
	json_object_object_add(o, "errors", errors);
	server_reply(c, o);
	json_object_put(o);
	return REQ_DONE;
}
