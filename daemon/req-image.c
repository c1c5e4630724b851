/* import, load, images, rmi: the image store's requests. Archives arrive
 * as fds the client opened with the caller's own rights; a worker process
 * (job.h, image-unpack.h) unpacks them, and the store records the result
 * here, in the loop, so that the store has one writer. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "container.h"
#include "fd-closer.h"
#include "image-store.h"
#include "image-unpack.h"
#include "job.h"
#include "request.h"
#include "server.h"

/* Unpacking is disk-bound: more at once only thrash the disk. */
#define JOBS_PER_USER_MAX 2

/* "Untagged: busybox:latest", as docker prints. */
static struct json_object *line_of(const char *what, const char *arg)
{
	cleanup_free char *s = xasprintf("%s: %s", what, arg);

	return proto_text(s);
}

struct unpack_call {
	struct daemon *d;
	struct client *client;
	struct unpack_req req;
	int worker;          /* a pidfd: a reaped worker's pid may be reused */
	pid_t worker_pid;    /* names its scratch directory */
};

static unsigned jobs_of(const struct daemon *d, uid_t uid)
{
	unsigned n = 0;

	for (size_t i = 0; i < d->njobs; i++)
		if (d->job_owners[i] == uid)
			n++;
	return n;
}

static void jobs_add(struct daemon *d, uid_t uid)
{
	d->job_owners[d->njobs++] = uid;
}

static void jobs_remove(struct daemon *d, uid_t uid)
{
	for (size_t i = 0; i < d->njobs; i++)
		if (d->job_owners[i] == uid) {
			d->job_owners[i] = d->job_owners[--d->njobs];
			return;
		}
}

/* The archive fd of the request: one the caller could read. An O_PATH fd
 * needs no read permission, so it proves nothing and is refused. */
static int take_archive_fd(struct client *c, struct md_err *err)
{
	int fd = server_client_take_fd(c, 0), fl;

	if (fd < 0)
		return md_err_set(err, 0, "no archive was passed with the request");
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY) {
		closer_close_fd(fd);
		return md_err_set(err, 0, "the archive was not opened for reading");
	}
	return fd;
}

static void unpack_call_free(struct unpack_call *u)
{
	if (u->worker >= 0)
		close(u->worker);
	free(u->req.store_dir);
	free(u->req.name);
	free(u);
}

/* Layer digests name directories: 64 lowercase hex digits, nothing else. */
static bool layers_valid(const char **layers, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *d = xasprintf("sha256:%s", layers[i]);

		if (!image_digest_valid(d))
			return false;
	}
	return true;
}

/* A worker result's image, checked: the worker is ours, but a record
 * goes to disk and names paths, so nothing in it is taken on trust. */
static struct image *image_from_result(struct json_object *o, uid_t owner, struct md_err *err)
{
	const char *id = NULL, *config = NULL;
	const char **names = NULL, **layers = NULL;
	size_t nnames = 0, nlayers = 0;
	int64_t size = 0;
	struct image *img = xcalloc(1, sizeof(*img));

	if (proto_req_str(o, "id", true, &id, err) < 0 ||
	    proto_req_str(o, "config", true, &config, err) < 0 ||
	    proto_req_int(o, "size", 0, INT64_MAX, &size, err) < 0 ||
	    proto_req_strv(o, "names", true, &names, &nnames, err) < 0 ||
	    proto_req_strv(o, "layers", true, &layers, &nlayers, err) < 0 ||
	    !image_digest_valid(id) || nlayers == 0 || nlayers > IMAGE_LAYERS_MAX ||
	    !layers_valid(layers, nlayers) ||
	    image_config_parse(config, strlen(config), &img->config, err) < 0) {
		free(names);
		free(layers);
		image_free(img);
		md_err_set(err, 0, "image worker: invalid result");
		return NULL;
	}
	img->id = xstrdup(id);
	img->owner = owner;
	img->size = (uint64_t)size;
	img->created_ns = time_now_ns();
	img->names = strv_copy(names, nnames);
	img->layers = strv_copy(layers, nlayers);
	free(names);
	free(layers);
	return img;
}

/* Record what the worker made; a layer it found in the store may have
 * been removed since (an rmi in between): then the load must be redone. */
