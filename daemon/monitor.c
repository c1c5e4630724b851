/* minidocker-monitor: see monitor.h. Invoked by the daemon as
 *   minidocker-monitor CTR_DIR RUN_DIR
 * with the fds of mon-fds.h: fd 3 a connected control socket to the
 * daemon, for an attached run fd 4 the client's own connection, and from
 * fd 6 on the sources of the container's volumes in config order (see
 * mon-root.c). Or started as a spare (mon-spare.c) or as the spare factory
 * (mon-factory.c), whose children go on here as spares. */
#include "mon-fds.h"
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "cgroup.h"
#include "ctr-proc.h"
#include "mon-log.h"

#define CONTROL_FD MON_CONTROL_FD
#define CLIENT_FD MON_CLIENT_FD

struct json_object *monitor_state_msg(const struct monitor *m)
{
	struct json_object *o = proto_msg_new("state");

	json_object_object_add(o, "id", json_object_new_string(m->cfg.id));
	json_object_object_add(o, "status",
			       json_object_new_string(ctr_status_name(m->state.status)));
	json_object_object_add(o, "pid", json_object_new_int(m->state.pid));
	json_object_object_add(o, "tty", json_object_new_boolean(m->cfg.tty));
	json_object_object_add(o, "stdin", json_object_new_boolean(m->main && m->main->in_fd >= 0));
	return o;
}

void monitor_stop(struct monitor *m, int timeout_s)
{
	int64_t at = time_mono_ns() + (int64_t)timeout_s * 1000000000LL;

	if (m->main == NULL || m->main->reaped)
		return;
	mon_proc_signal(m->main, timeout_s > 0 ? SIGTERM : SIGKILL);
	if (m->kill_at_ns == 0 || at < m->kill_at_ns)
		m->kill_at_ns = at;
}

/* The stop timeout passed: every process of the container, not only PID 1. */
static void kill_container(struct monitor *m)
{
	struct md_err err;

	mon_proc_signal(m->main, SIGKILL);
	if (m->cg_made && cgroup_kill_all(m->cg, m->cfg.id, &err) < 0)
		log_warn("%.12s: %s", m->cfg.id, err.msg);
}

static void save_state(struct monitor *m)
{
	struct md_err err;

	/* A --rm container's files are removed as soon as its exit is
	 * taken: nothing of it is worth an fsync. */
	if ((m->cfg.auto_remove ? ctr_state_save_unsynced : ctr_state_save)(m->dir, &m->state,
									     &err) < 0)
		log_error("save state of %.12s: %s", m->cfg.id, err.msg);
}

static int open_listen_socket(const char *rundir, struct md_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_close int fd = -1;

	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", rundir, CTR_MONITOR_SOCK) >=
	    sizeof(sa.sun_path))
		return md_err_set(err, ENAMETOOLONG, "monitor socket path");
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return md_err_set(err, errno, "socket");
	unlink(sa.sun_path);
	/* Only root may talk to a monitor: the directory is the daemon's. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(sa.sun_path, 0600) < 0)
		return md_err_set(err, errno, "bind %s", sa.sun_path);
	if (listen(fd, 16) < 0)
		return md_err_set(err, errno, "listen %s", sa.sun_path);
	return steal_fd(&fd);
}

static int open_signalfd(struct md_err *err)
{
	static const int ignored[] = { CTR_MONITOR_IGNORED_SIGNALS };
	sigset_t set;
	int fd;

	/* Terminal and termination signals must not end the monitor: it lives
	 * as long as its container, whatever happens to the daemon. */
	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		if (signal(ignored[i], SIG_IGN) == SIG_ERR)
			return md_err_set(err, errno, "signal %d", ignored[i]);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return md_err_set(err, errno, "sigprocmask");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return md_err_set(err, errno, "signalfd");
	return fd;
}

/* --init: a sealed in-memory copy of minidocker-init. The container runs
 * it without any host path to it, and cannot write to it. */
