#include <stdio.h>
#include <string.h>

#include "../proto/msg.h"
#include "client.h"
#include "conn.h"
#include "opts.h"

static const char stop_usage[] =
	"Usage: minidocker stop [-t SECONDS] CONTAINER...\n"
	"\n"
	"Stop containers: SIGTERM to PID 1, SIGKILL after the timeout (default: the\n"
	"container's --stop-timeout, else 10 seconds).\n";

int cmd_stop(struct client_ctx *ctx, int argc, char **argv)
{
	struct stop_opts o;
	struct md_err err;
	struct json_object *req, *reply = NULL, *results = NULL;
	struct conn c;
	int r = opts_parse_stop(argc, argv, &o, &err), status = 0;

	if (r == OPTS_HELP) {
		fputs(stop_usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error("stop", &err);
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new("stop");
	json_object_object_add(req, "containers", proto_strv_to_json((const char *const *)o.names));
	if (o.timeout >= 0)
		json_object_object_add(req, "timeout", json_object_new_int((int)o.timeout));
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	conn_close(&c);
	if (r < 0)
		return client_fail(&err);
	json_object_object_get_ex(reply, "results", &results);
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object *one = json_object_array_get_idx(results, i);
		const char *name = "", *error = NULL;

		proto_get_str(one, "name", &name);
		proto_get_str(one, "error", &error);
		if (error != NULL) {
			fprintf(stderr, "minidocker: %s\n", error);
			status = 1;
		} else {
			printf("%s\n", name);
		}
	}
	json_object_put(reply);
	return status;
}
