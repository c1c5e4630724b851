/* Unit tests for daemon/cgroup.c against fake cgroup trees in a temp dir:
 * a fake mountinfo names mount points under the temp dir (the module's
 * `prefix`), and the tests create the interface files the kernel would
 * create with each cgroup directory (the module never creates them), then
 * read back what the module wrote. Layouts: pure v2 (explicit parent and
 * delegated), pure v1 and hybrid, and garbage inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/util.h"
#include "../../daemon/cgroup.h"

#define ID "0123456789abcdef0123456789abcdef"

#define MI_ROOT "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
#define MI_V2 MI_ROOT \
	"29 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 " \
	"cgroup2 rw,nsdelegate,memory_recursiveprot\n"
#define MI_V1_CTRLS \
	"33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup " \
	"rw,xattr,name=systemd\n" \
	"36 31 0:33 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - " \
	"cgroup cgroup rw,memory\n" \
	"37 31 0:34 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:16 - " \
	"cgroup cgroup rw,cpu,cpuacct\n" \
	"38 31 0:35 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - " \
	"cgroup cgroup rw,pids\n"
#define MI_V1 MI_ROOT \
	"31 22 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n" \
	MI_V1_CTRLS
#define MI_HYBRID MI_ROOT \
	"31 22 0:28 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n" \
	"32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - " \
	"cgroup2 cgroup2 rw,nsdelegate\n" \
	MI_V1_CTRLS

#define V2 "sys/fs/cgroup"
#define V2_CTR V2 "/minidocker/" ID
#define SVC V2 "/system.slice/minidockerd.service"
#define MEM "sys/fs/cgroup/memory/minidocker/" ID
#define CPU "sys/fs/cgroup/cpu,cpuacct/minidocker/" ID
#define PIDS "sys/fs/cgroup/pids/minidocker/" ID

struct fx {
	char root[64];
	struct cgroup_env *env;
	struct md_err err;
};

static int fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	snprintf(f->root, sizeof(f->root), "/tmp/test-cgroup.XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	cgroup_env_free(f->env);
	dir_remove_tree(f->root, NULL);
	free(f);
	return 0;
}

static char *fx_path(const struct fx *f, const char *rel)
{
	return xasprintf("%s/%s", f->root, rel);
}

/* mkdir -p root/rel. */
static void mkdirs(const struct fx *f, const char *rel)
{
	cleanup_free char *p = fx_path(f, rel);

	for (char *s = p + strlen(f->root) + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST)
				fail_msg("mkdir %s: %s", p, strerror(errno));
			*s = c;
			if (c == '\0')
				break;
		}
	}
}

/* Create root/rel (and its directories) holding content. */
static void put(const struct fx *f, const char *rel, const char *content)
{
	cleanup_free char *dir = xstrdup(rel);
	cleanup_free char *p = fx_path(f, rel);
	char *slash = strrchr(dir, '/');
	int fd;

	if (slash != NULL) {
		*slash = '\0';
		mkdirs(f, dir);
	}
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, content, strlen(content)), 0);
	close(fd);
}

/* The content of root/rel; fails the test if it is missing. */
static char *get(const struct fx *f, const char *rel)
{
	cleanup_free char *p = fx_path(f, rel);
	char *s = NULL;

	if (file_read_all(p, 1 << 20, &s, NULL, NULL) < 0)
		fail_msg("read %s: %s", p, strerror(errno));
	return s;
}

static void assert_file(const struct fx *f, const char *rel, const char *want)
{
	cleanup_free char *got = get(f, rel);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", rel, got, want);
}

static bool exists(const struct fx *f, const char *rel)
{
	cleanup_free char *p = fx_path(f, rel);
	struct stat st;

	return lstat(p, &st) == 0;
}

/* Detect with this mountinfo and /proc/self/cgroup text (NULL: none). */
static int detect(struct fx *f, const char *mountinfo, const char *self, const char *parent)
{
	cleanup_free char *mi = fx_path(f, "mountinfo");
	cleanup_free char *sc = fx_path(f, "self-cgroup");

	put(f, "mountinfo", mountinfo);
	if (self != NULL)
		put(f, "self-cgroup", self);
	cgroup_env_free(f->env);
	f->env = NULL;
	return cgroup_env_detect(mi, sc, f->root, parent, &f->env, &f->err);
}

static void detect_ok(struct fx *f, const char *mountinfo, const char *self, const char *parent)
{
	if (detect(f, mountinfo, self, parent) < 0)
		fail_msg("detect: %s", f->err.msg);
}

/* Detection failed, with an error message and no env. */
static void assert_detect_fails(struct fx *f, const char *mountinfo, const char *self,
				const char *parent)
{
	assert_int_equal(detect(f, mountinfo, self, parent), -1);
	assert_null(f->env);
	assert_true(f->err.msg[0] != '\0');
}

/* A pure v2 host, parent "minidocker": the root offers ctrls, and the
 * container's cgroup ID already has its interface files. */
static void v2_tree(struct fx *f, const char *ctrls)
{
	static const char *const files[] = { "memory.max", "memory.swap.max", "cpu.max",
					     "pids.max", "cgroup.procs", "cgroup.kill" };

	put(f, V2 "/cgroup.controllers", ctrls);
	put(f, V2 "/cgroup.subtree_control", "");
	put(f, V2 "/minidocker/cgroup.subtree_control", "");
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free char *p = xasprintf(V2_CTR "/%s", files[i]);

		put(f, p, "max");
	}
	put(f, V2_CTR "/cgroup.procs", "");
	put(f, V2_CTR "/cgroup.kill", "");
}

static void v2_setup(struct fx *f)
{
	v2_tree(f, "cpuset cpu io memory hugetlb pids rdma misc\n");
	detect_ok(f, MI_V2, NULL, "minidocker");
}

/* A v1 (or hybrid) host whose container cgroups have their files; memsw
 * only with swap accounting. */
