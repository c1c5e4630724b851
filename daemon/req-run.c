/* run: create the container's directories and config, start its monitor,
 * and either answer with the ID once it runs (-d) or hand the client's
 * connection to the monitor, which then streams to it directly. */
#include <errno.h>
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
#include "request.h"
#include "idmap.h"
#include "run-config.h"
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

static int make_dirs(struct container *c, struct md_err *err)
{
	cleanup_free char *rootfs = xasprintf("%s/%s", c->dir, CTR_ROOTFS_DIR);

	if (mkdir(c->dir, 0700) < 0)
		return md_err_set(err, errno, "mkdir %s", c->dir);
	if (mkdir(c->rundir, 0700) < 0)
		return md_err_set(err, errno, "mkdir %s", c->rundir);
	if (mkdir(rootfs, 0755) < 0)
		return md_err_set(err, errno, "mkdir %s", rootfs);
	/* In a user namespace the container's root owns its writable root,
	 * as the caller on the host: nothing in it is host root's. */
	if (c->cfg.userns && chown(rootfs, c->cfg.map_uid, c->cfg.map_gid) < 0)
		return md_err_set(err, errno, "chown %s", rootfs);
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
	if (ctr_remove(ct->d, ct, &err) < 0)
		log_warn("remove %.12s: %s", ct->cfg.id, err.msg);
}

int req_run(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	struct ctr_config cfg;
	struct run_opts opts;
	struct container *ct;
	struct md_err e2;

	if (run_config_from_request(req, server_client_uid(c), server_client_gid(c), NULL, &cfg, &opts,
				    err) < 0)
		return -1;
	id_generate(cfg.id);
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

	ct = ctr_new(d, cfg.id);
	ct->cfg = cfg;
	ct->state.status = CTR_CREATED;
	if (make_dirs(ct, err) < 0 || ctr_config_save(ct->dir, &ct->cfg, err) < 0 ||
	    ctr_state_save(ct->dir, &ct->state, err) < 0)
		goto fail;
	ctr_register(d, ct);
	if (monlink_spawn(ct, opts.detach ? -1 : server_client_fd(c), err) < 0) {
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
	dir_remove_tree(ct->rundir, &e2);
	dir_remove_tree(ct->dir, &e2);
	ctr_unref(ct);
	return md_err_prefix(err, "cannot create container");
}
