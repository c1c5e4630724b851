/* Unit tests for daemon/ctr-seccomp.c: the deny-list names what libseccomp
 * knows, the filter builds, and, loaded in a forked child (the test process
 * stays unfiltered), it refuses what it must with the errno it must while
 * ordinary calls (getpid, pipes, fork, threads) still work.
 *
 * Each refusal is checked twice: in a filtered child, which must see the
 * expected errno, and in an unfiltered child running the same code, which
 * must not (the control), so a pass proves the filter refused the call and
 * not the kernel. Arguments are chosen so the kernel alone would answer
 * differently whoever runs the test (mount on a missing directory: ENOENT);
 * where only privilege makes the difference (unshare) and the control also
 * fails the same way, the test is skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../daemon/ctr-seccomp.h"

/* Exit codes of a child beyond errno values. */
#define CHILD_SETUP_FAILED 250
#define CHILD_WRONG 251 /* the call succeeded but did the wrong thing */

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING (-3)

/* What a probe returns: 0 when its call worked, else the errno it got. */
typedef int (*probe_fn)(void);

/* Load the filter as the daemon ships it (exported BPF, loaded with
 * seccomp_load_prog) instead of building it in the child. */
static bool use_exported;

static int load_exported(struct md_err *err)
{
	char prog[65536];
	int fd = memfd_create("test-seccomp", MFD_CLOEXEC);
	ssize_t n;

	if (fd < 0 || seccomp_export_default(fd, err) < 0)
		return -1;
	n = pread(fd, prog, sizeof(prog), 0);
	close(fd);
	if (n <= 0)
		return -1;
	return seccomp_load_prog(prog, (size_t)n, err);
}

/* Run probe in a forked child, after no_new_privs and the default filter
 * when filtered; return the probe's result. A child killed by a signal
 * (the filter must never kill) fails the test. */
static int run_probe(probe_fn probe, bool filtered)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct md_err err;

		if (filtered) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
				_exit(CHILD_SETUP_FAILED);
			if ((use_exported ? load_exported(&err) : seccomp_load_default(&err)) < 0) {
				fprintf(stderr, "child: %s\n", err.msg);
				_exit(CHILD_SETUP_FAILED);
			}
		}
		_exit(probe());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("child killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
	assert_int_not_equal(WEXITSTATUS(status), CHILD_SETUP_FAILED);
	return WEXITSTATUS(status);
}

/* The filtered probe gets errnum; the unfiltered one does not. */
static void assert_refused(probe_fn probe, int errnum)
{
	int filtered = run_probe(probe, true);
	int control;

	if (filtered != errnum)
		fail_msg("filtered: got %d (%s), want %d (%s)", filtered, strerror(filtered), errnum,
			 strerror(errnum));
	control = run_probe(probe, false);
	if (control == errnum)
		skip(); /* the kernel refuses it too here (not root?): not conclusive */
}

static void assert_works(probe_fn probe)
{
	int filtered = run_probe(probe, true);

	if (filtered != 0)
		fail_msg("filtered: got %d (%s), want success", filtered, strerror(filtered));
}

static int result(long r)
{
	return r < 0 ? errno : 0;
}

/* ---- probes ---- */

static int probe_mount(void)
{
	return result(mount("none", "/nonexistent-minidocker-seccomp", "tmpfs", 0, NULL));
}

static int probe_umount2(void)
{
	return result(umount2("/nonexistent-minidocker-seccomp", 0));
}

static int probe_unshare_newns(void)
{
	return result(unshare(CLONE_NEWNS));
}

static int probe_setns(void)
{
	/* A bad fd: the kernel says EBADF. */
	return result(setns(-1, 0));
}

