#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/id.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "client.h"
#include "conn.h"
#include "format.h"
#include "opts.h"

static const char ps_usage[] =
	"Usage: minidocker ps [OPTIONS]\n"
	"\n"
	"List containers (running ones; all with -a).\n"
	"\n"
	"Options:\n"
	"  -a, --all            Show all containers\n"
	"  -q, --quiet          Only show container IDs\n"
	"      --no-trunc       Do not truncate output\n"
	"      --format json    One JSON object per line\n";

struct ps_row {
	const char *id, *name, *image, *state;
	const char **argv;
	int64_t created, started, finished, exit_code, pid;
	size_t order; /* its place in the daemon's list (creation order) */
};

static int row_from_json(struct json_object *o, struct ps_row *r)
{
	memset(r, 0, sizeof(*r));
	if (proto_get_str(o, "id", &r->id) < 0 || proto_get_str(o, "name", &r->name) < 0 ||
	    proto_get_str(o, "image", &r->image) < 0 || proto_get_str(o, "state", &r->state) < 0 ||
	    proto_get_strv(o, "argv", &r->argv, NULL) < 0 ||
	    proto_get_int(o, "created_ns", 0, INT64_MAX, &r->created) < 0 ||
	    proto_get_int(o, "started_ns", 0, INT64_MAX, &r->started) < 0 ||
	    proto_get_int(o, "finished_ns", 0, INT64_MAX, &r->finished) < 0 ||
	    proto_get_int(o, "exit_code", 0, 255, &r->exit_code) < 0 ||
	    proto_get_int(o, "pid", 0, INT32_MAX, &r->pid) < 0 || r->id == NULL ||
	    r->name == NULL || r->image == NULL || r->state == NULL || r->argv == NULL) {
		free(r->argv);
		return -1;
	}
	return 0;
}

static void print_json_row(const struct ps_row *r, int64_t now)
{
	struct json_object *o = json_object_new_object();
	char created[64], status[96];
	char *cmd = format_command(r->argv, true);

	time_format_rfc3339(r->created, created, sizeof(created));
	format_status(r->state, (int)r->exit_code, r->started, r->finished, now, status,
		      sizeof(status));
	/* Command without the table's quotes: it is data here, not display. */
	cmd[strlen(cmd) - 1] = '\0';
	json_object_object_add(o, "Id", json_object_new_string(r->id));
	json_object_object_add(o, "Name", json_object_new_string(r->name));
	json_object_object_add(o, "Image", json_object_new_string(r->image));
	json_object_object_add(o, "Command", json_object_new_string(cmd + 1));
	json_object_object_add(o, "Created", json_object_new_string(created));
	json_object_object_add(o, "State", json_object_new_string(r->state));
	json_object_object_add(o, "Status", json_object_new_string(status));
	json_object_object_add(o, "ExitCode", json_object_new_int((int)r->exit_code));
	json_object_object_add(o, "Pid", json_object_new_int((int)r->pid));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	free(cmd);
}

static void add_table_row(struct table *t, const struct ps_row *r, const struct ps_opts *o,
			  int64_t now)
{
	char id[ID_LEN + 1], created[64], status[96];
	char *cmd = format_command(r->argv, o->no_trunc);
	const char *row[6] = { id, r->image, cmd, created, status, r->name };

	snprintf(id, sizeof(id), "%.*s", o->no_trunc ? ID_LEN : ID_SHORT_LEN, r->id);
	format_created(r->created, now, created, sizeof(created));
	format_status(r->state, (int)r->exit_code, r->started, r->finished, now, status,
		      sizeof(status));
	table_add(t, row);
	free(cmd);
}

/* Newest first, as Docker lists them (the daemon's order is creation,
 * but not after a restart, which reads the containers back in directory
 * order): by each row's own created_ns, looked up once per row; equal
 * times keep the daemon's order, reversed. */
static int by_created_newest(const void *a, const void *b)
{
	const struct ps_row *x = a, *y = b;

	if (x->created != y->created)
		return (x->created < y->created) - (x->created > y->created);
	return (x->order < y->order) - (x->order > y->order);
}

static void print_containers(struct json_object *list, const struct ps_opts *o)
{
	static const char *const header[6] = { "CONTAINER ID", "IMAGE", "COMMAND",
					       "CREATED", "STATUS", "NAMES" };
	int64_t now = time_now_ns();
	size_t n = json_object_array_length(list), nrows = 0;
	struct ps_row *rows = xcalloc(n + 1, sizeof(*rows));
	struct table t;

	for (size_t i = 0; i < n; i++) {
		if (row_from_json(json_object_array_get_idx(list, i), &rows[nrows]) == 0)
			rows[nrows++].order = i;
	}
	qsort(rows, nrows, sizeof(*rows), by_created_newest);
	table_init(&t, 6);
	table_add(&t, header);
	for (size_t i = 0; i < nrows; i++) {
		const struct ps_row *r = &rows[i];

		if (o->quiet)
			printf("%.*s\n", o->no_trunc ? ID_LEN : ID_SHORT_LEN, r->id);
		else if (o->json)
			print_json_row(r, now);
		else
			add_table_row(&t, r, o, now);
		free(r->argv);
	}
	if (!o->quiet && !o->json) {
		char *s = table_render(&t);

		fputs(s, stdout);
		free(s);
	}
	table_free(&t);
	free(rows);
}

int cmd_ps(struct client_ctx *ctx, int argc, char **argv)
{
	struct ps_opts o;
	struct md_err err;
	struct json_object *req, *reply = NULL, *list = NULL;
	struct conn c;
	int r = opts_parse_ps(argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		fputs(ps_usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error("ps", &err);
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new("ps");
	json_object_object_add(req, "all", json_object_new_boolean(o.all));
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	conn_close(&c);
	if (r < 0)
		return client_fail(&err);
	if (!json_object_object_get_ex(reply, "containers", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		json_object_put(reply);
		md_err_set(&err, 0, "bad reply from minidockerd: no container list");
		return client_fail(&err);
	}
	print_containers(list, &o);
	json_object_put(reply);
	return 0;
}