static void v1_setup(struct fx *f, const char *mountinfo, bool memsw)
{
	put(f, MEM "/memory.limit_in_bytes", "9223372036854771712");
	if (memsw)
		put(f, MEM "/memory.memsw.limit_in_bytes", "9223372036854771712");
	put(f, MEM "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
	put(f, MEM "/cgroup.procs", "");
	put(f, CPU "/cpu.cfs_quota_us", "-1");
	put(f, CPU "/cpu.cfs_period_us", "100000");
	put(f, CPU "/cgroup.procs", "");
	put(f, PIDS "/pids.max", "max");
	put(f, PIDS "/cgroup.procs", "");
	detect_ok(f, mountinfo, NULL, NULL);
}

static const struct cgroup_limits limits = {
	.memory = 32 << 20,
	.cpu_quota_us = 50000,
	.cpu_period_us = 100000,
	.pids = 32,
};
static const struct cgroup_limits unlimited = { 0 };

static void create_ok(struct fx *f, const struct cgroup_limits *lim)
{
	if (cgroup_create(f->env, ID, lim, &f->err) < 0)
		fail_msg("create: %s", f->err.msg);
}

/* A child that waits to be killed. */
static pid_t child_pause(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* Reap pid (killing it first if it is still alive); its terminating signal. */
static int child_reap(pid_t pid, bool kill_first)
{
	int status;

	if (kill_first)
		kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/* Whether pid is still running (not even a zombie yet). */
static bool child_alive(pid_t pid)
{
	int status;

	return waitpid(pid, &status, WNOHANG) == 0;
}

/* ---- cgroup_env_detect ---- */

static void cgroup_env_detect__pure_v2__version_2(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_env_version(f->env), 2);
}

static void cgroup_env_detect__pure_v1__version_1(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_V1, true);
	assert_int_equal(cgroup_env_version(f->env), 1);
}

static void cgroup_env_detect__hybrid__version_1(void **state)
{
	struct fx *f = *state;

	/* The unified mount offers nothing: its cgroup.controllers is empty. */
	put(f, V2 "/unified/cgroup.controllers", "");
	v1_setup(f, MI_HYBRID, true);
	assert_int_equal(cgroup_env_version(f->env), 1);
}

static void cgroup_env_detect__v2_after_non_controller_v1__version_2(void **state)
{
	struct fx *f = *state;

	/* A v1 name=systemd hierarchy holds no controller: still v2. */
	v2_tree(f, "cpu memory pids\n");
	detect_ok(f, MI_V2 "40 22 0:40 / /run/systemd-v1 rw - cgroup cgroup rw,name=systemd\n",
		  NULL, "minidocker");
	assert_int_equal(cgroup_env_version(f->env), 2);
}

static void cgroup_env_detect__escaped_mount_point__unescaped(void **state)
{
	struct fx *f = *state;

	put(f, "cg root/cgroup.controllers", "memory\n");
	put(f, "cg root/cgroup.subtree_control", "");
	put(f, "cg root/minidocker/cgroup.subtree_control", "");
	detect_ok(f, MI_ROOT "29 22 0:26 / /cg\\040root rw shared:4 - cgroup2 cgroup2 rw\n", NULL,
		  "minidocker");
	assert_int_equal(cgroup_env_version(f->env), 2);
	assert_int_equal(cgroup_env_prepare(f->env, &f->err), 0);
	assert_file(f, "cg root/cgroup.subtree_control", "+memory");
	assert_file(f, "cg root/minidocker/cgroup.subtree_control", "+memory");
}

static void cgroup_env_detect__no_cgroup_mount__fails(void **state)
{
	assert_detect_fails(*state, MI_ROOT, NULL, NULL);
}

static void cgroup_env_detect__empty_mountinfo__fails(void **state)
{
	assert_detect_fails(*state, "", NULL, NULL);
}

static void cgroup_env_detect__missing_mountinfo__fails(void **state)
{
	struct fx *f = *state;
	cleanup_free char *mi = fx_path(f, "no-such-mountinfo");

	assert_int_equal(cgroup_env_detect(mi, NULL, f->root, NULL, &f->env, &f->err), -1);
	assert_null(f->env);
	assert_int_equal(f->err.errnum, ENOENT);
}

static void cgroup_env_detect__garbage_line__fails(void **state)
{
	struct fx *f = *state;

	assert_detect_fails(f, MI_V1 "this is not a mountinfo line\n", NULL, NULL);
	assert_int_equal(f->err.errnum, EINVAL);
	assert_non_null(strstr(f->err.msg, "line 7"));
}

static void cgroup_env_detect__no_separator__fails(void **state)
{
	assert_detect_fails(*state, "36 31 0:33 / /sys/fs/cgroup/memory rw shared:15 cgroup cgroup "
				    "rw,memory\n", NULL, NULL);
}

static void cgroup_env_detect__separator_too_early__fails(void **state)
{
	assert_detect_fails(*state, "36 31 0:33 / - cgroup cgroup rw,memory\n", NULL, NULL);
}

static void cgroup_env_detect__truncated_after_separator__fails(void **state)
{
	assert_detect_fails(*state, "36 31 0:33 / /sys/fs/cgroup/memory rw - cgroup cgroup\n",
			    NULL, NULL);
}

static void cgroup_env_detect__relative_mount_point__fails(void **state)
{
	assert_detect_fails(*state, "36 31 0:33 / sys/fs/cgroup/memory rw - cgroup cgroup "
				    "rw,memory\n", NULL, NULL);
}

static void cgroup_env_detect__too_many_fields__fails(void **state)
{
	struct fx *f = *state;
	char line[1024] = "36 31 0:33 / /sys/fs/cgroup/memory rw";

	for (int i = 0; i < 80; i++)
		strcat(line, " shared:1");
	strcat(line, " - cgroup cgroup rw,memory\n");
	assert_detect_fails(f, line, NULL, NULL);
}

static void cgroup_env_detect__binary_garbage__fails(void **state)
{
	struct fx *f = *state;
	cleanup_free char *mi = fx_path(f, "mountinfo");
	unsigned char junk[4096];
	int fd;

	srand(42);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(rand() % 255 + 1);
	fd = open(mi, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, junk, sizeof(junk)), 0);
	close(fd);
	assert_int_equal(cgroup_env_detect(mi, NULL, f->root, NULL, &f->env, &f->err), -1);
	assert_null(f->env);
}

static void cgroup_env_detect__parent_dotdot__fails(void **state)
{
	struct fx *f = *state;

	assert_detect_fails(f, MI_V1, NULL, "minidocker/../../etc");
	assert_int_equal(f->err.errnum, EINVAL);
}

static void cgroup_env_detect__parent_empty_component__fails(void **state)
{
	assert_detect_fails(*state, MI_V1, NULL, "a//b");
}

