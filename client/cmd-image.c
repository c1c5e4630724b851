/* images, import, load, rmi. Archives are opened here, with the caller's
 * own rights, and their fds passed to the daemon: it reads nothing the
 * caller could not. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "client.h"
#include "conn.h"
#include "format.h"
#include "opts.h"

static const char images_usage[] =
	"Usage: minidocker images [OPTIONS]\n"
	"\n"
	"List images: yours, or everyone's for root. The default image `host` is\n"
	"built in and not listed.\n"
	"\n"
	"Options:\n"
	"  -q, --quiet      Only show image IDs\n"
	"      --no-trunc   Show full image IDs\n";

static const char import_usage[] =
	"Usage: minidocker import FILE|- NAME[:TAG]\n"
	"\n"
	"Make an image from a root filesystem tarball (as `docker export` writes\n"
	"it), plain or compressed with gzip, xz or zstd; - reads standard input.\n";

static const char load_usage[] =
	"Usage: minidocker load [OPTIONS]\n"
	"\n"
	"Load images from a `docker save` archive or an OCI image layout archive,\n"
	"named as the archive says.\n"
	"\n"
	"Options:\n"
	"  -i, --input FILE  Read from FILE instead of standard input\n"
	"  -q, --quiet       Print no progress\n";

static const char rmi_usage[] =
	"Usage: minidocker rmi IMAGE [IMAGE...]\n"
	"\n"
	"Remove images no container uses (a name shared with other names of the\n"
	"same image is only untagged).\n";

/* ---- progress --------------------------------------------------------- */

/* A progress line while the daemon reads a large archive: the fd it reads
 * shares its offset with ours, so how far it got is our lseek. */
static void show_progress(int fd, off_t total)
{
	char done[32], all[32];
	off_t pos = lseek(fd, 0, SEEK_CUR);

	if (pos < 0)
		return;
	format_size((uint64_t)pos, done, sizeof(done));
	format_size((uint64_t)total, all, sizeof(all));
	fprintf(stderr, "\rReading %3d%% (%s of %s)\033[K", (int)(pos * 100 / total), done, all);
	fflush(stderr);
}

#define PROGRESS_MIN_SIZE (16 * 1024 * 1024)
#define PROGRESS_EVERY_MS 250

/* Wait for the daemon's reply, drawing progress when it is worth it. */
static int wait_with_progress(struct conn *c, int fd, bool quiet)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct stat st;

	if (quiet || !isatty(STDERR_FILENO) || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size < PROGRESS_MIN_SIZE)
		return 0;
	do
		show_progress(fd, st.st_size);
	while (poll(&p, 1, PROGRESS_EVERY_MS) == 0);
	fputs("\r\033[K", stderr);
	return 0;
}

/* Open the archive as the caller: FILE, or standard input for "-". */
static int open_archive(const char *path, struct md_err *err)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0) {
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			return md_err_setst(err, MD_STATUS_REFUSED, errno, "standard input");
		return fd;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return md_err_setst(err, MD_STATUS_REFUSED, errno, "open %s", path);
	return fd;
}

/* Send req with the archive, wait for the images it made. */
static int unpack_request(struct client_ctx *ctx, struct json_object *req, const char *path,
			  bool quiet, struct json_object **images, struct md_err *err)
{
	cleanup_close int fd = open_archive(path, err);
	struct json_object *reply = NULL;
	struct conn c;
	int r;

	if (fd < 0)
		return -1;
	if (conn_open(&c, ctx->socket_path, err) < 0)
		return -1;
	r = conn_send_fds(&c, req, &fd, 1, err);
	if (r == 0) {
		wait_with_progress(&c, fd, quiet);
		r = conn_recv_msg(&c, &reply, err);
	}
	conn_close(&c);
	if (r < 0)
		return -1;
	if (!json_object_object_get_ex(reply, "images", images) ||
	    !json_object_is_type(*images, json_type_array)) {
		json_object_put(reply);
		return md_err_set(err, 0, "bad reply from minidockerd: no image list");
	}
	json_object_get(*images);
	json_object_put(reply);
	return 0;
}

