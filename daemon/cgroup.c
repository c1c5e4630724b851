/*
 * Container cgroups on v1, hybrid and v2 hosts; the rules are in cgroup.h.
 *
 * All access is plain open/read/write on cgroupfs. Interface files are
 * opened without O_CREAT: on cgroupfs the kernel creates them with the
 * directory, and a file that is missing means the kernel lacks the feature
 * (swap accounting, cgroup.kill, CFS bandwidth), which we must notice
 * rather than paper over with a regular file nobody reads.
 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../common/util.h"
#include "cgroup-internal.h"

const char *const cg_ctrl_names[CG_NCTRL] = { "memory", "cpu", "pids" };

static void round_sleep(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = ROUND_NS };

	nanosleep(&ts, NULL);
}

/* Write val to dir/name (no O_CREAT, see the top). On failure errno is
 * that of the failing call, so callers can accept ENOENT or retry EBUSY. */
static int cg_write(const char *dir, const char *name, const char *val, struct md_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	int saved;

	if (fd >= 0 && write_all(fd, val, strlen(val)) == 0)
		return 0;
	saved = errno;
	md_err_set(err, saved, "write %s", path);
	errno = saved;
	return -1;
}

/* cg_write where a missing file means the kernel lacks the feature. */
static int cg_write_opt(const char *dir, const char *name, const char *val, struct md_err *err)
{
	if (cg_write(dir, name, val, err) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* Read dir/name whole; errno preserved on failure as for cg_write. */
int cg_read(const char *dir, const char *name, char **out, struct md_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	struct md_err e;

	if (file_read_all(path, FILE_MAX, out, NULL, &e) < 0) {
		if (err != NULL)
			*err = e;
		errno = e.errnum;
		return -1;
	}
	return 0;
}

/* mkdir that accepts an existing directory; *created tells which it was. */
static int cg_mkdir(const char *path, bool *created, struct md_err *err)
{
	struct stat st;

	if (created != NULL)
		*created = false;
	if (mkdir(path, 0755) == 0) {
		if (created != NULL)
			*created = true;
		return 0;
	}
	if (errno != EEXIST)
		return md_err_set(err, errno, "mkdir %s", path);
	if (lstat(path, &st) < 0)
		return md_err_set(err, errno, "stat %s", path);
	if (!S_ISDIR(st.st_mode))
		return md_err_set(err, ENOTDIR, "mkdir %s", path);
	return 0;
}

/* Controller bits named in a list separated by spaces, commas or newlines
 * (cgroup.controllers, cgroup.subtree_control, v1 super options). A
 * leading '+' is accepted so what we wrote reads back as enabled. */
unsigned cg_ctrls_parse(const char *s)
{
	unsigned bits = 0;

	while (*s) {
		size_t n = strcspn(s, " ,\t\n");

		if (*s == '+') {
			s++;
			n = n > 0 ? n - 1 : 0;
		}
		for (int c = 0; c < CG_NCTRL; c++)
			if (n == strlen(cg_ctrl_names[c]) && strncmp(s, cg_ctrl_names[c], n) == 0)
				bits |= CG_BIT(c);
		s += n;
		s += strspn(s, " ,\t\n");
	}
	return bits;
}

/* A relative cgroup path: components that are neither empty, "." nor "..".
 * Leading slashes are dropped. Returns an allocated copy or NULL. */
char *cg_rel_path_check(const char *p)
{
	const char *c;

	while (*p == '/')
		p++;
	if (*p == '\0')
		return NULL;
	for (c = p; *c;) {
		size_t n = strcspn(c, "/");

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return NULL;
		c += n;
		if (*c == '/')
			c++;
		if (*c == '\0' && c[-1] == '/')
			return NULL;
	}
	return xstrdup(p);
}

/* A container ID is one path component of a safe alphabet: it is joined
 * into paths under cgroupfs, so "..", "/" and friends must never pass. */
static int id_check(const char *id, struct md_err *err)
{
	size_t n = id != NULL ? strlen(id) : 0;

	if (n == 0 || n > 128 || id[0] == '.' || strspn(id, "abcdefghijklmnopqrstuvwxyz"
							  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							  "0123456789_.-") != n)
		return md_err_set(err, EINVAL, "invalid cgroup name \"%.*s\"", 64,
				  id != NULL ? id : "");
	return 0;
}

/* ---- v2 parents ---- */

/* Enable the controllers of mask in dir's cgroup.subtree_control, writing
 * only those not enabled yet, so a second call never needs the cgroup to
 * be free of processes. */
static int v2_enable(const char *dir, unsigned mask, struct md_err *err)
{
	cleanup_free char *cur = NULL;
	char buf[64] = "";
	size_t used = 0;
	unsigned missing;

	if (cg_read(dir, "cgroup.subtree_control", &cur, err) < 0)
		return -1;
	missing = mask & ~cg_ctrls_parse(cur);
	if (missing == 0)
		return 0;
	for (int c = 0; c < CG_NCTRL; c++) {
		if (!(missing & CG_BIT(c)))
			continue;
		/* Three short names: "+memory +cpu +pids" always fits. */
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s+%s", used ? " " : "",
					 cg_ctrl_names[c]);
	}
	return cg_write(dir, "cgroup.subtree_control", buf, err);
}

/* Create base/rel one directory at a time. With a mask (v2), enable
 * those controllers in base and in each directory: a cgroup only offers
 * its children what its parent enabled in it. */
static int path_ensure(const char *base, const char *rel, unsigned mask, struct md_err *err)
{
	cleanup_free char *dir = xstrdup(base);

	if (mask != 0 && v2_enable(dir, mask, err) < 0)
		return -1;
	for (const char *c = rel; *c;) {
		size_t n = strcspn(c, "/");
		char *next = xasprintf("%s/%.*s", dir, (int)n, c);

		free(dir);
		dir = next;
		if (cg_mkdir(dir, NULL, err) < 0)
			return -1;
		if (mask != 0 && v2_enable(dir, mask, err) < 0)
			return -1;
		c += n;
		c += strspn(c, "/");
	}
	return 0;
}

/* Move every process listed in dir/cgroup.procs to to/cgroup.procs. A
 * process that exits meanwhile (ESRCH) is no longer in the way. */
static int procs_move(const char *dir, const char *to, struct md_err *err)
{
	cleanup_free char *text = NULL;
	char *save = NULL;

	if (cg_read(dir, "cgroup.procs", &text, err) < 0)
		return -1;
	for (char *t = strtok_r(text, "\n", &save); t != NULL; t = strtok_r(NULL, "\n", &save)) {
		unsigned long long pid;

		/* 0: a process of another pid namespace; cannot be named. */
		if (parse_uint(t, INT32_MAX, &pid) < 0 || pid == 0)
			continue;
		if (cg_write(to, "cgroup.procs", t, err) < 0 && errno != ESRCH)
			return -1;
	}
	return 0;
}

/* Delegated mode: empty O into O/supervisor, then enable the controllers
 * in O. Processes forked in O between the move and the write make it fail
 * with EBUSY: move again, a bounded number of times. */
static int v2_evacuate(const struct cgroup_env *env, struct md_err *err)
{
	cleanup_free char *sup = xasprintf("%s/%s", env->base, SUPERVISOR);
	unsigned mask = env->hier[0].ctrls;

	if (cg_mkdir(sup, NULL, err) < 0)
		return -1;
	for (int round = 0; round < MOVE_ROUNDS; round++) {
		if (procs_move(env->base, sup, err) < 0)
			return -1;
		if (mask == 0 || v2_enable(env->base, mask, err) == 0)
			return 0;
		if (errno != EBUSY)
			return -1;
	}
	return md_err_prefix(err, "processes keep appearing in %s", env->base);
}

int cgroup_env_prepare(const struct cgroup_env *env, struct md_err *err)
{
	if (env->version == 1)
		return 0;
	if (env->delegated && !env->own_is_root && v2_evacuate(env, err) < 0)
		return -1;
	return path_ensure(env->base, env->rel, env->hier[0].ctrls, err);
}

/* pids.max has the same name and values on v1 and v2. */
static int pids_write(const char *dir, int64_t pids, struct md_err *err)
{
	char val[32];

	if (pids == 0)
		return cg_write_opt(dir, "pids.max", "max", err);
	snprintf(val, sizeof(val), "%lld", (long long)pids);
	return cg_write(dir, "pids.max", val, err);
}

/* ---- limits ---- */

static void fmt_u64(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "%llu", (unsigned long long)v);
}