static void cgroup_env_detect__parent_only_slashes__fails(void **state)
{
	assert_detect_fails(*state, MI_V1, NULL, "//");
}

static void cgroup_env_detect__v2_no_cgroup_controllers_file__fails(void **state)
{
	struct fx *f = *state;

	mkdirs(f, V2);
	assert_detect_fails(f, MI_V2, NULL, "minidocker");
}

/* ---- /proc/self/cgroup, read in v2 delegated mode ---- */

static void cgroup_env_detect__self_cgroup_no_v2_entry__fails(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "memory\n");
	assert_detect_fails(f, MI_V2, "4:memory:/foo\n1:cpu,cpuacct:/\n", NULL);
	assert_int_equal(f->err.errnum, ENOENT);
}

static void cgroup_env_detect__self_cgroup_garbage__fails(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "memory\n");
	assert_detect_fails(f, MI_V2, "garbage\n", NULL);
	assert_int_equal(f->err.errnum, EINVAL);
}

static void cgroup_env_detect__self_cgroup_bad_number__fails(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "memory\n");
	assert_detect_fails(f, MI_V2, "x::/a\n0::/a\n", NULL);
}

static void cgroup_env_detect__self_cgroup_relative_path__fails(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "memory\n");
	assert_detect_fails(f, MI_V2, "0::a/b\n", NULL);
}

static void cgroup_env_detect__self_cgroup_empty__fails(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "memory\n");
	assert_detect_fails(f, MI_V2, "", NULL);
}

static void cgroup_env_detect__self_cgroup_outside_mount_root__fails(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "memory\n");
	assert_detect_fails(f, MI_ROOT "29 22 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 "
					"cgroup2 rw\n", "0::/docker/abcd\n", NULL);
	assert_int_equal(f->err.errnum, ENOENT);
}

static void cgroup_env_detect__self_cgroup_outside_namespace__fails(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "memory\n");
	assert_detect_fails(f, MI_V2, "0::/../../system.slice/x.service\n", NULL);
	assert_int_equal(f->err.errnum, EACCES);
}

/* ---- v2, parent given ---- */

static void cgroup_create__v2_limits__written(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	create_ok(f, &limits);
	assert_file(f, V2_CTR "/memory.max", "33554432");
	assert_file(f, V2_CTR "/memory.swap.max", "0");
	assert_file(f, V2_CTR "/cpu.max", "50000 100000");
	assert_file(f, V2_CTR "/pids.max", "32");
}

static void cgroup_create__v2_unlimited__writes_max(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	put(f, V2_CTR "/memory.max", "1234");
	put(f, V2_CTR "/pids.max", "5");
	create_ok(f, &unlimited);
	assert_file(f, V2_CTR "/memory.max", "max");
	assert_file(f, V2_CTR "/memory.swap.max", "max");
	assert_file(f, V2_CTR "/cpu.max", "max");
	assert_file(f, V2_CTR "/pids.max", "max");
}

static void cgroup_create__v2_no_period__period_100000(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits lim = { .cpu_quota_us = 150000 };

	v2_setup(f);
	create_ok(f, &lim);
	assert_file(f, V2_CTR "/cpu.max", "150000 100000");
}

static void cgroup_create__v2_parent__controllers_enabled_along_path(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	create_ok(f, &limits);
	assert_file(f, V2 "/cgroup.subtree_control", "+memory +cpu +pids");
	assert_file(f, V2 "/minidocker/cgroup.subtree_control", "+memory +cpu +pids");
}

static void cgroup_create__v2_nested_parent__each_level_enabled(void **state)
{
	struct fx *f = *state;

	v2_tree(f, "memory pids\n");
	put(f, V2 "/a/cgroup.subtree_control", "");
	put(f, V2 "/a/b/cgroup.subtree_control", "");
	mkdirs(f, V2 "/a/b/" ID);
	detect_ok(f, MI_V2, NULL, "/a/b");
	create_ok(f, &unlimited);
	assert_file(f, V2 "/cgroup.subtree_control", "+memory +pids");
	assert_file(f, V2 "/a/cgroup.subtree_control", "+memory +pids");
	assert_file(f, V2 "/a/b/cgroup.subtree_control", "+memory +pids");
}

static void cgroup_create__v2_already_enabled__no_write(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	/* What the kernel shows once enabled: writing again could EBUSY. */
	put(f, V2 "/cgroup.subtree_control", "cpuset cpu memory pids\n");
	put(f, V2 "/minidocker/cgroup.subtree_control", "memory\n");
	create_ok(f, &limits);
	assert_file(f, V2 "/cgroup.subtree_control", "cpuset cpu memory pids\n");
	assert_file(f, V2 "/minidocker/cgroup.subtree_control", "+cpu +pids");
}

static void cgroup_create__v2_only_offered_controllers__enabled(void **state)
{
	struct fx *f = *state;

	v2_tree(f, "cpu io pids\n");
	detect_ok(f, MI_V2, NULL, "minidocker");
	create_ok(f, &unlimited);
	assert_file(f, V2 "/cgroup.subtree_control", "+cpu +pids");
	/* No memory controller: its files are left alone. */
	assert_file(f, V2_CTR "/memory.max", "max");
}

static void cgroup_create__v2_memory_not_offered__fails(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits lim = { .memory = 1 << 20 };

	v2_tree(f, "cpu pids\n");
	detect_ok(f, MI_V2, NULL, "minidocker");
	assert_int_equal(cgroup_create(f->env, ID, &lim, &f->err), -1);
	assert_int_equal(f->err.errnum, ENOTSUP);
	assert_non_null(strstr(f->err.msg, "memory"));
	assert_file(f, V2 "/cgroup.subtree_control", "");
}

static void cgroup_create__v2_no_swap_accounting__memory_only(void **state)
{
	struct fx *f = *state;
	cleanup_free char *swap = fx_path(f, V2_CTR "/memory.swap.max");

	v2_setup(f);
	unlink(swap);
	create_ok(f, &limits);
	assert_file(f, V2_CTR "/memory.max", "33554432");
	assert_false(exists(f, V2_CTR "/memory.swap.max"));
}

