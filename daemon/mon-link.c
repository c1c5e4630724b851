#include "mon-link.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/frame.h"
#include "../proto/msg.h"
#include "fd-closer.h"
#include "run-mounts.h"
#include "spare.h"

static void link_free(struct container *c)
{
	if (c->link != NULL) {
		bufferevent_free(c->link);
		c->link = NULL;
	}
}

/* Re-read state.json: the monitor writes it before it reports, so disk is
 * the truth for every event. -1 (logged) when it cannot be read. */
static int reload_state(struct container *c)
{
	struct ctr_state s;
	struct md_err err;

	if (ctr_state_load(c->dir, &s, &err) < 0) {
		log_warn("%.12s: %s", c->cfg.id, err.msg);
		return -1;
	}
	ctr_state_clear(&c->state);
	c->state = s;
	return 0;
}

/* The monitor is gone. If it left no exit on disk it died with its
 * container (which its PDEATHSIG took down): record that clearly rather
 * than leave a container "running" forever. */
static void link_lost(struct container *c)
{
	struct md_err err;

	link_free(c);
	reload_state(c);
	if (c->state.status == CTR_RUNNING || c->starting) {
		log_warn("%.12s: monitor exited without recording an exit", c->cfg.id);
		ctr_release_cgroup(c);
		c->state.status = c->starting ? CTR_CREATED : CTR_EXITED;
		c->state.pid = 0;
		c->state.exit_code = 137;
		c->state.finished_ns = time_now_ns();
		free(c->state.error);
		c->state.error = xstrdup("monitor exited unexpectedly");
		if (ctr_state_save(c->dir, &c->state, &err) < 0)
			log_error("%.12s: %s", c->cfg.id, err.msg);
	}
	if (c->starting) {
		c->starting = false;
		ctr_fire_waiters(c, false, false);
		spare_refill(c->d);
	}
	ctr_fire_waiters(c, true, false);
}

static void handle_event(struct container *c, struct json_object *msg)
{
	const char *type = proto_msg_type(msg);
	const char *status = NULL;

	if (strcmp(type, "started") == 0 || strcmp(type, "error") == 0) {
		reload_state(c);
		c->starting = false;
		ctr_fire_waiters(c, false, false);
		/* The next start's monitor, while this container runs. */
		spare_refill(c->d);
	} else if (strcmp(type, "exit") == 0) {
		bool ack = false;

		/* Queued now, written when the loop next runs (or by
		 * monlink_close), so after the waiters below: the exit is
		 * recorded and a --rm container removed by then, for every
		 * request the monitor's clients may send next. Not for an
		 * exit we could not read: the clients then ask, and wait. */
		if (reload_state(c) == 0 && c->state.status != CTR_RUNNING &&
		    proto_get_bool(msg, "ack", &ack) == 0 && ack) {
			struct json_object *o = proto_msg_new("exit_recorded");

			monlink_send(c, o);
			json_object_put(o);
		}
		ctr_fire_waiters(c, true, false);
	} else if (strcmp(type, "state") == 0) {
		/* Sent on every (re)connection. An adopted start may have ended
		 * while no daemon listened: disk says how. */
		if (proto_get_str(msg, "status", &status) == 0 && status != NULL &&
		    (strcmp(status, "running") != 0 || c->starting))
			reload_state(c);
		if (c->starting && c->state.status != CTR_CREATED) {
			c->starting = false;
			ctr_fire_waiters(c, false, false);
		}
	}
}

static void link_read_cb(struct bufferevent *bev, void *arg)
{
	struct container *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	ctr_ref(c);
	while (c->link != NULL) {
		size_t avail = evbuffer_get_length(in);
		const uint8_t *data = evbuffer_pullup(in, -1);
		const uint8_t *payload = NULL;
		struct frame_hdr h;
		const char *why = NULL;
		struct json_object *msg;
		enum proto_decode r = proto_frame_peek(data, avail, &h, &payload, &why);

		if (r == PROTO_NEED_MORE)
			break;
		if (r != PROTO_OK || h.type != FRAME_MSG ||
		    (msg = proto_msg_parse(payload, h.len, &why)) == NULL) {
			log_error("%.12s: bad frame from monitor: %s", c->cfg.id,
				  why ? why : "not a message");
			link_lost(c);
			break;
		}
		evbuffer_drain(in, PROTO_HDR_LEN + h.len);
		handle_event(c, msg);
		json_object_put(msg);
	}
	ctr_unref(c);
}

static void link_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct container *c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		ctr_ref(c);
		link_lost(c);
		ctr_unref(c);
	}
}

