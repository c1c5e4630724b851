/* exec and attach: both end in an attached session with a monitor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../proto/msg.h"
#include "client.h"
#include "conn.h"
#include "opts.h"
#include "stream.h"
#include "tty.h"

static const char exec_usage[] =
	"Usage: minidocker exec [OPTIONS] CONTAINER COMMAND [ARG...]\n"
	"\n"
	"Run a command in a running container.\n"
	"\n"
	"Options:\n"
	"  -d, --detach             Run in the background\n"
	"  -i, --interactive        Keep stdin open\n"
	"  -t, --tty                Allocate a terminal\n"
	"  -e, --env KEY=VALUE      Set an environment variable (repeatable)\n"
	"  -w, --workdir DIR        Working directory (default: the container's)\n"
	"  -u, --user UID[:GID]     User to run as (default: the container's)\n"
	"      --detach-keys KEYS   Keys that detach (default ctrl-p,ctrl-q)\n";

static const char attach_usage[] =
	"Usage: minidocker attach [OPTIONS] CONTAINER\n"
	"\n"
	"Attach to a running container's terminal or output.\n"
	"\n"
	"Options:\n"
	"      --no-stdin           Do not attach stdin\n"
	"      --detach-keys KEYS   Keys that detach (default ctrl-p,ctrl-q)\n";

/* Send req, take the first reply (the monitor's "started" or "state"),
 * then relay. Returns the exit status. */
static int session(struct client_ctx *ctx, struct json_object *req, struct stream_opts *so,
		   bool detach, bool from_state)
{
	struct json_object *reply = NULL;
	struct md_err err;
	struct conn c;
	int r;

	if (conn_open(&c, ctx->socket_path, &err) < 0) {
		json_object_put(req);
		return client_fail(&err);
	}
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	if (r < 0) {
		conn_close(&c);
		return client_fail(&err);
	}
	if (from_state) {
		/* attach learns from the monitor whether there is a tty. */
		bool tty = false, in = false;

		proto_get_bool(reply, "tty", &tty);
		proto_get_bool(reply, "stdin", &in);
		so->tty = tty;
		so->stdin_open = so->stdin_open && in;
	}
	json_object_put(reply);
	r = detach ? 0 : stream_relay(&c, so, NULL);
	conn_close(&c);
	return r;
}

int cmd_exec(struct client_ctx *ctx, int argc, char **argv)
{
	struct exec_opts o;
	struct stream_opts so = { 0 };
	struct md_err err;
	struct json_object *req;
	unsigned short rows = 0, cols = 0;
	int r = opts_parse_exec(argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		fputs(exec_usage, stdout);
		return 0;
	}
	if (r < 0 || opts_parse_detach_keys(o.detach_keys ? o.detach_keys : DETACH_KEYS_DEFAULT,
					    so.detach_keys, &so.ndetach_keys, &err) < 0) {
		free(o.env);
		return client_usage_error("exec", &err);
	}
	req = proto_msg_new("exec");
	json_object_object_add(req, "container", json_object_new_string(o.container));
	json_object_object_add(req, "argv", proto_strv_to_json((const char *const *)o.argv));
	if (o.nenv > 0)
		json_object_object_add(req, "env", proto_strv_to_json_n(o.env, o.nenv));
	if (o.workdir)
		json_object_object_add(req, "workdir", json_object_new_string(o.workdir));
	if (o.user)
		json_object_object_add(req, "user", json_object_new_string(o.user));
	json_object_object_add(req, "tty", json_object_new_boolean(o.tty));
	json_object_object_add(req, "stdin", json_object_new_boolean(o.interactive));
	json_object_object_add(req, "detach", json_object_new_boolean(o.detach));
	if (o.tty && (tty_size(STDIN_FILENO, &rows, &cols) || tty_size(STDOUT_FILENO, &rows, &cols))) {
		json_object_object_add(req, "rows", json_object_new_int(rows));
		json_object_object_add(req, "cols", json_object_new_int(cols));
	}
	free(o.env);
	so.tty = o.tty;
	so.stdin_open = o.interactive;
	return session(ctx, req, &so, o.detach, false);
}

int cmd_attach(struct client_ctx *ctx, int argc, char **argv)
{
	struct names_opts o;
	struct stream_opts so = { 0 };
	struct md_err err;
	struct json_object *req;
	int r = opts_parse_names("attach", argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		fputs(attach_usage, stdout);
		return 0;
	}
	if (r < 0 || opts_parse_detach_keys(o.detach_keys ? o.detach_keys : DETACH_KEYS_DEFAULT,
					    so.detach_keys, &so.ndetach_keys, &err) < 0)
		return client_usage_error("attach", &err);
	req = proto_msg_new("attach");
	json_object_object_add(req, "container", json_object_new_string(o.names[0]));
	json_object_object_add(req, "stdin", json_object_new_boolean(!o.no_stdin));
	so.stdin_open = !o.no_stdin;
	return session(ctx, req, &so, false, true);
}
