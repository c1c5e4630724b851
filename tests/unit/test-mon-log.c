/* Unit tests for daemon/mon-log.c: the container log's records,
 *   TIMESTAMP STREAM F|P BYTES\n
 * one per line of output (F) or per piece of a line not yet ended (P). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/buf.h"
#include "../../common/util.h"
#include "../../daemon/mon-log.h"
#include "fs-fixture.h"

/* 2023-11-14T22:13:20 UTC plus 123456789 ns. */
#define NS 1700000000123456789LL
#define TS "2023-11-14T22:13:20.123456789Z"

/* Format the bytes and compare the whole output with expected (a C string). */
static void assert_format(enum frame_type stream, const char *in, size_t len,
			  const char *expected)
{
	struct buf out = { 0 };

	mon_log_format(&out, stream, (const uint8_t *)in, len, NS);
	if (buf_used(&out) != strlen(expected) ||
	    memcmp(buf_head(&out), expected, buf_used(&out)) != 0)
		fail_msg("got \"%.*s\", want \"%s\"", (int)buf_used(&out),
			 (const char *)buf_head(&out), expected);
	buf_free(&out);
}

/* The timestamp mon_log_format writes for ns: the text before the first space. */
static void stamp_of(int64_t ns, char *stamp, size_t size)
{
	struct buf out = { 0 };
	const char *sp;

	mon_log_format(&out, FRAME_STDOUT, (const uint8_t *)"x", 1, ns);
	sp = memchr(buf_head(&out), ' ', buf_used(&out));
	assert_non_null(sp);
	assert_true((size_t)(sp - (const char *)buf_head(&out)) < size);
	snprintf(stamp, size, "%.*s", (int)(sp - (const char *)buf_head(&out)),
		 (const char *)buf_head(&out));
	buf_free(&out);
}

/* ---- records ---- */

static void mon_log_format__one_line__one_full_record(void **state)
{
	(void)state;
	assert_format(FRAME_STDOUT, "hello world\n", 12, TS " stdout F hello world\n");
}

static void mon_log_format__no_newline__partial_record(void **state)
{
	(void)state;
	assert_format(FRAME_STDOUT, "hello", 5, TS " stdout P hello\n");
}

static void mon_log_format__several_lines__one_record_each(void **state)
{
	(void)state;
	assert_format(FRAME_STDOUT, "one\ntwo\nthree\n", 14,
		      TS " stdout F one\n" TS " stdout F two\n" TS " stdout F three\n");
}

static void mon_log_format__lines_then_partial__full_then_partial(void **state)
{
	(void)state;
	assert_format(FRAME_STDOUT, "a\nbb\nccc", 8,
		      TS " stdout F a\n" TS " stdout F bb\n" TS " stdout P ccc\n");
}

static void mon_log_format__empty_line__empty_full_record(void **state)
{
	(void)state;
	assert_format(FRAME_STDOUT, "\n", 1, TS " stdout F \n");
}

static void mon_log_format__empty_lines__empty_full_records(void **state)
{
	(void)state;
	assert_format(FRAME_STDOUT, "a\n\n\nb\n", 6,
		      TS " stdout F a\n" TS " stdout F \n" TS " stdout F \n" TS " stdout F b\n");
}

static void mon_log_format__stderr__stderr_name(void **state)
{
	(void)state;
	assert_format(FRAME_STDERR, "oops\npartial", 12,
		      TS " stderr F oops\n" TS " stderr P partial\n");
}

static void mon_log_format__nothing__no_record(void **state)
{
	struct buf out = { 0 };

	(void)state;
	mon_log_format(&out, FRAME_STDOUT, (const uint8_t *)"", 0, NS);
	assert_int_equal(buf_used(&out), 0);
	buf_free(&out);
}

static void mon_log_format__existing_buffer__appends(void **state)
{
	struct buf out = { 0 };
	const char *expected = "prev\n" TS " stdout F x\n";

	(void)state;
	buf_append(&out, "prev\n", 5);
	mon_log_format(&out, FRAME_STDOUT, (const uint8_t *)"x\n", 2, NS);
	assert_int_equal(buf_used(&out), strlen(expected));
	assert_memory_equal(buf_head(&out), expected, strlen(expected));
	buf_free(&out);
}

