/* kill, rm, wait and inspect: a request over a list of containers, one
 * result per argument in the order given (and stop, in cmd-stop.c). */
#include <stdio.h>
#include <string.h>

#include "../proto/msg.h"
#include "client.h"
#include "conn.h"
#include "opts.h"

static const struct {
	const char *cmd, *usage;
} usages[] = {
	{ "kill", "Usage: minidocker kill [-s SIGNAL] CONTAINER...\n\n"
		  "Send a signal (default KILL; a name with or without SIG, or a number).\n" },
	{ "rm", "Usage: minidocker rm [-f] CONTAINER...\n\n"
		"Remove stopped containers; -f kills a running one first.\n" },
	{ "wait", "Usage: minidocker wait CONTAINER...\n\n"
		  "Block until each container exits; print each exit code.\n" },
	{ "inspect", "Usage: minidocker inspect CONTAINER...\n\n"
		     "Show the full state and configuration as a JSON array.\n" },
};

/* Send the request and print each result: the name (or exit code) on
 * stdout, each error as one line on stderr. Exit 1 if any failed. */
static int print_results(struct json_object *reply, const char *cmd)
{
	struct json_object *results = NULL;
	int status = 0;

	json_object_object_get_ex(reply, "results", &results);
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object *one = json_object_array_get_idx(results, i);
		const char *name = "", *error = NULL;
		int64_t code = 0;

		proto_get_str(one, "name", &name);
		proto_get_str(one, "error", &error);
		if (error != NULL) {
			fprintf(stderr, "minidocker: %s\n", error);
			status = 1;
		} else if (strcmp(cmd, "wait") == 0) {
			proto_get_int(one, "exit_code", 0, 255, &code);
			printf("%lld\n", (long long)code);
		} else {
			printf("%s\n", name);
		}
	}
	return status;
}

static int print_inspect(struct json_object *reply)
{
	struct json_object *list = NULL, *errors = NULL;
	int status = 0;

	json_object_object_get_ex(reply, "containers", &list);
	json_object_object_get_ex(reply, "errors", &errors);
	printf("%s\n", json_object_to_json_string_ext(list, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_SPACED |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	for (size_t i = 0; i < json_object_array_length(errors); i++) {
		fprintf(stderr, "minidocker: %s\n",
			json_object_get_string(json_object_array_get_idx(errors, i)));
		status = 1;
	}
	return status;
}

int cmd_names(struct client_ctx *ctx, int argc, char **argv)
{
	const char *cmd = argv[0];
	struct names_opts o;
	struct md_err err;
	struct json_object *req, *reply = NULL;
	struct conn c;
	int r = opts_parse_names(cmd, argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
			if (strcmp(usages[i].cmd, cmd) == 0)
				fputs(usages[i].usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error(cmd, &err);
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new(cmd);
	json_object_object_add(req, "containers", proto_strv_to_json_n((const char *const *)o.names,
									 o.count));
	if (strcmp(cmd, "kill") == 0)
		json_object_object_add(req, "signal", json_object_new_int(o.signal));
	if (strcmp(cmd, "rm") == 0)
		json_object_object_add(req, "force", json_object_new_boolean(o.force));
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	conn_close(&c);
	if (r < 0)
		return client_fail(&err);
	r = strcmp(cmd, "inspect") == 0 ? print_inspect(reply) : print_results(reply, cmd);
	json_object_put(reply);
	return r;
}
