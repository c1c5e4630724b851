/*
 * The container child's setup, as an ordered checklist. The parent (the
 * monitor) and the child talk over a SOCK_SEQPACKET pair, one message per
 * numbered handshake point:
 *
 *   S1 parent -> child  GO: the parent has done what must precede setup.
 *   S2 child  -> parent PTY: the master of the container's own pty (tty only).
 *   S3 child  -> parent ERROR: a step failed (step name, errno, status), or
 *                       EOF: execve succeeded and closed the CLOEXEC socket.
 */
#include "ctr-setup.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../common/util.h"
#include "ctr-mount.h"
#include "ctr-rootfs.h"

enum sync_kind {
	SYNC_GO = 1,
	SYNC_PTY = 2,
	SYNC_ERROR = 3,
};

struct sync_msg {
	int kind;
	int errnum;
	int status;
	char text[MD_ERR_MSG_MAX];
};

/* Podman's default capability set: Docker's 14 without NET_RAW, MKNOD and
 * AUDIT_WRITE. Everything else leaves the bounding set for good. */
static const int kept_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_NET_BIND_SERVICE,
	CAP_SETFCAP, CAP_SETGID, CAP_SETPCAP, CAP_SETUID, CAP_SYS_CHROOT,
};

static int sync_send(int fd, const struct sync_msg *m, int pass_fd)
{
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (pass_fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	while (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Receive one message; returns 0 on EOF, 1 with a message, -1 on error.
 * A passed fd lands in *got_fd (else -1). */
static int sync_recv(int fd, struct sync_msg *m, int *got_fd)
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
	if ((size_t)n != sizeof(*m))
		return -1;
	m->text[sizeof(m->text) - 1] = '\0';
	return 1;
}

/* Report a failed step to the parent and end the child. Never returns into
 * the caller's code: a child must not run on in a half-built container. */
static __attribute__((noreturn)) void child_fail(int sync_fd, const struct md_err *err)
{
	struct sync_msg m = { .kind = SYNC_ERROR, .errnum = err->errnum, .status = err->status };

	snprintf(m.text, sizeof(m.text), "%s", err->msg);
	sync_send(sync_fd, &m, -1);
	_exit(MD_STATUS_FAILED);
}

/* A minimal /dev on tmpfs: the usual nodes, a private devpts, /dev/shm. */
static int setup_dev(int rootfd, struct md_err *err)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const struct {
		const char *target, *path;
	} links[] = {
		{ "/proc/self/fd", "dev/fd" }, { "/proc/self/fd/0", "dev/stdin" },
		{ "/proc/self/fd/1", "dev/stdout" }, { "/proc/self/fd/2", "dev/stderr" },
		{ "pts/ptmx", "dev/ptmx" },
	};
	cleanup_close int devfd = -1;

	/* nosuid, noexec: nothing on /dev is a program; device nodes are only
	 * the ones made below, since the tmpfs starts empty. */
	if (mnt_fs_in_root(rootfd, "dev", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME,
			   "mode=755,size=65536k", err) < 0)
		return -1;
	devfd = mnt_open_in_root(rootfd, "dev", O_DIRECTORY, err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		cleanup_free char *host = xasprintf("/dev/%s", nodes[i]);
		cleanup_free char *path = xasprintf("dev/%s", nodes[i]);
		struct stat st;

		if (stat(host, &st) < 0)
			return md_err_set(err, errno, "stat %s", host);
		if (!S_ISCHR(st.st_mode))
			return md_err_set(err, ENODEV, "%s", host);
		/* The same character device numbers as the host's, made fresh:
		 * these six are safe to share with any container. */
		if (mknodat(devfd, nodes[i], S_IFCHR | 0666, st.st_rdev) < 0)
			return md_err_set(err, errno, "mknod %s", path);
		if (fchmodat(devfd, nodes[i], 0666, 0) < 0)
			return md_err_set(err, errno, "chmod %s", path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, rootfd, links[i].path) < 0)
			return md_err_set(err, errno, "symlink %s", links[i].path);
	if (mnt_mkdir_in_root(rootfd, "dev/pts", 0755, err) < 0 ||
	    mnt_mkdir_in_root(rootfd, "dev/shm", 01777, err) < 0)
		return -1;
	/* newinstance: the container's ptys are its own, the host's stay unseen. */
	if (mnt_fs_in_root(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			   "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0)
		return -1;
	return mnt_fs_in_root(rootfd, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			      "mode=1777,size=65536k", err);
}

/* Open a pty in the container's own devpts and hand the master to the
 * parent. Returns the slave fd. */
static int setup_pty(int rootfd, int sync_fd, const struct ctr_spec *spec, struct md_err *err)
{
	cleanup_close int ptmx = mnt_open_in_root(rootfd, "dev/pts/ptmx", 0, err);
	cleanup_close int master = -1;
	struct winsize ws = { .ws_row = spec->rows, .ws_col = spec->cols };
	struct sync_msg m = { .kind = SYNC_PTY };
	char proc[64];
	int unlock = 0, slave;

	if (ptmx < 0)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", ptmx);
	master = open(proc, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return md_err_set(err, errno, "open ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return md_err_set(err, errno, "unlockpt");
	/* TIOCGPTPEER opens the slave of exactly this master, no path lookup. */
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return md_err_set(err, errno, "open pty slave");
	if (ws.ws_row > 0 && ws.ws_col > 0 && ioctl(slave, TIOCSWINSZ, &ws) < 0) {
		md_err_set(err, errno, "set window size");
		close(slave);
		return -1;
	}
	if (sync_send(sync_fd, &m, master) < 0) {
		md_err_set(err, errno, "send pty");
		close(slave);
		return -1;
	}
	return slave;
}

static int setup_loopback(struct md_err *err)
{
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (s < 0)
		return md_err_set(err, errno, "socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return md_err_set(err, errno, "get lo flags");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return md_err_set(err, errno, "bring lo up");
	return 0;
}

/* pivot_root into rootfd and detach the old root: afterwards no path of the
 * host is reachable, unlike chroot, which a root process can escape. */
static int enter_root(int rootfd, struct md_err *err)
{
	if (fchdir(rootfd) < 0)
		return md_err_set(err, errno, "chdir to container root");
	/* pivot_root(".", ".") stacks the old root on top of the new one;
	 * unmounting "." then removes exactly the old root. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return md_err_set(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return md_err_set(err, errno, "detach old root");
	if (chdir("/") < 0)
		return md_err_set(err, errno, "chdir /");
	return 0;
}

/* Create and enter the working directory inside the new root. */
static int enter_cwd(const char *cwd, struct md_err *err)
{
	cleanup_free char *copy = xstrdup(cwd);

	if (cwd[0] != '/')
		return md_err_set(err, EINVAL, "working directory %s is not absolute", cwd);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return md_err_set(err, errno, "mkdir %s", copy);
		*p = '/';
	}
	if (mkdir(copy, 0755) < 0 && errno != EEXIST)
		return md_err_set(err, errno, "mkdir %s", copy);
	if (chdir(cwd) < 0)
		return md_err_set(err, errno, "chdir %s", cwd);
	return 0;
}

static int setup_stdio(const struct ctr_spec *spec, int pty_slave, struct md_err *err)
{
	if (spec->tty) {
		/* A session of its own with the pty as controlling terminal, so
		 * Ctrl-C reaches the container's foreground process group. */
		if (setsid() < 0)
			return md_err_set(err, errno, "setsid");
		if (ioctl(pty_slave, TIOCSCTTY, 0) < 0)
			return md_err_set(err, errno, "set controlling terminal");
		for (int i = 0; i < 3; i++)
			if (dup2(pty_slave, i) < 0)
				return md_err_set(err, errno, "dup2 pty");
		return 0;
	}
	if (setsid() < 0)
		return md_err_set(err, errno, "setsid");
	for (int i = 0; i < 3; i++) {
		int fd = spec->stdio[i];

		if (fd < 0) {
			fd = open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY);
			if (fd < 0)
				return md_err_set(err, errno, "open /dev/null");
		}
		if (fd == i) {
			if (fd_set_cloexec(fd, false) < 0)
				return md_err_set(err, errno, "fcntl stdio");
		} else if (dup2(fd, i) < 0) {
			return md_err_set(err, errno, "dup2 stdio");
		}
	}
	return 0;
}

/* Reduce capabilities to kept_caps: the bounding set first (so nothing
 * dropped can come back through a file capability), then the process sets.
 * A non-root user ends with none, as setuid clears them. */
static int drop_capabilities(struct md_err *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	unsigned long long mask = 0;
	int last = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

	if (f != NULL) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
		mask |= 1ULL << kept_caps[i];
	for (int cap = 0; cap <= last; cap++)
		if (!(mask & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 &&
		    errno != EINVAL)
			return md_err_set(err, errno, "drop capability %d", cap);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return md_err_set(err, errno, "clear ambient capabilities");
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)mask;
	data[1].effective = data[1].permitted = (uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return md_err_set(err, errno, "capset");
	return 0;
}

static int switch_user(const struct ctr_spec *spec, struct md_err *err)
{
	gid_t gid = spec->gid;

	if (setgroups(1, &gid) < 0)
		return md_err_set(err, errno, "setgroups");
	if (setresgid(spec->gid, spec->gid, spec->gid) < 0)
		return md_err_set(err, errno, "setgid %u", (unsigned)spec->gid);
	if (setresuid(spec->uid, spec->uid, spec->uid) < 0)
		return md_err_set(err, errno, "setuid %u", (unsigned)spec->uid);
	return 0;
}

static int reset_signals(struct md_err *err)
{
	sigset_t all;

	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for KILL, STOP and RT internals */
	sigemptyset(&all);
	if (sigprocmask(SIG_SETMASK, &all, NULL) < 0)
		return md_err_set(err, errno, "sigprocmask");
	return 0;
}

/* Close every fd but 0-2 and the sync socket, which is CLOEXEC and so
 * closes itself at execve: no fd of the monitor or daemon reaches the
 * command (runc CVE-2024-21626). */
static int close_other_fds(int sync_fd, struct md_err *err)
{
	if (sync_fd > 3 && close_range(3, (unsigned)sync_fd - 1, 0) < 0)
		return md_err_set(err, errno, "close_range");
	if (close_range((unsigned)sync_fd + 1, ~0U, 0) < 0)
		return md_err_set(err, errno, "close_range");
	return 0;
}

static void exec_command(const struct ctr_spec *spec, int sync_fd)
{
	struct md_err err;
	int status;

	environ = (char **)spec->envp;
	execvp(spec->argv[0], spec->argv);
	status = (errno == ENOENT || errno == ENOTDIR) ? MD_STATUS_NOT_FOUND
						       : MD_STATUS_CANNOT_EXEC;
	md_err_setst(&err, status, errno, "exec %s", spec->argv[0]);
	child_fail(sync_fd, &err);
}

static __attribute__((noreturn)) void child_main(const struct ctr_spec *spec, int sync_fd)
{
	struct md_err err;
	struct sync_msg m;
	cleanup_close int rootfd = -1;
	int got_fd, pty_slave = -1;

	md_err_clear(&err);
	/* S1: wait for the parent's go. */
	if (sync_recv(sync_fd, &m, &got_fd) != 1 || m.kind != SYNC_GO)
		_exit(MD_STATUS_FAILED);

	/* 1. Die with the monitor: a container without its monitor would have
	 *    no reaper, no log and no one to report its exit. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		md_err_set(&err, errno, "set parent death signal");
		child_fail(sync_fd, &err);
	}

	/* 2. Make the whole mount tree private before mounting anything, so
	 *    no mount below propagates back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		md_err_set(&err, errno, "make mounts private");
		child_fail(sync_fd, &err);
	}

	/* 3. Bind the root onto itself: pivot_root needs a mount point, and
	 *    nosuid/nodev on it keep set-id files and device nodes inert. */
	if (mount(spec->rootfs, spec->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, spec->rootfs, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV, NULL) < 0) {
		md_err_set(&err, errno, "bind container root");
		child_fail(sync_fd, &err);
	}
	rootfd = open(spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (rootfd < 0) {
		md_err_set(&err, errno, "open container root");
		child_fail(sync_fd, &err);
	}

	/* 4. The default image: host programs read-only, a generated /etc. */
	if (spec->host_image && rootfs_build_host(rootfd, spec->hostname, &err) < 0)
		child_fail(sync_fd, &err);

	/* 5. A fresh /proc of the new PID namespace; nosuid, noexec, nodev as
	 *    nothing there is a program or a device. */
	if (mnt_fs_in_root(rootfd, "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, &err) < 0)
		child_fail(sync_fd, &err);

	/* 6. A minimal /dev, then the pty in the container's own devpts. */
	if (setup_dev(rootfd, &err) < 0)
		child_fail(sync_fd, &err);
	if (spec->tty && (pty_slave = setup_pty(rootfd, sync_fd, spec, &err)) < 0)
		child_fail(sync_fd, &err);

	/* 7. /sys read-only: a view of the new network namespace, no writes. */
	if (mnt_fs_in_root(rootfd, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV,
			   NULL, &err) < 0)
		child_fail(sync_fd, &err);

	/* 8. Hostname and loopback: both namespaced, the host's untouched. */
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		md_err_set(&err, errno, "sethostname");
		child_fail(sync_fd, &err);
	}
	if (setup_loopback(&err) < 0)
		child_fail(sync_fd, &err);

	/* 9. Switch root: from here on only container paths exist. */
	if (enter_root(rootfd, &err) < 0)
		child_fail(sync_fd, &err);

	/* 10. stdio: the pty as controlling terminal, or the monitor's pipes. */
	if (setup_stdio(spec, pty_slave, &err) < 0)
		child_fail(sync_fd, &err);

	/* 11. Working directory inside the new root; a cwd outside it is
	 *     impossible now that the old root is gone. */
	if (enter_cwd(spec->cwd, &err) < 0)
		child_fail(sync_fd, &err);

	/* 12. Privileges: no_new_privs so no set-id program can regain what is
	 *     dropped, then capabilities, then the user. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		md_err_set(&err, errno, "no_new_privs");
		child_fail(sync_fd, &err);
	}
	if (drop_capabilities(&err) < 0 || switch_user(spec, &err) < 0)
		child_fail(sync_fd, &err);

	/* 13. Signals back to defaults, every fd but 0-2 closed, then exec. */
	if (reset_signals(&err) < 0 || close_other_fds(sync_fd, &err) < 0)
		child_fail(sync_fd, &err);
	exec_command(spec, sync_fd);
	_exit(MD_STATUS_FAILED);
}

static pid_t clone_container(int *pidfd)
{
	struct clone_args args = {
		.flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			 CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

/* Wait for the child's messages until exec (EOF) or a failure. */
static int parent_sync(int sync_fd, struct ctr_proc *out, struct md_err *err)
{
	for (;;) {
		struct sync_msg m;
		int got_fd, r = sync_recv(sync_fd, &m, &got_fd);

		if (r == 0)
			return 0; /* S3: execve closed the socket */
		if (r < 0) {
			if (got_fd >= 0)
				close(got_fd);
			return md_err_set(err, errno ? errno : EPROTO, "container setup");
		}
		if (m.kind == SYNC_PTY && got_fd >= 0 && out->pty_master < 0) {
			out->pty_master = got_fd;
			continue;
		}
		if (got_fd >= 0)
			close(got_fd);
		if (m.kind == SYNC_ERROR) {
			snprintf(err->msg, sizeof(err->msg), "%s", m.text);
			err->errnum = m.errnum;
			err->status = m.status ? m.status : MD_STATUS_FAILED;
			return -1;
		}
		return md_err_set(err, EPROTO, "container setup");
	}
}

/* Undo a start that failed half-way: kill and reap the child. */
static void abort_child(pid_t pid, int pidfd, struct ctr_proc *out)
{
	if (out->pty_master >= 0)
		close(out->pty_master);
	out->pty_master = -1;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	close(pidfd);
}

int ctr_start(const struct ctr_spec *spec, struct ctr_proc *out, struct md_err *err)
{
	struct sync_msg go = { .kind = SYNC_GO };
	int sv[2], pidfd = -1, r;
	pid_t pid;

	out->pid = 0;
	out->pidfd = -1;
	out->pty_master = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return md_err_set(err, errno, "socketpair");
	pid = clone_container(&pidfd);
	if (pid < 0) {
		md_err_set(err, errno, "clone");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(spec, sv[1]);
	}
	close(sv[1]);
	/* S1: nothing needs doing before setup yet; cgroups will join here. */
	if (sync_send(sv[0], &go, -1) < 0)
		r = md_err_set(err, errno, "start container setup");
	else
		r = parent_sync(sv[0], out, err);
	close(sv[0]);
	if (r < 0) {
		abort_child(pid, pidfd, out);
		return -1;
	}
	out->pid = pid;
	out->pidfd = pidfd;
	return 0;
}
