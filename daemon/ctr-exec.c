/*
 * Joining a running container (exec). Two processes, because a new PID
 * namespace applies only to children:
 *
 *   A  forked from the monitor: made non-dumpable, joins every namespace of
 *      the container's PID 1 through its pidfd, forks B, reports B's pid
 *      (S1), exits. B is reparented to the monitor, a child subreaper.
 *   B  inside the container's namespaces and root: its pty from the
 *      container's devpts (S2), then the same last steps as the container's
 *      own processes (ctr-proc.c), and execve (S3: EOF) or an ERROR.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/util.h"
#include "ctr-proc.h"
#include "ctr-setup.h"
#include "ctr-sync.h"

#define JOINED_NAMESPACES (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID)

static __attribute__((noreturn)) void exec_inner(const struct ctr_spec *spec, int sync_fd)
{
	struct md_err err;
	int master, slave = -1;

	md_err_clear(&err);
	/* Joined as host root, which a user namespace does not map: take its
	 * own root first, so that what we create (a -w directory) has an
	 * owner the namespace can name. */
	if (spec->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		md_err_set(&err, errno, "become root of the user namespace");
		sync_fail(sync_fd, &err);
	}
	if (spec->tty) {
		/* devpts cannot be remounted from inside (no CAP_SYS_ADMIN), so
		 * this path is the container's own pty multiplexer. */
		master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (master < 0) {
			md_err_set(&err, errno, "open /dev/pts/ptmx");
			sync_fail(sync_fd, &err);
		}
		slave = proc_open_pty(master, spec, sync_fd, &err);
		if (slave < 0)
			sync_fail(sync_fd, &err);
		close(master);
	}
	proc_finish_and_exec(spec, sync_fd, slave);
}

static __attribute__((noreturn)) void exec_joiner(int ctr_pidfd, const struct ctr_spec *spec,
						  int sync_fd)
{
	struct sync_msg m = { .kind = SYNC_PID };
	struct md_err err;
	pid_t pid;

	md_err_clear(&err);
	/* Non-dumpable before entering: no process of the container may open
	 * our /proc/PID/exe or mem, and so reach the host binary (runc
	 * CVE-2019-5736). The flag is inherited by B until its execve. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		md_err_set(&err, errno, "set non-dumpable");
		sync_fail(sync_fd, &err);
	}
	/* The container's cgroup first, so its limits cover what runs next. */
	if (spec->join_cgroup != NULL && spec->join_cgroup(spec->join_cgroup_arg, getpid(), &err) < 0)
		sync_fail(sync_fd, &err);
	/* All namespaces at once from the pidfd: no pid can have been reused. */
	if (setns(ctr_pidfd, JOINED_NAMESPACES | (spec->host_network ? 0 : CLONE_NEWNET) |
				     (spec->userns ? CLONE_NEWUSER : 0) |
				     (spec->join_cgroup ? CLONE_NEWCGROUP : 0)) < 0) {
		md_err_set(&err, errno, "join container namespaces");
		sync_fail(sync_fd, &err);
	}
	pid = fork();
	if (pid < 0) {
		md_err_set(&err, errno, "fork");
		sync_fail(sync_fd, &err);
	}
	if (pid == 0)
		exec_inner(spec, sync_fd);
	m.pid = pid;
	sync_send(sync_fd, &m, -1);
	_exit(0);
}

int ctr_exec(int ctr_pidfd, const struct ctr_spec *spec, struct ctr_proc *out, struct md_err *err)
{
	int sv[2], r, status;
	pid_t joiner, pid = 0;

	out->pid = 0;
	out->pidfd = -1;
	out->pty_master = -1;
	out->held_ns[0] = out->held_ns[1] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return md_err_set(err, errno, "socketpair");
	joiner = fork();
	if (joiner < 0) {
		md_err_set(err, errno, "fork");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (joiner == 0) {
		close(sv[0]);
		exec_joiner(ctr_pidfd, spec, sv[1]);
	}
	close(sv[1]);
	r = sync_wait_exec(sv[0], out, &pid, err);
	close(sv[0]);
	while (waitpid(joiner, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && pid <= 0)
		r = md_err_set(err, EPROTO, "exec: no process started");
	if (r == 0) {
		/* B is reparented to us and not reaped before we return to the
		 * loop, so its pid cannot have been reused yet. */
		out->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (out->pidfd < 0)
			r = md_err_set(err, errno, "pidfd_open");
	}
	if (r < 0) {
		sync_abort_child(pid, -1, out);
		return -1;
	}
	out->pid = pid;
	return 0;
}
