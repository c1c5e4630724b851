/* What the unit tests that build directory trees by hand share: make a
 * directory, write a file, read one back, and skip when not root. Include
 * after <cmocka.h>. */
#ifndef MD_TESTS_FS_FIXTURE_H
#define MD_TESTS_FS_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/util.h"

/* base/name, made (0755), opened as a directory. */
static inline int fx_open_dir(const char *base, const char *name)
{
	cleanup_free char *p = xasprintf("%s/%s", base, name);
	int fd;

	assert_int_equal(mkdir(p, 0755), 0);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* path in dir, created or truncated, holding data (a link is refused). */
static inline void fx_put_file(int dir, const char *path, const char *data)
{
	int fd = openat(dir, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		fail_msg("create %s: %s", path, strerror(errno));
	assert_int_equal(write_all(fd, data, strlen(data)), 0);
	close(fd);
}

/* path in dir (not a link) holds exactly expected (short texts). */
static inline void fx_assert_content(int dir, const char *path, const char *expected)
{
	char buf[256];
	int fd = openat(dir, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, expected);
}

/* Skip the test unless root, saying what needs it. */
static inline void fx_need_root(const char *why)
{
	if (geteuid() != 0) {
		print_message("not root: %s need it\n", why);
		skip();
	}
}

#endif