static void cgroup_create__v2_no_memory_max_file__fails(void **state)
{
	struct fx *f = *state;
	cleanup_free char *p = fx_path(f, V2_CTR "/memory.max");

	v2_setup(f);
	unlink(p);
	assert_int_equal(cgroup_create(f->env, ID, &limits, &f->err), -1);
	assert_int_equal(f->err.errnum, ENOENT);
	assert_non_null(strstr(f->err.msg, "memory.max"));
}

static void cgroup_create__new_dir_write_fails__dir_removed(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	/* A fresh directory of a plain fs has no memory.max: the write fails
	 * and the directory this call made must not stay. */
	assert_int_equal(cgroup_create(f->env, "fresh", &limits, &f->err), -1);
	assert_false(exists(f, V2 "/minidocker/fresh"));
}

static void cgroup_create__negative_pids__fails(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits lim = { .pids = -1 };

	v2_setup(f);
	assert_int_equal(cgroup_create(f->env, ID, &lim, &f->err), -1);
	assert_int_equal(f->err.errnum, EINVAL);
}

static void cgroup_create__id_dotdot__fails(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_create(f->env, "..", &unlimited, &f->err), -1);
	assert_int_equal(f->err.errnum, EINVAL);
}

static void cgroup_create__id_with_slash__fails(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_create(f->env, "a/b", &unlimited, &f->err), -1);
	assert_false(exists(f, V2 "/minidocker/a"));
}

static void cgroup_create__id_empty__fails(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_create(f->env, "", &unlimited, &f->err), -1);
}

static void cgroup_enter__v2__pid_written(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	create_ok(f, &unlimited);
	assert_int_equal(cgroup_enter(f->env, ID, 4242, &f->err), 0);
	assert_file(f, V2_CTR "/cgroup.procs", "4242");
}

static void cgroup_enter__missing_cgroup__fails(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_enter(f->env, "nosuch", 4242, &f->err), -1);
	assert_int_equal(f->err.errnum, ENOENT);
}

static void cgroup_enter__pid_zero__fails(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_enter(f->env, ID, 0, &f->err), -1);
	assert_int_equal(f->err.errnum, EINVAL);
}

static void cgroup_open_dir__v2__directory_of_the_cgroup(void **state)
{
	struct fx *f = *state;
	cleanup_free char *p = fx_path(f, V2_CTR);
	struct stat a, b;
	int fd;

	v2_setup(f);
	create_ok(f, &unlimited);
	fd = cgroup_open_dir(f->env, ID, &f->err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_true(S_ISDIR(a.st_mode));
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
}

static void cgroup_open_dir__v1__eopnotsupp(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_V1, true);
	assert_int_equal(cgroup_open_dir(f->env, ID, &f->err), -1);
	assert_int_equal(f->err.errnum, EOPNOTSUPP);
}

static void cgroup_kill_all__v2_cgroup_kill__writes_1(void **state)
{
	struct fx *f = *state;
	pid_t child = child_pause();
	char pid[16];

	v2_setup(f);
	snprintf(pid, sizeof(pid), "%d\n", (int)child);
	put(f, V2_CTR "/cgroup.procs", pid);
	assert_int_equal(cgroup_kill_all(f->env, ID, &f->err), 0);
	assert_file(f, V2_CTR "/cgroup.kill", "1");
	/* cgroup.kill did the killing: the list was not used. */
	assert_true(child_alive(child));
	child_reap(child, true);
}

static void cgroup_kill_all__v2_no_cgroup_kill__sigkills_listed(void **state)
{
	struct fx *f = *state;
	cleanup_free char *kf = fx_path(f, V2_CTR "/cgroup.kill");
	pid_t child = child_pause();
	char pid[16];

	v2_setup(f);
	unlink(kf);
	snprintf(pid, sizeof(pid), "%d\n", (int)child);
	put(f, V2_CTR "/cgroup.procs", pid);
	/* A fake cgroup.procs never empties: after its rounds, EBUSY. */
	assert_int_equal(cgroup_kill_all(f->env, ID, &f->err), -1);
	assert_int_equal(f->err.errnum, EBUSY);
	assert_int_equal(child_reap(child, false), SIGKILL);
}

static void cgroup_kill_all__empty_list__succeeds(void **state)
{
	struct fx *f = *state;
	cleanup_free char *kf = fx_path(f, V2_CTR "/cgroup.kill");

	v2_setup(f);
	unlink(kf);
	assert_int_equal(cgroup_kill_all(f->env, ID, &f->err), 0);
}

static void cgroup_kill_all__unsafe_pids__not_signalled(void **state)
{
	struct fx *f = *state;
	cleanup_free char *kf = fx_path(f, V2_CTR "/cgroup.kill");
	cleanup_free char *list = xasprintf("0\n1\n%d\n-1\n-%d\nabc\n\n99999999999\n",
					    (int)getpid(), (int)getpgrp());

	v2_setup(f);
	unlink(kf);
	put(f, V2_CTR "/cgroup.procs", list);
	/* We are still here: no pid 0, -1, our group, ourselves. */
	assert_int_equal(cgroup_kill_all(f->env, ID, &f->err), 0);
}

static void cgroup_kill_all__missing_cgroup__succeeds(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_kill_all(f->env, "nosuch", &f->err), 0);
}

