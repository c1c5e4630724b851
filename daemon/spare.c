/* The daemon's side of the spare monitor (see spare.h, mon-spare.c). */
#include "spare.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/id.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "cgroup.h"
#include "mon-link.h"

struct spare {
	char id[ID_LEN + 1]; /* of the container it will monitor */
	pid_t pid;
	int pidfd;         /* to kill it: by then monlink_reap may have reaped it */
	int fd;            /* our end of its control socket */
	struct event *ev;  /* it never speaks first: readable means it is gone */
};

static void spare_kill(struct spare *s)
{
	if (s->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
}

static void spare_free(struct spare *s)
{
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}

/* A spare that is gone, or that we gave up on: killed, and its cgroup
 * (if it made one) left for the next sweep, as it may not be empty yet. */
static void spare_drop(struct daemon *d, struct spare *s)
{
	spare_kill(s);
	spare_free(s);
	d->spare_sweep = true;
}

/* The spare died (or spoke out of turn) before it was taken. */
static void spare_lost(struct daemon *d)
{
	struct spare *s = d->spare;

	d->spare = NULL;
	log_warn("spare monitor %d is gone", (int)s->pid);
	spare_drop(d, s);
}

static void spare_readable_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	spare_lost(arg);
}

static void spare_start(struct daemon *d)
{
	struct spare *s;
	struct md_err err;

	if (d->spare != NULL || d->no_spare || d->stopping)
		return;
	/* What dead spares left (and, at start-up, an earlier daemon's). */
	if (d->spare_sweep && d->cg != NULL)
		d->spare_sweep = !cgroup_sweep(d->cg, MON_SPARE_CGROUP_PREFIX);
	s = xcalloc(1, sizeof(*s));
	id_generate(s->id);
	s->fd = monlink_spawn_spare(d, s->id, &s->pid, &err);
	if (s->fd < 0) {
		log_warn("spare monitor: %s", err.msg);
		free(s);
		return;
	}
	/* Safe by pid here: only this loop reaps our children. */
	s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	if (s->pidfd < 0) {
		log_warn("spare monitor: pidfd_open: %s", strerror(errno));
		kill(s->pid, SIGKILL);
		spare_free(s);
		return;
	}
	s->ev = event_new(d->base, s->fd, EV_READ | EV_PERSIST, spare_readable_cb, d);
	if (s->ev == NULL || event_add(s->ev, NULL) < 0) {
		log_warn("spare monitor: cannot watch it");
		spare_drop(d, s);
		return;
	}
	d->spare = s;
}

void spare_next_id(const struct daemon *d, char *id)
{
	if (d->spare != NULL)
		memcpy(id, d->spare->id, sizeof(d->spare->id));
	else
		id_generate(id);
}

static void spare_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	spare_start(arg);
}

void spare_refill(struct daemon *d)
{
	struct timeval now = { 0, 0 };

	if (d->spare != NULL || d->no_spare || d->stopping)
		return;
	if (d->spare_ev == NULL)
		d->spare_ev = evtimer_new(d->base, spare_timer_cb, d);
	if (d->spare_ev == NULL)
		spare_start(d);
	else if (!evtimer_pending(d->spare_ev, NULL))
		evtimer_add(d->spare_ev, &now);
}

/* {"type":"take",...} with its fds, as mon-spare.c reads it. */
static int send_take(struct spare *s, struct container *c, int client_fd, const int *vol_fds,
		     struct buf *out, struct md_err *err)
{
	struct json_object *o = proto_msg_new("take");
	int fds[RUN_VOLUMES_MAX + 1];
	size_t nfds = 0;
	ssize_t n;

	json_object_object_add(o, "dir", json_object_new_string(c->dir));
	json_object_object_add(o, "rundir", json_object_new_string(c->rundir));
	json_object_object_add(o, "client", json_object_new_boolean(client_fd >= 0));
	json_object_object_add(o, "volumes", json_object_new_int((int)c->cfg.nvolumes));
	proto_msg_append(out, o);
	json_object_put(o);
	if (client_fd >= 0)
		fds[nfds++] = client_fd;
	for (size_t i = 0; i < c->cfg.nvolumes; i++)
		fds[nfds++] = vol_fds[i];
	/* The spare's socket is empty (it never spoke, and was never sent
	 * to): the message fits, but the rest goes queued if it does not. */
	n = fds_send(s->fd, buf_head(out), buf_used(out), fds, nfds);
	if (n <= 0)
		return md_err_set(err, n < 0 ? errno : EPIPE, "hand container to spare monitor");
	buf_consume(out, (size_t)n);
	return 0;
}

int spare_take(struct daemon *d, struct container *c, int client_fd, const int *vol_fds,
	       struct md_err *err)
{
	struct spare *s = d->spare;
	struct buf rest = { 0 };
	int r = 0;

	if (s == NULL || strcmp(c->cfg.id, s->id) != 0 || c->cfg.nvolumes > RUN_VOLUMES_MAX)
		return 1;
	d->spare = NULL;
	event_free(s->ev);
	s->ev = NULL;
	if (send_take(s, c, client_fd, vol_fds, &rest, err) < 0) {
		/* It has nothing yet: a spawned monitor does as well. */
		log_warn("%.12s: %s; spawning a monitor", c->cfg.id, err->msg);
		md_err_clear(err);
		spare_drop(d, s);
		buf_free(&rest);
		return 1;
	}
	if (monlink_attach(c, steal_fd(&s->fd), err) == 0) {
		c->monitor_pid = s->pid;
		c->starting = true;
		if (buf_used(&rest) > 0)
			bufferevent_write(c->link, buf_head(&rest), buf_used(&rest));
	} else {
		/* It may be starting the container: with no link to it, it
		 * must not run on (its PID 1 dies with it). */
		spare_drop(d, s);
		s = NULL;
		r = -1;
	}
	buf_free(&rest);
	if (s != NULL)
		spare_free(s);
	return r;
}