static int open_init_memfd(struct md_err *err)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	cleanup_free char *path = NULL;
	cleanup_close int src = -1;
	cleanup_close int mfd = -1;
	struct stat st;

	if (n < 0)
		return md_err_set(err, errno, "readlink /proc/self/exe");
	self[n] = '\0';
	path = xasprintf("%s/minidocker-init", dirname(self));
	src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0 || fstat(src, &st) < 0)
		return md_err_set(err, errno, "open %s", path);
	mfd = memfd_create("minidocker-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return md_err_set(err, errno, "memfd_create");
	for (off_t off = 0; off < st.st_size;) {
		ssize_t w = sendfile(mfd, src, &off, (size_t)(st.st_size - off));

		if (w <= 0)
			return md_err_set(err, w < 0 ? errno : EIO, "copy %s", path);
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return md_err_set(err, errno, "seal init");
	return steal_fd(&mfd);
}

int monitor_join_cgroup(void *arg, pid_t pid, struct md_err *err)
{
	struct monitor *m = arg;

	return cgroup_enter(m->cg, m->cfg.id, pid, err);
}

int mon_cgroup_detect(struct monitor *m, struct md_err *err)
{
	const char *parent = getenv("MINIDOCKER_CGROUP_PARENT");

	if (m->cg != NULL)
		return 0;
	if (parent != NULL && parent[0] == '\0')
		parent = NULL;
	if (cgroup_env_detect("/proc/self/mountinfo", "/proc/self/cgroup", NULL, parent, &m->cg,
			      err) == 0 &&
	    cgroup_env_prepare(m->cg, err) == 0)
		return 0;
	cgroup_env_free(m->cg);
	m->cg = NULL;
	return -1;
}

/* The container's cgroup, with its limits: the spare's renamed, or a new
 * one. A host whose cgroups we cannot use still runs containers that
 * asked for no limit (with a warning); one that asked for a limit fails
 * rather than run unlimited. */
static int setup_cgroup(struct monitor *m, struct md_err *err)
{
	struct cgroup_limits lim = {
		.memory = m->cfg.memory,
		.cpu_quota_us = (uint64_t)m->cfg.nano_cpus / 10000, /* of a 100 ms period */
		.cpu_period_us = 100000,
		.pids = m->cfg.pids_limit,
	};
	bool limited = lim.memory || lim.cpu_quota_us || lim.pids;
	int r;

	if (mon_cgroup_detect(m, err) == 0) {
		r = mon_spare_take_cgroup(m, &lim, err);
		if (r == 1)
			r = cgroup_create(m->cg, m->cfg.id, &lim, err);
		if (r == 0) {
			m->cg_made = true;
			return 0;
		}
		/* Still in the spare's cgroup, or the spare's became the
		 * container's and its limits failed: it is removed with the
		 * failed start (release_cgroup), which needs m->cg. */
		if (m->in_ctr_cgroup || m->cg_made)
			return md_err_prefix(err, "cgroup");
		cgroup_env_free(m->cg);
		m->cg = NULL;
	}
	if (limited)
		return md_err_prefix(err, "cgroup");
	log_warn("%.12s runs without a cgroup: %s", m->cfg.id, err->msg);
	md_err_clear(err);
	return 0;
}

/* Whether the OOM killer struck: read before the cgroup goes. */
static void read_oom_killed(struct monitor *m)
{
	struct md_err err;
	bool oom = false;

	if (!m->cg_made)
		return;
	if (cgroup_oom_killed(m->cg, m->cfg.id, &oom, &err) < 0)
		log_warn("%.12s: %s", m->cfg.id, err.msg);
	m->state.oom_killed = oom;
}

/* At the end: the monitor out of it, nothing left in it, then it goes
 * (and a spare's cgroup that never became the container's). */
static void release_cgroup(struct monitor *m)
{
	struct md_err err;

	mon_spare_release(m);
	if (!m->cg_made)
		return;
	mon_spare_left(m);
	if (cgroup_kill_all(m->cg, m->cfg.id, &err) < 0 || cgroup_remove(m->cg, m->cfg.id, &err) < 0)
		log_warn("%.12s: %s", m->cfg.id, err.msg);
}

static char *path_in(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Start the container's PID 1. */
static int start_container(struct monitor *m, struct md_err *err)
{
	cleanup_free char *rootfs = path_in(m->dir, CTR_ROOTFS_DIR);
	int child_fds[3] = { -1, -1, -1 };
	struct mon_proc *p = m->main;
	char uid_map[128], gid_map[128];
	struct mon_root root;
	struct ctr_spec spec = {
		.rootfs = rootfs,
		.host_image = m->cfg.image_id == NULL,
		.read_only = m->cfg.read_only,
		.hostname = m->cfg.hostname,
		.argv = m->cfg.argv,
		.envp = m->cfg.env,
		.cwd = m->cfg.cwd,
		.uid = m->cfg.uid,
		.gid = m->cfg.gid,
		.tty = m->cfg.tty,
		.rows = m->cfg.rows,
		.cols = m->cfg.cols,
		.init_fd = m->init_fd,
		.cap_mask = m->cfg.cap_mask,
		.seccomp = ctr_config_wants_seccomp(&m->cfg),
		.seccomp_prog = m->seccomp_prog,
		.seccomp_prog_len = m->seccomp_len,
		/* PID 1 of a spare's cgroup is born in it, as the monitor is. */
		.join_cgroup = m->cg && !m->in_ctr_cgroup ? monitor_join_cgroup : NULL,
		.join_cgroup_arg = m,
		.cgroup_fd = -1,
		.cgroup_ns = m->cg != NULL,
		.host_network = m->cfg.host_network,
		/* In a user namespace the network must be that namespace's own,
		 * for its root to administer it: cloned with it. */
		.netns_fd = m->cfg.host_network || m->cfg.userns ? -1 : m->netns_fd,
		.userns = m->cfg.userns,
		.setgroups_deny = m->cfg.userns && m->cfg.sub_gid_count == 0,
		.uid_map = uid_map,
		.gid_map = gid_map,
	};
	int r;

	ctr_config_id_map(&m->cfg, true, uid_map, sizeof(uid_map));
	ctr_config_id_map(&m->cfg, false, gid_map, sizeof(gid_map));
	p->logged = true;
	if (mon_root_prepare(m, &root, err) < 0) {
		mon_root_release(&root);
		return -1;
	}
	spec.root_mount_fd = root.root_fd;
	spec.mounts = root.mounts;
	spec.nmounts = root.n;
	if (mon_proc_make_pipes(p, child_fds, err) < 0) {
		mon_root_release(&root);
		return -1;
	}
	memcpy(spec.stdio, child_fds, sizeof(spec.stdio));
	/* v2: born in its cgroup rather than attached (v1 has no such clone). */
	if (spec.join_cgroup != NULL && cgroup_env_version(m->cg) == 2) {
		spec.cgroup_fd = cgroup_open_dir(m->cg, m->cfg.id, err);
		if (spec.cgroup_fd < 0)
			log_warn("%.12s: %s", m->cfg.id, err->msg);
		md_err_clear(err);
	}
	r = ctr_start(&spec, &p->proc, err);
	if (spec.cgroup_fd >= 0)
		close(spec.cgroup_fd);
	/* PID 1 entered it (or did not need it); held by ctr_start if so. */
	if (m->netns_fd >= 0) {
		close(m->netns_fd);
		m->netns_fd = -1;
	}
	/* The child has moved its copies in: ours are of no more use. */
	mon_root_release(&root);
	mon_proc_started(p, child_fds);
	if (r == 0)
		mon_spare_leave(m);
	return r;
}

static void report_start_failure(struct monitor *m, const struct md_err *err)
{
	struct md_err e = *err;
	struct json_object *o;

	md_err_prefix(&e, "cannot start container");
	m->state.status = CTR_CREATED;
	m->state.exit_code = e.status;
	m->state.finished_ns = time_now_ns();
	m->state.error = xstrdup(e.msg);
	read_oom_killed(m);
	release_cgroup(m);
	save_state(m);
	o = proto_msg_error(&e);
	mon_conn_broadcast(m, m->main, o);
	json_object_put(o);
}

static void report_started(struct monitor *m)
{
	struct json_object *o = proto_msg_new("started");

	m->state.status = CTR_RUNNING;
	m->state.pid = m->main->proc.pid;
	m->state.started_ns = time_now_ns();
	save_state(m);
	json_object_object_add(o, "id", json_object_new_string(m->cfg.id));
	json_object_object_add(o, "pid", json_object_new_int(m->main->proc.pid));
	mon_conn_broadcast(m, m->main, o);
	json_object_put(o);
}

static void reap_children(struct monitor *m)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(m->signal_fd, &si, sizeof(si)) == sizeof(si))
		;
	/* We are a subreaper: exec sessions and orphans land here too. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (mon_spare_reaped(m, pid, status))
			continue;
		for (struct mon_proc *p = m->procs; p != NULL; p = p->next) {
			if (p->proc.pid == pid && !p->reaped) {
				p->reaped = true;
				p->wstatus = status;
			}
		}
	}
}

static void accept_control(struct monitor *m)
{
	int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct mon_conn *c;
	struct json_object *o;

	if (fd < 0)
		return;
	if (mon_conn_count(m) >= MON_CONNS_MAX) {
		close(fd);
		return;
	}
	c = mon_conn_add(m, fd, MON_CONN_CONTROL, NULL);
	/* A restarted daemon, of whatever version: no exit acknowledgement
	 * is waited for from it (MON_EXIT_ACK_ENV). */
	m->exit_ack = false;
	o = monitor_state_msg(m);
	mon_conn_send(c, o);
	json_object_put(o);
}