static void cgroup_oom_killed__v2_oom_kill_1__true(void **state)
{
	struct fx *f = *state;
	bool oom = false;

	v2_setup(f);
	put(f, V2_CTR "/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n"
					"oom_group_kill 0\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_true(oom);
}

static void cgroup_oom_killed__v2_oom_kill_0__false(void **state)
{
	struct fx *f = *state;
	bool oom = true;

	v2_setup(f);
	put(f, V2_CTR "/memory.events", "low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_false(oom);
}

static void cgroup_oom_killed__v2_oom_group_kill_only__false(void **state)
{
	struct fx *f = *state;
	bool oom = true;

	v2_setup(f);
	/* A key that merely starts with "oom_kill" is not it. */
	put(f, V2_CTR "/memory.events", "oom_kill_x 5\noom_kill 0\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_false(oom);
}

static void cgroup_oom_killed__v2_no_events_file__false(void **state)
{
	struct fx *f = *state;
	bool oom = true;

	v2_setup(f);
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_false(oom);
}

static void cgroup_oom_killed__v2_garbage_events__false(void **state)
{
	struct fx *f = *state;
	bool oom = true;

	v2_setup(f);
	put(f, V2_CTR "/memory.events", "oom_kill\noom_kill x\noom_kill 99999999999999999999999\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_false(oom);
}

static void cgroup_remove__v2__dir_gone(void **state)
{
	struct fx *f = *state;
	cleanup_free char *dir = fx_path(f, V2_CTR);

	v2_setup(f);
	create_ok(f, &unlimited);
	/* The kernel's files vanish with the cgroup; a plain fs needs help. */
	dir_remove_tree(dir, NULL);
	mkdirs(f, V2_CTR);
	assert_int_equal(cgroup_remove(f->env, ID, &f->err), 0);
	assert_false(exists(f, V2_CTR));
	assert_true(exists(f, V2 "/minidocker"));
}

static void cgroup_remove__missing__succeeds(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_remove(f->env, "nosuch", &f->err), 0);
}

static void cgroup_remove__not_empty__fails(void **state)
{
	struct fx *f = *state;

	v2_setup(f);
	assert_int_equal(cgroup_remove(f->env, ID, &f->err), -1);
	assert_int_equal(f->err.errnum, ENOTEMPTY);
}

/* ---- v2, delegated (parent NULL) ---- */

/* The unit's cgroup holds the daemon (4242) and offers cpu, memory, pids. */
static void delegated_tree(struct fx *f)
{
	put(f, V2 "/cgroup.controllers", "cpuset cpu io memory pids\n");
	put(f, SVC "/cgroup.controllers", "cpu memory pids\n");
	put(f, SVC "/cgroup.subtree_control", "");
	put(f, SVC "/cgroup.procs", "4242\n");
	put(f, SVC "/supervisor/cgroup.procs", "");
	put(f, SVC "/containers/cgroup.subtree_control", "");
	put(f, SVC "/containers/" ID "/pids.max", "max");
}

static void cgroup_env_prepare__v2_delegated__procs_moved_and_enabled(void **state)
{
	struct fx *f = *state;

	delegated_tree(f);
	detect_ok(f, MI_V2, "0::/system.slice/minidockerd.service\n", NULL);
	assert_int_equal(cgroup_env_prepare(f->env, &f->err), 0);
	assert_file(f, SVC "/supervisor/cgroup.procs", "4242");
	assert_file(f, SVC "/cgroup.subtree_control", "+memory +cpu +pids");
	assert_file(f, SVC "/containers/cgroup.subtree_control", "+memory +cpu +pids");
	/* The mount's root is not ours: untouched. */
	assert_false(exists(f, V2 "/cgroup.subtree_control"));
}

static void cgroup_create__v2_delegated__under_containers(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits lim = { .pids = 7 };

	delegated_tree(f);
	detect_ok(f, MI_V2, "0::/system.slice/minidockerd.service\n", NULL);
	assert_int_equal(cgroup_env_prepare(f->env, &f->err), 0);
	create_ok(f, &lim);
	assert_file(f, SVC "/containers/" ID "/pids.max", "7");
}

static void cgroup_env_detect__v2_own_is_supervisor__parent_is_own(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits lim = { .pids = 7 };

	/* A monitor forked by a daemon that prepare already moved. */
	delegated_tree(f);
	detect_ok(f, MI_V2, "0::/system.slice/minidockerd.service/supervisor\n", NULL);
	assert_int_equal(cgroup_env_prepare(f->env, &f->err), 0);
	create_ok(f, &lim);
	assert_file(f, SVC "/containers/" ID "/pids.max", "7");
	assert_false(exists(f, SVC "/supervisor/containers"));
}

static void cgroup_env_prepare__v2_own_is_root__moves_nothing(void **state)
{
	struct fx *f = *state;

	put(f, V2 "/cgroup.controllers", "cpu memory pids\n");
	put(f, V2 "/cgroup.subtree_control", "");
	put(f, V2 "/cgroup.procs", "1\n4242\n");
	put(f, V2 "/containers/cgroup.subtree_control", "");
	detect_ok(f, MI_V2, "0::/\n", NULL);
	assert_int_equal(cgroup_env_prepare(f->env, &f->err), 0);
	assert_false(exists(f, V2 "/supervisor"));
	assert_file(f, V2 "/cgroup.subtree_control", "+memory +cpu +pids");
}

static void cgroup_env_detect__v2_mount_root_not_slash__path_stripped(void **state)
{
	struct fx *f = *state;

	/* A cgroup2 mount of /docker/abc (no cgroup namespace): our
	 * /docker/abc/svc is <mount>/svc. */
	put(f, V2 "/svc/cgroup.controllers", "pids\n");
	put(f, V2 "/svc/cgroup.subtree_control", "");
	put(f, V2 "/svc/cgroup.procs", "");
	put(f, V2 "/svc/supervisor/cgroup.procs", "");
	put(f, V2 "/svc/containers/cgroup.subtree_control", "");
	detect_ok(f, MI_ROOT "29 22 0:26 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
		  "0::/docker/abc/svc\n", NULL);
	assert_int_equal(cgroup_env_prepare(f->env, &f->err), 0);
	assert_file(f, V2 "/svc/containers/cgroup.subtree_control", "+pids");
}

static void cgroup_env_prepare__v1__nothing_done(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_V1, true);
	assert_int_equal(cgroup_env_prepare(f->env, &f->err), 0);
}

/* ---- v1 and hybrid ---- */

static void cgroup_create__v1_limits__written(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_V1, true);
	create_ok(f, &limits);
	assert_file(f, MEM "/memory.limit_in_bytes", "33554432");
	assert_file(f, MEM "/memory.memsw.limit_in_bytes", "33554432");
	assert_file(f, CPU "/cpu.cfs_quota_us", "50000");
	assert_file(f, CPU "/cpu.cfs_period_us", "100000");
	assert_file(f, PIDS "/pids.max", "32");
}

static void cgroup_create__hybrid_limits__written_in_v1(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_HYBRID, true);
	create_ok(f, &limits);
	assert_file(f, MEM "/memory.limit_in_bytes", "33554432");
	assert_file(f, CPU "/cpu.cfs_quota_us", "50000");
	assert_file(f, PIDS "/pids.max", "32");
	assert_false(exists(f, V2 "/unified/minidocker"));
}