static struct json_object *record_images(struct daemon *d, struct json_object *result,
					 uid_t owner, struct md_err *err)
{
	struct json_object *images, *reply = proto_msg_new("images_added");
	struct json_object *out = json_object_new_array();

	if (!json_object_object_get_ex(result, "images", &images) ||
	    !json_object_is_type(images, json_type_array)) {
		json_object_put(out);
		json_object_put(reply);
		md_err_set(err, 0, "image worker: invalid result");
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(images); i++) {
		struct image *img = image_from_result(json_object_array_get_idx(images, i), owner, err);
		struct json_object *o;

		if (img == NULL)
			goto fail;
		for (char **l = img->layers; *l != NULL; l++) {
			cleanup_free char *dir = image_store_layer_dir(d->images, owner, *l);

			if (access(dir, F_OK) < 0) {
				image_free(img);
				md_err_set(err, 0, "a layer was removed while the image was unpacked: "
					   "try again");
				goto fail;
			}
		}
		/* The reply names what the archive named: the image may have
		 * had other names already. */
		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(img->id));
		json_object_object_add(o, "names",
				       proto_strv_to_json((const char *const *)img->names));
		json_object_array_add(out, o);
		img = image_store_add(d->images, img, err);
		if (img == NULL)
			goto fail;
		log_info("image %.19s (%s) added for uid %u", img->id,
			 img->names[0] ? img->names[0] : "<none>", (unsigned)owner);
	}
	json_object_object_add(reply, "images", out);
	return reply;
fail:
	json_object_put(out);
	json_object_put(reply);
	return NULL;
}

/* A worker that died (killed when its client left) left its scratch. */
static void discard_scratch(struct unpack_call *u)
{
	cleanup_free char *dir = image_unpack_scratch(u->req.store_dir, u->worker_pid);
	struct md_err err;

	if (access(dir, F_OK) != 0)
		return;
	if (image_store_discard(u->d->images, dir, &err) < 0)
		log_warn("%s", err.msg);
	image_trash_collect(u->d);
}

static void unpack_done(struct json_object *result, void *arg)
{
	struct unpack_call *u = arg;
	struct json_object *reply = NULL;
	struct md_err err;

	md_err_clear(&err);
	server_client_on_drain(u->client, NULL, u);
	jobs_remove(u->d, u->req.owner);
	if (result == NULL)
		discard_scratch(u);
	if (result == NULL) {
		md_err_set(&err, 0, "image worker died");
	} else if (strcmp(proto_msg_type(result), "error") == 0) {
		reply = json_object_get(result);
	} else {
		reply = record_images(u->d, result, u->req.owner, &err);
	}
	if (reply == NULL) {
		err.status = MD_STATUS_REFUSED;
		server_reply_error(u->client, &err);
	} else {
		server_reply(u->client, reply);
		json_object_put(reply);
	}
	json_object_put(result);
	server_request_done(u->client);
	server_client_unref(u->client);
	unpack_call_free(u);
}

static void unpack_client_left(void *arg)
{
	struct unpack_call *u = arg;

	if (server_client_gone(u->client) && u->worker >= 0)
		syscall(SYS_pidfd_send_signal, u->worker, SIGKILL, NULL, 0);
}

static int start_unpack(struct daemon *d, struct client *c, job_fn fn, char *name,
			struct md_err *err)
{
	uid_t uid = server_client_uid(c);
	struct unpack_call *u;
	pid_t pid;
	int fd;

	if (d->njobs >= DAEMON_JOBS_MAX || (uid != 0 && jobs_of(d, uid) >= JOBS_PER_USER_MAX)) {
		free(name);
		return md_err_setst(err, MD_STATUS_REFUSED, 0, "too many image imports and loads "
				    "in progress: try again when one has finished");
	}
	fd = take_archive_fd(c, err);
	if (fd < 0) {
		free(name);
		return -1;
	}
	u = xcalloc(1, sizeof(*u));
	u->worker = -1;
	u->d = d;
	u->client = c;
	u->req.store_dir = xstrdup(d->images->dir);
	u->req.owner = uid;
	u->req.owner_gid = server_client_gid(c);
	u->req.name = name;
	u->req.max_bytes = d->limits.image_bytes;
	pid = job_start(d, fn, &u->req, &fd, 1, unpack_done, u, err);
	if (pid < 0) {
		unpack_call_free(u);
		return -1;
	}
	/* Not reaped before the loop runs again: the pid is still the worker's. */
	u->worker = (int)syscall(SYS_pidfd_open, pid, 0);
	if (u->worker < 0)
		log_warn("pidfd of image worker %d: %s", (int)pid, strerror(errno));
	u->worker_pid = pid;
	jobs_add(d, uid);
	server_client_ref(c);
	/* A client that leaves does not want the image: stop the worker (a
	 * pipe that never ends would otherwise hold its slot for ever). */
	server_client_on_drain(c, unpack_client_left, u);
	return REQ_PENDING;
}

int req_import(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	const char *ref = NULL;
	char *name = NULL;

	if (proto_req_str(req, "name", true, &ref, err) < 0)
		return -1;
	if (image_ref_normalize(ref, &name, err) < 0)
		return md_err_prefix(err, "invalid image name");
	return start_unpack(d, c, image_unpack_import, name, err);
}

int req_load(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	(void)req;
	return start_unpack(d, c, image_unpack_load, NULL, err);
}

