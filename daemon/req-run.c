/* run: create the container's directories and config, start its monitor,
 * and either answer with the ID once it runs (-d) or hand the client's
 * connection to the monitor, which then streams to it directly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "container.h"
#include "mon-link.h"
#include "fd-closer.h"
#include "request.h"
#include "idmap.h"
#include "host-skel.h"
#include "run-config.h"
#include "run-image.h"
#include "run-mounts.h"
#include "spare.h"
#include "server.h"

static void pick_name(struct daemon *d, struct ctr_config *cfg)
{
	char name[64];

	for (unsigned seed = (unsigned)random(), i = 0;; seed = (unsigned)random(), i++) {
		name_generate(name, sizeof(name), seed);
		if (i > 32) /* crowded: make it unique with the ID */
			snprintf(name + strlen(name), sizeof(name) - strlen(name), "_%.8s", cfg->id);
		if (ctr_find_name(d->ctrs, d->nctrs, name) == NULL)
			break;
	}
	cfg->name = xstrdup(name);
}

/* A user who is not root may keep at most --max-containers-per-user
 * containers, running or not: each costs a monitor and disk. */
static bool too_many_containers(struct daemon *d, uid_t uid, struct md_err *err)
{
	unsigned n = 0;

	for (size_t i = 0; i < d->nctrs; i++)
		if (d->ctrs[i]->cfg.owner_uid == uid)
			n++;
	if (n < d->limits.containers_per_user)
		return false;
	md_err_set(err, 0, "too many containers for uid %u (limit %u): remove some first",
		   (unsigned)uid, d->limits.containers_per_user);
	return true;
}

/* A directory of the container's own. In a user namespace the
 * container's root owns it, as the caller on the host: nothing the
 * container writes is host root's. */
static int make_ctr_dir(struct container *c, const char *name, mode_t mode, struct md_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", c->dir, name);

	if (mkdir(path, mode) < 0)
		return md_err_set(err, errno, "mkdir %s", path);
	/* mkdir honours the umask; overlay wants its work dir as asked. */
	if (chmod(path, mode) < 0)
		return md_err_set(err, errno, "chmod %s", path);
	if (c->cfg.userns && chown(path, c->cfg.map_uid, c->cfg.map_gid) < 0)
		return md_err_set(err, errno, "chown %s", path);
	return 0;
}

static int make_dirs(struct container *c, struct md_err *err)
{
	if (mkdir(c->dir, 0700) < 0)
		return md_err_set(err, errno, "mkdir %s", c->dir);
	if (mkdir(c->rundir, 0700) < 0)
		return md_err_set(err, errno, "mkdir %s", c->rundir);
	if (make_ctr_dir(c, CTR_ROOTFS_DIR, 0755, err) < 0)
		return -1;
	/* An image's container (or the `host` image's over its skeleton)
	 * writes to upper/ over the read-only layers; work/ is overlay's
	 * scratch space. Made even for a copied root: the monitor falls back
	 * to copying where overlay is refused. */
	if ((c->cfg.image_id != NULL || c->cfg.host_skel != NULL) &&
	    (make_ctr_dir(c, CTR_UPPER_DIR, 0755, err) < 0 ||
	     make_ctr_dir(c, CTR_WORK_DIR, 0700, err) < 0))
		return -1;
	return 0;
}

/* The caller's files: their last close may block, never in the loop. */
static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		closer_close_fd(fds[i]);
}

/* The fds of the volumes' sources, which the client opened with its own
 * rights: fds[i] for cfg->volumes[i]. An O_PATH fd is refused: it needs
 * no read permission, so it would let a caller mount what it cannot read. */