static void cgroup_create__v1_no_memsw__limit_only(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_V1, false);
	create_ok(f, &limits);
	assert_file(f, MEM "/memory.limit_in_bytes", "33554432");
	assert_false(exists(f, MEM "/memory.memsw.limit_in_bytes"));
}

static void cgroup_create__v1_unlimited__no_limit_values(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_V1, true);
	put(f, CPU "/cpu.cfs_quota_us", "20000");
	create_ok(f, &unlimited);
	assert_file(f, MEM "/memory.limit_in_bytes", "-1");
	assert_file(f, MEM "/memory.memsw.limit_in_bytes", "-1");
	assert_file(f, CPU "/cpu.cfs_quota_us", "-1");
	assert_file(f, CPU "/cpu.cfs_period_us", "100000");
	assert_file(f, PIDS "/pids.max", "max");
}

static void cgroup_create__v1_fresh_tree__dir_in_each_hierarchy(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits lim = { .pids = 0 };

	/* Mount points only: the parent and the cgroups get made. The
	 * co-mounted cpu,cpuacct is one hierarchy; systemd's is not ours. */
	mkdirs(f, "sys/fs/cgroup/memory");
	mkdirs(f, "sys/fs/cgroup/cpu,cpuacct");
	mkdirs(f, "sys/fs/cgroup/pids");
	mkdirs(f, "sys/fs/cgroup/systemd");
	detect_ok(f, MI_V1, NULL, "minidocker");
	create_ok(f, &lim);
	assert_true(exists(f, MEM));
	assert_true(exists(f, CPU));
	assert_true(exists(f, PIDS));
	assert_false(exists(f, "sys/fs/cgroup/systemd/minidocker"));
	assert_false(exists(f, "sys/fs/cgroup/cpuacct"));
}

static void cgroup_create__v1_pids_not_mounted__limit_fails(void **state)
{
	struct fx *f = *state;
	struct cgroup_limits lim = { .pids = 10 };

	detect_ok(f, MI_ROOT "36 22 0:33 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
		  NULL, NULL);
	assert_int_equal(cgroup_create(f->env, ID, &lim, &f->err), -1);
	assert_int_equal(f->err.errnum, ENOTSUP);
	assert_non_null(strstr(f->err.msg, "pids"));
	assert_false(exists(f, MEM));
}

static void cgroup_enter__v1__pid_in_each_hierarchy(void **state)
{
	struct fx *f = *state;

	v1_setup(f, MI_V1, true);
	create_ok(f, &unlimited);
	assert_int_equal(cgroup_enter(f->env, ID, 4242, &f->err), 0);
	assert_file(f, MEM "/cgroup.procs", "4242");
	assert_file(f, CPU "/cgroup.procs", "4242");
	assert_file(f, PIDS "/cgroup.procs", "4242");
}

/* ---- spare cgroups: rename and the way home (mon-spare.c) ---- */

#define SPARE "spare-77"
#define MEM_SPARE "sys/fs/cgroup/memory/minidocker/" SPARE
#define CPU_SPARE "sys/fs/cgroup/cpu,cpuacct/minidocker/" SPARE
#define PIDS_SPARE "sys/fs/cgroup/pids/minidocker/" SPARE

static void spare_tree(struct fx *f)
{
	put(f, MEM_SPARE "/cgroup.procs", "");
	put(f, CPU_SPARE "/cgroup.procs", "");
	put(f, PIDS_SPARE "/cgroup.procs", "");
	detect_ok(f, MI_V1, NULL, NULL);
}

static void cgroup_rename__v1__every_hierarchy_renamed(void **state)
{
	struct fx *f = *state;

	spare_tree(f);
	assert_int_equal(cgroup_rename(f->env, SPARE, ID, &f->err), 0);
	assert_true(exists(f, MEM "/cgroup.procs"));
	assert_true(exists(f, CPU "/cgroup.procs"));
	assert_true(exists(f, PIDS "/cgroup.procs"));
	assert_false(exists(f, MEM_SPARE));
	assert_false(exists(f, CPU_SPARE));
	assert_false(exists(f, PIDS_SPARE));
}

static void cgroup_rename__one_fails__earlier_ones_undone(void **state)
{
	struct fx *f = *state;

	/* The pids hierarchy has no spare: its rename fails after memory's
	 * and cpu's, which must be back under their old name. */
	put(f, MEM_SPARE "/cgroup.procs", "");
	put(f, CPU_SPARE "/cgroup.procs", "");
	mkdirs(f, "sys/fs/cgroup/pids/minidocker");
	detect_ok(f, MI_V1, NULL, NULL);
	assert_int_equal(cgroup_rename(f->env, SPARE, ID, &f->err), -1);
	assert_int_equal(f->err.errnum, ENOENT);
	assert_true(exists(f, MEM_SPARE "/cgroup.procs"));
	assert_true(exists(f, CPU_SPARE "/cgroup.procs"));
	assert_false(exists(f, MEM));
	assert_false(exists(f, CPU));
}

static void cgroup_rename__bad_names_or_v2__refused(void **state)
{
	struct fx *f = *state;

	spare_tree(f);
	assert_int_equal(cgroup_rename(f->env, SPARE, "../escape", &f->err), -1);
	assert_int_equal(f->err.errnum, EINVAL);
	assert_int_equal(cgroup_rename(f->env, "..", ID, &f->err), -1);
	assert_true(exists(f, MEM_SPARE));
	v2_tree(f, "memory cpu pids");
	detect_ok(f, MI_V2, NULL, "minidocker");
	assert_int_equal(cgroup_rename(f->env, ID, "other", &f->err), -1);
	assert_int_equal(f->err.errnum, EOPNOTSUPP);
}

/* Empty spare-* cgroups go, in every hierarchy; one that cannot be
 * removed (on a real host: a process in it; here: not empty) stays and
 * is reported; other names are never touched. */
