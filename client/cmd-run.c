#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/util.h"
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
	"  -v, --volume SRC:DST[:ro]  Bind the host path SRC (which must exist) on DST\n"
	"                           (repeatable; ro: read-only)\n"
	"      --read-only          Mount the container's root read-only\n"
	"      --tmpfs DST[:OPTS]   Mount a tmpfs on DST (repeatable; OPTS: size=N[kmg],\n"
	"                           mode=OCTAL, exec, ro; always nosuid, nodev)\n"
	"      --stop-timeout SECS  Seconds stop waits before SIGKILL (default 10)\n"
	"      --memory SIZE        Memory limit, swap included (bytes, or with k, m, g)\n"
	"      --cpus N             CPU limit (decimal, e.g. 0.5)\n"
	"      --pids-limit N       Most processes at once\n"
	"      --cap-add CAP        Add a capability (root only; repeatable)\n"
	"      --cap-drop CAP       Drop a capability (repeatable; ALL for every one)\n"
	"      --network MODE       none (default) or host (root only)\n"
	"      --userns MODE        private: a user namespace (always for non-root)\n"
	"      --detach-keys KEYS   Keys that detach (default ctrl-p,ctrl-q)\n";

/* Each volume names its source's fd by its index among the fds sent. */
static struct json_object *volumes_json(const struct run_opts *o)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < o->nvolumes; i++) {
		struct json_object *v = json_object_new_object();

		json_object_object_add(v, "source", json_object_new_string(o->volumes[i].source));
		json_object_object_add(v, "target", json_object_new_string(o->volumes[i].target));
		json_object_object_add(v, "readonly", json_object_new_boolean(o->volumes[i].readonly));
		json_object_object_add(v, "fd", json_object_new_int((int)i));
		json_object_array_add(a, v);
	}
	return a;
}

static struct json_object *tmpfs_json(const struct run_opts *o)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < o->ntmpfs; i++) {
		struct json_object *t = json_object_new_object();

		json_object_object_add(t, "target", json_object_new_string(o->tmpfs[i].target));
		json_object_object_add(t, "options", json_object_new_string(o->tmpfs[i].options));
		json_object_array_add(a, t);
	}
	return a;
}

/* Open each volume's source here, with the caller's own rights: the
 * daemon mounts what these fds are, so a user can share only what it can
 * read. Never O_PATH, which needs no read permission at all. O_NONBLOCK:
 * a FIFO must not hang the open. fds[] gets one per volume, or -1 with
 * err set (and the ones opened closed). */
static int open_volume_sources(const struct run_opts *o, int *fds, struct md_err *err)
{
	for (size_t i = 0; i < o->nvolumes; i++) {
		fds[i] = open(o->volumes[i].source, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fds[i] < 0) {
			md_err_set(err, errno, "invalid volume %s", o->volumes[i].source);
			while (i > 0)
				close(fds[--i]);
			return -1;
		}
	}
	return 0;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

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
	if (o->read_only)
		json_object_object_add(req, "read_only", json_object_new_boolean(true));
	if (o->nvolumes > 0)
		json_object_object_add(req, "volumes", volumes_json(o));
	if (o->ntmpfs > 0)
		json_object_object_add(req, "tmpfs", tmpfs_json(o));
	if (o->tty && (tty_size(STDIN_FILENO, &rows, &cols) || tty_size(STDOUT_FILENO, &rows, &cols))) {
		json_object_object_add(req, "rows", json_object_new_int(rows));
		json_object_object_add(req, "cols", json_object_new_int(cols));
	}
	return req;
}

/* Wait until the daemon has taken the exit in (and removed a --rm
 * container), so that a command right after ours sees what it would after
 * Docker's run: for an exit the monitor did not hold until then (a daemon
 * that restarted, or was slow to answer). A daemon that is away
 * (restarting) is not waited for. */
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
	cleanup_free int *fds = NULL;
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
	/* -v sources must exist (CLI.md): a missing or unreadable one is
	 * the caller's error, before anything reaches the daemon. */
	fds = xcalloc(o.nvolumes + 1, sizeof(*fds));
	if (open_volume_sources(&o, fds, &err) < 0) {
		opts_run_free(&o);
		return client_fail(&err);
	}
	if (conn_open(&c, ctx->socket_path, &err) < 0) {
		close_fds(fds, o.nvolumes);
		opts_run_free(&o);
		return client_fail(&err);
	}
	req = run_request(&o);
	r = conn_request_fds(&c, req, fds, o.nvolumes, &reply, &err);
	json_object_put(req);
	close_fds(fds, o.nvolumes);
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
		struct stream_end end = { 0 };

		so.tty = o.tty;
		so.stdin_open = o.interactive;
		r = stream_relay(&c, &so, &end);
		if (!end.detached && !end.exit_recorded && proto_get_str(reply, "id", &id) == 0 &&
		    id != NULL)
			wait_for_daemon(ctx, id);
	}
	json_object_put(reply);
	conn_close(&c);
	opts_run_free(&o);
	return r;
}