/* ---- import, load ----------------------------------------------------- */

int cmd_import(struct client_ctx *ctx, int argc, char **argv)
{
	struct image_opts o;
	struct md_err err;
	struct json_object *req, *images = NULL;
	const char *id = "";
	int r = opts_parse_image(argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		fputs(import_usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error("import", &err);
	req = proto_msg_new("import");
	json_object_object_add(req, "name", json_object_new_string(o.args[1]));
	r = unpack_request(ctx, req, o.args[0], o.quiet, &images, &err);
	json_object_put(req);
	if (r < 0)
		return client_fail(&err);
	if (json_object_array_length(images) > 0)
		proto_get_str(json_object_array_get_idx(images, 0), "id", &id);
	printf("%s\n", id);
	json_object_put(images);
	return 0;
}

int cmd_load(struct client_ctx *ctx, int argc, char **argv)
{
	struct image_opts o;
	struct md_err err;
	struct json_object *req, *images = NULL;
	int r = opts_parse_image(argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		fputs(load_usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error("load", &err);
	if (o.input == NULL && isatty(STDIN_FILENO)) {
		md_err_set(&err, 0, "requested load from stdin, but stdin is empty: use -i FILE");
		return client_usage_error("load", &err);
	}
	req = proto_msg_new("load");
	r = unpack_request(ctx, req, o.input, o.quiet, &images, &err);
	json_object_put(req);
	if (r < 0)
		return client_fail(&err);
	for (size_t i = 0; i < json_object_array_length(images); i++) {
		struct json_object *img = json_object_array_get_idx(images, i), *names;
		const char *id = "";
		size_t n = 0;

		proto_get_str(img, "id", &id);
		if (json_object_object_get_ex(img, "names", &names) &&
		    json_object_is_type(names, json_type_array))
			n = json_object_array_length(names);
		for (size_t k = 0; k < n; k++)
			printf("Loaded image: %s\n",
			       json_object_get_string(json_object_array_get_idx(names, k)));
		if (n == 0)
			printf("Loaded image ID: %s\n", id);
	}
	json_object_put(images);
	return 0;
}

/* ---- images ----------------------------------------------------------- */

static void split_name(const char *name, char *repo, size_t rlen, const char **tag)
{
	const char *colon = strrchr(name, ':');

	/* Stored names are normalized NAME:TAG: the last colon is the tag's. */
	if (colon == NULL) {
		snprintf(repo, rlen, "%s", name);
		*tag = "<none>";
		return;
	}
	snprintf(repo, rlen, "%.*s", (int)(colon - name), name);
	*tag = colon + 1;
}

static void add_image_rows(struct table *t, struct json_object *img, const struct image_opts *o,
			   int64_t now)
{
	const char *id = "", *hex;
	int64_t created = 0, size = 0;
	struct json_object *names = NULL;
	char idbuf[80], when[64], sz[32], repo[256];
	size_t n = 0;

	proto_get_str(img, "id", &id);
	proto_get_int(img, "created_ns", 0, INT64_MAX, &created);
	proto_get_int(img, "size", 0, INT64_MAX, &size);
	hex = strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
	snprintf(idbuf, sizeof(idbuf), "%.*s", o->no_trunc ? 71 : 12, o->no_trunc ? id : hex);
	format_created(created, now, when, sizeof(when));
	format_size((uint64_t)size, sz, sizeof(sz));
	if (json_object_object_get_ex(img, "names", &names) &&
	    json_object_is_type(names, json_type_array))
		n = json_object_array_length(names);
	for (size_t k = 0; k < (n ? n : 1); k++) {
		const char *tag = "<none>";
		const char *row[5];

		if (n > 0)
			split_name(json_object_get_string(json_object_array_get_idx(names, k)), repo,
				   sizeof(repo), &tag);
		else
			snprintf(repo, sizeof(repo), "<none>");
		row[0] = repo;
		row[1] = tag;
		row[2] = idbuf;
		row[3] = when;
		row[4] = sz;
		table_add(t, row);
	}
}

static int by_created_desc(const void *a, const void *b)
{
	struct json_object *x = *(struct json_object *const *)a, *y = *(struct json_object *const *)b;
	int64_t cx = 0, cy = 0;

	proto_get_int(x, "created_ns", 0, INT64_MAX, &cx);
	proto_get_int(y, "created_ns", 0, INT64_MAX, &cy);
	return (cx < cy) - (cx > cy);
}

static void print_images(struct json_object *list, const struct image_opts *o)
{
	static const char *const header[5] = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" };
	int64_t now = time_now_ns();
	struct table t;
	char *text;

	json_object_array_sort(list, by_created_desc);
	if (o->quiet) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			const char *id = "";

			proto_get_str(json_object_array_get_idx(list, i), "id", &id);
			printf("%.*s\n", o->no_trunc ? 71 : 12,
			       o->no_trunc ? id : (strncmp(id, "sha256:", 7) == 0 ? id + 7 : id));
		}
		return;
	}
	table_init(&t, 5);
	table_add(&t, header);
	for (size_t i = 0; i < json_object_array_length(list); i++)
		add_image_rows(&t, json_object_array_get_idx(list, i), o, now);
	text = table_render(&t);
	fputs(text, stdout);
	free(text);
	table_free(&t);
}

int cmd_images(struct client_ctx *ctx, int argc, char **argv)
{
	struct image_opts o;
	struct md_err err;
	struct json_object *req, *reply = NULL, *list = NULL;
	struct conn c;
	int r = opts_parse_image(argc, argv, &o, &err);

	if (r == OPTS_HELP) {
		fputs(images_usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error("images", &err);
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new("images");
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	conn_close(&c);
	if (r < 0)
		return client_fail(&err);
	if (!json_object_object_get_ex(reply, "images", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		json_object_put(reply);
		md_err_set(&err, 0, "bad reply from minidockerd: no image list");
		return client_fail(&err);
	}
	print_images(list, &o);
	json_object_put(reply);
	return 0;
}

/* ---- rmi -------------------------------------------------------------- */

int cmd_rmi(struct client_ctx *ctx, int argc, char **argv)
{
	struct image_opts o;
	struct md_err err;
	struct json_object *req, *reply = NULL, *results = NULL;
	struct conn c;
	int r = opts_parse_image(argc, argv, &o, &err), status = 0;

	if (r == OPTS_HELP) {
		fputs(rmi_usage, stdout);
		return 0;
	}
	if (r < 0)
		return client_usage_error("rmi", &err);
	if (conn_open(&c, ctx->socket_path, &err) < 0)
		return client_fail(&err);
	req = proto_msg_new("rmi");
	json_object_object_add(req, "images",
			       proto_strv_to_json_n((const char *const *)o.args, o.nargs));
	r = conn_request(&c, req, &reply, &err);
	json_object_put(req);
	conn_close(&c);
	if (r < 0)
		return client_fail(&err);
	if (!json_object_object_get_ex(reply, "results", &results) ||
	    !json_object_is_type(results, json_type_array)) {
		json_object_put(reply);
		md_err_set(&err, 0, "bad reply from minidockerd: no results");
		return client_fail(&err);
	}
	for (size_t i = 0; i < json_object_array_length(results); i++) {
		struct json_object *res = json_object_array_get_idx(results, i), *lines = NULL;
		const char *error = NULL;

		if (json_object_object_get_ex(res, "lines", &lines) &&
		    json_object_is_type(lines, json_type_array))
			for (size_t k = 0; k < json_object_array_length(lines); k++)
				printf("%s\n", json_object_get_string(
						       json_object_array_get_idx(lines, k)));
		if (proto_get_str(res, "error", &error) == 0 && error != NULL) {
			fflush(stdout);
			fprintf(stderr, "minidocker: %s\n", error);
			status = MD_STATUS_REFUSED;
		}
	}
	json_object_put(reply);
	return status;
}