static void cgroup_sweep__empty_spares_removed(void **state)
{
	struct fx *f = *state;

	mkdirs(f, MEM_SPARE);
	mkdirs(f, CPU_SPARE);
	mkdirs(f, "sys/fs/cgroup/pids/minidocker/spare-78");
	put(f, "sys/fs/cgroup/pids/minidocker/spare-79/cgroup.procs", "79");
	mkdirs(f, PIDS);
	detect_ok(f, MI_V1, NULL, NULL);
	assert_false(cgroup_sweep(f->env, "spare-"));
	assert_false(exists(f, MEM_SPARE));
	assert_false(exists(f, CPU_SPARE));
	assert_false(exists(f, "sys/fs/cgroup/pids/minidocker/spare-78"));
	assert_true(exists(f, "sys/fs/cgroup/pids/minidocker/spare-79"));
	assert_true(exists(f, PIDS));
	{
		cleanup_free char *busy = fx_path(f, "sys/fs/cgroup/pids/minidocker/spare-79/cgroup.procs");

		assert_int_equal(unlink(busy), 0);
	}
	assert_true(cgroup_sweep(f->env, "spare-"));
	assert_false(exists(f, "sys/fs/cgroup/pids/minidocker/spare-79"));
}

static void cgroup_home__v1__own_cgroup_per_hierarchy(void **state)
{
	struct fx *f = *state;
	struct cgroup_home *home = NULL;

	put(f, "sys/fs/cgroup/memory/user.slice/x/cgroup.procs", "");
	put(f, "sys/fs/cgroup/cpu,cpuacct/cgroup.procs", "");
	put(f, "sys/fs/cgroup/pids/user.slice/cgroup.procs", "");
	detect_ok(f, MI_V1, "12:pids:/user.slice\n"
			    "9:cpu,cpuacct:/\n"
			    "4:memory:/user.slice/x\n"
			    "1:name=systemd:/user.slice/x\n"
			    "0::/user.slice/x\n", NULL);
	assert_int_equal(cgroup_home_find(f->env, f->root /* not a file */, &home, &f->err), -1);
	assert_null(home);
	{
		cleanup_free char *sc = fx_path(f, "self-cgroup");

		assert_int_equal(cgroup_home_find(f->env, sc, &home, &f->err), 0);
	}
	assert_non_null(home);
	assert_int_equal(cgroup_home_enter(home, 4242, &f->err), 0);
	assert_file(f, "sys/fs/cgroup/memory/user.slice/x/cgroup.procs", "4242");
	assert_file(f, "sys/fs/cgroup/cpu,cpuacct/cgroup.procs", "4242");
	assert_file(f, "sys/fs/cgroup/pids/user.slice/cgroup.procs", "4242");
	assert_int_equal(cgroup_home_enter(home, 0, &f->err), -1);
	cgroup_home_free(home);
}

static void cgroup_home__outside_mount_or_missing__fails(void **state)
{
	struct fx *f = *state;
	struct cgroup_home *home = NULL;
	cleanup_free char *sc = fx_path(f, "self-cgroup");

	/* No pids line. */
	detect_ok(f, MI_V1, "9:cpu,cpuacct:/\n4:memory:/\n", NULL);
	assert_int_equal(cgroup_home_find(f->env, sc, &home, &f->err), -1);
	assert_null(home);
	assert_non_null(strstr(f->err.msg, "pids"));
	/* Outside our cgroup namespace. */
	detect_ok(f, MI_V1, "12:pids:/../other\n9:cpu,cpuacct:/\n4:memory:/\n", NULL);
	assert_int_equal(cgroup_home_find(f->env, sc, &home, &f->err), -1);
	assert_int_equal(f->err.errnum, ENOENT);
	/* A mount of a subtree that does not hold us. */
	detect_ok(f, MI_ROOT "36 22 0:33 /sub /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
		  "4:memory:/elsewhere\n", NULL);
	assert_int_equal(cgroup_home_find(f->env, sc, &home, &f->err), -1);
	/* The same mount holding us: the path below its root. */
	detect_ok(f, MI_ROOT "36 22 0:33 /sub /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
		  "4:memory:/sub/me\n", NULL);
	put(f, "sys/fs/cgroup/memory/me/cgroup.procs", "");
	assert_int_equal(cgroup_home_find(f->env, sc, &home, &f->err), 0);
	assert_int_equal(cgroup_home_enter(home, 7, &f->err), 0);
	assert_file(f, "sys/fs/cgroup/memory/me/cgroup.procs", "7");
	cgroup_home_free(home);
	/* v2 has no use for it. */
	v2_tree(f, "memory cpu pids");
	detect_ok(f, MI_V2, NULL, "minidocker");
	assert_int_equal(cgroup_home_find(f->env, sc, &home, &f->err), -1);
	assert_int_equal(f->err.errnum, EOPNOTSUPP);
}

static void cgroup_kill_all__v1__sigkills_listed_in_any_hierarchy(void **state)
{
	struct fx *f = *state;
	pid_t child = child_pause();
	char pid[16];

	v1_setup(f, MI_V1, true);
	snprintf(pid, sizeof(pid), "%d\n", (int)child);
	put(f, PIDS "/cgroup.procs", pid);
	assert_int_equal(cgroup_kill_all(f->env, ID, &f->err), -1);
	assert_int_equal(f->err.errnum, EBUSY);
	assert_int_equal(child_reap(child, false), SIGKILL);
}

