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

/* /var/tmp is on the disk, not a tmpfs, on most hosts. */
static void dir_spread_subdirs__ext4__flag_set_once(void **state)
{
	char *dir = temp_dir_on("/var/tmp", EXT4_SUPER_MAGIC);
	struct md_err err = { 0 };

	(void)state;
	if (dir == NULL) {
		print_message("/var/tmp is not on ext2/3/4\n");
		skip();
	}
	assert_false(dir_flags(dir) & FS_TOPDIR_FL);
	assert_int_equal(dir_spread_subdirs(dir, &err), 0);
	assert_true(dir_flags(dir) & FS_TOPDIR_FL);
	assert_int_equal(dir_spread_subdirs(dir, &err), 0);
	assert_true(dir_flags(dir) & FS_TOPDIR_FL);
	assert_int_equal(rmdir(dir), 0);
	free(dir);
}

static void dir_spread_subdirs__tmpfs__refused(void **state)
{
	char *dir = temp_dir_on("/dev/shm", TMPFS_MAGIC);
	struct md_err err = { 0 };

	(void)state;
	if (dir == NULL) {
		print_message("no tmpfs at /dev/shm\n");
		skip();
	}
	assert_int_equal(dir_spread_subdirs(dir, &err), -1);
	assert_int_not_equal(err.errnum, 0);
	assert_non_null(strstr(err.msg, dir));
	assert_int_equal(rmdir(dir), 0);
	free(dir);
}

static void dir_spread_subdirs__missing_or_link__refused(void **state)
{
	char dir[] = "/tmp/test-dir-spread.XXXXXX";
	struct md_err err = { 0 };
	char *link;

	(void)state;
	assert_non_null(mkdtemp(dir));
	link = xasprintf("%s/link", dir);
	assert_int_equal(symlink(dir, link), 0);
	assert_int_equal(dir_spread_subdirs(link, &err), -1);
	assert_int_not_equal(err.errnum, 0);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(dir_spread_subdirs(link, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(rmdir(dir), 0);
	free(link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dir_spread_subdirs__ext4__flag_set_once),
		cmocka_unit_test(dir_spread_subdirs__tmpfs__refused),
		cmocka_unit_test(dir_spread_subdirs__missing_or_link__refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