static int probe_keyctl(void)
{
	return result(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

/* A fresh pty made the controlling terminal of a new session, so TIOCSTI on
 * it is allowed to anyone unfiltered. Returns the slave or -errno. */
static int own_pty(void)
{
	int m, s;

	if (setsid() < 0)
		return -errno;
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
		return -errno;
	s = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (s < 0)
		return -errno;
	if (ioctl(s, TIOCSCTTY, 0) < 0)
		return -errno;
	return s;
}

static int probe_tiocsti(void)
{
	char c = 'x';
	int s = own_pty();

	if (s < 0)
		return CHILD_WRONG;
	return result(ioctl(s, TIOCSTI, &c));
}

/* TIOCSTI with bit 32 set: the kernel drops the high half of the request,
 * so the filter must too. */
static int probe_tiocsti_high_bits(void)
{
	char c = 'x';
	int s = own_pty();

	if (s < 0)
		return CHILD_WRONG;
	return result(syscall(SYS_ioctl, s, (unsigned long)TIOCSTI | (1UL << 32), &c));
}

static int probe_tiocgwinsz(void)
{
	struct winsize ws;
	int s = own_pty();

	if (s < 0)
		return CHILD_WRONG;
	return result(ioctl(s, TIOCGWINSZ, &ws));
}

static int probe_clone_newuser(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

static int probe_clone_newnet(void)
{
	long pid = syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return errno;
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

static int probe_clone3(void)
{
	/* No arguments: the kernel says EINVAL. */
	return result(syscall(SYS_clone3, NULL, 0));
}

static int probe_personality_read_implies_exec(void)
{
	return result(personality(READ_IMPLIES_EXEC));
}

static int probe_personality_addr_no_randomize(void)
{
	return result(personality(ADDR_NO_RANDOMIZE));
}

static int probe_personality_docker_values(void)
{
	static const unsigned long values[] = { 0xffffffff, PER_LINUX32, UNAME26,
						UNAME26 | PER_LINUX32, PER_LINUX };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (personality(values[i]) < 0)
			return errno;
	return 0;
}

static int probe_bpf(void)
{
	/* A bad command: the kernel says EINVAL. */
	return result(syscall(SYS_bpf, -1, NULL, 0));
}

static int probe_userfaultfd(void)
{
	/* Bad flags: the kernel says EINVAL. */
	return result(syscall(SYS_userfaultfd, -1));
}

static int probe_open_by_handle_at(void)
{
	/* A bad fd: the kernel says EBADF (or EPERM without the capability). */
	return result(syscall(SYS_open_by_handle_at, -1, NULL, 0));
}

static int probe_getpid(void)
{
	return syscall(SYS_getpid) > 0 && getpid() > 0 ? 0 : CHILD_WRONG;
}

static int probe_pipe_read_write(void)
{
	int p[2];
	char buf[3] = { 0 };

	if (pipe(p) < 0)
		return errno;
	if (write(p[1], "hi", 2) != 2)
		return errno;
	if (read(p[0], buf, 2) != 2)
		return errno;
	return strcmp(buf, "hi") == 0 ? 0 : CHILD_WRONG;
}

static int probe_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(7);
	if (waitpid(pid, &status, 0) != pid)
		return errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : CHILD_WRONG;
}

static void *thread_main(void *arg)
{
	return arg;
}

static int probe_pthread_create(void)
{
	static int token;
	pthread_t t;
	void *ret = NULL;
	int rc = pthread_create(&t, NULL, thread_main, &token);

	if (rc != 0)
		return rc;
	if (pthread_join(t, &ret) != 0)
		return CHILD_WRONG;
	return ret == &token ? 0 : CHILD_WRONG;
}

/* 0 when /proc/self/status has line. */
static int status_has(const char *line)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/status", "r");
	int found = 0;

	if (f == NULL)
		return errno;
	while (fgets(buf, sizeof(buf), f) != NULL)
		if (strcmp(buf, line) == 0)
			found = 1;
	fclose(f);
	return found ? 0 : CHILD_WRONG;
}

static int probe_status_seccomp_2(void)
{
	return status_has("Seccomp:\t2\n");
}

static int probe_status_no_new_privs(void)
{
	return status_has("NoNewPrivs:\t1\n");
}

/* ---- the table ---- */

static void seccomp_denied_table__every_name__resolves_on_x86_64(void **state)
{
	size_t n;
	const struct seccomp_denied *t = seccomp_denied_table(&n);

	(void)state;
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		int x86_64 = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, t[i].name);
		int x86 = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, t[i].name);

		if (t[i].flags & SECCOMP_DENIED_NOT_X86_64) {
			/* Flagged honestly: absent on x86_64, real on i386. */
			if (x86_64 >= 0)
				fail_msg("%s is flagged not-x86_64 but is %d there", t[i].name, x86_64);
			if (x86 < 0)
				fail_msg("%s is not an i386 syscall either", t[i].name);
		} else if (x86_64 < 0) {
			fail_msg("%s does not resolve on x86_64 (%d)", t[i].name, x86_64);
		}
	}
}