static void cgroup_oom_killed__v1_oom_kill_1__true(void **state)
{
	struct fx *f = *state;
	bool oom = false;

	v1_setup(f, MI_V1, true);
	put(f, MEM "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_true(oom);
}

static void cgroup_oom_killed__v1_oom_kill_0__false(void **state)
{
	struct fx *f = *state;
	bool oom = true;

	v1_setup(f, MI_V1, true);
	put(f, MEM "/memory.failcnt", "17\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_false(oom);
}

static void cgroup_oom_killed__v1_old_kernel_failcnt__true(void **state)
{
	struct fx *f = *state;
	bool oom = false;

	v1_setup(f, MI_V1, true);
	put(f, MEM "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	put(f, MEM "/memory.failcnt", "3\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_true(oom);
}

static void cgroup_oom_killed__v1_old_kernel_no_failures__false(void **state)
{
	struct fx *f = *state;
	bool oom = true;

	v1_setup(f, MI_V1, true);
	put(f, MEM "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	put(f, MEM "/memory.failcnt", "0\n");
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_false(oom);
}

static void cgroup_oom_killed__v1_no_memory_hierarchy__false(void **state)
{
	struct fx *f = *state;
	bool oom = true;

	detect_ok(f, MI_ROOT "38 22 0:35 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n",
		  NULL, NULL);
	assert_int_equal(cgroup_oom_killed(f->env, ID, &oom, &f->err), 0);
	assert_false(oom);
}

static void cgroup_remove__v1__each_hierarchy(void **state)
{
	struct fx *f = *state;

	mkdirs(f, MEM);
	mkdirs(f, CPU);
	mkdirs(f, PIDS);
	detect_ok(f, MI_V1, NULL, NULL);
	assert_int_equal(cgroup_remove(f->env, ID, &f->err), 0);
	assert_false(exists(f, MEM));
	assert_false(exists(f, CPU));
	assert_false(exists(f, PIDS));
	assert_true(exists(f, "sys/fs/cgroup/memory/minidocker"));
}

static void cgroup_env_free__null__no_crash(void **state)
{
	(void)state;
	cgroup_env_free(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(cgroup_env_detect__pure_v2__version_2),
		T(cgroup_env_detect__pure_v1__version_1),
		T(cgroup_env_detect__hybrid__version_1),
		T(cgroup_env_detect__v2_after_non_controller_v1__version_2),
		T(cgroup_env_detect__escaped_mount_point__unescaped),
		T(cgroup_env_detect__no_cgroup_mount__fails),
		T(cgroup_env_detect__empty_mountinfo__fails),
		T(cgroup_env_detect__missing_mountinfo__fails),
		T(cgroup_env_detect__garbage_line__fails),
		T(cgroup_env_detect__no_separator__fails),
		T(cgroup_env_detect__separator_too_early__fails),
		T(cgroup_env_detect__truncated_after_separator__fails),
		T(cgroup_env_detect__relative_mount_point__fails),
		T(cgroup_env_detect__too_many_fields__fails),
		T(cgroup_env_detect__binary_garbage__fails),
		T(cgroup_env_detect__parent_dotdot__fails),
		T(cgroup_env_detect__parent_empty_component__fails),
		T(cgroup_env_detect__parent_only_slashes__fails),
		T(cgroup_env_detect__v2_no_cgroup_controllers_file__fails),
		T(cgroup_env_detect__self_cgroup_no_v2_entry__fails),
		T(cgroup_env_detect__self_cgroup_garbage__fails),
		T(cgroup_env_detect__self_cgroup_bad_number__fails),
		T(cgroup_env_detect__self_cgroup_relative_path__fails),
		T(cgroup_env_detect__self_cgroup_empty__fails),
		T(cgroup_env_detect__self_cgroup_outside_mount_root__fails),
		T(cgroup_env_detect__self_cgroup_outside_namespace__fails),
		T(cgroup_create__v2_limits__written),
		T(cgroup_create__v2_unlimited__writes_max),
		T(cgroup_create__v2_no_period__period_100000),
		T(cgroup_create__v2_parent__controllers_enabled_along_path),
		T(cgroup_create__v2_nested_parent__each_level_enabled),
		T(cgroup_create__v2_already_enabled__no_write),
		T(cgroup_create__v2_only_offered_controllers__enabled),
		T(cgroup_create__v2_memory_not_offered__fails),
		T(cgroup_create__v2_no_swap_accounting__memory_only),
		T(cgroup_create__v2_no_memory_max_file__fails),
		T(cgroup_create__new_dir_write_fails__dir_removed),
		T(cgroup_create__negative_pids__fails),
		T(cgroup_create__id_dotdot__fails),
		T(cgroup_create__id_with_slash__fails),
		T(cgroup_create__id_empty__fails),
		T(cgroup_enter__v2__pid_written),
		T(cgroup_enter__missing_cgroup__fails),
		T(cgroup_enter__pid_zero__fails),
		T(cgroup_open_dir__v2__directory_of_the_cgroup),
		T(cgroup_open_dir__v1__eopnotsupp),
		T(cgroup_kill_all__v2_cgroup_kill__writes_1),
		T(cgroup_kill_all__v2_no_cgroup_kill__sigkills_listed),
		T(cgroup_kill_all__empty_list__succeeds),
		T(cgroup_kill_all__unsafe_pids__not_signalled),
		T(cgroup_kill_all__missing_cgroup__succeeds),
		T(cgroup_oom_killed__v2_oom_kill_1__true),
		T(cgroup_oom_killed__v2_oom_kill_0__false),
		T(cgroup_oom_killed__v2_oom_group_kill_only__false),
		T(cgroup_oom_killed__v2_no_events_file__false),
		T(cgroup_oom_killed__v2_garbage_events__false),
		T(cgroup_remove__v2__dir_gone),
		T(cgroup_remove__missing__succeeds),
		T(cgroup_remove__not_empty__fails),
		T(cgroup_env_prepare__v2_delegated__procs_moved_and_enabled),
		T(cgroup_create__v2_delegated__under_containers),
		T(cgroup_env_detect__v2_own_is_supervisor__parent_is_own),
		T(cgroup_env_prepare__v2_own_is_root__moves_nothing),
		T(cgroup_env_detect__v2_mount_root_not_slash__path_stripped),
		T(cgroup_env_prepare__v1__nothing_done),
		T(cgroup_create__v1_limits__written),
		T(cgroup_create__hybrid_limits__written_in_v1),
		T(cgroup_create__v1_no_memsw__limit_only),
		T(cgroup_create__v1_unlimited__no_limit_values),
		T(cgroup_create__v1_fresh_tree__dir_in_each_hierarchy),
		T(cgroup_create__v1_pids_not_mounted__limit_fails),
		T(cgroup_enter__v1__pid_in_each_hierarchy),
		T(cgroup_rename__v1__every_hierarchy_renamed),
		T(cgroup_rename__one_fails__earlier_ones_undone),
		T(cgroup_rename__bad_names_or_v2__refused),
		T(cgroup_sweep__empty_spares_removed),
		T(cgroup_home__v1__own_cgroup_per_hierarchy),
		T(cgroup_home__outside_mount_or_missing__fails),
		T(cgroup_kill_all__v1__sigkills_listed_in_any_hierarchy),
		T(cgroup_oom_killed__v1_oom_kill_1__true),
		T(cgroup_oom_killed__v1_oom_kill_0__false),
		T(cgroup_oom_killed__v1_old_kernel_failcnt__true),
		T(cgroup_oom_killed__v1_old_kernel_no_failures__false),
		T(cgroup_oom_killed__v1_no_memory_hierarchy__false),
		T(cgroup_remove__v1__each_hierarchy),
		T(cgroup_env_free__null__no_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
