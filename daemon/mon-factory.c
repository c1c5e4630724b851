/*
 * The spare factory. Each spare monitor used to be spawned by the daemon:
 * posix_spawn, execve and glibc's start-up (whose cpuid calls trap to the
 * hypervisor of a VM), about 0.5 ms of CPU per container while the one
 * that took the last spare runs, and starts one after another are bound
 * by the CPU each costs. The daemon now starts one monitor as a factory
 * (MON_FACTORY_ENV) and asks it for each spare: {"type":"spare","id":ID}
 * with the spare's end of a new control socket. The factory forks; the
 * child goes on as a spawned spare would, with the same fds, command line
 * and name, and the factory answers {"type":"spawned","pid":N} with a
 * pidfd of the child (or an error, when it cannot fork). The child is in a
 * session of its own, as a spawned one is; its environment says
 * MON_FACTORY_ENV rather than MON_SPARE_ENV, which nothing reads after
 * the start. Nothing of a container ever reaches the factory:
 * each child starts from the state the factory had before its first fork.
 * Interleaved A/B with --root on a tmpfs, back to back: 4.53 -> 4.16 ms
 * (two runs, 17 rounds of 20 each); after a pause the spare was ready
 * either way.
 *
 * The factory's command line is that of a monitor for the container
 * MON_FACTORY_ID under the daemon's --root and --run: a child writes its
 * own ID over it, so that ps shows it as it would a spawned spare. The
 * factory reaps its children, and ends when the daemon closes its socket.
 */
#include "mon-fds.h"
#include "monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/buf.h"
#include "../common/id.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../proto/frame-read.h"
#include "../proto/frame.h"
#include "../proto/msg.h"

/* Write id over the container ID that ends arg ("DIR/<ID>"). */
static void name_container(char *arg, const char *id)
{
	size_t n = strlen(arg);

	if (n <= ID_LEN || arg[n - ID_LEN - 1] != '/')
		fatal("spare factory: command line argument %s names no container", arg);
	memcpy(arg + n - ID_LEN, id, ID_LEN);
}

/* In the child: become a spare for the container id, as one spawned with
 * control_fd as its fd 3 would be. The factory's sigfd goes. */
static void become_spare(char **argv, const char *id, int control_fd, int sigfd)
{
	sigset_t none;

	/* control_fd came in while fd 3 was the factory's own socket. */
	if (dup2(control_fd, MON_CONTROL_FD) < 0)
		fatal("spare factory: dup2: %s", strerror(errno));
	/* No terminal or process-group signal aimed at another monitor (or
	 * at the factory) reaches this one. */
	if (setsid() < 0)
		fatal("spare factory: setsid: %s", strerror(errno));
	/* The factory's socket (replaced above), its signalfd, the fd the
	 * control socket came in: nothing of the factory's stays but stdio
	 * and the /dev/null in the fd slots, which it filled before it opened
	 * anything (monitor.c), so that no child need fill them again. */
	close(sigfd);
	close(control_fd);
	if (close_range(MON_SLOTS_END, ~0U, 0) < 0)
		fatal("spare factory: close_range: %s", strerror(errno));
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		fatal("spare factory: sigprocmask: %s", strerror(errno));
	(void)prctl(PR_SET_NAME, MON_COMM, 0, 0, 0);
	name_container(argv[1], id);
	name_container(argv[2], id);
}

static void reap(int sigfd)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si))
		;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* o, with the fd of a child if fd >= 0. Takes o. */
static void answer(struct json_object *o, int fd)
{
	struct buf out = { 0 };

	proto_msg_append(&out, o);
	json_object_put(o);
	/* Small, to a socket the daemon drains at once: it fits. */
	if (fd_send(MON_CONTROL_FD, buf_head(&out), buf_used(&out), fd) !=
	    (ssize_t)buf_used(&out))
		fatal("spare factory: answer the daemon: %s", strerror(errno));
	buf_free(&out);
}

/* One request: 0 in a new spare (the child), 1 in the factory. Exits at
 * the daemon's EOF or on a request it cannot follow. */
static int serve_one(char **argv, int sigfd)
{
	struct json_object *msg = NULL;
	struct buf in = { 0 };
	const char *id = NULL, *why = NULL;
	int fds[2], pidfd = -1;
	size_t nfds = 0;
	struct md_err err;
	pid_t pid;
	int r = proto_frame_read_one(MON_CONTROL_FD, &in, PROTO_FRAME_MAX, 0, fds, &nfds,
				     ARRAY_SIZE(fds), &err);

	if (r != 0) {
		if (r < 0)
			log_error("spare factory: read a request: %s", err.msg);
		exit(r < 0);
	}
	msg = proto_msg_parse(buf_head(&in) + PROTO_HDR_LEN, buf_used(&in) - PROTO_HDR_LEN, &why);
	buf_free(&in);
	if (msg == NULL || strcmp(proto_msg_type(msg), "spare") != 0 ||
	    proto_get_str(msg, "id", &id) < 0 || id == NULL || !id_valid(id) || nfds != 1)
		fatal("spare factory: bad request from the daemon%s%s", why ? ": " : "",
		      why ? why : "");
	pid = fork();
	if (pid == 0) {
		become_spare(argv, id, fds[0], sigfd);
		json_object_put(msg);
		return 0;
	}
	close(fds[0]);
	json_object_put(msg);
	/* Safe by pid: only reap() reaps our children, and not before this.
	 * A failure is this spare's (a pids limit, say), not the factory's. */
	if (pid < 0 || (pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0) {
		md_err_set(&err, errno, "spare factory: %s", pid < 0 ? "fork" : "pidfd_open");
		if (pid > 0)
			kill(pid, SIGKILL);
		answer(proto_msg_error(&err), -1);
		return 1;
	}
	msg = proto_msg_new("spawned");
	json_object_object_add(msg, "pid", json_object_new_int(pid));
	answer(msg, pidfd);
	close(pidfd);
	return 1;
}

void mon_factory_run(char **argv)
{
	struct pollfd pfd[2] = {
		{ .fd = MON_CONTROL_FD, .events = POLLIN },
		{ .fd = -1, .events = POLLIN },
	};
	sigset_t chld;

	(void)prctl(PR_SET_NAME, MON_FACTORY_COMM, 0, 0, 0);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) < 0 ||
	    (pfd[1].fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		fatal("spare factory: signalfd: %s", strerror(errno));
	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			fatal("spare factory: poll: %s", strerror(errno));
		if (pfd[1].revents)
			reap(pfd[1].fd);
		if (pfd[0].revents && serve_one(argv, pfd[1].fd) == 0)
			return;
	}
}