/* An exec session ended: its clients get the exit and are let go. */
static void finish_exec(struct monitor *m, struct mon_proc *p)
{
	struct json_object *o = proto_msg_new("exit");

	json_object_object_add(o, "exit_code",
			       json_object_new_int(ctr_exit_code_from_wait(p->wstatus)));
	for (struct mon_conn *c = m->conns; c != NULL; c = c->next) {
		if (c->proc != p)
			continue;
		mon_conn_send(c, o);
		c->proc = NULL;
		c->flags = 0;
		c->close_when_flushed = true;
	}
	json_object_put(o);
}

static void drop_finished_execs(struct monitor *m)
{
	struct mon_proc **pp = &m->procs;

	while (*pp != NULL) {
		struct mon_proc *p = *pp;

		if (p == m->main || !mon_proc_done(p)) {
			pp = &p->next;
			continue;
		}
		if (p->proc.pid > 0)
			finish_exec(m, p);
		*pp = p->next;
		mon_proc_free(p);
	}
}

/* How long poll may wait, in ns; -1: until something happens. */
static int64_t poll_timeout_ns(const struct monitor *m, int64_t now_mono)
{
	int64_t t = -1;

	/* A blocked output is looked at again each second, to drop stalled
	 * readers in time. */
	for (const struct mon_conn *c = m->conns; c != NULL; c = c->next)
		if (c->full_since_ns != 0)
			t = 1000000000LL;
	if (m->kill_at_ns != 0) {
		int64_t left = m->kill_at_ns - now_mono;

		left = left < 0 ? 0 : left;
		if (t < 0 || left < t)
			t = left;
	}
	/* A pty waiting for its batch is read when the wait ends. */
	for (const struct mon_proc *p = m->procs; p != NULL; p = p->next) {
		int64_t left = p->batch_until_ns - now_mono;

		if (left > 0 && (t < 0 || left < t))
			t = left;
	}
	return t;
}