static int v2_limits_write(const char *dir, unsigned ctrls, const struct cgroup_limits *lim,
			   struct md_err *err)
{
	char val[64];

	if (ctrls & CG_BIT(CG_MEMORY)) {
		if (lim->memory != 0) {
			/* Swap 0: memory.max alone then caps memory and swap together. */
			fmt_u64(val, sizeof(val), lim->memory);
			if (cg_write(dir, "memory.max", val, err) < 0 ||
			    cg_write_opt(dir, "memory.swap.max", "0", err) < 0)
				return -1;
		} else if (cg_write_opt(dir, "memory.max", "max", err) < 0 ||
			   cg_write_opt(dir, "memory.swap.max", "max", err) < 0) {
			return -1;
		}
	}
	if (ctrls & CG_BIT(CG_CPU)) {
		if (lim->cpu_quota_us != 0) {
			snprintf(val, sizeof(val), "%llu %llu", (unsigned long long)lim->cpu_quota_us,
				 (unsigned long long)(lim->cpu_period_us ? lim->cpu_period_us : 100000));
			if (cg_write(dir, "cpu.max", val, err) < 0)
				return -1;
		} else if (cg_write_opt(dir, "cpu.max", "max", err) < 0) {
			return -1;
		}
	}
	if ((ctrls & CG_BIT(CG_PIDS)) && pids_write(dir, lim->pids, err) < 0)
		return -1;
	return 0;
}

