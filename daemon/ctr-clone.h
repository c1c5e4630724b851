/* The clone3 that makes a container's PID 1: its namespaces, a pidfd,
 * and on cgroup v2 its cgroup from birth. */
#ifndef MD_CTR_CLONE_H
#define MD_CTR_CLONE_H

#include <stdbool.h>
#include <sys/types.h>

struct ctr_clone_args {
	bool keep_network; /* no new network namespace: the host's, or one
			    * the child enters itself */
	bool userns;       /* a new user namespace too */
	int cgroup_fd;     /* cgroup v2 directory to start in, or -1 */
};

/* clone3 with new pid, mount, uts, ipc (and network, user) namespaces.
 * In the child returns 0 (on the parent's stack: no CLONE_VM); in the
 * parent the child's pid, with *pidfd set, or -1 with errno.
 * *born_in_cgroup tells whether the child started in cgroup_fd
 * (CLONE_INTO_CGROUP, Linux 5.7; an older kernel gets a plain clone and
 * the caller attaches it). */
pid_t ctr_clone(const struct ctr_clone_args *a, int *pidfd, bool *born_in_cgroup);

#endif
