/* The daemon's side of the spare monitor (see spare.h, mon-spare.c). */
#include "spare.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/id.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../proto/frame-read.h"
#include "../proto/frame.h"
#include "../proto/msg.h"
#include "cgroup.h"
#include "mon-fds.h"
#include "mon-link.h"

/* The spare factory (mon-factory.c): one monitor process every spare is
 * forked from, instead of each being spawned (posix_spawn, execve and
 * glibc's start-up: about 0.5 ms of CPU beside every start). */
struct factory {
	pid_t pid;
	int pidfd;
	int fd;          /* our end of its control socket */
	struct stat exe; /* the monitor binary it was started from */
};

/* Factories lost in a row after which the daemon spawns its spares itself. */
#define FACTORY_TRIES 3
/* How long a fork may take the factory before we give up on it. */
#define FACTORY_WAIT_MS 1000
/* Its answers are a few dozen bytes. */
#define FACTORY_ANSWER_MAX 256

struct spare {
	char id[ID_LEN + 1]; /* of the container it will monitor */
	pid_t pid;
	int pidfd;         /* to kill it: by then its pid may have been reaped */
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

static void factory_free(struct factory *f)
{
	if (f->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, f->pidfd, SIGKILL, NULL, 0);
		close(f->pidfd);
	}
	if (f->fd >= 0)
		close(f->fd);
	free(f);
}

/* A factory that could not be started or failed us: counted, and said
 * once, with what follows when it was the last try. */
static void factory_failed(struct daemon *d, const char *why)
{
	d->factory_failures++;
	log_warn("spare factory: %s%s", why,
		 d->factory_failures < FACTORY_TRIES ? "" : "; spares are spawned from now on");
}

/* Whether the monitor binary is still the one f runs: a new one installed
 * (an upgrade) gets a new factory, as it would get new spawns. */
static bool factory_current(const struct daemon *d, const struct factory *f)
{
	struct stat st;

	return stat(d->monitor_path, &st) == 0 && st.st_dev == f->exe.st_dev &&
	       st.st_ino == f->exe.st_ino && st.st_mtim.tv_sec == f->exe.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == f->exe.st_mtim.tv_nsec;
}

void spare_factory_retire(struct daemon *d)
{
	if (d->factory == NULL)
		return;
	factory_free(d->factory);
	d->factory = NULL;
}

/* The factory, started when there is none (unless too many were lost). */
static struct factory *factory_get(struct daemon *d)
{
	struct factory *f;
	struct md_err err;

	if (d->factory != NULL && !factory_current(d, d->factory))
		spare_factory_retire(d);
	if (d->factory != NULL || d->factory_failures >= FACTORY_TRIES)
		return d->factory;
	f = xcalloc(1, sizeof(*f));
	f->pidfd = -1;
	if (stat(d->monitor_path, &f->exe) < 0) {
		md_err_set(&err, errno, "%s", d->monitor_path);
		factory_failed(d, err.msg);
		free(f);
		return NULL;
	}
	f->fd = monlink_spawn_factory(d, &f->pid, &err);
	if (f->fd < 0) {
		factory_failed(d, err.msg);
		free(f);
		return NULL;
	}
	/* Safe by pid here: only this loop reaps our children. */
	f->pidfd = (int)syscall(SYS_pidfd_open, f->pid, 0);
	if (f->pidfd < 0) {
		md_err_set(&err, errno, "pidfd_open");
		factory_failed(d, err.msg);
		kill(f->pid, SIGKILL);
		factory_free(f);
		return NULL;
	}
	d->factory = f;
	return f;
}

/* The factory's {"type":"spawned","pid":N} with a pidfd of the spare,
 * read within FACTORY_WAIT_MS. The daemon waits for it as it waited for a
 * spawn's execve: a fork is shorter. -1: the factory failed; -2: it
 * answered that it could not make this spare (err set either way). */
static int factory_answer(struct factory *f, pid_t *pid, int *pidfd, struct md_err *err)
{
	int64_t deadline = time_mono_ns() + (int64_t)FACTORY_WAIT_MS * 1000000;
	struct json_object *msg = NULL;
	struct buf in = { 0 };
	const char *why = NULL;
	size_t nfds = 0;
	int64_t got = 0;
	int fds[1];
	int r = proto_frame_read_one(f->fd, &in, FACTORY_ANSWER_MAX, deadline, fds, &nfds,
				     ARRAY_SIZE(fds), err);

	if (r != 0) {
		if (r == 1)
			md_err_set(err, EPIPE, "read its answer");
		else if (err->errnum == ETIMEDOUT)
			md_err_set(err, ETIMEDOUT, "no answer in %d ms", FACTORY_WAIT_MS);
		else
			md_err_prefix(err, "read its answer");
		r = -1;
		goto out;
	}
	msg = proto_msg_parse(buf_head(&in) + PROTO_HDR_LEN, buf_used(&in) - PROTO_HDR_LEN, &why);
	if (msg != NULL && nfds == 0 && strcmp(proto_msg_type(msg), "error") == 0) {
		const char *text = NULL;

		proto_get_str(msg, "message", &text);
		md_err_set(err, 0, "%s", text != NULL ? text : "it could not make a spare");
		r = -2;
		goto out;
	}
	if (msg == NULL || strcmp(proto_msg_type(msg), "spawned") != 0 ||
	    proto_get_int(msg, "pid", 1, INT32_MAX, &got) < 0 || nfds != 1) {
		md_err_set(err, EPROTO, "a bad answer%s%s", why ? ": " : "", why ? why : "");
		r = -1;
		goto out;
	}
	*pid = (pid_t)got;
	*pidfd = fds[0];
	nfds = 0;
out:
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	json_object_put(msg);
	buf_free(&in);
	return r;
}

/* A spare forked by the factory for the container id: our end of its
 * control socket, or -1 (none could be asked, or it failed and is
 * dropped): the caller spawns one. */
static int spare_from_factory(struct daemon *d, const char *id, pid_t *pid, int *pidfd)
{
	struct factory *f = factory_get(d);
	struct json_object *o;
	struct buf out = { 0 };
	struct md_err err;
	int theirs = -1, ours, r;
	ssize_t n;

	if (f == NULL)
		return -1;
	ours = monlink_spare_pair(&theirs, &err);
	if (ours < 0) {
		log_warn("spare monitor: %s", err.msg);
		return -1;
	}
	o = proto_msg_new("spare");
	json_object_object_add(o, "id", json_object_new_string(id));
	proto_msg_append(&out, o);
	json_object_put(o);
	/* Its socket is empty between requests: the request fits. */
	n = fd_send(f->fd, buf_head(&out), buf_used(&out), theirs);
	r = n == (ssize_t)buf_used(&out) ? 0
					  : md_err_set(&err, n < 0 ? errno : EPIPE, "send it a request");
	close(theirs);
	buf_free(&out);
	if (r == 0)
		r = factory_answer(f, pid, pidfd, &err);
	if (r < 0) {
		close(ours);
		if (r == -2) {
			log_warn("spare monitor: %s", err.msg);
		} else {
			factory_failed(d, err.msg);
			spare_factory_retire(d);
		}
		return -1;
	}
	d->factory_failures = 0;
	return ours;
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
	s->pidfd = -1;
	s->fd = spare_from_factory(d, s->id, &s->pid, &s->pidfd);
	if (s->fd < 0)
		s->fd = monlink_spawn_spare(d, s->id, &s->pid, &err);
	if (s->fd < 0) {
		log_warn("spare monitor: %s", err.msg);
		free(s);
		return;
	}
	/* Safe by pid here: only this loop reaps our children. */
	if (s->pidfd < 0)
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