/* What each pollfd stands for, so results map back after poll. */
struct poll_ref {
	struct mon_proc *proc;
	struct mon_conn *conn;
	int what; /* 0, 1: out_fd[what]; 2: in_fd; for conns: unused */
};

static void poll_once(struct monitor *m)
{
	int64_t now = time_mono_ns(), wait;
	struct timespec ts;
	size_t n = 2, cap = 2;
	struct pollfd *pfd;
	struct poll_ref *ref;
	struct mon_proc *p;
	struct mon_conn *c;

	for (p = m->procs; p != NULL; p = p->next)
		cap += 3;
	for (c = m->conns; c != NULL; c = c->next)
		cap++;
	pfd = xcalloc(cap, sizeof(*pfd));
	ref = xcalloc(cap, sizeof(*ref));
	pfd[0] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = m->signal_fd, .events = POLLIN };
	for (p = m->procs; p != NULL; p = p->next) {
		bool blocked = mon_conn_output_blocked(m, p) || p->batch_until_ns > now;

		for (int i = 0; i < 2; i++) {
			ref[n] = (struct poll_ref){ .proc = p, .what = i };
			pfd[n++] = (struct pollfd){ .fd = blocked ? -1 : p->out_fd[i], .events = POLLIN };
		}
		ref[n] = (struct poll_ref){ .proc = p, .what = 2 };
		pfd[n++] = (struct pollfd){
			.fd = buf_used(&p->stdin_buf) > 0 ? p->in_fd : -1, .events = POLLOUT,
		};
	}
	for (c = m->conns; c != NULL; c = c->next) {
		/* Read no more from a client whose stdin or replies pile up:
		 * its own socket buffer holds it back, not our memory. */
		bool hold = ((c->flags & MON_CONN_INPUT) && c->proc != NULL &&
			     buf_used(&c->proc->stdin_buf) > MON_STDIN_MAX) ||
			    buf_used(&c->out) > MON_CONN_OUT_MAX;

		ref[n] = (struct poll_ref){ .conn = c };
		pfd[n++] = (struct pollfd){
			.fd = c->fd,
			.events = (short)((hold ? 0 : POLLIN) | (buf_used(&c->out) ? POLLOUT : 0)),
		};
	}
	wait = poll_timeout_ns(m, now);
	if (wait >= 0)
		ts = (struct timespec){ .tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL };
	if (ppoll(pfd, n, wait >= 0 ? &ts : NULL, NULL) < 0 && errno != EINTR)
		fatal("poll: %s", strerror(errno));

	if (pfd[1].revents)
		reap_children(m);
	for (size_t i = 2; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (ref[i].proc != NULL && ref[i].what < 2 && ref[i].proc->out_fd[ref[i].what] >= 0)
			mon_proc_read_output(m, ref[i].proc, ref[i].what);
		else if (ref[i].proc != NULL && ref[i].what == 2 && ref[i].proc->in_fd >= 0)
			mon_proc_write_stdin(ref[i].proc);
		else if (ref[i].conn != NULL && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			mon_conn_read(m, ref[i].conn);
	}
	if (pfd[0].revents)
		accept_control(m);
	free(pfd);
	free(ref);
}

