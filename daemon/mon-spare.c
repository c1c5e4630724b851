/*
 * The spare monitor. The daemon keeps one started ahead of need
 * (spare.c); it does what every monitor does before it knows its
 * container, then waits. A `run` hands it the container over its control
 * socket instead of spawning a monitor, which takes the spawn and the
 * monitor's start-up off the start path.
 *
 * On cgroup v1 it also waits inside a cgroup of its own, PARENT/spare-PID.
 * The first write of a process into a v1 cgroup.procs after an idle
 * moment waits for an RCU grace period (10-14 ms: cgroup_threadgroup_rwsem
 * leaves its fast mode), so a start that attaches its PID 1 pays it
 * whenever the host was idle. The spare pays it while nobody waits. Taken,
 * it renames that cgroup to the container's ID and clones PID 1, which is
 * born in it: no attach on the start path. The monitor then goes back to
 * its own cgroup from a helper process, which may wait out the grace
 * period while the container runs; the exit is reported before the
 * monitor needs to be out. A container with limits never counts its
 * monitor's process: the monitor leaves before PID 1 is cloned, and
 * before anything but its config is allocated (v1 leaves a charge where
 * it was made: those few KB stay the container's).
 *
 * On cgroup v2 no spare cgroup is needed: clone3's CLONE_INTO_CGROUP
 * starts PID 1 in its new cgroup without an attach (ctr-setup.c).
 */
#include "mon-fds.h"
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/frame-read.h"
#include "../proto/msg.h"
#include "cgroup.h"
#include "ctr-net.h"

/* The cgroup this spare waits in, while it is waiting. */
static char *spare_cgroup_name(void)
{
	return xasprintf("%s%d", MON_SPARE_CGROUP_PREFIX, (int)getpid());
}

/* Back to the monitor's own cgroup, now. */
static int go_home(struct monitor *m, struct md_err *err)
{
	if (!m->in_ctr_cgroup)
		return 0;
	if (cgroup_home_enter(m->cg_home, getpid(), err) < 0)
		return md_err_prefix(err, "monitor leaves the container's cgroup");
	m->in_ctr_cgroup = false;
	return 0;
}

void mon_spare_prepare(struct monitor *m)
{
	static const struct cgroup_limits none = { 0 };
	cleanup_free char *name = spare_cgroup_name();
	struct md_err err;

	/* The next container's network, made while nobody waits (ctr-net.c). */
	m->netns_fd = netns_make(&err);
	if (m->netns_fd < 0)
		log_warn("spare monitor: %s", err.msg);

	if (mon_cgroup_detect(m, &err) < 0 || cgroup_env_version(m->cg) != 1)
		return; /* the container's start says why, if it needs a cgroup */
	if (cgroup_home_find(m->cg, "/proc/self/cgroup", &m->cg_home, &err) < 0 ||
	    cgroup_create(m->cg, name, &none, &err) < 0) {
		log_warn("spare monitor: %s", err.msg);
		return;
	}
	m->spare_cg = steal_ptr(&name);
	m->in_ctr_cgroup = true;
	if (cgroup_enter(m->cg, m->spare_cg, getpid(), &err) < 0) {
		/* It may have entered some hierarchies: out of all first. */
		log_warn("spare monitor: %s", err.msg);
		mon_spare_release(m);
	}
}

void mon_spare_release(struct monitor *m)
{
	cleanup_free char *name = steal_ptr(&m->spare_cg);
	struct md_err err;

	if (name != NULL && (go_home(m, &err) < 0 || cgroup_remove(m->cg, name, &err) < 0))
		log_warn("spare monitor: %s", err.msg);
}

/* The daemon went away (or dropped us) before handing us a container. */
static void __attribute__((noreturn)) abandon(struct monitor *m)
{
	mon_spare_release(m);
	exit(0);
}

/* Put the fds that came with the take where a spawned monitor has them
 * (mon-fds.h): [client if has_client] then the volumes. The slots were
 * held by /dev/null since start (mon_spare_reserve_fds). */
static int place_fds(const int *fds, size_t nfds, bool has_client, size_t nvol, struct md_err *err)
{
	size_t want = (has_client ? 1 : 0) + nvol, i = 0;

	/* Unless a client takes fd 4, its /dev/null must not pass for one. */
	if (nfds != want || !has_client)
		close(MON_CLIENT_FD);
	if (nfds != want)
		return md_err_set(err, EPROTO, "take: %zu fds for %zu", nfds, want);
	if (has_client && dup2(fds[i++], MON_CLIENT_FD) < 0) {
		close(MON_CLIENT_FD);
		return md_err_set(err, errno, "dup2");
	}
	for (size_t v = 0; v < nvol; v++, i++)
		if (dup2(fds[i], MON_VOLUME_FD + (int)v) < 0)
			return md_err_set(err, errno, "dup2");
	if (nvol < MON_VOLUMES_MAX &&
	    close_range(MON_VOLUME_FD + (unsigned)nvol, MON_SLOTS_END - 1, 0) < 0)
		return md_err_set(err, errno, "close_range");
	return 0;
}

