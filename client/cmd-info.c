#include <stdio.h>
#include <string.h>

#include "../proto/msg.h"
#include "client.h"
#include "conn.h"

int cmd_info(struct client_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *key, *label;
	} fields[] = {
		{ "containers", "Containers" }, { "running", " Running" }, { "stopped", " Stopped" },
		{ "images", "Images" }, { "version", "Server Version" },
		{ "cgroup_version", "Cgroup Version" }, { "kernel", "Kernel Version" },
		{ "root_dir", "Root Dir" }, { "run_dir", "Run Dir" }, { "socket", "Socket" },
	};
	struct json_object *req, *reply = NULL;
	struct md_err err;
	struct conn c;
	int r;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("Usage: minidocker info\n\nShow facts about the daemon.\n");
		return 0;
	}
	if (argc > 1) {
		md_err_set(&err, 0, "\"info\" accepts no arguments");
		return client_usage_error("info", &err);
	}
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new("info");
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	conn_close(&c);
	if (r < 0)
		return client_fail(&err);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		struct json_object *v;

		if (json_object_object_get_ex(reply, fields[i].key, &v))
			printf("%s: %s\n", fields[i].label, json_object_get_string(v));
	}
	json_object_put(reply);
	return 0;
}
