/* The minidocker client: one file per command (cmd-*.c), all sharing this
 * context and the error helpers below. */
#ifndef MD_CLIENT_H
#define MD_CLIENT_H

#include "../common/err.h"

struct client_ctx {
	const char *socket_path;
};

/* Each command returns the process exit status of CLI.md. */
int cmd_run(struct client_ctx *ctx, int argc, char **argv);
int cmd_ps(struct client_ctx *ctx, int argc, char **argv);
int cmd_stop(struct client_ctx *ctx, int argc, char **argv);
int cmd_version(struct client_ctx *ctx, int argc, char **argv);
int cmd_info(struct client_ctx *ctx, int argc, char **argv);
int cmd_exec(struct client_ctx *ctx, int argc, char **argv);
int cmd_attach(struct client_ctx *ctx, int argc, char **argv);
int cmd_logs(struct client_ctx *ctx, int argc, char **argv);
int cmd_images(struct client_ctx *ctx, int argc, char **argv);
int cmd_import(struct client_ctx *ctx, int argc, char **argv);
int cmd_load(struct client_ctx *ctx, int argc, char **argv);
int cmd_rmi(struct client_ctx *ctx, int argc, char **argv);
/* kill, rm, wait, inspect: argv[0] says which. */
int cmd_names(struct client_ctx *ctx, int argc, char **argv);

/* Print "minidocker: MSG" and return err's status. */
int client_fail(const struct md_err *err);

/* A usage error: the message, the --help hint, status 125. */
int client_usage_error(const char *cmd, const struct md_err *err);

#endif