int monlink_attach(struct container *c, int fd, struct md_err *err)
{
	c->link = bufferevent_socket_new(c->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->link == NULL) {
		close(fd);
		return md_err_set(err, ENOMEM, "monitor link");
	}
	bufferevent_setcb(c->link, link_read_cb, NULL, link_event_cb, c);
	bufferevent_enable(c->link, EV_READ);
	return 0;
}

_Static_assert(MON_VOLUMES_MAX == RUN_VOLUMES_MAX, "the monitor's volume slots");

/* The spawn dup2s onto 3 and up, in order: a source fd must lie above
 * every destination, or an earlier dup2 would overwrite it. */
#define SPAWN_FD_FLOOR (MON_VOLUME_FD + RUN_VOLUMES_MAX + 8)

static int fd_above_stdio(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, SPAWN_FD_FLOOR);
}

/* Copies of a caller's volume sources: closing one may block (a FUSE
 * file flushes), so never in the loop. */
static void close_all(int *fds, size_t n)
{
	closer_close(fds, n);
}

/* posix_spawn the monitor binary with argv: fd 3 `theirs` (its control
 * socket), 4 the client or nothing, 5 the seccomp filter, 6 and up the
 * volume sources. Every fd passed must lie at or above SPAWN_FD_FLOOR. */
static int spawn_monitor(struct daemon *d, char **argv, char *role, int theirs, int client,
			 const int *vols, size_t nvol, pid_t *pid, struct md_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	static char env_path[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	cleanup_free char *env_log = xasprintf("MINIDOCKER_LOG_MAX=%llu", d->log_max);
	cleanup_free char *env_cg = xasprintf("MINIDOCKER_CGROUP_PARENT=%s",
					      d->cgroup_parent ? d->cgroup_parent : "");
	cleanup_free char *env_nofile = xasprintf("MINIDOCKER_NOFILE=%llu", d->nofile_soft);
	static char env_ack[] = MON_EXIT_ACK_ENV "=1";
	char *envp[] = { env_path, env_log, env_cg, env_nofile, env_ack, role, NULL };
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_init(&fa);
	/* A session of its own: no terminal or process-group signal aimed at
	 * the daemon reaches the monitor. Signal state starts clean. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawn_file_actions_adddup2(&fa, theirs, MON_CONTROL_FD);
	if (client >= 0)
		posix_spawn_file_actions_adddup2(&fa, client, MON_CLIENT_FD);
	else
		posix_spawn_file_actions_addclose(&fa, MON_CLIENT_FD);
	if (d->seccomp_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, d->seccomp_fd, MON_SECCOMP_FD);
	for (size_t i = 0; i < nvol; i++)
		posix_spawn_file_actions_adddup2(&fa, vols[i], MON_VOLUME_FD + (int)i);
	/* Nothing else of the daemon's reaches the monitor: every other fd is
	 * close-on-exec, and closes at the exec, after posix_spawn returned.
	 * No closefrom here: the spawn's child runs while the daemon waits,
	 * and a caller's file (a FUSE one) could block its close. The dup2
	 * targets below SPAWN_FD_FLOOR are never a caller's: main() fills
	 * them with /dev/null before anything else is opened. */
	r = posix_spawn(pid, d->monitor_path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0)
		return md_err_set(err, r, "spawn monitor %s", d->monitor_path);
	return 0;
}

/* A connected pair: ours, and theirs above SPAWN_FD_FLOOR. */
static int control_pair(int *ours, int *theirs, struct md_err *err)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return md_err_set(err, errno, "socketpair");
	*theirs = fd_above_stdio(sv[1]);
	close(sv[1]);
	if (*theirs < 0) {
		md_err_set(err, errno, "fcntl");
		close(sv[0]);
		return -1;
	}
	*ours = sv[0];
	return 0;
}

int monlink_spawn(struct container *c, int client_fd, const int *vol_fds, struct md_err *err)
{
	char *argv[] = { c->d->monitor_path, c->dir, c->rundir, NULL };
	cleanup_close int ours = -1, theirs = -1, client = -1;
	size_t nvol = c->cfg.nvolumes;
	int vols[RUN_VOLUMES_MAX];
	pid_t pid;
	int r;

	if (nvol > RUN_VOLUMES_MAX)
		return md_err_set(err, E2BIG, "too many volumes");
	r = spare_take(c->d, c, client_fd, vol_fds, err);
	if (r <= 0)
		return r;
	if (control_pair(&ours, &theirs, err) < 0)
		return -1;
	if (client_fd >= 0 && (client = fd_above_stdio(client_fd)) < 0)
		return md_err_set(err, errno, "fcntl");
	for (size_t i = 0; i < nvol; i++) {
		vols[i] = fd_above_stdio(vol_fds[i]);
		if (vols[i] < 0) {
			md_err_set(err, errno, "fcntl");
			close_all(vols, i);
			return -1;
		}
	}
	r = spawn_monitor(c->d, argv, NULL, theirs, client, vols, nvol, &pid, err);
	close_all(vols, nvol);
	if (r < 0)
		return -1;
	c->monitor_pid = pid;
	c->starting = true;
	return monlink_attach(c, steal_fd(&ours), err);
}

