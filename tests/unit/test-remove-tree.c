/* Unit tests for dir_remove_tree (common/util.c): a tree a container may
 * still be changing is removed without following a symlink out of it,
 * however deep it is, whatever its modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../common/util.h"

struct fixture {
	char base[64];   /* holds tree/ and outside/ */
	char tree[96];
	char outside[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->base, sizeof(f->base), "/tmp/md-rmtree.XXXXXX");
	if (mkdtemp(f->base) == NULL)
		return -1;
	snprintf(f->tree, sizeof(f->tree), "%s/tree", f->base);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->base);
	if (mkdir(f->tree, 0755) < 0 || mkdir(f->outside, 0755) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->base);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void touch_at(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static bool exists(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

static void dir_remove_tree__files_dirs_links__all_gone(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };
	char sub[256], link[300];

	snprintf(sub, sizeof(sub), "%s/a", f->tree);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/a/b", f->tree);
	assert_int_equal(mkdir(sub, 0755), 0);
	touch_at(f->tree, "file");
	touch_at(sub, "inner");
	snprintf(link, sizeof(link), "%s/etc", sub);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(dir_remove_tree(f->tree, &err), 0);
	assert_false(exists(f->base, "tree"));
	assert_true(exists("/etc", "passwd"));
}

static void dir_remove_tree__symlink_to_outside__not_followed(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };
	char link[256];

	touch_at(f->outside, "keep");
	snprintf(link, sizeof(link), "%s/out", f->tree);
	assert_int_equal(symlink(f->outside, link), 0);
	assert_int_equal(dir_remove_tree(f->tree, &err), 0);
	assert_false(exists(f->base, "tree"));
	assert_true(exists(f->outside, "keep"));
}

static void dir_remove_tree__top_is_symlink__only_link_removed(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };
	char link[256];

	touch_at(f->outside, "keep");
	snprintf(link, sizeof(link), "%s/link", f->base);
	assert_int_equal(symlink(f->outside, link), 0);
	assert_int_equal(dir_remove_tree(link, &err), 0);
	assert_false(exists(f->base, "link"));
	assert_true(exists(f->outside, "keep"));
}

static void dir_remove_tree__deeper_than_fd_budget__all_gone(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };
	int fd = open(f->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	/* Deeper than PATH_MAX allows by name, and than the fds we may hold. */
	for (int i = 0; i < 3000; i++) {
		int next;

		assert_int_equal(mkdirat(fd, "dddddddddd", 0755), 0);
		next = openat(fd, "dddddddddd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	assert_int_equal(openat(fd, "leaf", O_WRONLY | O_CREAT | O_CLOEXEC, 0644) >= 0, 1);
	close(fd);
	if (dir_remove_tree(f->tree, &err) < 0)
		fail_msg("dir_remove_tree: %s", err.msg);
	assert_false(exists(f->base, "tree"));
}

static void dir_remove_tree__unreadable_dirs__gone_as_root(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };
	char sub[256];

	if (geteuid() != 0)
		skip();
	snprintf(sub, sizeof(sub), "%s/work", f->tree);
	assert_int_equal(mkdir(sub, 0755), 0);
	touch_at(sub, "x");
	assert_int_equal(chmod(sub, 0), 0);
	assert_int_equal(dir_remove_tree(f->tree, &err), 0);
	assert_false(exists(f->base, "tree"));
}

static void dir_remove_tree__missing__ok(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };
	char path[256];

	snprintf(path, sizeof(path), "%s/nothing-here", f->base);
	assert_int_equal(dir_remove_tree(path, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dir_remove_tree__files_dirs_links__all_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dir_remove_tree__symlink_to_outside__not_followed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dir_remove_tree__top_is_symlink__only_link_removed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dir_remove_tree__deeper_than_fd_budget__all_gone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dir_remove_tree__unreadable_dirs__gone_as_root, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dir_remove_tree__missing__ok, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