static void seccomp_denied_table__names__unique(void **state)
{
	size_t n;
	const struct seccomp_denied *t = seccomp_denied_table(&n);

	(void)state;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(t[i].name, t[j].name) == 0)
				fail_msg("%s is listed twice", t[i].name);
}

static void seccomp_denied_table__errno__eperm_but_clone3_enosys(void **state)
{
	size_t n;
	const struct seccomp_denied *t = seccomp_denied_table(&n);

	(void)state;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(t[i].errnum, strcmp(t[i].name, "clone3") == 0 ? ENOSYS : EPERM);
}

static void seccomp_denied_table__required_names__listed(void **state)
{
	static const char *const required[] = {
		"mount", "umount2", "umount", "pivot_root", "kexec_load", "kexec_file_load",
		"init_module", "finit_module", "delete_module", "bpf", "perf_event_open",
		"keyctl", "add_key", "request_key", "open_by_handle_at", "name_to_handle_at",
		"swapon", "swapoff", "reboot", "settimeofday", "clock_settime", "clock_adjtime",
		"adjtimex", "stime", "iopl", "ioperm", "unshare", "setns", "clone3", "userfaultfd",
		"acct", "lookup_dcookie", "quotactl", "vhangup", "move_pages", "mbind",
		"set_mempolicy", "fanotify_init", "nfsservctl", "uselib", "_sysctl", "ustat",
		"sysfs", "create_module", "get_kernel_syms", "query_module", "vm86", "vm86old",
		"fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
		"mount_setattr",
	};
	size_t n;
	const struct seccomp_denied *t = seccomp_denied_table(&n);

	(void)state;
	for (size_t r = 0; r < sizeof(required) / sizeof(required[0]); r++) {
		size_t i = 0;

		while (i < n && strcmp(t[i].name, required[r]) != 0)
			i++;
		if (i == n)
			fail_msg("%s is not in the deny-list", required[r]);
	}
}

/* ---- personality rules ---- */

static bool docker_allows(uint64_t v)
{
	uint32_t lo = (uint32_t)v;

	return lo == 0 || lo == 0x8 || lo == 0x20000 || lo == 0x20008 || lo == 0xffffffff;
}

static void seccomp_personality_refused__docker_values__allowed(void **state)
{
	static const uint64_t ok[] = { 0, 0x8, 0x20000, 0x20008, 0xffffffff,
				       0xffffffffffffffffULL };

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (seccomp_personality_refused(ok[i]))
			fail_msg("0x%llx is refused", (unsigned long long)ok[i]);
}

static void seccomp_personality_refused__other_values__refused(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	(void)state;
	/* Every value with one, two or 31 bits set, then pseudo-random ones. */
	for (unsigned i = 0; i < 32; i++) {
		for (unsigned j = i; j < 32; j++) {
			uint64_t v = (1ULL << i) | (1ULL << j);

			assert_int_equal(seccomp_personality_refused(v), !docker_allows(v));
		}
		assert_int_equal(seccomp_personality_refused(0xffffffffULL & ~(1ULL << i)), 1);
	}
	for (int k = 0; k < 1000000; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		assert_int_equal(seccomp_personality_refused(x), !docker_allows(x));
		assert_int_equal(seccomp_personality_refused(x & 0x2000f), !docker_allows(x & 0x2000f));
	}
}