static void mon_log_format__carriage_return__kept(void **state)
{
	(void)state;
	assert_format(FRAME_STDOUT, "dos\r\n", 5, TS " stdout F dos\r\n");
}

static void mon_log_format__binary_bytes__kept(void **state)
{
	static const char in[] = { 'a', '\0', (char)0xff, '\n', (char)0x80 };
	static const char expected[] = TS " stdout F a\0\xff\n" TS " stdout P \x80\n";
	struct buf out = { 0 };

	(void)state;
	mon_log_format(&out, FRAME_STDOUT, (const uint8_t *)in, sizeof(in), NS);
	assert_int_equal(buf_used(&out), sizeof(expected) - 1);
	assert_memory_equal(buf_head(&out), expected, sizeof(expected) - 1);
	buf_free(&out);
}

static void mon_log_format__long_line__one_record(void **state)
{
	size_t n = 100000;
	char *in = malloc(n + 1);
	struct buf out = { 0 };
	size_t prefix = strlen(TS " stdout F ");

	(void)state;
	assert_non_null(in);
	memset(in, 'z', n);
	in[n] = '\n';
	mon_log_format(&out, FRAME_STDOUT, (const uint8_t *)in, n + 1, NS);
	assert_int_equal(buf_used(&out), prefix + n + 1);
	assert_memory_equal(buf_head(&out), TS " stdout F ", prefix);
	assert_memory_equal(buf_head(&out) + prefix, in, n + 1);
	buf_free(&out);
	free(in);
}

/* ---- timestamps ---- */

static void mon_log_format__fixed_ns__rfc3339_nanoseconds(void **state)
{
	char stamp[64];

	(void)state;
	stamp_of(NS, stamp, sizeof(stamp));
	assert_string_equal(stamp, "2023-11-14T22:13:20.123456789Z");
}

static void mon_log_format__small_fraction__nine_digits_zero_padded(void **state)
{
	char stamp[64];

	(void)state;
	stamp_of(1700000000000000005LL, stamp, sizeof(stamp));
	assert_string_equal(stamp, "2023-11-14T22:13:20.000000005Z");
}

static void mon_log_format__whole_second__nine_zeros(void **state)
{
	char stamp[64];

	(void)state;
	stamp_of(86400LL * 1000000000LL, stamp, sizeof(stamp));
	assert_string_equal(stamp, "1970-01-02T00:00:00.000000000Z");
}

static void mon_log_format__epoch__epoch(void **state)
{
	char stamp[64];

	(void)state;
	stamp_of(0, stamp, sizeof(stamp));
	assert_string_equal(stamp, "1970-01-01T00:00:00.000000000Z");
}

static void mon_log_format__stamp__parses_back(void **state)
{
	char stamp[64];
	int64_t ns = 0;

	(void)state;
	stamp_of(NS, stamp, sizeof(stamp));
	assert_int_equal(time_parse_rfc3339(stamp, &ns), 0);
	assert_int_equal(ns, NS);
}

/* ---- the file ---- */

