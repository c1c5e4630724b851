#include "ctr-sync.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/util.h"

int sync_send(int fd, const struct sync_msg *m, int pass_fd)
{
	return fd_send(fd, m, sizeof(*m), pass_fd) < 0 ? -1 : 0;
}

int sync_recv(int fd, struct sync_msg *m, int *got_fd)
{
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	ssize_t n;

	*got_fd = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return (int)n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(got_fd, CMSG_DATA(c), sizeof(int));
	if ((size_t)n != sizeof(*m)) {
		errno = EPROTO;
		return -1;
	}
	m->text[sizeof(m->text) - 1] = '\0';
	return 1;
}

void sync_fail(int sync_fd, const struct md_err *err)
{
	struct sync_msg m = { .kind = SYNC_ERROR, .errnum = err->errnum, .status = err->status };

	snprintf(m.text, sizeof(m.text), "%s", err->msg);
	sync_send(sync_fd, &m, -1);
	_exit(MD_STATUS_FAILED);
}

/* How long a container process may take from clone to exec. Setup is a
 * few milliseconds; a child stuck on something the container planted
 * (a FIFO, a hung mount) must not freeze its monitor. */
#define SYNC_DEADLINE_MS 30000

int sync_wait_exec(int sync_fd, struct ctr_proc *out, pid_t *pid, struct md_err *err)
{
	for (;;) {
		struct pollfd p = { .fd = sync_fd, .events = POLLIN };
		struct sync_msg m;
		int got_fd, r;

		r = poll(&p, 1, SYNC_DEADLINE_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return md_err_set(err, r == 0 ? ETIMEDOUT : errno, "container setup");
		r = sync_recv(sync_fd, &m, &got_fd);

		if (r == 0)
			return 0;
		if (r < 0) {
			if (got_fd >= 0)
				close(got_fd);
			return md_err_set(err, errno, "container setup");
		}
		if (m.kind == SYNC_PTY && got_fd >= 0 && out->pty_master < 0) {
			out->pty_master = got_fd;
			continue;
		}
		if (got_fd >= 0)
			close(got_fd);
		if (m.kind == SYNC_PID && pid != NULL) {
			*pid = m.pid;
			continue;
		}
		if (m.kind == SYNC_ERROR) {
			snprintf(err->msg, sizeof(err->msg), "%s", m.text);
			err->errnum = m.errnum;
			err->status = m.status ? m.status : MD_STATUS_FAILED;
			return -1;
		}
		return md_err_set(err, EPROTO, "container setup");
	}
}

void sync_abort_child(pid_t pid, int pidfd, struct ctr_proc *out)
{
	if (out->pty_master >= 0)
		close(out->pty_master);
	out->pty_master = -1;
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (pidfd >= 0)
		close(pidfd);
}