/* ---- building ---- */

static void seccomp_build_default__native__builds_and_exports(void **state)
{
	struct md_err err;
	scmp_filter_ctx ctx;
	FILE *f = tmpfile();
	long size;

	(void)state;
	assert_non_null(f);
	ctx = seccomp_build_default(&err);
	if (ctx == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(seccomp_export_bpf(ctx, fileno(f)), 0);
	size = lseek(fileno(f), 0, SEEK_END);
	/* Whole BPF instructions, within the kernel's 4096 limit. */
	assert_true(size > 0);
	assert_int_equal(size % 8, 0);
	assert_true(size / 8 <= 4096);
	seccomp_release(ctx);
	fclose(f);
}

static void seccomp_build_default__x86_64__adds_x86_and_x32(void **state)
{
	struct md_err err;
	scmp_filter_ctx ctx;

	(void)state;
	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		skip();
	ctx = seccomp_build_default(&err);
	assert_non_null(ctx);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X86_64), 0);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X32), 0);
	seccomp_release(ctx);
}

static void seccomp_build_default__attributes__allow_default_kill_bad_arch(void **state)
{
	struct md_err err;
	scmp_filter_ctx ctx;
	uint32_t v = 0;

	(void)state;
	ctx = seccomp_build_default(&err);
	assert_non_null(ctx);
	assert_int_equal(seccomp_attr_get(ctx, SCMP_FLTATR_ACT_DEFAULT, &v), 0);
	assert_int_equal(v, SCMP_ACT_ALLOW);
	assert_int_equal(seccomp_attr_get(ctx, SCMP_FLTATR_ACT_BADARCH, &v), 0);
	assert_int_equal(v, SCMP_ACT_KILL_PROCESS);
	seccomp_release(ctx);
}

/* ---- refused in a filtered child ---- */

static void mount__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_mount, EPERM);
}

static void umount2__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_umount2, EPERM);
}

static void unshare_newns__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_unshare_newns, EPERM);
}

static void setns__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_setns, EPERM);
}

static void keyctl__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_keyctl, EPERM);
}

static void ioctl_tiocsti__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_tiocsti, EPERM);
}

static void ioctl_tiocsti_high_bits__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_tiocsti_high_bits, EPERM);
}

static void clone_newuser__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_clone_newuser, EPERM);
}

static void clone_newnet__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_clone_newnet, EPERM);
}

static void clone3__filtered__enosys(void **state)
{
	(void)state;
	assert_refused(probe_clone3, ENOSYS);
}

static void personality_read_implies_exec__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_personality_read_implies_exec, EPERM);
}

static void personality_addr_no_randomize__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_personality_addr_no_randomize, EPERM);
}

static void bpf__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_bpf, EPERM);
}

static void userfaultfd__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_userfaultfd, EPERM);
}

static void open_by_handle_at__filtered__eperm(void **state)
{
	(void)state;
	assert_refused(probe_open_by_handle_at, EPERM);
}

/* ---- still working in a filtered child ---- */

static void personality_docker_values__filtered__work(void **state)
{
	(void)state;
	assert_works(probe_personality_docker_values);
}

static void ioctl_tiocgwinsz__filtered__works(void **state)
{
	(void)state;
	assert_works(probe_tiocgwinsz);
}

static void getpid__filtered__works(void **state)
{
	(void)state;
	assert_works(probe_getpid);
}

static void pipe_read_write__filtered__works(void **state)
{
	(void)state;
	assert_works(probe_pipe_read_write);
}

static void fork__filtered__works(void **state)
{
	(void)state;
	assert_works(probe_fork);
}

static void pthread_create__filtered__works_via_clone(void **state)
{
	(void)state;
	assert_works(probe_pthread_create);
}