void mon_spare_reserve_fds(void)
{
	int null = -1;

	/* The slots a spawned monitor gets its fds in must stay free for the
	 * take: nothing opened meanwhile may land there. One /dev/null,
	 * duplicated: each open would walk the path again, and a spare
	 * forked by the factory inherits them all (mon-factory.c). */
	for (int fd = MON_CLIENT_FD; fd < MON_SLOTS_END; fd++) {
		if (fd == MON_SECCOMP_FD || fcntl(fd, F_GETFD) >= 0)
			continue;
		if (null < 0 && (null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			fatal("open /dev/null: %s", strerror(errno));
		if (null != fd && dup3(null, fd, O_CLOEXEC) < 0)
			fatal("dup3: %s", strerror(errno));
	}
	/* null is a slot unless a lower fd was free (MON_SECCOMP_FD). */
	if (null >= 0 && (null < MON_CLIENT_FD || null == MON_SECCOMP_FD))
		close(null);
}

/* The daemon's {"type":"take","dir":...,"rundir":...,"client":B,
 * "volumes":N} with its fds: the container of our command line exists
 * now, and we are its monitor. 1: the daemon went away, or sent
 * something else (logged); -1: a take we cannot follow (err set). */
static int wait_take(struct monitor *m, struct md_err *err)
{
	int fds[MON_VOLUMES_MAX + 1];
	size_t nfds = 0;
	struct buf in = { 0 };
	struct json_object *msg = NULL;
	const char *dir = NULL, *rundir = NULL, *why = NULL;
	bool has_client = false;
	int64_t nvol = 0;
	/* Read to its end, no further: what follows is the control
	 * connection's. */
	int r = proto_frame_read_one(MON_CONTROL_FD, &in, PROTO_FRAME_MAX, 0, fds, &nfds,
				     ARRAY_SIZE(fds), err);

	if (r != 0) {
		if (r < 0)
			log_error("spare monitor: read the take: %s", err->msg);
		r = 1;
		goto out;
	}
	msg = proto_msg_parse(buf_head(&in) + PROTO_HDR_LEN, buf_used(&in) - PROTO_HDR_LEN, &why);
	if (msg == NULL || strcmp(proto_msg_type(msg), "take") != 0 ||
	    proto_get_str(msg, "dir", &dir) < 0 || dir == NULL ||
	    proto_get_str(msg, "rundir", &rundir) < 0 || rundir == NULL ||
	    proto_get_bool(msg, "client", &has_client) < 0 ||
	    proto_get_int(msg, "volumes", 0, MON_VOLUMES_MAX, &nvol) < 0) {
		log_error("spare monitor: bad take from the daemon%s%s", why ? ": " : "",
			  why ? why : "");
		r = 1;
		goto out;
	}
	/* Our command line named the container already: a take for another
	 * is a daemon's bug, reported as this container's failed start. */
	r = place_fds(fds, nfds, has_client, (size_t)nvol, err);
	if (r == 0 && (strcmp(dir, m->dir) != 0 || strcmp(rundir, m->rundir) != 0))
		r = md_err_set(err, EPROTO, "take: not the container this monitor was started for");
out:
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	json_object_put(msg);
	buf_free(&in);
	return r;
}

int mon_spare_wait(struct monitor *m, struct md_err *err)
{
	int r;

	/* ps tells a waiting spare from a container's monitor by this. */
	(void)prctl(PR_SET_NAME, MON_SPARE_COMM, 0, 0, 0);
	r = wait_take(m, err);
	(void)prctl(PR_SET_NAME, MON_COMM, 0, 0, 0);
	if (r == 1)
		abandon(m);
	return r;
}

int mon_spare_take_cgroup(struct monitor *m, const struct cgroup_limits *lim, struct md_err *err)
{
	cleanup_free char *name = steal_ptr(&m->spare_cg);
	bool limited = lim->memory || lim->cpu_quota_us || lim->pids;
	struct md_err e2;

	if (name == NULL)
		return 1;
	if (cgroup_rename(m->cg, name, m->cfg.id, err) < 0) {
		log_warn("%.12s: %s: a cgroup of its own instead", m->cfg.id, err->msg);
		if (go_home(m, err) < 0) {
			m->spare_cg = steal_ptr(&name); /* release_cgroup retries */
			return -1;
		}
		if (cgroup_remove(m->cg, name, &e2) < 0)
			log_warn("%.12s: %s", m->cfg.id, e2.msg);
		return 1;
	}
	m->cg_made = true;
	if (!limited)
		return 0;
	/* The limits are the container's alone: out first, then write them
	 * (a reused cgroup gets every limit written). */
	if (go_home(m, err) < 0)
		return -1;
	return cgroup_create(m->cg, m->cfg.id, lim, err);
}

void mon_spare_leave(struct monitor *m)
{
	pid_t self = getpid(), pid;
	struct md_err err;

	if (!m->in_ctr_cgroup || m->leave_pid > 0)
		return;
	/* A helper makes the write, so that the monitor relays and reaps
	 * meanwhile; it moves the monitor's pid, not its own. */
	pid = fork();
	if (pid == 0) {
		/* Copies of the container's pipes and the clients' sockets
		 * would hold back their EOFs while we wait. */
		close_range(3, ~0U, 0);
		/* It moves our pid: never once that may be someone else's. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != self)
			_exit(1);
		_exit(cgroup_home_enter(m->cg_home, self, &err) == 0 ? 0 : 1);
	}
	if (pid > 0) {
		m->leave_pid = pid;
		return;
	}
	if (go_home(m, &err) < 0)
		log_warn("%.12s: %s", m->cfg.id, err.msg);
}

bool mon_spare_reaped(struct monitor *m, pid_t pid, int status)
{
	if (m->leave_pid <= 0 || pid != m->leave_pid)
		return false;
	m->leave_pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		m->in_ctr_cgroup = false;
	return true;
}

void mon_spare_left(struct monitor *m)
{
	struct md_err err;
	int status;

	if (m->leave_pid > 0) {
		pid_t r;

		while ((r = waitpid(m->leave_pid, &status, 0)) < 0 && errno == EINTR)
			;
		if (r == m->leave_pid)
			mon_spare_reaped(m, r, status);
		else
			m->leave_pid = 0; /* not ours to wait for: go home below */
	}
	/* The helper failed (or was killed with the container): do it here. */
	if (go_home(m, &err) < 0)
		log_warn("%.12s: %s", m->cfg.id, err.msg);
}
