#include <stdio.h>
#include <string.h>

#include "../proto/frame.h"
#include "../proto/msg.h"
#include "client.h"
#include "conn.h"

#define CLIENT_VERSION "0.1.0"

int cmd_version(struct client_ctx *ctx, int argc, char **argv)
{
	struct md_err err;
	struct json_object *req, *reply = NULL;
	const char *version = "?", *kernel = "?", *arch = "?";
	int64_t proto = 0;
	struct conn c;
	int r;

	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("Usage: minidocker version\n\nShow the client's and the daemon's versions.\n");
		return 0;
	}
	if (argc > 1) {
		md_err_set(&err, 0, "\"version\" accepts no arguments");
		return client_usage_error("version", &err);
	}
	printf("Client:\n Version:  %s\n Protocol: %d\n", CLIENT_VERSION, PROTO_VERSION);
	fflush(stdout);
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new("version");
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	conn_close(&c);
	if (r < 0)
		return client_fail(&err);
	proto_get_str(reply, "version", &version);
	proto_get_str(reply, "kernel", &kernel);
	proto_get_str(reply, "arch", &arch);
	proto_get_int(reply, "proto", 0, 255, &proto);
	printf("\nServer:\n Version:  %s\n Protocol: %lld\n Kernel:   %s\n Arch:     %s\n", version,
	       (long long)proto, kernel, arch);
	json_object_put(reply);
	return 0;
}