/* A monitor for the container id in the role of role_env ("NAME=1"). */
static int spawn_for_id(struct daemon *d, const char *id, char *role_env, pid_t *pid,
			struct md_err *err)
{
	cleanup_free char *dir = xasprintf("%s/%s", d->ctr_root, id);
	cleanup_free char *rundir = xasprintf("%s/%s", d->ctr_run, id);
	char *argv[] = { d->monitor_path, dir, rundir, NULL };
	cleanup_close int ours = -1, theirs = -1;

	if (control_pair(&ours, &theirs, err) < 0 ||
	    spawn_monitor(d, argv, role_env, theirs, -1, NULL, 0, pid, err) < 0)
		return -1;
	return steal_fd(&ours);
}

int monlink_spawn_spare(struct daemon *d, const char *id, pid_t *pid, struct md_err *err)
{
	static char role[] = MON_SPARE_ENV "=1";

	return spawn_for_id(d, id, role, pid, err);
}

int monlink_spawn_factory(struct daemon *d, pid_t *pid, struct md_err *err)
{
	static char role[] = MON_FACTORY_ENV "=1";

	return spawn_for_id(d, MON_FACTORY_ID, role, pid, err);
}

int monlink_spare_pair(int *theirs, struct md_err *err)
{
	int ours = -1;

	if (control_pair(&ours, theirs, err) < 0)
		return -1;
	return ours;
}

int monlink_connect(struct container *c, struct md_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return md_err_set(err, errno, "socket");
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", c->rundir,
			     CTR_MONITOR_SOCK) >= sizeof(sa.sun_path))
		return md_err_set(err, ENAMETOOLONG, "monitor socket path");
	/* A local connect to a listening socket does not wait on the peer. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return md_err_set(err, errno, "connect %s", sa.sun_path);
	if (fd_set_nonblock(fd, true) < 0)
		return md_err_set(err, errno, "fcntl");
	return monlink_attach(c, steal_fd(&fd), err);
}

int monlink_send(struct container *c, struct json_object *msg)
{
	struct buf out = { 0 };
	int r;

	if (c->link == NULL)
		return -1;
	proto_msg_append(&out, msg);
	r = bufferevent_write(c->link, buf_head(&out), buf_used(&out));
	buf_free(&out);
	return r;
}

/* Write out what is queued on the link, as far as the socket takes it
 * now: 0 when all is out. A socket bufferevent freezes its output's start
 * so that only it drains it; this is what its own write callback does. */
static int link_flush(struct container *c)
{
	struct evbuffer *out = bufferevent_get_output(c->link);
	int fd = bufferevent_getfd(c->link);

	while (evbuffer_get_length(out) > 0) {
		int n;

		evbuffer_unfreeze(out, 1);
		n = evbuffer_write(out, fd);
		evbuffer_freeze(out, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
	}
	return 0;
}

void monlink_close(struct container *c)
{
	if (c->link == NULL)
		return;
	/* bufferevent_free drops what is still queued. The socket is
	 * non-blocking: what does not fit now is lost, as at a daemon exit. */
	(void)link_flush(c);
	link_free(c);
}

int monlink_handoff(struct container *c, struct json_object *msg, int client_fd,
		    struct md_err *err)
{
	struct buf out = { 0 };
	ssize_t n;
	int fd;

	if (c->link == NULL)
		return md_err_set(err, 0, "container %s is not running", c->cfg.name);
	/* Keep the stream in order: what is queued goes first. The link
	 * carries a few small messages, so this never waits in practice. */
	if (link_flush(c) < 0)
		return md_err_set(err, EAGAIN, "monitor of %s is busy", c->cfg.name);
	fd = bufferevent_getfd(c->link);
	proto_msg_append(&out, msg);
	n = fd_send(fd, buf_head(&out), buf_used(&out), client_fd);
	if (n < 0) {
		buf_free(&out);
		return md_err_set(err, errno, "hand over to the monitor of %s", c->cfg.name);
	}
	/* The fd went with the first byte; the rest follows queued. */
	buf_consume(&out, (size_t)n);
	if (buf_used(&out) > 0)
		bufferevent_write(c->link, buf_head(&out), buf_used(&out));
	buf_free(&out);
	return 0;
}

void monlink_reap(struct daemon *d)
{
	int status;
	pid_t pid;

	(void)d;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		log_debug("monitor %d exited with status %d", (int)pid, status);
}
