#include "ctr-proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "../common/util.h"
#include "ctr-seccomp.h"
#include "ctr-sync.h"

int proc_open_pty(int master, const struct ctr_spec *spec, int sync_fd, struct md_err *err)
{
	struct winsize ws = { .ws_row = spec->rows, .ws_col = spec->cols };
	struct sync_msg m = { .kind = SYNC_PTY };
	int unlock = 0, slave;

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

static int setup_stdio(const struct ctr_spec *spec, int pty_slave, struct md_err *err)
{
	/* A session of its own: with a tty, the pty becomes its controlling
	 * terminal, so Ctrl-C reaches the foreground process group. */
	if (setsid() < 0)
		return md_err_set(err, errno, "setsid");
	if (spec->tty) {
		if (ioctl(pty_slave, TIOCSCTTY, 0) < 0)
			return md_err_set(err, errno, "set controlling terminal");
		for (int i = 0; i < 3; i++)
			if (dup2(pty_slave, i) < 0)
				return md_err_set(err, errno, "dup2 pty");
		return 0;
	}
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

/* Create (as Docker does) and enter the working directory. The process's
 * root is the container's, so no path here can leave it. */
static int enter_cwd(const char *cwd, struct md_err *err)
{
	cleanup_free char *copy = xstrdup(cwd);
	char real[PATH_MAX];

	if (cwd[0] != '/')
		return md_err_set(err, EINVAL, "working directory %s is not absolute", cwd);
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			return md_err_set(err, errno, "mkdir %s", copy);
		*p = c;
		if (c == '\0')
			break;
	}
	if (chdir(cwd) < 0)
		return md_err_set(err, errno, "chdir %s", cwd);
	/* A cwd reached through something outside the root (runc
	 * CVE-2024-21626 used a leaked fd) has no path from it: getcwd then
	 * answers "(unreachable)...", or fails. */
	if (getcwd(real, sizeof(real)) == NULL)
		return md_err_set(err, errno, "getcwd");
	if (real[0] != '/')
		return md_err_set(err, EPERM, "working directory %s is outside the container", cwd);
	return 0;
}

/* Drop every capability outside mask from the bounding set, so nothing
 * dropped can come back later through a file capability. */
static int drop_bounding_set(uint64_t mask, struct md_err *err)
{
	/* EINVAL marks the end of the kernel's capabilities. */
	for (int cap = 0; cap < 64; cap++) {
		if (mask & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			return md_err_set(err, errno, "drop capability %d", cap);
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return md_err_set(err, errno, "clear ambient capabilities");
	return 0;
}

/* The user, with capabilities kept across the change so that the final
 * set is ours to choose, whatever --cap-drop took away. */
static int switch_user(const struct ctr_spec *spec, struct md_err *err)
{
	gid_t gid = spec->gid;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return md_err_set(err, errno, "keep capabilities");
	/* With setgroups denied the process has none already (the monitor
	 * dropped its own before the clone). */
	if (!spec->setgroups_deny && setgroups(1, &gid) < 0)
		return md_err_set(err, errno, "setgroups");
	if (setresgid(spec->gid, spec->gid, spec->gid) < 0)
		return md_err_set(err, errno, "setgid %u", (unsigned)spec->gid);
	if (setresuid(spec->uid, spec->uid, spec->uid) < 0)
		return md_err_set(err, errno, "setuid %u", (unsigned)spec->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return md_err_set(err, errno, "keep capabilities");
	return 0;
}

/* The final sets: mask for root, none for another user (as in Docker);
 * inheritable and ambient stay empty. */
static int set_capabilities(uint64_t mask, uid_t uid, struct md_err *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (uid != 0)
		mask = 0;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)mask;
	data[1].effective = data[1].permitted = (uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return md_err_set(err, errno, "capset");
	return 0;
}

/* What execve keeps of the monitor's dispositions: the signals it
 * ignores, and glibc's own two (32 and 33), which glibc's posix_spawn
 * leaves ignored in a spawned monitor and its signal() refuses to touch;
 * hence the raw system call, whose zeroed action is SIG_DFL. The kernel's
 * sigset is 64 bits on the architectures we build for (x86_64, arm64); a
 * wrong size would fail every start with EINVAL, not pass silently. */
static int reset_signals(struct md_err *err)
{
	static const int ignored[] = { CTR_MONITOR_IGNORED_SIGNALS, 32, 33 };
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		uint64_t mask;
	} dfl = { 0 };
	sigset_t none;

	for (size_t i = 0; i < ARRAY_SIZE(ignored); i++)
		if (syscall(SYS_rt_sigaction, ignored[i], &dfl, NULL, sizeof(dfl.mask)) < 0)
			return md_err_set(err, errno, "reset signal %d", ignored[i]);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return md_err_set(err, errno, "sigprocmask");
	return 0;
}

/* Close every fd but 0-2 and the two kept ones (the sync socket and the
 * init memfd, both CLOEXEC): nothing of the monitor or the daemon reaches
 * the command (runc CVE-2024-21626). */
static int close_other_fds(int keep_a, int keep_b, struct md_err *err)
{
	int lo = keep_a < keep_b ? keep_a : keep_b, hi = keep_a < keep_b ? keep_b : keep_a;
	unsigned from = 3;

	for (int k = 0; k < 2; k++) {
		int keep = k == 0 ? lo : hi;

		if (keep < 3)
			continue;
		if ((unsigned)keep > from && close_range(from, (unsigned)keep - 1, 0) < 0)
			return md_err_set(err, errno, "close_range");
		from = (unsigned)keep + 1;
	}
	if (close_range(from, ~0U, 0) < 0)
		return md_err_set(err, errno, "close_range");
	return 0;
}

static __attribute__((noreturn)) void exec_command(const struct ctr_spec *spec, int sync_fd)
{
	struct md_err err;
	int status;

	environ = (char **)spec->envp;
	if (spec->init_fd >= 0) {
		/* --init: our init from its sealed memfd, no path of the host's. */
		size_t n = 0;
		char **argv;

		while (spec->argv[n] != NULL)
			n++;
		argv = xcalloc(n + 3, sizeof(*argv));
		argv[0] = (char *)"minidocker-init";
		argv[1] = (char *)"--";
		memcpy(argv + 2, spec->argv, n * sizeof(*argv));
		syscall(SYS_execveat, spec->init_fd, "", argv, spec->envp, AT_EMPTY_PATH);
		md_err_set(&err, errno, "exec init");
		sync_fail(sync_fd, &err);
	}
	execvp(spec->argv[0], spec->argv);
	status = (errno == ENOENT || errno == ENOTDIR) ? MD_STATUS_NOT_FOUND : MD_STATUS_CANNOT_EXEC;
	md_err_setst(&err, status, errno, "exec %s", spec->argv[0]);
	sync_fail(sync_fd, &err);
}

void proc_finish_and_exec(const struct ctr_spec *spec, int sync_fd, int pty_slave)
{
	struct md_err err;

	md_err_clear(&err);
	/* stdio: the pty as controlling terminal, or the monitor's pipes. */
	if (setup_stdio(spec, pty_slave, &err) < 0)
		sync_fail(sync_fd, &err);
	/* Every fd of ours closed before any path is resolved, the working
	 * directory included: none can lead out of the root. */
	if (close_other_fds(sync_fd, spec->init_fd, &err) < 0)
		sync_fail(sync_fd, &err);
	if (enter_cwd(spec->cwd, &err) < 0)
		sync_fail(sync_fd, &err);
	/* no_new_privs first, so no set-id program can regain what is dropped. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		md_err_set(&err, errno, "no_new_privs");
		sync_fail(sync_fd, &err);
	}
	if (drop_bounding_set(spec->cap_mask, &err) < 0 || switch_user(spec, &err) < 0 ||
	    set_capabilities(spec->cap_mask, spec->uid, &err) < 0)
		sync_fail(sync_fd, &err);
	/* seccomp last of the privileged steps: the filter refuses what the
	 * setup above needed (mount, setns, ...), never the exec. */
	if (spec->seccomp && (spec->seccomp_prog != NULL
				      ? seccomp_load_prog(spec->seccomp_prog, spec->seccomp_prog_len, &err)
				      : seccomp_load_default(&err)) < 0)
		sync_fail(sync_fd, &err);
	if (reset_signals(&err) < 0)
		sync_fail(sync_fd, &err);
	exec_command(spec, sync_fd);
}
