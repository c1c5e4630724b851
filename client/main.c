/* minidocker: the client. Global options, then one command from the table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "client.h"

#define DEFAULT_SOCKET "/run/minidocker/minidocker.sock"

static const struct {
	const char *name;
	int (*fn)(struct client_ctx *ctx, int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "Run a command in a new container" },
	{ "ps", cmd_ps, "List containers" },
	{ "exec", cmd_exec, "Run a command in a running container" },
	{ "logs", cmd_logs, "Show a container's output" },
	{ "attach", cmd_attach, "Attach to a running container" },
	{ "stop", cmd_stop, "Stop running containers" },
	{ "kill", cmd_names, "Send a signal to containers" },
	{ "rm", cmd_names, "Remove containers" },
	{ "wait", cmd_names, "Wait for containers to exit" },
	{ "inspect", cmd_names, "Show containers' full state" },
	{ "images", cmd_images, "List images" },
	{ "import", cmd_import, "Make an image from a root filesystem tarball" },
	{ "load", cmd_load, "Load images from a docker save or OCI archive" },
	{ "rmi", cmd_rmi, "Remove images" },
	{ "version", cmd_version, "Show client and daemon versions" },
	{ "info", cmd_info, "Show daemon facts" },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: minidocker [--socket PATH] COMMAND [OPTIONS] [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'minidocker COMMAND --help' for more information on a command.\n");
}

int client_fail(const struct md_err *err)
{
	fprintf(stderr, "minidocker: %s\n", err->msg);
	return err->status ? err->status : MD_STATUS_FAILED;
}

int client_usage_error(const char *cmd, const struct md_err *err)
{
	fprintf(stderr, "minidocker: %s\nRun 'minidocker %s --help' for usage.\n", err->msg, cmd);
	return MD_STATUS_FAILED;
}

int main(int argc, char **argv)
{
	struct client_ctx ctx = { .socket_path = getenv("MINIDOCKER_SOCKET") };
	int i = 1;

	if (ctx.socket_path == NULL || ctx.socket_path[0] == '\0')
		ctx.socket_path = DEFAULT_SOCKET;
	/* Global options come before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			ctx.socket_path = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			ctx.socket_path = argv[i] + 9;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "minidocker: unknown flag: %s\n"
					"Run 'minidocker --help' for usage.\n", argv[i]);
			return MD_STATUS_FAILED;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return MD_STATUS_FAILED;
	}
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(&ctx, argc - i, argv + i);
	fprintf(stderr, "minidocker: unknown command: %s\nRun 'minidocker --help' for usage.\n",
		argv[i]);
	return MD_STATUS_FAILED;
}