int req_images(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct json_object *o = proto_msg_new("images"), *v = json_object_new_array();
	uid_t uid = server_client_uid(c);

	(void)req;
	(void)err;
	for (size_t i = 0; i < d->images->n; i++) {
		const struct image *img = d->images->v[i];
		struct json_object *e;

		if (!image_visible(img, uid))
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "id", json_object_new_string(img->id));
		json_object_object_add(e, "names",
				       proto_strv_to_json((const char *const *)img->names));
		json_object_object_add(e, "created_ns", json_object_new_int64(img->created_ns));
		json_object_object_add(e, "size", json_object_new_int64((int64_t)img->size));
		json_object_object_add(e, "owner", json_object_new_int64(img->owner));
		json_object_array_add(v, e);
	}
	json_object_object_add(o, "images", v);
	server_reply(c, o);
	json_object_put(o);
	return REQ_DONE;
}

/* A container of img: one whose layers are img's owner's copy of them. */
static const struct container *image_user(const struct daemon *d, const struct image *img)
{
	cleanup_free char *prefix = image_store_layer_dir(d->images, img->owner, "");

	for (size_t i = 0; i < d->nctrs; i++) {
		const struct ctr_config *cfg = &d->ctrs[i]->cfg;

		if (cfg->image_id != NULL && strcmp(cfg->image_id, img->id) == 0 &&
		    cfg->layers != NULL && cfg->layers[0] != NULL &&
		    strncmp(cfg->layers[0], prefix, strlen(prefix)) == 0)
			return d->ctrs[i];
	}
	return NULL;
}

static void empty_trash_done(struct json_object *result, void *arg)
{
	struct daemon *d = arg;

	json_object_put(result);
	d->trash_job = false;
	/* What was moved to the trash while the job ran. */
	if (d->trash_again) {
		d->trash_again = false;
		image_trash_collect(d);
	}
}

static struct json_object *empty_trash_job(void *arg, const int *fds)
{
	(void)fds;
	image_store_empty_trash(arg);
	return proto_msg_new("ok");
}

static void trash_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	image_trash_collect(arg);
}

void image_trash_collect_soon(struct daemon *d)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = TRASH_DELAY_MS * 1000 };

	if (d->trash_ev == NULL)
		d->trash_ev = evtimer_new(d->base, trash_timer_cb, d);
	if (d->trash_ev == NULL)
		image_trash_collect(d);
	else if (!evtimer_pending(d->trash_ev, NULL))
		evtimer_add(d->trash_ev, &tv);
}

/* Removing a layer's files takes a while: a worker does it. */
void image_trash_collect(struct daemon *d)
{
	struct md_err err;

	if (d->trash_job) {
		d->trash_again = true;
		return;
	}
	if (!image_store_has_trash(d->images))
		return;
	if (job_start(d, empty_trash_job, d->images->dir, NULL, 0, empty_trash_done, d, &err) < 0)
		log_warn("empty the image trash: %s", err.msg);
	else
		d->trash_job = true;
}

/* rmi of one reference: untag a name the image shares with other names,
 * else remove the image, refused while a container uses it. */
static int rmi_one(struct daemon *d, uid_t uid, const char *ref, struct json_object *lines,
		   struct md_err *err)
{
	struct image *img = image_store_find(d->images, ref, uid, err);
	cleanup_free char *name = NULL;
	const struct container *user;
	struct md_err why;

	if (img == NULL)
		return -1;
	if (image_ref_normalize(ref, &name, &why) == 0 && img->names[0] != NULL &&
	    img->names[1] != NULL) {
		for (char **n = img->names; *n != NULL; n++)
			if (strcmp(*n, name) == 0) {
				if (image_store_untag(d->images, img, name, err) < 0)
					return -1;
				json_object_array_add(lines, line_of("Untagged", name));
				return 0;
			}
	}
	user = image_user(d, img);
	if (user != NULL)
		return md_err_set(err, 0, "cannot remove image %.128s: in use by container %.12s",
				  ref, user->cfg.id);
	for (char **n = img->names; *n != NULL; n++)
		json_object_array_add(lines, line_of("Untagged", *n));
	json_object_array_add(lines, line_of("Deleted", img->id));
	log_info("image %.19s removed by uid %u", img->id, (unsigned)uid);
	return image_store_remove(d->images, img, err);
}

int req_rmi(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct json_object *o = proto_msg_new("rmi"), *results = json_object_new_array();
	cleanup_free const char **refs = NULL;
	size_t n = 0;

	if (proto_req_strv(req, "images", true, &refs, &n, err) < 0) {
		json_object_put(o);
		json_object_put(results);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_new_object(), *lines = json_object_new_array();
		struct md_err e;

		md_err_clear(&e);
		if (rmi_one(d, server_client_uid(c), refs[i], lines, &e) < 0)
			json_object_object_add(r, "error", proto_text(e.msg));
		json_object_object_add(r, "lines", lines);
		json_object_array_add(results, r);
	}
	json_object_object_add(o, "results", results);
	server_reply(c, o);
	json_object_put(o);
	image_trash_collect(d);
	return REQ_DONE;
}
