#include "fd-closer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"

/* fds per message (fds_send's most). */
#define CLOSER_BATCH FDS_SEND_MAX

/* Messages: 'f' with fds attached, then 'c' once the daemon closed its
 * copies; the closer closes what it holds only on 'c'. */
#define MSG_FDS 'f'
#define MSG_CLOSE 'c'

static int closer_sock = -1;

static void *close_one(void *arg)
{
	close((int)(intptr_t)arg);
	return NULL;
}

/* In a thread of its own: one file that never lets go keeps only its
 * thread, not the closer. */
static void close_detached(int fd)
{
	pthread_attr_t attr;
	pthread_t t;

	if (pthread_attr_init(&attr) != 0) {
		close(fd);
		return;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&t, &attr, close_one, (void *)(intptr_t)fd) != 0)
		close(fd);
	pthread_attr_destroy(&attr);
}

static __attribute__((noreturn)) void closer_main(int sock)
{
	static int held[4096];
	size_t nheld = 0;

	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * CLOSER_BATCH)];
			struct cmsghdr align;
		} u;
		char kind = 0;
		struct iovec iov = { .iov_base = &kind, .iov_len = 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0); /* the daemon is gone */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fds[CLOSER_BATCH];

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			memcpy(fds, CMSG_DATA(c), k * sizeof(int));
			for (size_t i = 0; i < k; i++) {
				if (nheld < sizeof(held) / sizeof(held[0]))
					held[nheld++] = fds[i];
				else
					close_detached(fds[i]);
			}
		}
		if (kind == MSG_CLOSE) {
			for (size_t i = 0; i < nheld; i++)
				close_detached(held[i]);
			nheld = 0;
		}
	}
}

int closer_start(struct md_err *err)
{
	int sv[2];
	pid_t pid, daemon_pid = getpid();

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return md_err_set(err, errno, "socketpair");
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return md_err_set(err, errno, "fork the fd closer");
	}
	if (pid == 0) {
		/* Only its own socket: nothing of the daemon's stays open here. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != daemon_pid ||
		    dup3(sv[1], 3, O_CLOEXEC) < 0 || close_range(4, ~0U, 0) < 0)
			_exit(1);
		prctl(PR_SET_NAME, "minidockerd-cls");
		signal(SIGPIPE, SIG_IGN);
		closer_main(3);
	}
	close(sv[1]);
	closer_sock = sv[0];
	fd_set_nonblock(closer_sock, true);
	return 0;
}

void closer_close(const int *fds, size_t n)
{
	while (n > 0) {
		size_t k = n < CLOSER_BATCH ? n : CLOSER_BATCH;
		char kind = MSG_FDS;

		if (closer_sock < 0 || fds_send(closer_sock, &kind, 1, fds, k) != 1) {
			/* No closer (gone, or its queue full): close here. */
			for (size_t i = 0; i < k; i++)
				close(fds[i]);
		} else {
			for (size_t i = 0; i < k; i++)
				close(fds[i]);
			kind = MSG_CLOSE;
			if (send(closer_sock, &kind, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
				log_warn("fd closer: %s", strerror(errno));
		}
		fds += k;
		n -= k;
	}
}

void closer_close_fd(int fd)
{
	if (fd >= 0)
		closer_close(&fd, 1);
}
