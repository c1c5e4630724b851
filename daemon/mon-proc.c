/* A relayed process's I/O in the monitor: its output to the log and to the
 * attached clients, the clients' input to its stdin. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "mon-log.h"
#include "monitor.h"

struct mon_proc *mon_proc_new(struct monitor *m, bool tty, bool open_stdin)
{
	struct mon_proc *p = xcalloc(1, sizeof(*p)), **tail = &m->procs;

	p->id = m->next_proc_id++;
	p->tty = tty;
	p->open_stdin = open_stdin;
	p->out_fd[0] = p->out_fd[1] = p->in_fd = -1;
	p->proc.pidfd = p->proc.pty_master = -1;
	p->proc.held_ns[0] = p->proc.held_ns[1] = -1;
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = p;
	return p;
}

#define MON_PIPE_SIZE (1024 * 1024)

int mon_proc_make_pipes(struct mon_proc *p, int child_fds[3], struct md_err *err)
{
	int fds[2];

	child_fds[0] = child_fds[1] = child_fds[2] = -1;
	if (p->tty)
		return 0;
	if (p->open_stdin) {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return md_err_set(err, errno, "pipe");
		child_fds[0] = fds[0];
		p->in_fd = fds[1];
	}
	for (int i = 0; i < 2; i++) {
		if (pipe2(fds, O_CLOEXEC) < 0)
			return md_err_set(err, errno, "pipe");
		p->out_fd[i] = fds[0];
		child_fds[i + 1] = fds[1];
		/* Room for the container to run ahead while the monitor logs:
		 * fewer, larger reads. Best effort: the default works too. */
		(void)fcntl(fds[0], F_SETPIPE_SZ, MON_PIPE_SIZE);
	}
	return 0;
}

void mon_proc_started(struct mon_proc *p, int child_fds[3])
{
	for (int i = 0; i < 3; i++)
		if (child_fds[i] >= 0)
			close(child_fds[i]);
	if (p->tty && p->proc.pty_master >= 0) {
		p->out_fd[0] = p->proc.pty_master;
		if (p->open_stdin) {
			p->in_fd = fcntl(p->proc.pty_master, F_DUPFD_CLOEXEC, 0);
			if (p->in_fd < 0)
				log_warn("dup pty: %s", strerror(errno));
		}
	}
	for (int i = 0; i < 2; i++)
		if (p->out_fd[i] >= 0)
			fd_set_nonblock(p->out_fd[i], true);
	if (p->in_fd >= 0)
		fd_set_nonblock(p->in_fd, true);
}

static void rotate_log(struct monitor *m)
{
	cleanup_free char *path = xasprintf("%s/%s", m->dir, CTR_LOG_FILE);
	struct md_err err;
	/* A child forked while we are still in the container's cgroup
	 * (mon-spare.c) would be born, and left, there. */
	int fd = mon_log_rotate(path, m->log_fd, !m->in_ctr_cgroup, &err);

	/* A failure is retried after another log_max, not at every write. */
	m->log_size = 0;
	if (fd < 0) {
		log_warn("%s", err.msg);
		return;
	}
	m->log_fd = fd;
}

static void log_output(struct monitor *m, enum frame_type stream, const uint8_t *data, size_t n)
{
	uint64_t wrote = mon_log_write(m->log_fd, stream, data, n, time_now_ns());

	m->log_size += wrote;
	if (m->log_max > 0 && m->log_size >= m->log_max)
		rotate_log(m);
}

void mon_proc_read_output(struct monitor *m, struct mon_proc *p, int i)
{
	uint8_t data[PROTO_DATA_CHUNK];
	enum frame_type stream = i == 0 ? FRAME_STDOUT : FRAME_STDERR;
	ssize_t n = read(p->out_fd[i], data, sizeof(data));

	if (n > 0) {
		int64_t now = time_mono_ns();

		if (p->tty && n < MON_PTY_BATCH_MIN && now - p->last_read_ns < MON_PTY_STREAM_NS)
			p->batch_until_ns = now + MON_PTY_BATCH_NS;
		p->last_read_ns = now;
		if (p->logged)
			log_output(m, stream, data, (size_t)n);
		mon_conn_broadcast_data(m, p, stream, data, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF, or EIO from a pty master whose every slave is closed. */
	close(p->out_fd[i]);
	p->out_fd[i] = -1;
	if (i == 0 && p->tty && p->in_fd >= 0) {
		close(p->in_fd);
		p->in_fd = -1;
	}
}

void mon_proc_write_stdin(struct mon_proc *p)
{
	if (buf_flush(&p->stdin_buf, p->in_fd) < 0) {
		/* The process closed its stdin: drop what is queued. */
		buf_free(&p->stdin_buf);
		close(p->in_fd);
		p->in_fd = -1;
	}
}

void mon_proc_signal(struct mon_proc *p, int sig)
{
	/* Through the pidfd: never a process that reused a reaped pid. */
	if (p->proc.pidfd >= 0 && !p->reaped &&
	    syscall(SYS_pidfd_send_signal, p->proc.pidfd, sig, NULL, 0) < 0 && errno != ESRCH)
		log_warn("signal %d: %s", sig, strerror(errno));
}

void mon_proc_resize(struct mon_proc *p, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	if (p->tty && p->out_fd[0] >= 0 && ioctl(p->out_fd[0], TIOCSWINSZ, &ws) < 0)
		log_warn("resize: %s", strerror(errno));
}

bool mon_proc_done(const struct mon_proc *p)
{
	return p->reaped && p->out_fd[0] < 0 && p->out_fd[1] < 0;
}

void mon_proc_free(struct mon_proc *p)
{
	for (int i = 0; i < 2; i++)
		if (p->out_fd[i] >= 0)
			close(p->out_fd[i]);
	if (p->in_fd >= 0)
		close(p->in_fd);
	if (p->proc.pidfd >= 0)
		close(p->proc.pidfd);
	ctr_proc_release_ns(&p->proc);
	buf_free(&p->stdin_buf);
	free(p);
}
