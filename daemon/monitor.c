/* minidocker-monitor: see monitor.h. Invoked by the daemon as
 *   minidocker-monitor CTR_DIR RUN_DIR
 * with fd 3 a connected control socket to the daemon and, for an attached
 * run, fd 4 the client's own connection. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "mon-log.h"

#define CONTROL_FD 3
#define CLIENT_FD 4

struct json_object *monitor_state_msg(const struct monitor *m)
{
	struct json_object *o = proto_msg_new("state");

	json_object_object_add(o, "id", json_object_new_string(m->cfg.id));
	json_object_object_add(o, "status",
			       json_object_new_string(ctr_status_name(m->state.status)));
	json_object_object_add(o, "pid", json_object_new_int(m->state.pid));
	json_object_object_add(o, "tty", json_object_new_boolean(m->cfg.tty));
	return o;
}

void monitor_signal(struct monitor *m, int sig)
{
	/* Through the pidfd: never a process that reused a reaped pid. */
	if (m->proc.pidfd >= 0 && !m->reaped &&
	    syscall(SYS_pidfd_send_signal, m->proc.pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		log_warn("signal %d: %s", sig, strerror(errno));
}

void monitor_stop(struct monitor *m, int timeout_s)
{
	int64_t at = time_now_ns() + (int64_t)timeout_s * 1000000000LL;

	if (m->reaped)
		return;
	monitor_signal(m, timeout_s > 0 ? SIGTERM : SIGKILL);
	if (m->kill_at_ns == 0 || at < m->kill_at_ns)
		m->kill_at_ns = at;
}

void monitor_resize(struct monitor *m, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	if (m->cfg.tty && m->out_fd[0] >= 0 && ioctl(m->out_fd[0], TIOCSWINSZ, &ws) < 0)
		log_warn("resize: %s", strerror(errno));
}

static void save_state(struct monitor *m)
{
	struct md_err err;

	if (ctr_state_save(m->dir, &m->state, &err) < 0)
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
	sigset_t set;
	int fd;

	/* Terminal and termination signals must not end the monitor: it lives
	 * as long as its container, whatever happens to the daemon. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return md_err_set(err, errno, "sigprocmask");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return md_err_set(err, errno, "signalfd");
	return fd;
}

/* Pipes for the container's stdio without a tty: the container gets the
 * ends in child_fds, the monitor keeps the others. */
static int make_pipes(struct monitor *m, int child_fds[3], struct md_err *err)
{
	int p[2];

	child_fds[0] = -1;
	m->in_fd = -1;
	if (m->cfg.open_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return md_err_set(err, errno, "pipe");
		child_fds[0] = p[0];
		m->in_fd = p[1];
	}
	for (int i = 0; i < 2; i++) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return md_err_set(err, errno, "pipe");
		m->out_fd[i] = p[0];
		child_fds[i + 1] = p[1];
	}
	return 0;
}

static char *path_in(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Start the container; on failure report it and return -1. */
static int start_container(struct monitor *m, struct md_err *err)
{
	cleanup_free char *rootfs = path_in(m->dir, CTR_ROOTFS_DIR);
	int child_fds[3] = { -1, -1, -1 };
	struct ctr_spec spec = {
		.rootfs = rootfs,
		.host_image = strcmp(m->cfg.image, CTR_DEFAULT_IMAGE) == 0,
		.hostname = m->cfg.hostname,
		.argv = m->cfg.argv,
		.envp = m->cfg.env,
		.cwd = m->cfg.cwd,
		.uid = m->cfg.uid,
		.gid = m->cfg.gid,
		.tty = m->cfg.tty,
		.rows = m->cfg.rows,
		.cols = m->cfg.cols,
	};
	int r;

	m->out_fd[0] = m->out_fd[1] = m->in_fd = -1;
	if (!m->cfg.tty && make_pipes(m, child_fds, err) < 0)
		return -1;
	memcpy(spec.stdio, child_fds, sizeof(spec.stdio));
	r = ctr_start(&spec, &m->proc, err);
	for (int i = 0; i < 3; i++)
		if (child_fds[i] >= 0)
			close(child_fds[i]);
	if (r < 0)
		return -1;
	if (m->cfg.tty) {
		m->out_fd[0] = m->proc.pty_master;
		m->in_fd = dup(m->proc.pty_master);
		if (m->in_fd < 0)
			log_warn("dup pty: %s", strerror(errno));
		else
			fd_set_cloexec(m->in_fd, true);
	}
	for (int i = 0; i < 2; i++)
		if (m->out_fd[i] >= 0)
			fd_set_nonblock(m->out_fd[i], true);
	if (m->in_fd >= 0)
		fd_set_nonblock(m->in_fd, true);
	return 0;
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
	save_state(m);
	o = proto_msg_error(&e);
	mon_conn_broadcast(m, o);
	json_object_put(o);
}

static void report_started(struct monitor *m)
{
	struct json_object *o = proto_msg_new("started");

	m->state.status = CTR_RUNNING;
	m->state.pid = m->proc.pid;
	m->state.started_ns = time_now_ns();
	save_state(m);
	json_object_object_add(o, "id", json_object_new_string(m->cfg.id));
	json_object_object_add(o, "pid", json_object_new_int(m->proc.pid));
	mon_conn_broadcast(m, o);
	json_object_put(o);
}

static void read_output(struct monitor *m, int i)
{
	uint8_t data[PROTO_DATA_CHUNK];
	enum frame_type stream = i == 0 ? FRAME_STDOUT : FRAME_STDERR;
	ssize_t n = read(m->out_fd[i], data, sizeof(data));

	if (n > 0) {
		mon_log_write(m->log_fd, stream, data, (size_t)n, time_now_ns());
		mon_conn_broadcast_data(m, stream, data, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF, or EIO from a pty master whose every slave is closed. */
	close(m->out_fd[i]);
	m->out_fd[i] = -1;
	if (i == 0 && m->cfg.tty && m->in_fd >= 0) {
		close(m->in_fd);
		m->in_fd = -1;
	}
}

static void write_stdin(struct monitor *m)
{
	if (buf_flush(&m->stdin_buf, m->in_fd) < 0) {
		/* The container closed its stdin: drop what is queued. */
		buf_free(&m->stdin_buf);
		close(m->in_fd);
		m->in_fd = -1;
	}
}

static void reap_child(struct monitor *m)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(m->signal_fd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == m->proc.pid) {
			m->reaped = true;
			m->wstatus = status;
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
	c = mon_conn_add(m, fd, MON_CONN_CONTROL);
	o = monitor_state_msg(m);
	mon_conn_send(c, o);
	json_object_put(o);
}

/* Index of the pollfd for each source, so results map back after poll. */
enum { PFD_LISTEN, PFD_SIGNAL, PFD_OUT0, PFD_OUT1, PFD_IN, PFD_CONNS };

static int poll_timeout_ms(const struct monitor *m)
{
	int64_t left;

	if (m->kill_at_ns == 0)
		return -1;
	left = (m->kill_at_ns - time_now_ns()) / 1000000;
	return left < 0 ? 0 : (int)(left > 60000 ? 60000 : left + 1);
}

static void run_loop(struct monitor *m)
{
	while (!m->reaped || m->out_fd[0] >= 0 || m->out_fd[1] >= 0) {
		size_t nconns = 0, i;
		struct mon_conn *c;
		struct pollfd *pfd;
		bool blocked = mon_conn_output_blocked(m);
		bool stdin_full = buf_used(&m->stdin_buf) > MON_STDIN_MAX;

		for (c = m->conns; c != NULL; c = c->next)
			nconns++;
		pfd = xcalloc(PFD_CONNS + nconns, sizeof(*pfd));
		pfd[PFD_LISTEN] = (struct pollfd){ .fd = m->listen_fd, .events = POLLIN };
		pfd[PFD_SIGNAL] = (struct pollfd){ .fd = m->signal_fd, .events = POLLIN };
		pfd[PFD_OUT0] = (struct pollfd){ .fd = blocked ? -1 : m->out_fd[0], .events = POLLIN };
		pfd[PFD_OUT1] = (struct pollfd){ .fd = blocked ? -1 : m->out_fd[1], .events = POLLIN };
		pfd[PFD_IN] = (struct pollfd){
			.fd = buf_used(&m->stdin_buf) > 0 ? m->in_fd : -1, .events = POLLOUT,
		};
		for (c = m->conns, i = PFD_CONNS; c != NULL; c = c->next, i++) {
			bool hold = stdin_full && (c->flags & MON_CONN_INPUT);

			pfd[i].fd = c->fd;
			pfd[i].events = (short)((hold ? 0 : POLLIN) | (buf_used(&c->out) ? POLLOUT : 0));
		}
		if (poll(pfd, PFD_CONNS + nconns, poll_timeout_ms(m)) < 0 && errno != EINTR)
			fatal("poll: %s", strerror(errno));

		if (pfd[PFD_SIGNAL].revents)
			reap_child(m);
		for (int s = 0; s < 2; s++)
			if (pfd[PFD_OUT0 + s].revents)
				read_output(m, s);
		if (pfd[PFD_IN].revents && m->in_fd >= 0)
			write_stdin(m);
		for (c = m->conns, i = PFD_CONNS; c != NULL && i < PFD_CONNS + nconns; c = c->next, i++) {
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				mon_conn_read(m, c);
			if (pfd[i].revents & POLLOUT)
				mon_conn_write(c);
		}
		if (pfd[PFD_LISTEN].revents)
			accept_control(m);
		free(pfd);

		if (m->stdin_eof && m->in_fd >= 0 && !m->cfg.tty && buf_used(&m->stdin_buf) == 0) {
			close(m->in_fd);
			m->in_fd = -1;
		}
		if (m->kill_at_ns != 0 && time_now_ns() >= m->kill_at_ns) {
			monitor_signal(m, SIGKILL);
			m->kill_at_ns = 0;
		}
		mon_conn_reap_dead(m);
		for (c = m->conns; c != NULL; c = c->next)
			mon_conn_write(c);
	}
}

/* The exit, in conmon's order: output drained (run_loop ends only then),
 * log synced, exit written to disk atomically, then reported. A daemon
 * that misses the report still finds the truth on disk. */
static void finish(struct monitor *m)
{
	struct json_object *o = proto_msg_new("exit");
	int64_t deadline;

	if (m->log_fd >= 0 && fsync(m->log_fd) < 0 && errno != EINVAL)
		log_warn("fsync log: %s", strerror(errno));
	m->state.status = CTR_EXITED;
	m->state.exit_code = ctr_exit_code_from_wait(m->wstatus);
	m->state.finished_ns = time_now_ns();
	m->state.pid = 0;
	save_state(m);
	json_object_object_add(o, "exit_code", json_object_new_int(m->state.exit_code));
	mon_conn_broadcast(m, o);
	json_object_put(o);

	/* Give readers a bounded time to take the last bytes and the exit. */
	deadline = time_now_ns() + (int64_t)MON_DRAIN_MS * 1000000LL;
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

static int monitor_init(struct monitor *m, struct md_err *err)
{
	cleanup_free char *log_path = path_in(m->dir, CTR_LOG_FILE);

	if (ctr_config_load(m->dir, &m->cfg, err) < 0)
		return -1;
	m->state.monitor_pid = getpid();
	m->signal_fd = open_signalfd(err);
	if (m->signal_fd < 0)
		return -1;
	m->listen_fd = open_listen_socket(m->rundir, err);
	if (m->listen_fd < 0)
		return -1;
	m->log_fd = mon_log_open(log_path, err);
	return m->log_fd < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct monitor m = { .listen_fd = -1, .signal_fd = -1, .log_fd = -1 };
	struct md_err err;

	log_init("minidocker-monitor", LOG_INFO);
	if (argc != 3)
		fatal("usage: minidocker-monitor CTR_DIR RUN_DIR (started by minidockerd)");
	m.dir = argv[1];
	m.rundir = argv[2];
	md_err_clear(&err);
	if (fcntl(CONTROL_FD, F_GETFD) < 0)
		fatal("no control connection on fd %d", CONTROL_FD);
	mon_conn_add(&m, CONTROL_FD, MON_CONN_CONTROL);
	if (fcntl(CLIENT_FD, F_GETFD) >= 0)
		mon_conn_add(&m, CLIENT_FD, MON_CONN_OUTPUT);

	if (monitor_init(&m, &err) < 0 || start_container(&m, &err) < 0) {
		report_start_failure(&m, &err);
		m.reaped = true;
		m.wstatus = 0;
		for (struct mon_conn *c = m.conns; c != NULL; c = c->next)
			mon_conn_write(c);
		return 1;
	}
	/* The client of an attached run (-i) writes stdin from now on. */
	for (struct mon_conn *c = m.conns; c != NULL; c = c->next)
		if (!(c->flags & MON_CONN_CONTROL) && m.cfg.open_stdin && m.in_fd >= 0)
			c->flags |= MON_CONN_INPUT;
	report_started(&m);
	run_loop(&m);
	finish(&m);
	return 0;
}
