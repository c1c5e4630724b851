/* Control groups for containers: find how the host mounts them, give each
 * container its own cgroup with memory, CPU and pid limits, put processes
 * in it, kill them all, tell whether the kernel OOM-killed one, remove it.
 * Plain file I/O on cgroupfs only (the monitor is static: no NSS).
 *
 * Layouts:
 *   v1     memory, cpu and pids mounted as separate hierarchies (cpu may
 *          be co-mounted with cpuacct). A container gets one directory in
 *          each: <mount>/<parent>/<id>.
 *   hybrid v1 hierarchies plus a cgroup2 mount holding none of memory, cpu,
 *          pids (/sys/fs/cgroup/unified): treated as v1.
 *   v2     one cgroup2 mount whose cgroup.controllers lists what we use.
 * The layout is v1 as soon as one of memory, cpu, pids is on a v1
 * hierarchy, else v2 when a cgroup2 mount exists, else an error.
 *
 * Where containers go:
 *   v1                 <mount>/<parent>/<id> in each hierarchy; parent NULL
 *                      means "minidocker".
 *   v2, parent given   <mount>/<parent>/<id>; controllers are enabled in
 *                      cgroup.subtree_control of the root and of every
 *                      directory down to <parent>.
 *   v2, parent NULL    delegated mode (systemd Delegate=yes): let O be this
 *                      process's own cgroup from /proc/self/cgroup, or its
 *                      parent when O's last component is "supervisor" (a
 *                      process that cgroup_env_prepare already moved). Then
 *                        O/supervisor    where O's processes move to,
 *                        O/containers    controllers enabled,
 *                        O/containers/<id>.
 *                      The "no internal processes" rule forbids enabling
 *                      controllers in O while processes live in it, hence
 *                      the supervisor leaf. Everything in O is ours under
 *                      Delegate=yes (the daemon and its monitors), so
 *                      cgroup_env_prepare moves all of it, not only the
 *                      caller; it never moves processes out of the mount's
 *                      root cgroup (the root is exempt from the rule, and
 *                      its processes are the host's).
 *
 * Limits: memory caps memory and swap together (CLI.md): v2 memory.max=L
 * and memory.swap.max=0; v1 memory.limit_in_bytes=L and, when swap
 * accounting exists, memory.memsw.limit_in_bytes=L. Without swap
 * accounting (no memory.swap.max / memory.memsw.*) only memory is capped.
 * A limit of 0 writes the "no limit" value where the file exists, so a
 * reused cgroup keeps no stale limit. A limit asked for on a controller
 * the host does not offer is an error (ENOTSUP), never silently dropped.
 *
 * Every function returns 0 or -1 with err set, unless stated otherwise. */
#ifndef MD_CGROUP_H
#define MD_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

struct cgroup_limits {
	uint64_t memory;        /* bytes, memory and swap together; 0 = no limit */
	uint64_t cpu_quota_us;  /* CFS quota per period; 0 = no limit */
	uint64_t cpu_period_us; /* 0 means 100000 */
	int64_t pids;           /* max tasks; 0 = no limit, < 0 invalid */
};

struct cgroup_env;

/* Detect the layout from a mountinfo file ("/proc/self/mountinfo") and this
 * process's cgroup file ("/proc/self/cgroup", read only in v2 delegated
 * mode; may be NULL otherwise). prefix is prepended to every mount point
 * (NULL or "" on a real host, a temp dir in tests). parent is the
 * containers' parent cgroup relative to each hierarchy's root ("minidocker";
 * a leading '/' is ignored; no "." or ".." components); see above for NULL. */
int cgroup_env_detect(const char *mountinfo, const char *self_cgroup, const char *prefix,
		      const char *parent, struct cgroup_env **out, struct md_err *err);

void cgroup_env_free(struct cgroup_env *env);

/* 1 or 2. */
int cgroup_env_version(const struct cgroup_env *env);