static void proc_status__filtered__seccomp_2(void **state)
{
	(void)state;
	assert_works(probe_status_seccomp_2);
}

static void proc_status__filtered__no_new_privs_1(void **state)
{
	(void)state;
	assert_works(probe_status_no_new_privs);
}

/* The BPF the daemon exports once refuses and allows as the filter
 * built in place does. */
static void seccomp_load_prog__exported_filter__same_decisions(void **state)
{
	(void)state;
	use_exported = true;
	assert_refused(probe_mount, EPERM);
	assert_refused(probe_unshare_newns, EPERM);
	assert_refused(probe_keyctl, EPERM);
	assert_refused(probe_clone3, ENOSYS);
	assert_refused(probe_tiocsti, EPERM);
	assert_works(probe_getpid);
	assert_works(probe_fork);
	assert_works(probe_tiocgwinsz);
}

/* Also after a skip(), which leaves the test early. */
static int exported_off(void **state)
{
	(void)state;
	use_exported = false;
	return 0;
}

static void seccomp_load_prog__bad_length__einval(void **state)
{
	struct md_err err;
	char prog[12] = { 0 };

	(void)state;
	assert_int_equal(seccomp_load_prog(prog, 0, &err), -1);
	assert_int_equal(err.errnum, EINVAL);
	assert_int_equal(seccomp_load_prog(prog, sizeof(prog), &err), -1);
	assert_int_equal(err.errnum, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(seccomp_load_prog__exported_filter__same_decisions,
					  exported_off),
		cmocka_unit_test(seccomp_load_prog__bad_length__einval),
		cmocka_unit_test(seccomp_denied_table__every_name__resolves_on_x86_64),
		cmocka_unit_test(seccomp_denied_table__names__unique),
		cmocka_unit_test(seccomp_denied_table__errno__eperm_but_clone3_enosys),
		cmocka_unit_test(seccomp_denied_table__required_names__listed),
		cmocka_unit_test(seccomp_personality_refused__docker_values__allowed),
		cmocka_unit_test(seccomp_personality_refused__other_values__refused),
		cmocka_unit_test(seccomp_build_default__native__builds_and_exports),
		cmocka_unit_test(seccomp_build_default__x86_64__adds_x86_and_x32),
		cmocka_unit_test(seccomp_build_default__attributes__allow_default_kill_bad_arch),
		cmocka_unit_test(mount__filtered__eperm),
		cmocka_unit_test(umount2__filtered__eperm),
		cmocka_unit_test(unshare_newns__filtered__eperm),
		cmocka_unit_test(setns__filtered__eperm),
		cmocka_unit_test(keyctl__filtered__eperm),
		cmocka_unit_test(ioctl_tiocsti__filtered__eperm),
		cmocka_unit_test(ioctl_tiocsti_high_bits__filtered__eperm),
		cmocka_unit_test(clone_newuser__filtered__eperm),
		cmocka_unit_test(clone_newnet__filtered__eperm),
		cmocka_unit_test(clone3__filtered__enosys),
		cmocka_unit_test(personality_read_implies_exec__filtered__eperm),
		cmocka_unit_test(personality_addr_no_randomize__filtered__eperm),
		cmocka_unit_test(bpf__filtered__eperm),
		cmocka_unit_test(userfaultfd__filtered__eperm),
		cmocka_unit_test(open_by_handle_at__filtered__eperm),
		cmocka_unit_test(personality_docker_values__filtered__work),
		cmocka_unit_test(ioctl_tiocgwinsz__filtered__works),
		cmocka_unit_test(getpid__filtered__works),
		cmocka_unit_test(pipe_read_write__filtered__works),
		cmocka_unit_test(fork__filtered__works),
		cmocka_unit_test(pthread_create__filtered__works_via_clone),
		cmocka_unit_test(proc_status__filtered__seccomp_2),
		cmocka_unit_test(proc_status__filtered__no_new_privs_1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
