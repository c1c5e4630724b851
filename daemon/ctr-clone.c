#include "ctr-clone.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

pid_t ctr_clone(const struct ctr_clone_args *a, int *pidfd, bool *born_in_cgroup)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD |
			 (a->keep_network ? 0 : CLONE_NEWNET) | (a->userns ? CLONE_NEWUSER : 0),
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	pid_t pid;

	*born_in_cgroup = false;
	if (a->cgroup_fd >= 0) {
		struct clone_args in = args;

		/* Born in its cgroup: no attach, so no wait for the RCU grace
		 * period an attach may need (cgroup_threadgroup_rwsem). */
		in.flags |= CLONE_INTO_CGROUP;
		in.cgroup = (uint64_t)a->cgroup_fd;
		pid = (pid_t)syscall(SYS_clone3, &in, sizeof(in));
		/* E2BIG, EINVAL: a kernel before 5.7. */
		if (pid >= 0 || (errno != E2BIG && errno != EINVAL)) {
			*born_in_cgroup = pid >= 0;
			return pid;
		}
	}
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}