static void mon_log_write__file__same_bytes_as_format(void **state)
{
	char dir[] = "/tmp/test-mon-log.XXXXXX";
	char *path;
	struct md_err err = { 0 };
	char *text = NULL;
	size_t len = 0;
	const char *expected = TS " stdout F a\n" TS " stderr P b\n";
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/%s", dir, "container.log");
	fd = mon_log_open(path, &err);
	assert_true(fd >= 0);
	mon_log_write(fd, FRAME_STDOUT, (const uint8_t *)"a\n", 2, NS);
	mon_log_write(fd, FRAME_STDERR, (const uint8_t *)"b", 1, NS);
	assert_int_equal(close(fd), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(file_read_all(path, 1 << 20, &text, &len, &err), 0);
	assert_int_equal(len, strlen(expected));
	assert_string_equal(text, expected);
	free(text);
	assert_int_equal(dir_remove_tree(dir, &err), 0);
	free(path);
}

static void mon_log_open__symlink__fails(void **state)
{
	char dir[] = "/tmp/test-mon-log.XXXXXX";
	char *path, *target;
	struct md_err err = { 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/%s", dir, "container.log");
	target = xasprintf("%s/%s", dir, "elsewhere");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(mon_log_open(path, &err), -1);
	assert_int_not_equal(err.errnum, 0);
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(dir_remove_tree(dir, &err), 0);
	free(path);
	free(target);
}

/* ---- rotation ---- */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own */
}

struct rot {
	char dir[32];         /* "" until made */
	char *path;
	int dfd, log_fd;
	bool nofile_lowered;  /* saved_nofile is to be put back */
	struct rlimit saved_nofile;
};

/* No child of ours is left, running or to reap. */
static void assert_no_child(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* Each rotation test starts with no child of ours and a deadline. The
 * teardown leaves no child for the next one to find, and removes the
 * test's directory and puts the fd limit back even when it failed. */
static int rotate_setup(void **state)
{
	struct rot *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return -1;
	r->dfd = r->log_fd = -1;
	*state = r;
	alarm(20);
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD ? 0 : -1;
}

static int rotate_teardown(void **state)
{
	struct rot *r = *state;
	struct md_err err;

	if (r->nofile_lowered)
		setrlimit(RLIMIT_NOFILE, &r->saved_nofile);
	while (waitpid(-1, NULL, 0) > 0)
		;
	alarm(0);
	if (r->dfd >= 0)
		close(r->dfd);
	if (r->dir[0] != '\0' && dir_remove_tree(r->dir, &err) < 0)
		print_message("%s\n", err.msg);
	free(r->path);
	free(r);
	return 0;
}

/* A dir with container.log (and container.log.1 when rotated_text),
 * container.log open as the monitor has it. */
static void rot_make(struct rot *r, const char *log_text, const char *rotated_text)
{
	struct md_err err = { 0 };

	strcpy(r->dir, "/tmp/test-mon-log.XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	r->dfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(r->dfd >= 0);
	if (rotated_text != NULL)
		fx_put_file(r->dfd, "container.log.1", rotated_text);
	fx_put_file(r->dfd, "container.log", log_text);
	r->path = xasprintf("%s/container.log", r->dir);
	r->log_fd = mon_log_open(r->path, &err);
	assert_true(r->log_fd >= 0);
}

/* The current log becomes .1 and a new one is opened. The .1 it replaces
 * goes to exactly one child, which exits 0; once it is reaped the caller
 * holds no fd more than before. */
static void mon_log_rotate__rotated_file__replaced_released_by_child(void **state)
{
	struct md_err err = { 0 };
	struct rot *r = *state;
	int fd, before, status;

	rot_make(r, "older\n", "oldest\n");
	before = open_fds();

	fd = mon_log_rotate(r->path, r->log_fd, true, &err);
	assert_true(fd >= 0);
	assert_true(waitpid(-1, &status, 0) > 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_no_child();
	assert_int_equal(open_fds(), before);
	assert_int_equal(fcntl(r->log_fd, F_GETFD), -1);
	fx_assert_content(r->dfd, "container.log.1", "older\n");
	assert_int_equal(write(fd, "newest\n", 7), 7);
	assert_int_equal(close(fd), 0);
	fx_assert_content(r->dfd, "container.log", "newest\n");
}

/* Not allowed a child (the monitor is still in the container's cgroup):
 * the same rotation, the old .1 freed here. */
static void mon_log_rotate__no_fork__same_without_child(void **state)
{
	struct md_err err = { 0 };
	struct rot *r = *state;
	int fd, before;

	rot_make(r, "older\n", "oldest\n");
	before = open_fds();

	fd = mon_log_rotate(r->path, r->log_fd, false, &err);
	assert_true(fd >= 0);
	assert_no_child();
	assert_int_equal(open_fds(), before);
	fx_assert_content(r->dfd, "container.log.1", "older\n");
	fx_assert_content(r->dfd, "container.log", "");
	assert_int_equal(close(fd), 0);
}

static void mon_log_rotate__first_rotation__no_child(void **state)
{
	struct md_err err = { 0 };
	struct rot *r = *state;
	int fd, before;

	rot_make(r, "first\n", NULL);
	before = open_fds();

	fd = mon_log_rotate(r->path, r->log_fd, true, &err);
	assert_true(fd >= 0);
	assert_int_equal(open_fds(), before);
	assert_no_child();
	fx_assert_content(r->dfd, "container.log.1", "first\n");
	fx_assert_content(r->dfd, "container.log", "");
	assert_int_equal(close(fd), 0);
}

/* Nothing to rename: an error, the caller goes on with its fd, and the .1
 * there is neither touched nor handed to a child. */
static void mon_log_rotate__log_gone__fails_keeps_fd(void **state)
{
	struct md_err err = { 0 };
	struct rot *r = *state;
	int before;

	rot_make(r, "current\n", "rotated\n");
	assert_int_equal(unlinkat(r->dfd, "container.log", 0), 0);
	before = open_fds();

	assert_int_equal(mon_log_rotate(r->path, r->log_fd, true, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_int_equal(open_fds(), before);
	assert_no_child();
	assert_int_equal(fcntl(r->log_fd, F_GETFD), FD_CLOEXEC);
	fx_assert_content(r->dfd, "container.log.1", "rotated\n");
	assert_int_equal(close(r->log_fd), 0);
}

/* No fd left for the new log (the monitor runs under the container's
 * RLIMIT_NOFILE): the log goes back under its name, so that writes and
 * the next rotation still find it there. */
static void mon_log_rotate__no_fd_for_new_log__log_back_in_place(void **state)
{
	struct md_err err = { 0 };
	struct rlimit none;
	struct rot *r = *state;
	int lowest;

	rot_make(r, "current\n", "rotated\n");
	lowest = dup(0);
	assert_true(lowest >= 0);
	close(lowest);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &r->saved_nofile), 0);
	none = r->saved_nofile;
	none.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &none), 0);
	r->nofile_lowered = true;

	assert_int_equal(mon_log_rotate(r->path, r->log_fd, true, &err), -1);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &r->saved_nofile), 0);
	r->nofile_lowered = false;
	assert_int_equal(err.errnum, EMFILE);
	assert_int_equal(write(r->log_fd, "more\n", 5), 5);
	fx_assert_content(r->dfd, "container.log", "current\nmore\n");
	assert_int_equal(close(r->log_fd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mon_log_format__one_line__one_full_record),
		cmocka_unit_test(mon_log_format__no_newline__partial_record),
		cmocka_unit_test(mon_log_format__several_lines__one_record_each),
		cmocka_unit_test(mon_log_format__lines_then_partial__full_then_partial),
		cmocka_unit_test(mon_log_format__empty_line__empty_full_record),
		cmocka_unit_test(mon_log_format__empty_lines__empty_full_records),
		cmocka_unit_test(mon_log_format__stderr__stderr_name),
		cmocka_unit_test(mon_log_format__nothing__no_record),
		cmocka_unit_test(mon_log_format__existing_buffer__appends),
		cmocka_unit_test(mon_log_format__carriage_return__kept),
		cmocka_unit_test(mon_log_format__binary_bytes__kept),
		cmocka_unit_test(mon_log_format__long_line__one_record),
		cmocka_unit_test(mon_log_format__fixed_ns__rfc3339_nanoseconds),
		cmocka_unit_test(mon_log_format__small_fraction__nine_digits_zero_padded),
		cmocka_unit_test(mon_log_format__whole_second__nine_zeros),
		cmocka_unit_test(mon_log_format__epoch__epoch),
		cmocka_unit_test(mon_log_format__stamp__parses_back),
		cmocka_unit_test(mon_log_write__file__same_bytes_as_format),
		cmocka_unit_test(mon_log_open__symlink__fails),
		cmocka_unit_test_setup_teardown(mon_log_rotate__rotated_file__replaced_released_by_child,
						rotate_setup, rotate_teardown),
		cmocka_unit_test_setup_teardown(mon_log_rotate__no_fork__same_without_child,
						rotate_setup, rotate_teardown),
		cmocka_unit_test_setup_teardown(mon_log_rotate__first_rotation__no_child,
						rotate_setup, rotate_teardown),
		cmocka_unit_test_setup_teardown(mon_log_rotate__log_gone__fails_keeps_fd,
						rotate_setup, rotate_teardown),
		cmocka_unit_test_setup_teardown(mon_log_rotate__no_fd_for_new_log__log_back_in_place,
						rotate_setup, rotate_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