/* v1 memory: the kernel keeps limit_in_bytes <= memsw.limit_in_bytes at
 * every step, so raising goes memsw first and lowering limit first. We
 * cannot know which without reading both: try limit first, and on EINVAL
 * (it would exceed memsw) write memsw first. */
static int v1_memory_write(const char *dir, uint64_t limit, struct md_err *err)
{
	char val[32] = "-1";

	if (limit != 0)
		fmt_u64(val, sizeof(val), limit);
	if (cg_write(dir, "memory.limit_in_bytes", val, err) == 0)
		return cg_write_opt(dir, "memory.memsw.limit_in_bytes", val, err);
	if (limit == 0 && errno == ENOENT)
		return 0;
	if (errno != EINVAL)
		return -1;
	if (cg_write(dir, "memory.memsw.limit_in_bytes", val, err) < 0)
		return -1;
	return cg_write(dir, "memory.limit_in_bytes", val, err);
}

static int v1_limits_write(const char *dir, unsigned ctrls, const struct cgroup_limits *lim,
			   struct md_err *err)
{
	char val[32];

	if ((ctrls & CG_BIT(CG_MEMORY)) && v1_memory_write(dir, lim->memory, err) < 0)
		return -1;
	if (ctrls & CG_BIT(CG_CPU)) {
		if (lim->cpu_quota_us != 0) {
			fmt_u64(val, sizeof(val), lim->cpu_period_us ? lim->cpu_period_us : 100000);
			if (cg_write(dir, "cpu.cfs_period_us", val, err) < 0)
				return -1;
			fmt_u64(val, sizeof(val), lim->cpu_quota_us);
			if (cg_write(dir, "cpu.cfs_quota_us", val, err) < 0)
				return -1;
		} else if (cg_write_opt(dir, "cpu.cfs_quota_us", "-1", err) < 0) {
			return -1;
		}
	}
	if ((ctrls & CG_BIT(CG_PIDS)) && pids_write(dir, lim->pids, err) < 0)
		return -1;
	return 0;
}

/* Refuse limits the host cannot enforce before creating anything. */
static int limits_check(const struct cgroup_env *env, const struct cgroup_limits *lim,
			struct md_err *err)
{
	unsigned have = 0, need = 0;

