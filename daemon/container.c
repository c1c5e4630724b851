#include "container.h"

#include "image-store.h"
#include "request.h"

#include <dirent.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/id.h"
#include "../common/log.h"
#include "../common/util.h"
#include "cgroup.h"
#include "mon-link.h"

struct container *ctr_new(struct daemon *d, const char *id)
{
	struct container *c = xcalloc(1, sizeof(*c));

	c->d = d;
	c->refs = 1;
	c->dir = xasprintf("%s/%s", d->ctr_root, id);
	c->rundir = xasprintf("%s/%s", d->ctr_run, id);
	return c;
}

void ctr_ref(struct container *c)
{
	c->refs++;
}

void ctr_unref(struct container *c)
{
	if (--c->refs > 0)
		return;
	while (c->waiters != NULL) {
		struct ctr_waiter *w = c->waiters;

		c->waiters = w->next;
		free(w);
	}
	if (c->link != NULL)
		bufferevent_free(c->link);
	ctr_config_free(&c->cfg);
	ctr_state_clear(&c->state);
	free(c->dir);
	free(c->rundir);
	free(c->ps_text);
	free(c);
}

void ctr_register(struct daemon *d, struct container *c)
{
	d->ctrs = xrealloc(d->ctrs, (d->nctrs + 1) * sizeof(*d->ctrs));
	d->ctrs[d->nctrs++] = c;
	ctr_ref(c);
}

void ctr_unregister(struct daemon *d, struct container *c)
{
	for (size_t i = 0; i < d->nctrs; i++) {
		if (d->ctrs[i] == c) {
			d->ctrs[i] = d->ctrs[--d->nctrs];
			ctr_unref(c);
			return;
		}
	}
}

void ctr_add_waiter(struct container *c, bool on_exit, ctr_waiter_fn fn, void *arg)
{
	struct ctr_waiter *w = xcalloc(1, sizeof(*w));

	w->fn = fn;
	w->arg = arg;
	w->on_exit = on_exit;
	w->next = c->waiters;
	c->waiters = w;
}

void ctr_fire_waiters(struct container *c, bool on_exit, bool lost)
{
	struct ctr_waiter **pp = &c->waiters, *fire = NULL;

	/* Unlink first: a waiter may add new waiters while it runs. */
	while (*pp != NULL) {
		struct ctr_waiter *w = *pp;

		if (w->on_exit != on_exit) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		w->next = fire;
		fire = w;
	}
	ctr_ref(c);
	while (fire != NULL) {
		struct ctr_waiter *w = fire;

		fire = w->next;
		w->fn(c, w->arg, lost);
		free(w);
	}
	ctr_unref(c);
}

/* A container whose files cannot be read (a crash mid-write, a disk
 * error) stays listed as broken, with the reason, so that its owner sees it
 * and can rm it; it never keeps the daemon from starting. */
static void mark_broken(struct container *c, const char *id, const struct md_err *err)
{
	log_error("container %.12s is broken: %s", id, err->msg);
	if (c->cfg.argv == NULL) {
		/* No usable config: enough of one to list and remove it. Only
		 * root sees it, as its owner is unknown. */
		ctr_config_free(&c->cfg);
		memcpy(c->cfg.id, id, ID_LEN + 1);
		c->cfg.name = xasprintf("broken_%.12s", id);
		c->cfg.image = xstrdup("unknown");
		c->cfg.argv = xcalloc(2, sizeof(char *));
		c->cfg.argv[0] = xstrdup("?");
		c->cfg.env = xcalloc(1, sizeof(char *));
		c->cfg.cwd = xstrdup("/");
		c->cfg.hostname = xstrdup("");
		c->cfg.owner_uid = 0;
	}
	ctr_state_clear(&c->state);
	c->state.status = CTR_BROKEN;
	c->state.error = xstrdup(err->msg);
}

/* Bring one container directory back: config and state from disk, and the
 * monitor reconnected when it still runs. */