static void close_finished_stdin(struct monitor *m)
{
	for (struct mon_proc *p = m->procs; p != NULL; p = p->next) {
		if (p->stdin_eof && p->in_fd >= 0 && !p->tty && buf_used(&p->stdin_buf) == 0) {
			close(p->in_fd);
			p->in_fd = -1;
		}
	}
}

static void run_loop(struct monitor *m)
{
	while (!mon_proc_done(m->main)) {
		poll_once(m);
		close_finished_stdin(m);
		if (m->kill_at_ns != 0 && time_mono_ns() >= m->kill_at_ns) {
			kill_container(m);
			m->kill_at_ns = 0;
		}
		drop_finished_execs(m);
		for (struct mon_conn *c = m->conns; c != NULL; c = c->next)
			mon_conn_write(c);
		mon_conn_reap_dead(m);
	}
}

/* Give readers a bounded time to take the last bytes and the exit. */
static void drain_clients(struct monitor *m)
{
	int64_t deadline = time_now_ns() + (int64_t)MON_DRAIN_MS * 1000000LL;

	for (;;) {
		struct pollfd pfd[64];
		nfds_t n = 0;
		int64_t left = (deadline - time_now_ns()) / 1000000;

		for (struct mon_conn *c = m->conns; c != NULL && n < ARRAY_SIZE(pfd); c = c->next) {
			mon_conn_write(c);
			if (!c->dead && buf_used(&c->out) > 0)
				pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
		}
		if (n == 0 || left <= 0)
			break;
		poll(pfd, n, (int)left);
	}
}

/* Until the daemon says it recorded PID 1's exit, its link closes, or
 * MON_EXIT_ACK_MS pass. While it acknowledges exits, the link it started
 * us with is our only control connection (accept_control ends that). */
static bool wait_exit_recorded(struct monitor *m)
{
	int64_t deadline = time_mono_ns() + MON_EXIT_ACK_MS * 1000000LL;
	struct mon_conn *link = NULL;

	for (struct mon_conn *c = m->conns; c != NULL; c = c->next)
		if (c->flags & MON_CONN_CONTROL)
			link = c;
	while (!m->exit_recorded && link != NULL) {
		int64_t left = (deadline - time_mono_ns()) / 1000000;
		struct pollfd p = { .fd = link->fd, .events = POLLIN };

		mon_conn_write(link);
		if (link->dead || left <= 0)
			break;
		if (buf_used(&link->out) > 0)
			p.events |= POLLOUT;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			break;
		if (p.revents & (POLLIN | POLLHUP | POLLERR))
			mon_conn_read(m, link);
	}
	return m->exit_recorded;
}