/* Once per process before the first cgroup_create. v2 delegated mode: move
 * the processes of O into O/supervisor, then enable memory, cpu, pids
 * (those O offers) in O and O/containers. v2 with a parent: create it and
 * enable the controllers along the path. v1: nothing to do. Idempotent. */
int cgroup_env_prepare(const struct cgroup_env *env, struct md_err *err);

/* Create the container's cgroup(s) named id (one path component) and write
 * the limits. An existing cgroup of that name is reused. Never moves
 * processes: on v2 the parents are created and enabled as needed, which
 * fails with EBUSY in delegated mode if cgroup_env_prepare was not called.
 * On failure nothing this call created is left behind. */
int cgroup_create(const struct cgroup_env *env, const char *id, const struct cgroup_limits *lim,
		  struct md_err *err);

/* Move pid into the container's cgroup(s): cgroup.procs of each hierarchy. */
int cgroup_enter(const struct cgroup_env *env, const char *id, pid_t pid, struct md_err *err);

/* v1: rename the container cgroup(s) `from` to `to` in each hierarchy
 * (cgroupfs renames within a parent), so a cgroup made ahead under a
 * spare name becomes a container's with everything already in it. An
 * existing `to` is never replaced. v2 cannot rename: EOPNOTSUPP. On
 * failure the renames done are undone. */
int cgroup_rename(const struct cgroup_env *env, const char *from, const char *to,
		  struct md_err *err);

/* Remove the empty cgroups whose name starts with prefix under the
 * containers' parent, in every hierarchy: what dead spare monitors left.
 * A cgroup still holding a process is left alone. False when one was. */
bool cgroup_sweep(const struct cgroup_env *env, const char *prefix);

/* v1: this process's own cgroup in each of env's hierarchies, read from
 * self_cgroup ("/proc/self/cgroup") before it moves, so that it can come
 * back later (a spare monitor waits in a cgroup that becomes its
 * container's). Fails when a hierarchy has no entry or it lies outside
 * the mount. v2: EOPNOTSUPP. */
struct cgroup_home;
int cgroup_home_find(const struct cgroup_env *env, const char *self_cgroup,
		     struct cgroup_home **out, struct md_err *err);
/* Move pid back into those cgroups. */
int cgroup_home_enter(const struct cgroup_home *home, pid_t pid, struct md_err *err);
void cgroup_home_free(struct cgroup_home *home);

/* v2: an O_DIRECTORY fd of the container's cgroup, for clone3's
 * CLONE_INTO_CGROUP; the caller closes it. v1: -1 with err->errnum
 * EOPNOTSUPP. */
int cgroup_open_dir(const struct cgroup_env *env, const char *id, struct md_err *err);

/* SIGKILL every process of the container's cgroup(s). v2 with cgroup.kill
 * (Linux 5.14): one atomic write, returns at once. Otherwise: signal each
 * pid of cgroup.procs, re-reading until empty, at most ~0.5 s of rounds
 * (processes forking meanwhile are caught by the next round); fails with
 * EBUSY if processes remain. A missing cgroup has nothing to kill. The
 * processes die asynchronously: cgroup_remove waits for them. */
int cgroup_kill_all(const struct cgroup_env *env, const char *id, struct md_err *err);

/* Set *oom when the kernel OOM-killed a process of the cgroup: v2
 * memory.events "oom_kill N", v1 memory.oom_control "oom_kill N" (Linux
 * 4.13), N > 0. Older v1 kernels fall back to "under_oom 1" or
 * memory.failcnt > 0, which also reports a container that hit its limit
 * and recovered by reclaim. No memory controller, or no such file: false.
 * Call before cgroup_remove. */
int cgroup_oom_killed(const struct cgroup_env *env, const char *id, bool *oom, struct md_err *err);

/* Remove the container's cgroup(s), retrying for ~1 s while EBUSY (the
 * kernel is still freeing killed tasks). Missing is fine. The parents stay:
 * other containers may be using them. */
int cgroup_remove(const struct cgroup_env *env, const char *id, struct md_err *err);

#endif
