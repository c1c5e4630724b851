/*
 * Creating a container: the child's setup as an ordered checklist. The
 * parent (the monitor) and the child talk over the sync channel of
 * ctr-sync.h, one message per numbered handshake point:
 *
 *   S1 parent -> child  GO: the parent has done what must precede setup.
 *   S2 child  -> parent PTY: the master of the container's own pty (tty only).
 *   S3 child  -> parent ERROR: a step failed (step name, errno, status), or
 *                       EOF: execve succeeded and closed the CLOEXEC socket.
 */
#include "ctr-setup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "ctr-clone.h"
#include "ctr-mount.h"
#include "ctr-net.h"
#include "ctr-proc.h"
#include "ctr-rootfs.h"
#include "ctr-sync.h"

/* The device nodes of a minimal /dev: Linux's fixed numbers
 * (Documentation/admin-guide/devices.txt), as runc has them; these six are
 * safe to share with any container. Made fresh where we may, with their
 * modes whatever the umask; in a user namespace (no mknod) the host's node
 * is bound instead. */
static int make_dev_nodes(int rootfd, int devfd, struct md_err *err)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} nodes[] = {
		{ "null", 1, 3 },   { "zero", 1, 5 },    { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	mode_t mask = umask(0);
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(nodes) && r == 0; i++) {
		cleanup_free char *host = NULL, *path = NULL;
		struct stat st;
		int fd, e;

		if (mknodat(devfd, nodes[i].name, S_IFCHR | 0666,
			    makedev(nodes[i].major, nodes[i].minor)) == 0)
			continue;
		e = errno;
		host = xasprintf("/dev/%s", nodes[i].name);
		path = xasprintf("dev/%s", nodes[i].name);
		if (e != EPERM) {
			r = md_err_set(err, e, "mknod %s", path);
		} else if (stat(host, &st) < 0) {
			r = md_err_set(err, errno, "stat %s", host);
		} else if (!S_ISCHR(st.st_mode)) {
			r = md_err_set(err, ENODEV, "%s", host);
		} else if ((fd = openat(devfd, nodes[i].name,
					O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
			r = md_err_set(err, errno, "create %s", path);
		} else {
			close(fd);
			r = mnt_bind_in_root(rootfd, host, path, 0, 1, err);
		}
	}
	umask(mask);
	return r;
}

/* A minimal /dev on tmpfs: the usual nodes, a private devpts, /dev/shm. */
static int setup_dev(int rootfd, bool userns, struct md_err *err)
{
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
	if (devfd < 0 || make_dev_nodes(rootfd, devfd, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i].target, rootfd, links[i].path) < 0)
			return md_err_set(err, errno, "symlink %s", links[i].path);
	if (mnt_mkdir_in_root(rootfd, "dev/pts", 0755, err) < 0 ||
	    mnt_mkdir_in_root(rootfd, "dev/shm", 01777, err) < 0)
		return -1;
	/* newinstance: the container's ptys are its own, the host's stay unseen. */
	/* gid 5 (tty) exists only where host ids are ours to name. */
	if (mnt_fs_in_root(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			   userns ? "newinstance,ptmxmode=0666,mode=0620"
				  : "newinstance,ptmxmode=0666,mode=0620,gid=5", err) < 0)
		return -1;
	return mnt_fs_in_root(rootfd, "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			      "mode=1777,size=65536k", err);
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

/* Docker's defaults: parts of /proc and /sys that tell about or act on
 * the host are hidden, and the kernel's tunables are read-only (a root
 * process needs no capability to write /proc/sys, e.g. core_pattern). */
static const char *const masked_paths[] = {
	"proc/acpi", "proc/asound", "proc/interrupts", "proc/kcore", "proc/keys",
	"proc/latency_stats", "proc/sched_debug", "proc/scsi", "proc/timer_list",
	"proc/timer_stats", "sys/devices/virtual/powercap", "sys/firmware",
};
static const char *const readonly_paths[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

/* The per-CPU thermal_throttle directories, masked like Docker does. */
static int mask_thermal_throttle(int rootfd, struct md_err *err)
{
	cleanup_close int fd = mnt_open_in_root(rootfd, "sys/devices/system/cpu", O_DIRECTORY, err);
	cleanup_close int dfd = -1;
	DIR *dir;
	struct dirent *e;
	int r = 0;

	if (fd < 0)
		return err->errnum == ENOENT ? 0 : -1;
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || (dir = fdopendir(dfd)) == NULL)
		return md_err_set(err, errno, "open sys/devices/system/cpu");
	dfd = -1; /* the DIR owns it now */
	while (r == 0 && (e = readdir(dir)) != NULL) {
		cleanup_free char *path = NULL;

		if (strncmp(e->d_name, "cpu", 3) != 0 || e->d_name[3] < '0' || e->d_name[3] > '9')
			continue;
		path = xasprintf("sys/devices/system/cpu/%s/thermal_throttle", e->d_name);
		r = mnt_mask_in_root(rootfd, path, err);
	}
	closedir(dir);
	return r;
}

static int protect_kernel_paths(int rootfd, struct md_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++)
		if (mnt_mask_in_root(rootfd, masked_paths[i], err) < 0)
			return -1;
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++)
		if (mnt_readonly_in_root(rootfd, readonly_paths[i], err) < 0)
			return -1;
	return mask_thermal_throttle(rootfd, err);
}

/* The container's pty, in its own devpts: the master goes to the parent. */
static int setup_pty(int rootfd, int sync_fd, const struct ctr_spec *spec, struct md_err *err)
{
	cleanup_close int ptmx = mnt_open_in_root(rootfd, "dev/pts/ptmx", 0, err);
	cleanup_close int master = -1;
	char proc[64];

	if (ptmx < 0)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", ptmx);
	master = open(proc, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return md_err_set(err, errno, "open ptmx");
	return proc_open_pty(master, spec, sync_fd, err);
}

static int bind_root_here(struct md_err *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	int tree = open_tree(AT_FDCWD, ".", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (tree < 0)
		return md_err_set(err, errno, "bind container root");
	if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0 ||
	    move_mount(tree, "", AT_FDCWD, ".", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		md_err_set(err, errno, "bind container root");
		close(tree);
		return -1;
	}
	return tree;
}

/* An image's root: the overlay the parent built, moved onto our cwd (the
 * container's rootfs directory). pivot_root needs a mount point: it is
 * one, and its fd is the root from here on. The tree was made by host
 * root in the host's namespaces; moving it into our mount namespace needs
 * only CAP_SYS_ADMIN over this namespace, which we have even in a user
 * namespace, and the overlay keeps its creator's credentials for the
 * layers, so a user namespace's root reads them as before. */
static int move_root_here(int tree, struct md_err *err)
{
	if (move_mount(tree, "", AT_FDCWD, ".", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return md_err_set(err, errno, "mount image root");
	return tree;
}

/* Whether path lies strictly below the target of one of spec's mounts. */
static bool below_a_mount(const struct ctr_spec *spec, const char *path)
{
	for (size_t i = 0; i < spec->nmounts; i++) {
		size_t n = strlen(spec->mounts[i].target);

		if (strncmp(path, spec->mounts[i].target, n) == 0 && path[n] == '/')
			return true;
	}
	return false;
}

/* The mount points, made while the root is still writable: with
 * --read-only nothing can be made in it later. One below another mount
 * is made once that mount is there (in it, as Docker does). */
static int make_mount_points(int rootfd, const struct ctr_spec *spec, struct md_err *err)
{
	static const char *const own[] = { "/proc", "/dev", "/sys" };

	/* The setup's own, which an image need not have (Docker makes them). */
	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		int fd = mnt_make_target(rootfd, own[i], true, err);

		if (fd < 0)
			return -1;
		close(fd);
	}
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct ctr_mount *m = &spec->mounts[i];
		int fd;

		if (below_a_mount(spec, m->target))
			continue;
		fd = mnt_make_target(rootfd, m->target, m->tree_fd < 0 || m->is_dir, err);
		if (fd < 0)
			return md_err_prefix(err, "%s %s", m->tree_fd < 0 ? "tmpfs" : "volume", m->target);
		close(fd);
	}
	/* The working directory too, which is made when missing (-w). */
	if (spec->read_only && strcmp(spec->cwd, "/") != 0 && !below_a_mount(spec, spec->cwd)) {
		int fd = mnt_make_target(rootfd, spec->cwd, true, err);

		if (fd < 0)
			return md_err_prefix(err, "working directory");
		close(fd);
	}
	return 0;
}

/* --read-only: every mount of the root so far, the `host` image's own
 * directories and binds included, read-only; AT_RECURSIVE reaches the
 * submounts, which a remount of the root alone would not. */
static int make_root_readonly(int rootfd, struct md_err *err)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(rootfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		return md_err_set(err, errno, "make the root read-only");
	return 0;
}

/* Volumes and tmpfs, parents first (the spec's order), each onto the fd
 * its target resolved to inside the root. */
static int mount_user_mounts(int rootfd, const struct ctr_spec *spec, struct md_err *err)
{
	for (size_t i = 0; i < spec->nmounts; i++) {
		const struct ctr_mount *m = &spec->mounts[i];
		/* A tmpfs is never a way to run set-id programs or reach devices;
		 * and it runs nothing unless asked (Docker's noexec default). */
		unsigned long flags = MS_NOSUID | MS_NODEV | (m->exec ? 0 : MS_NOEXEC) |
				      (m->readonly ? MS_RDONLY : 0);
		cleanup_close int fd = -1;

		if (m->tree_fd >= 0) {
			if (mnt_move_in_root(rootfd, m->tree_fd, m->target, m->is_dir, err) < 0)
				return md_err_prefix(err, "volume %s", m->target);
			continue;
		}
		fd = mnt_make_target(rootfd, m->target, true, err);
		if (fd < 0 || mnt_fs_on_fd(fd, "tmpfs", flags,
					   m->tmpfs_data[0] != '\0' ? m->tmpfs_data : NULL, m->target,
					   err) < 0)
			return md_err_prefix(err, "tmpfs %s", m->target);
	}
	return 0;
}

static __attribute__((noreturn)) void child_main(const struct ctr_spec *spec, int sync_fd)
{
	struct md_err err;
	struct sync_msg m;
	int rootfd, got_fd, pty_slave = -1;
	bool host_skeleton = spec->host_image && spec->root_mount_fd >= 0;

	md_err_clear(&err);
	/* S1: wait for the parent's go. */
	if (sync_recv(sync_fd, &m, &got_fd) != 1 || m.kind != SYNC_GO)
		_exit(MD_STATUS_FAILED);

	/* 0. In a new user namespace our ids are unmapped until we take the
	 *    mapped root the parent wrote before its go; files we create must
	 *    have an owner the namespace can name. */
	if (spec->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)) {
		md_err_set(&err, errno, "become root of the user namespace");
		sync_fail(sync_fd, &err);
	}

	/* 0a. The network namespace made ahead, if any (ctr-net.c): entered
	 *     before anything runs that could open a socket. */
	if (spec->netns_fd >= 0 && setns(spec->netns_fd, CLONE_NEWNET) < 0) {
		md_err_set(&err, errno, "enter network namespace");
		sync_fail(sync_fd, &err);
	}

	/* 0b. A cgroup namespace, now that we are in our cgroup: the container
	 *     sees its own cgroup as the root, nothing of the host's tree. */
	if (spec->cgroup_ns && unshare(CLONE_NEWCGROUP) < 0 && errno != EINVAL) {
		md_err_set(&err, errno, "new cgroup namespace");
		sync_fail(sync_fd, &err);
	}

	/* 1. Die with the monitor: a container without its monitor would have
	 *    no reaper, no log and no one to record its exit. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		md_err_set(&err, errno, "set parent death signal");
		sync_fail(sync_fd, &err);
	}

	/* 2. Make the whole mount tree private before mounting anything, so
	 *    no mount below propagates back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		md_err_set(&err, errno, "make mounts private");
		sync_fail(sync_fd, &err);
	}

	/* 3. The root: an image's overlay moved onto it, else the root bound
	 *    onto itself. pivot_root needs a mount point, and nosuid/nodev on
	 *    it keep set-id files and device nodes inert. It is reached
	 *    through the cwd the parent gave us: in a user namespace the host
	 *    directories above it are not ours to walk. The new mount's fd
	 *    is the root from here on. */
	rootfd = spec->root_mount_fd >= 0 ? move_root_here(spec->root_mount_fd, &err)
					  : bind_root_here(&err);
	if (rootfd < 0)
		sync_fail(sync_fd, &err);

	/* 4. The default image: host programs read-only, a generated /etc.
	 *    Over its skeleton, only the host's directories are left to bind;
	 *    else the whole root is built here. */
	if (spec->host_image && (host_skeleton ? rootfs_host_binds(rootfd, &err)
					       : rootfs_build_host(rootfd, spec->hostname, &err)) < 0)
		sync_fail(sync_fd, &err);

	/* 4b. Mount points for /proc, /dev, /sys, volumes and tmpfs, each
	 *     resolved inside the root, so an image's symlink (`mnt -> /etc`)
	 *     stays inside it. */
	if (make_mount_points(rootfd, spec, &err) < 0)
		sync_fail(sync_fd, &err);

	/* 4c. --read-only: the whole root as it stands, before anything the
	 *     container may write (volumes, tmpfs, /dev) is mounted on it. */
	if (spec->read_only && make_root_readonly(rootfd, &err) < 0)
		sync_fail(sync_fd, &err);

	/* 4d. Volumes and tmpfs, before /proc, /dev and /sys, which no user
	 *     mount may cover (run-mounts.c refuses targets there). */
	if (mount_user_mounts(rootfd, spec, &err) < 0)
		sync_fail(sync_fd, &err);

	/* 5. A fresh /proc of the new PID namespace; nosuid, noexec, nodev as
	 *    nothing there is a program or a device. */
	if (mnt_fs_in_root(rootfd, "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL, &err) < 0)
		sync_fail(sync_fd, &err);

	/* 6. A minimal /dev, then the pty in the container's own devpts (S2). */
	if (setup_dev(rootfd, spec->userns, &err) < 0)
		sync_fail(sync_fd, &err);
	if (spec->tty && (pty_slave = setup_pty(rootfd, sync_fd, spec, &err)) < 0)
		sync_fail(sync_fd, &err);

	/* 7. /sys read-only: a view of the new network namespace, no writes. */
	if (mnt_fs_in_root(rootfd, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV,
			   NULL, &err) < 0)
		sync_fail(sync_fd, &err);

	/* 7b. Mask and write-protect the kernel's host-wide knobs, by fds
	 *     resolved inside this root, never by a path from the image. */
	if (protect_kernel_paths(rootfd, &err) < 0)
		sync_fail(sync_fd, &err);

	/* 8. Hostname and loopback: both namespaced, the host's untouched. */
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0) {
		md_err_set(&err, errno, "sethostname");
		sync_fail(sync_fd, &err);
	}
	if (!spec->host_network && spec->netns_fd < 0 && netns_loopback_up(&err) < 0)
		sync_fail(sync_fd, &err);

	/* 9. Switch root: from here on only container paths exist. */
	if (enter_root(rootfd, &err) < 0)
		sync_fail(sync_fd, &err);
	close(rootfd);

	/* 10-13. stdio, cwd, privileges, signals, fds, exec (S3). */
	proc_finish_and_exec(spec, sync_fd, pty_slave);
}

/* Write the child's uid and gid maps: we are root in the parent
 * namespace, so the kernel checks the ranges against nothing but us. */
static int write_id_maps(pid_t pid, const struct ctr_spec *spec, struct md_err *err)
{
	const char *files[2] = { "uid_map", "gid_map" };
	const char *maps[2] = { spec->uid_map, spec->gid_map };

	/* Without subordinate gids the namespace may not call setgroups, as
	 * newgidmap insists (CVE-2018-7169): dropping a group would get round
	 * a file that denies that group. */
	if (spec->setgroups_deny) {
		cleanup_free char *path = xasprintf("/proc/%d/setgroups", (int)pid);
		cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write_all(fd, "deny", 4) < 0)
			return md_err_set(err, errno, "write setgroups");
	}

	for (int i = 0; i < 2; i++) {
		cleanup_free char *path = xasprintf("/proc/%d/%s", (int)pid, files[i]);
		cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write_all(fd, maps[i], strlen(maps[i])) < 0)
			return md_err_set(err, errno, "write %s", files[i]);
	}
	return 0;
}

/* clone the child with its cwd at the container's root (see step 3). */
static pid_t clone_in_root(const struct ctr_spec *spec, int *pidfd, bool *born_in_cgroup,
			   struct md_err *err)
{
	cleanup_close int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	pid_t pid;

	if (here < 0 || chdir(spec->rootfs) < 0)
		return md_err_set(err, errno, "chdir %s", spec->rootfs);
	pid = ctr_clone(&(struct ctr_clone_args){ .keep_network = spec->host_network ||
									spec->netns_fd >= 0,
						  .userns = spec->userns,
						  .cgroup_fd = spec->cgroup_fd },
			pidfd, born_in_cgroup);
	if (pid < 0)
		md_err_set(err, errno, "clone");
	if (pid != 0 && fchdir(here) < 0)
		md_err_set(err, errno, "fchdir");
	return pid;
}

/* A volume's source is the host's: its filesystem must be free once the
 * exit is reported, as a user who unmounts it after `run` expects. */
static bool has_volumes(const struct ctr_spec *spec)
{
	for (size_t i = 0; i < spec->nmounts; i++)
		if (spec->mounts[i].tree_fd >= 0)
			return true;
	return false;
}

/* Opened while PID 1 waits for its go. It is our unreaped child, so its
 * pid cannot name another process; should it have died (a SIGKILL, the
 * OOM killer), the opens fail and its exit tears the namespaces down, as
 * it would without this. A network namespace made ahead is held from our
 * own fd of it: PID 1 enters it only after its go, and a failed start
 * drops it with the rest (ctr_proc_release_ns). */
static void hold_namespaces(pid_t pid, const struct ctr_spec *spec, int held[2])
{
	static const char *const names[2] = { "mnt", "net" };

	for (int i = 0; i < 2; i++) {
		cleanup_free char *path = NULL;

		held[i] = -1;
		if (i == 0 && has_volumes(spec))
			continue;
		if (i == 1 && spec->host_network)
			continue; /* the host's: never ours to tear down */
		if (i == 1 && spec->netns_fd >= 0) {
			/* PID 1 is not in it yet: it enters it after its go. */
			held[i] = fcntl(spec->netns_fd, F_DUPFD_CLOEXEC, 3);
			if (held[i] < 0)
				log_debug("hold the network namespace: %s", strerror(errno));
			continue;
		}
		path = xasprintf("/proc/%d/ns/%s", (int)pid, names[i]);
		held[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (held[i] < 0 && errno != ENOENT)
			log_debug("hold %s: %s", path, strerror(errno));
	}
}

void ctr_proc_release_ns(struct ctr_proc *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->held_ns[i] >= 0)
			close(p->held_ns[i]);
		p->held_ns[i] = -1;
	}
}

