#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "client.h"
#include "conn.h"
#include "opts.h"

static const char logs_usage[] =
	"Usage: minidocker logs [OPTIONS] CONTAINER\n"
	"\n"
	"Show what a container wrote: stdout on stdout, stderr on stderr.\n"
	"\n"
	"Options:\n"
	"  -f, --follow         Follow new output until the container stops\n"
	"  -n, --tail N         Only the last N lines (default all)\n"
	"  -t, --timestamps     Prefix each line with its RFC 3339 time\n";

/* Copy stream frames to stdout/stderr until the daemon's "end". */
static int receive_logs(struct conn *c, struct md_err *err)
{
	for (;;) {
		struct frame_hdr h;
		const uint8_t *payload;
		int r = conn_next_frame(c, &h, &payload, err);
		ssize_t n;

		if (r < 0)
			return -1;
		if (r == 1) {
			if (h.type == FRAME_STDOUT || h.type == FRAME_STDERR) {
				if (write_all(h.type == FRAME_STDOUT ? STDOUT_FILENO : STDERR_FILENO,
					      payload, h.len) < 0 && errno == EPIPE)
					return 0;
			} else if (h.type == FRAME_MSG) {
				const char *why = NULL;
				struct json_object *msg = proto_msg_parse(payload, h.len, &why);
				int done = msg != NULL && strcmp(proto_msg_type(msg), "end") == 0;
				int failed = msg == NULL || strcmp(proto_msg_type(msg), "error") == 0;

				if (msg != NULL && failed)
					conn_error_from_msg(msg, err);
				else if (msg == NULL)
					md_err_set(err, 0, "bad reply from minidockerd: %s", why);
				json_object_put(msg);
				if (failed)
					return -1;
				if (done)
					return 0;
			}
			conn_consume(c, &h);
			continue;
		}
		n = read(c->fd, buf_reserve(&c->in, PROTO_DATA_CHUNK), PROTO_DATA_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return md_err_set(err, n < 0 ? errno : 0, "lost connection to minidockerd");
		buf_commit(&c->in, (size_t)n);
	}
}

int cmd_logs(struct client_ctx *ctx, int argc, char **argv)
{
	struct logs_opts o;
	struct md_err err;
	struct json_object *req;
	struct conn c;
	int r = opts_parse_logs(argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		fputs(logs_usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error("logs", &err);
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new("logs");
	json_object_object_add(req, "container", json_object_new_string(o.container));
	json_object_object_add(req, "follow", json_object_new_boolean(o.follow));
	json_object_object_add(req, "timestamps", json_object_new_boolean(o.timestamps));
	if (o.tail >= 0)
		json_object_object_add(req, "tail", json_object_new_int((int)o.tail));
	r = conn_send(&c, req, &err);
	json_object_put(req);
	if (r == 0)
		r = receive_logs(&c, &err);
	conn_close(&c);
	return r < 0 ? client_fail(&err) : 0;
}
