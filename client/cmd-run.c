#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../proto/msg.h"
#include "client.h"
#include "conn.h"
#include "opts.h"
#include "stream.h"
#include "tty.h"

static const char run_usage[] =
	"Usage: minidocker run [OPTIONS] [IMAGE] COMMAND [ARG...]\n"
	"\n"
	"Run a command in a new container. IMAGE may be left out when COMMAND is an\n"
	"absolute path: the default image `host` is used.\n"
	"\n"
	"Options:\n"
	"  -d, --detach             Run in the background and print the container ID\n"
	"  -i, --interactive        Keep stdin open and pass it to the container\n"
	"  -t, --tty                Allocate a terminal\n"
	"      --rm                 Remove the container when it exits\n"
	"      --init               Run a tiny init as PID 1 that reaps zombies\n"
	"      --name NAME          Name the container\n"
	"  -h, --hostname NAME      Container host name (default container-host)\n"
	"  -e, --env KEY=VALUE      Set an environment variable (repeatable)\n"
	"  -w, --workdir DIR        Working directory inside the container\n"
	"  -u, --user UID[:GID]     User to run as\n"
	"      --stop-timeout SECS  Seconds stop waits before SIGKILL (default 10)\n"
	"      --memory SIZE        Memory limit, swap included (bytes, or with k, m, g)\n"
	"      --cpus N             CPU limit (decimal, e.g. 0.5)\n"
	"      --pids-limit N       Most processes at once\n"
	"      --cap-add CAP        Add a capability (root only; repeatable)\n"
	"      --cap-drop CAP       Drop a capability (repeatable; ALL for every one)\n"
	"      --network MODE       none (default) or host (root only)\n"
	"      --userns MODE        private: a user namespace (always for non-root)\n"
	"      --detach-keys KEYS   Keys that detach (default ctrl-p,ctrl-q)\n";

static struct json_object *run_request(const struct run_opts *o)
{
	struct json_object *req = proto_msg_new("run");
	unsigned short rows = 0, cols = 0;

	if (o->image != NULL)
		json_object_object_add(req, "image", json_object_new_string(o->image));
	json_object_object_add(req, "argv", proto_strv_to_json((const char *const *)o->argv));
	if (o->nenv > 0)
		json_object_object_add(req, "env", proto_strv_to_json_n(o->env, o->nenv));
	if (o->name)
		json_object_object_add(req, "name", json_object_new_string(o->name));
	if (o->hostname)
		json_object_object_add(req, "hostname", json_object_new_string(o->hostname));
	if (o->workdir)
		json_object_object_add(req, "workdir", json_object_new_string(o->workdir));
	if (o->user)
		json_object_object_add(req, "user", json_object_new_string(o->user));
	if (o->stop_timeout >= 0)
		json_object_object_add(req, "stop_timeout", json_object_new_int((int)o->stop_timeout));
	json_object_object_add(req, "tty", json_object_new_boolean(o->tty));
	json_object_object_add(req, "stdin", json_object_new_boolean(o->interactive));
	json_object_object_add(req, "detach", json_object_new_boolean(o->detach));
	json_object_object_add(req, "rm", json_object_new_boolean(o->rm));
	json_object_object_add(req, "init", json_object_new_boolean(o->init));
	if (o->memory)
		json_object_object_add(req, "memory", json_object_new_int64((int64_t)o->memory));
	if (o->nano_cpus)
		json_object_object_add(req, "nano_cpus", json_object_new_int64(o->nano_cpus));
	if (o->pids_limit)
		json_object_object_add(req, "pids_limit", json_object_new_int64(o->pids_limit));
	if (o->ncap_add)
		json_object_object_add(req, "cap_add", proto_strv_to_json_n(o->cap_add, o->ncap_add));
	if (o->ncap_drop)
		json_object_object_add(req, "cap_drop", proto_strv_to_json_n(o->cap_drop, o->ncap_drop));
	if (o->network)
		json_object_object_add(req, "network", json_object_new_string(o->network));
	if (o->userns)
		json_object_object_add(req, "userns", json_object_new_string(o->userns));
	if (o->tty && (tty_size(STDIN_FILENO, &rows, &cols) || tty_size(STDOUT_FILENO, &rows, &cols))) {
		json_object_object_add(req, "rows", json_object_new_int(rows));
		json_object_object_add(req, "cols", json_object_new_int(cols));
	}
	return req;
}

/* The monitor reports the exit to us and to the daemon at the same moment.
 * Wait until the daemon has taken it in (and removed a --rm container), so
 * that a command right after ours sees what it would after Docker's run.
 * A daemon that is away (restarting) is not waited for. */
static void wait_for_daemon(struct client_ctx *ctx, const char *id)
{
	struct json_object *req, *reply = NULL;
	struct md_err err;
	struct conn c;

	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return;
	req = proto_msg_new("wait");
	json_object_object_add(req, "containers", proto_strv_to_json_n(&id, 1));
	if (conn_request(&c, req, &reply, &err) == 0)
		json_object_put(reply);
	json_object_put(req);
	conn_close(&c);
}

int cmd_run(struct client_ctx *ctx, int argc, char **argv)
{
	struct run_opts o;
	struct stream_opts so = { 0 };
	struct md_err err;
	struct json_object *req, *reply = NULL;
	struct conn c;
	int r;

	r = opts_parse_run(argc, argv, &o, &err);
	if (r == OPTS_HELP) {
		fputs(run_usage, stdout);
		return 0;
	}
	if (r < 0 || opts_parse_detach_keys(o.detach_keys ? o.detach_keys : DETACH_KEYS_DEFAULT,
					    so.detach_keys, &so.ndetach_keys, &err) < 0) {
		opts_run_free(&o);
		return client_usage_error("run", &err);
	}
	opts_run_apply_terminal_default(&o, isatty(STDIN_FILENO), isatty(STDOUT_FILENO));
	if (o.tty && o.interactive && !o.detach && !isatty(STDIN_FILENO)) {
		md_err_set(&err, 0, "the input device is not a TTY");
		opts_run_free(&o);
		return client_fail(&err);
	}
	if (conn_open(&c, ctx->socket_path, &err) < 0) {
		opts_run_free(&o);
		return client_fail(&err);
	}
	req = run_request(&o);
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	if (r < 0) {
		conn_close(&c);
		opts_run_free(&o);
		return client_fail(&err);
	}
	if (o.detach) {
		const char *id = "";

		proto_get_str(reply, "id", &id);
		printf("%s\n", id);
		r = 0;
	} else {
		const char *id = NULL;
		bool detached = false;

		so.tty = o.tty;
		so.stdin_open = o.interactive;
		r = stream_relay(&c, &so, &detached);
		if (!detached && proto_get_str(reply, "id", &id) == 0 && id != NULL)
			wait_for_daemon(ctx, id);
	}
	json_object_put(reply);
	conn_close(&c);
	opts_run_free(&o);
	return r;
}