	for (size_t i = 0; i < env->nhier; i++)
		have |= env->hier[i].ctrls;
	if (lim->pids < 0)
		return md_err_set(err, EINVAL, "invalid pids limit %lld", (long long)lim->pids);
	if (lim->memory != 0)
		need |= CG_BIT(CG_MEMORY);
	if (lim->cpu_quota_us != 0)
		need |= CG_BIT(CG_CPU);
	if (lim->pids != 0)
		need |= CG_BIT(CG_PIDS);
	for (int c = 0; c < CG_NCTRL; c++)
		if ((need & ~have) & CG_BIT(c))
			return md_err_set(err, ENOTSUP, "%s limit: cgroup controller %s not available",
					  cg_ctrl_names[c], cg_ctrl_names[c]);
	return 0;
}

int cgroup_create(const struct cgroup_env *env, const char *id, const struct cgroup_limits *lim,
		  struct md_err *err)
{
	bool created[CG_NCTRL] = { false };
	size_t i;

	if (id_check(id, err) < 0 || limits_check(env, lim, err) < 0)
		return -1;
	if (env->version == 2) {
		if (path_ensure(env->base, env->rel, env->hier[0].ctrls, err) < 0)
			return -1;
	} else {
		for (i = 0; i < env->nhier; i++)
			if (path_ensure(env->hier[i].mnt, env->rel, 0, err) < 0)
				return -1;
	}
	for (i = 0; i < env->nhier; i++) {
		const struct cg_hier *h = &env->hier[i];
		cleanup_free char *dir = xasprintf("%s/%s", h->parent, id);
		int r;

		if (cg_mkdir(dir, &created[i], err) < 0)
			break;
		/* A new cgroup starts without limits: write only those asked
		 * for (a reused one is reset). Each write is a start's cost. */
		if (created[i] && lim->memory == 0 && lim->cpu_quota_us == 0 && lim->pids == 0)
			continue;
		if (env->version == 2)
			r = v2_limits_write(dir, h->ctrls, lim, err);
		else
			r = v1_limits_write(dir, h->ctrls, lim, err);
		if (r < 0)
			break;
	}
	if (i == env->nhier)
		return 0;
	/* Undo only what this call made: a reused cgroup is not ours to drop. */
	for (size_t j = 0; j <= i && j < env->nhier; j++) {
		if (created[j]) {
			cleanup_free char *dir = xasprintf("%s/%s", env->hier[j].parent, id);

			rmdir(dir);
		}
	}
	return -1;
}