int ctr_start(const struct ctr_spec *spec, struct ctr_proc *out, struct md_err *err)
{
	struct sync_msg go = { .kind = SYNC_GO };
	int sv[2], pidfd = -1, r = 0;
	bool born_in_cgroup = false;
	pid_t pid;

	out->pid = 0;
	out->pidfd = -1;
	out->pty_master = -1;
	out->held_ns[0] = out->held_ns[1] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return md_err_set(err, errno, "socketpair");
	pid = clone_in_root(spec, &pidfd, &born_in_cgroup, err);
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(spec, sv[1]);
	}
	close(sv[1]);
	hold_namespaces(pid, spec, out->held_ns);
	/* S1: the id maps must exist before the child does anything as root,
	 * and it must be in its cgroup before it runs anything it could fork. */
	if (spec->userns)
		r = write_id_maps(pid, spec, err);
	if (r == 0 && spec->join_cgroup != NULL && !born_in_cgroup)
		r = spec->join_cgroup(spec->join_cgroup_arg, pid, err);
	if (r == 0 && sync_send(sv[0], &go, -1) < 0)
		r = md_err_set(err, errno, "start container setup");
	if (r == 0)
		r = sync_wait_exec(sv[0], out, NULL, err);
	close(sv[0]);
	if (r < 0) {
		sync_abort_child(pid, pidfd, out);
		ctr_proc_release_ns(out);
		return -1;
	}
	out->pid = pid;
	out->pidfd = pidfd;
	return 0;
}