static void load_one(struct daemon *d, const char *id)
{
	struct container *c = ctr_new(d, id);
	struct md_err err;

	if (ctr_config_load(c->dir, &c->cfg, &err) < 0 || ctr_state_load(c->dir, &c->state, &err) < 0) {
		mark_broken(c, id, &err);
		ctr_register(d, c);
		ctr_unref(c);
		return;
	}
	/* A container still starting when the old daemon died has a monitor
	 * too: reconnect to it and take the start's result from it. */
	if (c->state.status == CTR_CREATED && c->state.error == NULL &&
	    monlink_connect(c, &err) == 0) {
		c->starting = true;
	} else if (c->state.status == CTR_RUNNING && monlink_connect(c, &err) < 0) {
		log_warn("%.12s: monitor gone (%s): marking exited", id, err.msg);
		ctr_release_cgroup(c);
		c->state.status = CTR_EXITED;
		c->state.pid = 0;
		c->state.exit_code = 137;
		c->state.finished_ns = time_now_ns();
		if (ctr_state_save(c->dir, &c->state, &err) < 0)
			log_error("%.12s: %s", id, err.msg);
	}
	ctr_register(d, c);
	ctr_unref(c);
}

void ctr_load_all(struct daemon *d)
{
	DIR *dir = opendir(d->ctr_root);
	struct dirent *e;

	if (dir == NULL) {
		log_error("open %s: %s", d->ctr_root, strerror(errno));
		return;
	}
	while ((e = readdir(dir)) != NULL)
		if (id_valid(e->d_name))
			load_one(d, e->d_name);
	closedir(dir);
}

void ctr_release_cgroup(struct container *c)
{
	struct md_err err;

	if (c->d->cg == NULL)
		return;
	if (cgroup_kill_all(c->d->cg, c->cfg.id, &err) < 0 ||
	    cgroup_remove(c->d->cg, c->cfg.id, &err) < 0)
		log_warn("%.12s: %s", c->cfg.id, err.msg);
}

/* The cgroup of a container removed while its monitor still runs. */
struct cgroup_release {
	struct daemon *d;
	char id[ID_LEN + 1];
	int pidfd;        /* the monitor's: readable once it has exited */
	struct event *ev;
};

static void monitor_gone_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cgroup_release *r = arg;
	struct md_err err;

	(void)fd;
	(void)what;
	/* Normally the monitor removed it already: nothing to do. */
	if (r->d->cg != NULL && (cgroup_kill_all(r->d->cg, r->id, &err) < 0 ||
				 cgroup_remove(r->d->cg, r->id, &err) < 0))
		log_warn("%.12s: %s", r->id, err.msg);
	event_free(r->ev);
	close(r->pidfd);
	free(r);
}

/* A linked monitor removes its container's cgroup itself once it has
 * reported the exit, and may be in it until then (mon-spare.c): a kill
 * now could hit it. Should it die before it could, the cgroup is
 * released once it is gone. -1 when the monitor is gone already. */
static int release_after_monitor(struct container *c)
{
	pid_t pid = c->monitor_pid > 0 ? c->monitor_pid : c->state.monitor_pid;
	struct cgroup_release *r;
	int pidfd;

	if (c->d->cg == NULL || pid <= 0)
		return -1;
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	r = xcalloc(1, sizeof(*r));
	r->d = c->d;
	r->pidfd = pidfd;
	snprintf(r->id, sizeof(r->id), "%s", c->cfg.id);
	r->ev = event_new(c->d->base, pidfd, EV_READ, monitor_gone_cb, r);
	if (r->ev == NULL || event_add(r->ev, NULL) < 0) {
		if (r->ev != NULL)
			event_free(r->ev);
		close(pidfd);
		free(r);
		return -1;
	}
	return 0;
}

int ctr_remove(struct daemon *d, struct container *c, struct md_err *err)
{
	int r = 0;

	/* Twice when rm -f of a running --rm container meets its own removal
	 * at the exit: the second has nothing left to do, and must not kill
	 * in the cgroup its monitor may still be in. */
	if (c->removed)
		return 0;
	c->removed = true;
	if (c->link == NULL || release_after_monitor(c) < 0)
		ctr_release_cgroup(c);
	if (dir_remove_tree(c->rundir, err) < 0)
		r = -1;
	/* The directory goes to the trash at once and is deleted by a worker:
	 * a container's own writes may be large, and the loop must not wait. */
	if (image_store_discard(d->images, c->dir, err) == 0)
		image_trash_collect_soon(d);
	else if (dir_remove_tree(c->dir, err) < 0)
		r = -1;
	/* Last: a --rm exit's acknowledgement may be queued on it (mon-link.c). */
	monlink_close(c);
	/* Logged here: the last reference may go with the unregistering. */
	if (r < 0)
		log_warn("remove %.12s: %s", c->cfg.id, err->msg);
	ctr_unregister(d, c);
	return r;
}
