/* Container setup: create the namespaces and start a command as the
 * container's PID 1. Knows nothing of clients, sockets or the wire format:
 * it takes a plain spec, so any front end (the monitor today, an OCI
 * runtime command line tomorrow) can drive it. */
#ifndef MD_CTR_SETUP_H
#define MD_CTR_SETUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

/* A mount made inside the root after the root itself (and the `host`
 * image, and --read-only), before /proc, /dev and /sys: a volume or a
 * tmpfs. Its target is resolved (and made when missing) inside the root. */
struct ctr_mount {
	const char *target;     /* "/a/b": absolute, normalized */
	int tree_fd;            /* a volume: its source as a detached mount tree
				 * made by the parent (mnt_tree_from_fd); -1: a tmpfs */
	bool is_dir;            /* volume: its source is a directory (else a file) */
	const char *tmpfs_data; /* tmpfs: checked mount data, "size=..,mode=.." */
	bool exec;              /* tmpfs: exec allowed (else noexec) */
	bool readonly;          /* tmpfs: read-only */
};

struct ctr_spec {
	const char *rootfs;     /* host directory that becomes / */
	int root_mount_fd;      /* >= 0: a detached mount (an image's overlay, or
				 * the `host` image's over its skeleton) the child
				 * moves onto rootfs and uses as the root; -1:
				 * rootfs is bound onto itself */
	bool host_image;        /* the default image `host`: its host directories
				 * bound (over a skeleton), or all of it built in
				 * rootfs (root_mount_fd -1) */
	bool read_only;         /* the whole root read-only (--read-only) */
	const struct ctr_mount *mounts; /* volumes and tmpfs, parents before
					 * what is mounted below them */
	size_t nmounts;
	const char *hostname;
	char *const *argv;      /* argv[0] is looked up in the container's PATH */
	char *const *envp;
	const char *cwd;        /* created when missing, as Docker does */
	uid_t uid;
	gid_t gid;
	bool tty;               /* give the command a new pty of its own /dev/pts */
	unsigned short rows, cols;
	int stdio[3];           /* without tty: the command's fds 0-2; -1 is /dev/null */
	int init_fd;            /* -1, or a sealed memfd of minidocker-init to run as
				 * PID 1 with the command as its child (--init) */
	uint64_t cap_mask;      /* capabilities every process keeps */
	bool seccomp;           /* load the default seccomp filter before exec */
	const void *seccomp_prog; /* that filter as BPF, built once; NULL: build it */
	size_t seccomp_prog_len;
	/* Put a process of the container in its cgroup: called by the parent
	 * at S1 with the new PID 1, and by an exec joiner with its own pid
	 * before it enters. NULL: no cgroup. */
	int (*join_cgroup)(void *arg, pid_t pid, struct md_err *err);
	void *join_cgroup_arg;
	/* cgroup v2: the container's cgroup, where clone3 puts PID 1 at its
	 * birth (CLONE_INTO_CGROUP: no attach, so no wait for an RCU grace
	 * period); join_cgroup is then skipped for it. -1: none. */
	int cgroup_fd;
	bool cgroup_ns;         /* a cgroup namespace rooted at its cgroup */
	bool host_network;      /* share the host's network namespace */
	int netns_fd;           /* else a network namespace made ahead, its
				 * loopback up (ctr-net.h), which PID 1
				 * enters instead of a new one; -1: none */
	bool userns;            /* a new user namespace with these maps */
	bool setgroups_deny;    /* no subordinate gids: setgroups refused in it */
	const char *uid_map;    /* /proc/PID/uid_map text */
	const char *gid_map;
};

struct ctr_proc {
	pid_t pid;              /* PID 1 of the container, as the host sees it */
	int pidfd;              /* a pidfd for it: signals never hit a reused pid */
	int pty_master;         /* with tty: the master side, else -1 */
	/* ctr_start: PID 1's mount and network namespaces (-1: not held;
	 * exec sessions hold none). Whoever drops the last reference to a
	 * namespace pays its teardown, for a mount namespace every unmount
	 * (an overlay's syncfs) and an expedited RCU grace period. Held, that
	 * is not PID 1's exit, which its parent waits for, but the caller's
	 * ctr_proc_release_ns once the exit is reported. Not held: a mount
	 * namespace with volumes (their filesystems must be free by then),
	 * the host's network. */
	int held_ns[2];
};

/* Close p's held_ns (see there). */
void ctr_proc_release_ns(struct ctr_proc *p);

/* Start spec->argv in new PID, mount, UTS, IPC and network namespaces
 * (the network one spec->netns_fd names, when it names one).
 * Returns 0 once the command has been exec'd. On failure err holds the
 * failing step and errno ("pivot_root: Invalid argument") and its status:
 * 127 when the command was not found, 126 when it cannot be executed, 125
 * for any other step; nothing of the container is left running, and
 * nothing held. On success the caller owns out->held_ns. */
int ctr_start(const struct ctr_spec *spec, struct ctr_proc *out, struct md_err *err);

/* Start spec->argv inside the running container whose PID 1 is ctr_pidfd:
 * all its namespaces, its root, the same privileges as its own processes.
 * The caller must be a child subreaper: the new process is reparented to
 * it. spec->rootfs, host_image and hostname are not used. Same returns as
 * ctr_start. */
int ctr_exec(int ctr_pidfd, const struct ctr_spec *spec, struct ctr_proc *out,
	     struct md_err *err);

#endif