int cgroup_enter(const struct cgroup_env *env, const char *id, pid_t pid, struct md_err *err)
{
	char val[16];

	if (id_check(id, err) < 0)
		return -1;
	if (pid <= 0)
		return md_err_set(err, EINVAL, "enter cgroup %s: invalid pid %d", id, (int)pid);
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (size_t i = 0; i < env->nhier; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", env->hier[i].parent, id);

		if (cg_write(dir, "cgroup.procs", val, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_home_enter(const struct cgroup_home *home, pid_t pid, struct md_err *err)
{
	char val[16];

	if (pid <= 0)
		return md_err_set(err, EINVAL, "enter own cgroup: invalid pid %d", (int)pid);
	snprintf(val, sizeof(val), "%d", (int)pid);
	for (size_t i = 0; i < home->n; i++)
		if (cg_write(home->dir[i], "cgroup.procs", val, err) < 0)
			return -1;
	return 0;
}

int cgroup_rename(const struct cgroup_env *env, const char *from, const char *to,
		  struct md_err *err)
{
	size_t i;

	if (id_check(from, err) < 0 || id_check(to, err) < 0)
		return -1;
	if (env->version != 1)
		return md_err_set(err, EOPNOTSUPP, "rename cgroup %s: cgroup v2 renames nothing", from);
	for (i = 0; i < env->nhier; i++) {
		cleanup_free char *a = xasprintf("%s/%s", env->hier[i].parent, from);
		cleanup_free char *b = xasprintf("%s/%s", env->hier[i].parent, to);

		/* kernfs never replaces an existing entry (EEXIST), and
		 * takes no rename flags. */
		if (rename(a, b) < 0) {
			md_err_set(err, errno, "rename %s to %s", a, to);
			break;
		}
	}
	if (i == env->nhier)
		return 0;
	while (i-- > 0) {
		cleanup_free char *a = xasprintf("%s/%s", env->hier[i].parent, from);
		cleanup_free char *b = xasprintf("%s/%s", env->hier[i].parent, to);

		/* Said, not hidden: the names now differ between hierarchies. */
		if (rename(b, a) < 0)
			md_err_prefix(err, "cannot rename %s back to %s (%s); first", b, from,
				      strerror(errno));
	}
	return -1;
}

bool cgroup_sweep(const struct cgroup_env *env, const char *prefix)
{
	bool clean = true;

	for (size_t i = 0; i < env->nhier; i++) {
		DIR *dir = opendir(env->hier[i].parent);
		struct dirent *e;

		if (dir == NULL)
			continue;
		while ((e = readdir(dir)) != NULL) {
			cleanup_free char *path = NULL;

			if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
				continue;
			path = xasprintf("%s/%s", env->hier[i].parent, e->d_name);
			/* A cgroup with a process in it is refused (EBUSY). */
			if (rmdir(path) < 0 && errno != ENOENT)
				clean = false;
		}
		closedir(dir);
	}
	return clean;
}

int cgroup_open_dir(const struct cgroup_env *env, const char *id, struct md_err *err)
{
	cleanup_free char *dir = NULL;
	int fd;

	if (id_check(id, err) < 0)
		return -1;
	if (env->version != 2)
		return md_err_set(err, EOPNOTSUPP, "open cgroup %s: needs cgroup v2", id);
	dir = xasprintf("%s/%s", env->hier[0].parent, id);
	/* Not O_PATH: CLONE_INTO_CGROUP refuses O_PATH descriptors. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return md_err_set(err, errno, "open %s", dir);
	return fd;
}

/* ---- kill ---- */

/* The pids listed in text (cgroup.procs), skipping those we must never
 * signal: 0 (another pid namespace), init, ourselves. Returns the count. */
static size_t pids_parse(char *text, pid_t **out)
{
	size_t n = 0, cap = 16;
	pid_t *pids = xmalloc(cap * sizeof(*pids));
	char *save = NULL;

	for (char *t = strtok_r(text, "\n", &save); t != NULL; t = strtok_r(NULL, "\n", &save)) {
		unsigned long long v;

		if (parse_uint(t, INT32_MAX, &v) < 0 || v <= 1 || (pid_t)v == getpid())
			continue;
		if (n == cap) {
			cap *= 2;
			pids = xrealloc(pids, cap * sizeof(*pids));
		}
		pids[n++] = (pid_t)v;
	}
	*out = pids;
	return n;
}

/* SIGKILL the processes listed in dir/cgroup.procs; returns how many were
 * signalled (0: empty or gone), -1 on error.
 *
 * Pid reuse: a listed process may exit and its pid be reused by someone
 * else before we signal it. So pin each pid with a pidfd first, then read
 * the list again: a pid still listed, now pinned, is really in the cgroup. */
static int procs_kill(const char *dir, struct md_err *err)
{
	cleanup_free char *t1 = NULL, *t2 = NULL;
	cleanup_free pid_t *p1 = NULL, *p2 = NULL;
	cleanup_free int *fds = NULL;
	size_t n1, n2;
	int count = 0;

	if (cg_read(dir, "cgroup.procs", &t1, err) < 0)
		return errno == ENOENT ? 0 : -1;
	n1 = pids_parse(t1, &p1);
	if (n1 == 0)
		return 0;
	fds = xmalloc(n1 * sizeof(*fds));
	for (size_t i = 0; i < n1; i++) {
		fds[i] = (int)syscall(SYS_pidfd_open, p1[i], 0);
		/* -2: no pidfd_open (Linux < 5.3): plain kill after the re-check. */
		if (fds[i] < 0)
			fds[i] = errno == ENOSYS ? -2 : -1;
	}
	if (cg_read(dir, "cgroup.procs", &t2, err) < 0) {
		count = errno == ENOENT ? 0 : -1;
		n2 = 0;
	} else {
		n2 = pids_parse(t2, &p2);
	}
	for (size_t i = 0; i < n1; i++) {
		bool listed = false;

		for (size_t j = 0; j < n2 && !listed; j++)
			listed = p2[j] == p1[i];
		if (listed && fds[i] >= 0) {
			syscall(SYS_pidfd_send_signal, fds[i], SIGKILL, NULL, 0);
			count++;
		} else if (listed && fds[i] == -2) {
			kill(p1[i], SIGKILL);
			count++;
		}
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return count;
}

int cgroup_kill_all(const struct cgroup_env *env, const char *id, struct md_err *err)
{
	if (id_check(id, err) < 0)
		return -1;
	if (env->version == 2) {
		cleanup_free char *dir = xasprintf("%s/%s", env->hier[0].parent, id);

		/* cgroup.kill: the kernel kills every member and every fork
		 * racing with it. ENOENT: an older kernel, or no cgroup. */
		if (cg_write(dir, "cgroup.kill", "1", err) == 0)
			return 0;
		if (errno != ENOENT)
			return -1;
	}
	/* Without cgroup.kill a process may fork between our read and our
	 * kill: rounds until the list stays empty. */
	for (int round = 0; round < KILL_ROUNDS; round++) {
		int live = 0;

		for (size_t i = 0; i < env->nhier; i++) {
			cleanup_free char *dir = xasprintf("%s/%s", env->hier[i].parent, id);
			int n = procs_kill(dir, err);

			if (n < 0)
				return -1;
			live += n;
		}
		if (live == 0)
			return 0;
		round_sleep();
	}
	return md_err_set(err, EBUSY, "kill cgroup %s: processes remain", id);
}

/* ---- OOM ---- */

/* The value of "KEY N" in a flat keyed file (memory.events,
 * memory.oom_control). -1 if the key is absent or its value malformed. */
static int keyed_get(const char *text, const char *key, unsigned long long *val)
{
	size_t kl = strlen(key);

	for (const char *l = text; *l;) {
		size_t len = strcspn(l, "\n");
		char num[32];

		if (len > kl + 1 && strncmp(l, key, kl) == 0 && l[kl] == ' ') {
			if (len - kl - 1 >= sizeof(num))
				return -1;
			memcpy(num, l + kl + 1, len - kl - 1);
			num[len - kl - 1] = '\0';
			return parse_uint(num, UINT64_MAX, val);
		}
		l += len;
		if (*l == '\n')
			l++;
	}
	return -1;
}

int cgroup_oom_killed(const struct cgroup_env *env, const char *id, bool *oom, struct md_err *err)
{
	unsigned long long n;

	*oom = false;
	if (id_check(id, err) < 0)
		return -1;
	for (size_t i = 0; i < env->nhier; i++) {
		cleanup_free char *dir = NULL, *text = NULL;

		if (!(env->hier[i].ctrls & CG_BIT(CG_MEMORY)))
			continue;
		dir = xasprintf("%s/%s", env->hier[i].parent, id);
		if (cg_read(dir, env->version == 2 ? "memory.events" : "memory.oom_control", &text,
			    err) < 0)
			return errno == ENOENT ? 0 : -1;
		if (keyed_get(text, "oom_kill", &n) == 0) {
			*oom = n > 0;
			return 0;
		}
		if (env->version == 2)
			return 0;
		/* v1 before Linux 4.13: no oom_kill counter. */
		if (keyed_get(text, "under_oom", &n) == 0 && n > 0) {
			*oom = true;
			return 0;
		}
		free(text);
		text = NULL;
		if (cg_read(dir, "memory.failcnt", &text, NULL) == 0) {
			text[strcspn(text, "\n")] = '\0';
			*oom = parse_uint(text, UINT64_MAX, &n) == 0 && n > 0;
		}
		return 0;
	}
	return 0;
}

/* ---- remove ---- */

int cgroup_remove(const struct cgroup_env *env, const char *id, struct md_err *err)
{
	int r = 0;

	if (id_check(id, err) < 0)
		return -1;
	for (size_t i = 0; i < env->nhier; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", env->hier[i].parent, id);

		for (int round = 0;; round++) {
			if (rmdir(dir) == 0 || errno == ENOENT)
				break;
			/* EBUSY: killed tasks not yet freed by the kernel. */
			if (errno != EBUSY || round == REMOVE_ROUNDS) {
				r = md_err_set(err, errno, "rmdir %s", dir);
				break;
			}
			round_sleep();
		}
	}
	return r;
}
