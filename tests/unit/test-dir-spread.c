/* Unit tests for dir_spread_subdirs (common/util.c): the top-directory
 * flag on ext2/3/4, a clear refusal elsewhere. */
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
#include <linux/fs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../../common/util.h"

/* Each test's directory, removed by the teardown whatever failed. */
struct fixture {
	char *dir;
	char *link;
};

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct fixture));
	return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->link != NULL)
		unlink(f->link);
	if (f->dir != NULL)
		rmdir(f->dir);
	free(f->link);
	free(f->dir);
	free(f);
	return 0;
}

/* A new directory in base when base's filesystem has the magic f_type,
 * else NULL (the caller skips). */
static char *temp_dir_on(const char *base, long magic)
{
	struct statfs sf;
	char *dir;

	if (statfs(base, &sf) < 0 || sf.f_type != magic)
		return NULL;
	dir = xasprintf("%s/test-dir-spread.XXXXXX", base);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static int dir_flags(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), flags = 0;

	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, FS_IOC_GETFLAGS, &flags), 0);
	close(fd);
	return flags;
}

static void set_dir_flags(const char *path, int flags)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, FS_IOC_SETFLAGS, &flags), 0);
	close(fd);
}

/* /var/tmp is on the disk, not a tmpfs, on most hosts. The flag is added
 * to those there (nodump, which an owner may set, stands for them), and a
 * second call changes nothing. */
static void dir_spread_subdirs__ext4__flag_added_once(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };
	int before;

	f->dir = temp_dir_on("/var/tmp", EXT4_SUPER_MAGIC);
	if (f->dir == NULL) {
		print_message("/var/tmp is not on ext2/3/4\n");
		skip();
	}
	set_dir_flags(f->dir, dir_flags(f->dir) | FS_NODUMP_FL);
	before = dir_flags(f->dir);
	assert_false(before & FS_TOPDIR_FL);
	assert_int_equal(dir_spread_subdirs(f->dir, &err), 0);
	assert_int_equal(dir_flags(f->dir), before | FS_TOPDIR_FL);
	assert_int_equal(dir_spread_subdirs(f->dir, &err), 0);
	assert_int_equal(dir_flags(f->dir), before | FS_TOPDIR_FL);
}

static void dir_spread_subdirs__tmpfs__refused(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };

	f->dir = temp_dir_on("/dev/shm", TMPFS_MAGIC);
	if (f->dir == NULL) {
		print_message("no tmpfs at /dev/shm\n");
		skip();
	}
	assert_int_equal(dir_spread_subdirs(f->dir, &err), -1);
	assert_int_not_equal(err.errnum, 0);
	assert_non_null(strstr(err.msg, f->dir));
}

static void dir_spread_subdirs__missing_or_link__refused(void **state)
{
	struct fixture *f = *state;
	struct md_err err = { 0 };

	f->dir = xasprintf("/tmp/test-dir-spread.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->link = xasprintf("%s/link", f->dir);
	assert_int_equal(symlink(f->dir, f->link), 0);
	assert_int_equal(dir_spread_subdirs(f->link, &err), -1);
	assert_int_not_equal(err.errnum, 0);
	assert_int_equal(unlink(f->link), 0);
	assert_int_equal(dir_spread_subdirs(f->link, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dir_spread_subdirs__ext4__flag_added_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(dir_spread_subdirs__tmpfs__refused, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_spread_subdirs__missing_or_link__refused, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