/* PID 1's exit, to the daemon and then to the clients attached to it.
 * With a daemon that acknowledges exits, the clients hear of it once the
 * daemon has recorded it (and removed a --rm container), marked so: the
 * run client then need not ask the daemon itself, one connection and
 * request less per run. A --rm container's directory is in the daemon's
 * trash by then, with our overlay still mounted in the namespace we hold
 * until after this report; the trash worker deletes it at least
 * TRASH_DELAY_MS later, and the overlay's container is dead anyway. */
static void report_exit(struct monitor *m)
{
	struct json_object *o = proto_msg_new("exit");
	bool recorded;

	json_object_object_add(o, "exit_code", json_object_new_int(m->state.exit_code));
	if (m->exit_ack)
		json_object_object_add(o, "ack", json_object_new_boolean(true));
	m->exit_recorded = false;
	for (struct mon_conn *c = m->conns; c != NULL; c = c->next)
		if (c->flags & MON_CONN_CONTROL)
			mon_conn_send(c, o);
	json_object_put(o);
	recorded = m->exit_ack && wait_exit_recorded(m);

	o = proto_msg_new("exit");
	json_object_object_add(o, "exit_code", json_object_new_int(m->state.exit_code));
	if (recorded)
		json_object_object_add(o, "recorded", json_object_new_boolean(true));
	for (struct mon_conn *c = m->conns; c != NULL; c = c->next)
		if (!(c->flags & MON_CONN_CONTROL) && c->proc == m->main)
			mon_conn_send(c, o);
	json_object_put(o);
}

/* The exit, in conmon's order: output drained (run_loop ends only then),
 * log synced, exit written to disk atomically, then reported. A daemon
 * that misses the report still finds the truth on disk. The namespaces
 * PID 1 left to us go after the report (ctr-setup.h), then the cgroup:
 * PID 1's death emptied its PID namespace, so nothing of the container
 * runs on, and their removal (and the monitor's way out of a spare
 * cgroup) is no one's wait. */
static void finish(struct monitor *m)
{
	if (!m->cfg.auto_remove && m->log_fd >= 0 && fsync(m->log_fd) < 0 && errno != EINVAL)
		log_warn("fsync log: %s", strerror(errno));
	read_oom_killed(m);
	m->state.status = CTR_EXITED;
	m->state.exit_code = ctr_exit_code_from_wait(m->main->wstatus);
	m->state.finished_ns = time_now_ns();
	m->state.pid = 0;
	save_state(m);
	report_exit(m);
	/* Exec sessions died with the container's PID namespace. */
	for (struct mon_proc *p = m->procs; p != NULL; p = p->next)
		if (p != m->main && p->proc.pid > 0)
			finish_exec(m, p);
	for (struct mon_conn *c = m->conns; c != NULL; c = c->next)
		mon_conn_write(c);
	/* The report is queued (sent, unless a client lags): now the
	 * namespaces' teardown (ctr-setup.h). */
	ctr_proc_release_ns(&m->main->proc);
	release_cgroup(m);
	drain_clients(m);
}

/* What every monitor needs before it knows its container (a spare does
 * it while it waits). */
static int monitor_init_process(struct monitor *m, struct md_err *err)
{
	m->state.monitor_pid = getpid();
	/* No supplementary group of the daemon's may follow a container in:
	 * where setgroups is denied it could never be dropped. */
	if (setgroups(0, NULL) < 0)
		return md_err_set(err, errno, "setgroups");
	/* Exec'd processes are reparented to us when their joiner exits. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return md_err_set(err, errno, "set child subreaper");
	m->signal_fd = open_signalfd(err);
	if (m->signal_fd < 0)
		return -1;
	return 0;
}

static int monitor_init(struct monitor *m, struct md_err *err)
{
	cleanup_free char *log_path = path_in(m->dir, CTR_LOG_FILE);
	struct stat st;

	if (ctr_config_load(m->dir, &m->cfg, err) < 0)
		return -1;
	/* First: a monitor taken from the spare leaves the container's
	 * cgroup here when it has limits, before it allocates much (v1
	 * charges stay where they were made). */
	if (setup_cgroup(m, err) < 0)
		return -1;
	m->listen_fd = open_listen_socket(m->rundir, err);
	if (m->listen_fd < 0)
		return -1;
	if (m->cfg.init && (m->init_fd = open_init_memfd(err)) < 0)
		return -1;
	m->log_fd = mon_log_open(log_path, err);
	if (m->log_fd < 0)
		return -1;
	if (fstat(m->log_fd, &st) == 0)
		m->log_size = (uint64_t)st.st_size;
	return 0;
}

