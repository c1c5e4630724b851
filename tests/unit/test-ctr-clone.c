/* Unit tests for daemon/ctr-clone.c, as root against the host's real
 * cgroup2 hierarchy (the fake trees of test-cgroup cannot take a clone):
 * with CLONE_INTO_CGROUP the child is listed in its cgroup from its first
 * instruction, before anyone attached it; without a cgroup fd it is not;
 * its namespaces are new. Skipped without root or a writable cgroup2
 * mount. Each test removes the cgroup it made and reaps its child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/util.h"
#include "../../daemon/ctr-clone.h"

struct fx {
	char *dir;     /* our cgroup under the cgroup2 mount */
	int dir_fd;
	int go[2];     /* the child waits for a byte, so it can be looked at */
};

/* The first cgroup2 mount point in /proc/self/mountinfo, or NULL. */
static char *cgroup2_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	char *found = NULL;

	if (f == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), f) != NULL) {
		char mnt[1024], type[64];
		const char *dash = strstr(line, " - ");

		if (dash == NULL || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", type) != 1)
			continue;
		if (strcmp(type, "cgroup2") == 0)
			found = xstrdup(mnt);
	}
	fclose(f);
	return found;
}

static int fx_setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	cleanup_free char *mnt = NULL;

	*state = f;
	f->dir_fd = -1;
	f->go[0] = f->go[1] = -1;
	if (geteuid() != 0 || (mnt = cgroup2_mount()) == NULL)
		return 0;
	f->dir = xasprintf("%s/md-test-clone-%d", mnt, (int)getpid());
	if (mkdir(f->dir, 0755) < 0) {
		free(f->dir);
		f->dir = NULL;
		return 0;
	}
	f->dir_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dir_fd < 0 || pipe2(f->go, O_CLOEXEC) < 0)
		return -1;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	if (f->dir_fd >= 0)
		close(f->dir_fd);
	if (f->go[0] >= 0)
		close(f->go[0]);
	if (f->go[1] >= 0)
		close(f->go[1]);
	if (f->dir != NULL && rmdir(f->dir) < 0)
		fprintf(stderr, "rmdir %s: %s\n", f->dir, strerror(errno));
	free(f->dir);
	free(f);
	return 0;
}

static bool listed(const struct fx *f, pid_t pid)
{
	cleanup_free char *path = xasprintf("%s/cgroup.procs", f->dir);
	cleanup_free char *text = NULL;
	char want[16];

	if (file_read_all(path, 1 << 20, &text, NULL, NULL) < 0)
		fail_msg("read %s: %s", path, strerror(errno));
	snprintf(want, sizeof(want), "%d", (int)pid);
	for (char *save = NULL, *t = strtok_r(text, "\n", &save); t != NULL;
	     t = strtok_r(NULL, "\n", &save))
		if (strcmp(t, want) == 0)
			return true;
	return false;
}

/* Clone; the child waits for the go and exits 0 when it is PID 1 of a new
 * PID namespace, 1 otherwise. */
static pid_t clone_waiting(struct fx *f, int cgroup_fd, bool *born, int *pidfd)
{
	struct ctr_clone_args a = { .cgroup_fd = cgroup_fd };
	pid_t pid = ctr_clone(&a, pidfd, born);
	char c;

	if (pid == 0) {
		(void)!read(f->go[0], &c, 1);
		_exit(getpid() == 1 ? 0 : 1);
	}
	return pid;
}

static void release(struct fx *f, pid_t pid, int pidfd)
{
	int status;

	assert_int_equal(write(f->go[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(pidfd);
}

static void ctr_clone__cgroup_fd__born_in_it(void **state)
{
	struct fx *f = *state;
	bool born = false;
	int pidfd = -1;
	pid_t pid;

	if (f->dir == NULL)
		skip();
	pid = clone_waiting(f, f->dir_fd, &born, &pidfd);
	assert_true(pid > 0);
	assert_true(born);
	assert_true(pidfd >= 0);
	assert_true(listed(f, pid));
	release(f, pid, pidfd);
}

static void ctr_clone__no_cgroup_fd__stays_in_ours(void **state)
{
	struct fx *f = *state;
	bool born = true;
	int pidfd = -1;
	pid_t pid;

	if (f->dir == NULL)
		skip();
	pid = clone_waiting(f, -1, &born, &pidfd);
	assert_true(pid > 0);
	assert_false(born);
	assert_false(listed(f, pid));
	release(f, pid, pidfd);
}

static void ctr_clone__not_a_cgroup__fails(void **state)
{
	struct fx *f = *state;
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool born = true;
	int pidfd = -1;
	pid_t pid;

	if (f->dir == NULL) {
		close(fd);
		skip();
	}
	/* A directory that is no cgroup2 one: refused, never a plain clone. */
	pid = clone_waiting(f, fd, &born, &pidfd);
	close(fd);
	assert_int_equal(pid, -1);
	assert_false(born);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
		T(ctr_clone__cgroup_fd__born_in_it),
		T(ctr_clone__no_cgroup_fd__stays_in_ours),
		T(ctr_clone__not_a_cgroup__fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