static int take_volume_fds(struct client *c, const struct ctr_config *cfg, int *fds,
			   struct md_err *err)
{
	for (size_t i = 0; i < cfg->nvolumes; i++)
		fds[i] = -1;
	for (size_t i = 0; i < cfg->nvolumes; i++) {
		int fl;

		fds[i] = server_client_take_fd(c, i);
		if (fds[i] < 0)
			return md_err_set(err, 0, "volume %.128s: no file descriptor was passed for it",
					  cfg->volumes[i].source);
		fl = fcntl(fds[i], F_GETFL);
		if (fl < 0)
			return md_err_set(err, errno, "volume %.128s", cfg->volumes[i].source);
		if ((fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY)
			return md_err_set(err, 0, "volume %.128s: not opened for reading",
					  cfg->volumes[i].source);
	}
	return 0;
}

/* Reply to a detached run once the monitor says how the start went. */
static void detached_started_cb(struct container *ct, void *arg, bool lost)
{
	struct client *client = arg;
	struct md_err err;

	(void)lost;
	if (ct->state.status == CTR_RUNNING || ct->state.status == CTR_EXITED) {
		struct json_object *o = proto_msg_new("created");

		json_object_object_add(o, "id", json_object_new_string(ct->cfg.id));
		server_reply(client, o);
		json_object_put(o);
	} else {
		md_err_setst(&err, ct->state.exit_code ? ct->state.exit_code : MD_STATUS_FAILED, 0,
			     "%s", ct->state.error ? ct->state.error : "cannot start container");
		server_reply_error(client, &err);
	}
	server_request_done(client);
	server_client_unref(client);
}

/* --rm: once the container has exited and its exit is recorded, remove it. */
static void auto_remove_cb(struct container *ct, void *arg, bool lost)
{
	struct md_err err;

	(void)arg;
	(void)lost;
	if (ct->state.status == CTR_RUNNING)
		return;
	ctr_remove(ct->d, ct, &err); /* a failure is logged there */
}

int req_run(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct ctr_config cfg;
	struct run_opts opts;
	struct container *ct;
	struct md_err e2;
	int vol_fds[RUN_VOLUMES_MAX];
	int r;

	struct run_image img;
	int found = run_image_find(d, server_client_uid(c), req, &img, err);

	if (found < 0)
		return -1;
	r = run_config_from_request(req, server_client_uid(c), server_client_gid(c),
				    found ? &img : NULL, &cfg, &opts, err);
	run_image_release(&img);
	if (r < 0)
		return -1;
	spare_next_id(d, cfg.id);
	if (cfg.image_id == NULL && !d->storage_vfs)
		cfg.host_skel = xasprintf("%s/%s", d->root_dir, HOST_SKEL_DIR);
	cfg.created_ns = time_now_ns();
	if (cfg.name != NULL && ctr_find_name(d->ctrs, d->nctrs, cfg.name) != NULL) {
		md_err_set(err, 0, "name already in use: %s", cfg.name);
		ctr_config_free(&cfg);
		return -1;
	}
	if (cfg.name == NULL)
		pick_name(d, &cfg);
	if (cfg.owner_uid != 0 && too_many_containers(d, cfg.owner_uid, err)) {
		ctr_config_free(&cfg);
		return -1;
	}
	/* A caller who is not root always gets a user namespace: container
	 * root is the caller itself, never host root. */
	if (cfg.owner_uid != 0 || cfg.userns_private) {
		if (idmap_for_caller(&cfg, "/etc/subuid", "/etc/subgid", err) < 0) {
			ctr_config_free(&cfg);
			return -1;
		}
		if ((cfg.uid != 0 && cfg.uid > cfg.sub_uid_count) ||
		    (cfg.gid != 0 && cfg.gid > cfg.sub_gid_count)) {
			md_err_set(err, 0, "user %u:%u is not mapped in your user namespace "
				   "(add a range for you to /etc/subuid and /etc/subgid)",
				   (unsigned)cfg.uid, (unsigned)cfg.gid);
			ctr_config_free(&cfg);
			return -1;
		}
	}

	/* Taken last: every refusal above leaves them to the server, which
	 * closes what a request did not take. */
	if (take_volume_fds(c, &cfg, vol_fds, err) < 0) {
		close_fds(vol_fds, cfg.nvolumes);
		ctr_config_free(&cfg);
		return -1;
	}

	ct = ctr_new(d, cfg.id);
	ct->cfg = cfg;
	ct->state.status = CTR_CREATED;
	if (make_dirs(ct, err) < 0 || ctr_config_save(ct->dir, &ct->cfg, err) < 0 ||
	    ctr_state_save(ct->dir, &ct->state, err) < 0)
		goto fail;
	ctr_register(d, ct);
	r = monlink_spawn(ct, opts.detach ? -1 : server_client_fd(c), vol_fds, err);
	/* The monitor has its own copies now. */
	close_fds(vol_fds, ct->cfg.nvolumes);
	if (r < 0) {
		ctr_remove(d, ct, &e2);
		ctr_unref(ct);
		return md_err_prefix(err, "cannot start container");
	}
	log_info("container %.12s (%s) created by uid %u", ct->cfg.id, ct->cfg.name,
		 (unsigned)ct->cfg.owner_uid);
	if (ct->cfg.auto_remove)
		ctr_add_waiter(ct, true, auto_remove_cb, NULL);
	if (opts.detach) {
		server_client_ref(c);
		ctr_add_waiter(ct, false, detached_started_cb, c);
		ctr_unref(ct);
		return REQ_PENDING;
	}
	/* The monitor holds its own copy of the client's socket and speaks
	 * for the container from here on; the daemon steps out. */
	server_client_handed_off(c);
	ctr_unref(ct);
	return REQ_PENDING;

fail:
	close_fds(vol_fds, ct->cfg.nvolumes);
	dir_remove_tree(ct->rundir, &e2);
	dir_remove_tree(ct->dir, &e2);
	ctr_unref(ct);
	return md_err_prefix(err, "cannot create container");
}