/* The filter the daemon built once, on MON_SECCOMP_FD: each container
 * process loads it as it is, instead of building it with libseccomp
 * (about a millisecond of every start). Absent or odd: built as before. */
static void take_seccomp_prog(struct monitor *m)
{
	struct stat st;
	ssize_t n;

	if (fstat(MON_SECCOMP_FD, &st) < 0)
		return;
	if (S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= 64 * 1024 &&
	    st.st_size % 8 == 0) {
		m->seccomp_prog = xmalloc((size_t)st.st_size);
		n = pread(MON_SECCOMP_FD, m->seccomp_prog, (size_t)st.st_size, 0);
		if (n == st.st_size) {
			m->seccomp_len = (size_t)n;
		} else {
			free(m->seccomp_prog);
			m->seccomp_prog = NULL;
		}
	}
	close(MON_SECCOMP_FD);
}

int main(int argc, char **argv)
{
	struct monitor m = {
		.listen_fd = -1, .signal_fd = -1, .log_fd = -1, .init_fd = -1, .netns_fd = -1,
		.log_max = MON_LOG_MAX_DEFAULT,
		.exit_ack = getenv(MON_EXIT_ACK_ENV) != NULL,
	};
	const char *log_max = getenv("MINIDOCKER_LOG_MAX");
	const char *nofile = getenv("MINIDOCKER_NOFILE");
	unsigned long long n;
	bool spare = getenv(MON_SPARE_ENV) != NULL, factory = getenv(MON_FACTORY_ENV) != NULL;
	int taken = 0;
	struct md_err err;
	struct mon_conn *c;

	log_init("minidocker-monitor", LOG_INFO);
	if (argc != 3)
		fatal("usage: minidocker-monitor CTR_DIR RUN_DIR (started by minidockerd)");
	m.dir = argv[1];
	m.rundir = argv[2];
	/* From the daemon's --log-max-size; 0 turns rotation off. */
	if (log_max != NULL && parse_uint(log_max, UINT64_MAX / 2, &n) == 0)
		m.log_max = n;
	/* The daemon raised its own fd limit; the container gets the one the
	 * daemon was started with, as before. */
	if (nofile != NULL && parse_uint(nofile, UINT32_MAX, &n) == 0 && n > 0) {
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && n < rl.rlim_cur) {
			rl.rlim_cur = n;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				log_warn("fd limit: %s", strerror(errno));
		}
	}
	md_err_clear(&err);
	if (fcntl(CONTROL_FD, F_GETFD) < 0)
		fatal("no control connection on fd %d", CONTROL_FD);
	take_seccomp_prog(&m);
	if (spare || factory)
		mon_spare_reserve_fds();
	/* Each spare it forks has done all of the above already. */
	if (factory) {
		mon_factory_run(argv);
		spare = true;
	}
	if (spare) {
		if (monitor_init_process(&m, &err) < 0)
			fatal("spare monitor: %s", err.msg);
		mon_spare_prepare(&m);
		taken = mon_spare_wait(&m, &err);
	}
	mon_conn_add(&m, CONTROL_FD, MON_CONN_CONTROL, NULL);
	c = fcntl(CLIENT_FD, F_GETFD) >= 0
		    ? mon_conn_add(&m, CLIENT_FD, MON_CONN_OUTPUT | MON_CONN_PRIMARY, NULL)
		    : NULL;

	/* The client of an attached run follows PID 1 from the start, so a
	 * failed start reaches it too. */
	if (taken == 0 && (spare || monitor_init_process(&m, &err) == 0) &&
	    monitor_init(&m, &err) == 0) {
		m.main = mon_proc_new(&m, m.cfg.tty, m.cfg.open_stdin);
		if (c != NULL)
			c->proc = m.main;
	}
	if (m.main == NULL || start_container(&m, &err) < 0) {
		report_start_failure(&m, &err);
		for (c = m.conns; c != NULL; c = c->next)
			mon_conn_write(c);
		drain_clients(&m);
		return 1;
	}
	/* With -i, the attached client's stdin frames go to PID 1 from now on. */
	if (c != NULL && m.main->in_fd >= 0)
		c->flags |= MON_CONN_INPUT;
	report_started(&m);
	run_loop(&m);
	finish(&m);
	return 0;
}
