/* Unit tests for daemon/digest.c: sha256 as the image formats address
 * their blobs. FIPS 180-2's vectors through each entry point (a buffer, a
 * stream fed in pieces, a file from its current offset, a pipe), and a
 * read error reported rather than hashed over. */
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
#include <unistd.h>

#include "../../common/err.h"
#include "../../common/util.h"
#include "../../daemon/digest.h"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MSG_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define SHA_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

/* A temp file holding len bytes of data, unlinked, its offset at 0. */
static int tmpfile_with(const void *data, size_t len)
{
	char path[] = "/tmp/md-digest-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(write_all(fd, data, len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void digest_buf__empty__fips_vector(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];

	(void)state;
	memset(hex, 'x', sizeof(hex));
	digest_buf("", 0, hex);
	assert_string_equal(hex, SHA_EMPTY);
	assert_int_equal(strlen(hex), DIGEST_HEX_LEN);
}

static void digest_buf__abc__fips_vector(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];

	(void)state;
	digest_buf("abc", 3, hex);
	assert_string_equal(hex, SHA_ABC);
}

static void digest_buf__two_blocks__fips_vector(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];

	(void)state;
	digest_buf(MSG_448, strlen(MSG_448), hex);
	assert_string_equal(hex, SHA_448);
}

/* A NUL inside the data is data, not an end. */
static void digest_buf__embedded_nul__hashed(void **state)
{
	char a[DIGEST_HEX_LEN + 1], b[DIGEST_HEX_LEN + 1];

	(void)state;
	digest_buf("abc\0def", 7, a);
	digest_buf("abc", 3, b);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, SHA_ABC);
}

static void digest_update__pieces__same_as_buf(void **state)
{
	const char *msg = MSG_448;
	size_t len = strlen(msg);

	(void)state;
	/* Every split point, including empty pieces at either end. */
	for (size_t cut = 0; cut <= len; cut++) {
		struct digest *d = digest_new();
		char hex[DIGEST_HEX_LEN + 1];

		digest_update(d, msg, cut);
		digest_update(d, msg + cut, 0);
		digest_update(d, msg + cut, len - cut);
		digest_finish(d, hex);
		assert_string_equal(hex, SHA_448);
	}
}

static void digest_update__million_a_in_odd_pieces__fips_vector(void **state)
{
	char *a = xmalloc(1000000);
	struct digest *d = digest_new();
	char whole[DIGEST_HEX_LEN + 1], pieces[DIGEST_HEX_LEN + 1];
	size_t off = 0, step = 1;

	(void)state;
	memset(a, 'a', 1000000);
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;

		digest_update(d, a + off, n);
		off += n;
		step = step * 3 + 1; /* 1, 4, 13, 40, ...: crosses block boundaries unevenly */
	}
	digest_finish(d, pieces);
	digest_buf(a, 1000000, whole);
	free(a);
	assert_string_equal(pieces, SHA_MILLION_A);
	assert_string_equal(whole, SHA_MILLION_A);
}

static void digest_on_read__callback__same_as_buf(void **state)
{
	struct digest *d = digest_new();
	char hex[DIGEST_HEX_LEN + 1];

	(void)state;
	digest_on_read(d, "a", 1);
	digest_on_read(d, "bc", 2);
	digest_finish(d, hex);
	assert_string_equal(hex, SHA_ABC);
}

static void digest_new__nothing_given__empty_vector(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];

	(void)state;
	digest_finish(digest_new(), hex);
	assert_string_equal(hex, SHA_EMPTY);
}

static void digest_fd__from_offset__hashes_the_rest(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct md_err err;
	int fd = tmpfile_with("xyzabc", 6);

	(void)state;
	md_err_clear(&err);
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	assert_int_equal(digest_fd(fd, hex, &err), 0);
	assert_string_equal(hex, SHA_ABC);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 6);
	/* At the end: nothing left is the empty string. */
	assert_int_equal(digest_fd(fd, hex, &err), 0);
	assert_string_equal(hex, SHA_EMPTY);
	assert_string_equal(err.msg, "");
	close(fd);
}

/* More than the 64 KiB read buffer: the reads must chain. */
static void digest_fd__larger_than_buffer__same_as_buf(void **state)
{
	size_t len = 200 * 1024 + 7;
	char *data = xmalloc(len);
	char want[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];
	struct md_err err;
	int fd;

	(void)state;
	for (size_t i = 0; i < len; i++)
		data[i] = (char)(i * 131 + (i >> 9));
	digest_buf(data + 5, len - 5, want);
	fd = tmpfile_with(data, len);
	free(data);
	assert_int_equal(lseek(fd, 5, SEEK_SET), 5);
	assert_int_equal(digest_fd(fd, got, &err), 0);
	close(fd);
	assert_string_equal(got, want);
}

static void digest_fd__pipe__hashes_stream(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct md_err err;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write_all(p[1], "ab", 2), 0);
	assert_int_equal(write_all(p[1], "c", 1), 0);
	close(p[1]);
	assert_int_equal(digest_fd(p[0], hex, &err), 0);
	close(p[0]);
	assert_string_equal(hex, SHA_ABC);
}

static void digest_fd__directory__read_error(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct md_err err;
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	md_err_clear(&err);
	assert_int_equal(digest_fd(fd, hex, &err), -1);
	close(fd);
	assert_int_equal(err.errnum, EISDIR);
	assert_string_equal(err.msg, "read: Is a directory");
}

static void digest_fd__bad_fd__read_error(void **state)
{
	char hex[DIGEST_HEX_LEN + 1];
	struct md_err err;

	(void)state;
	md_err_clear(&err);
	assert_int_equal(digest_fd(-1, hex, &err), -1);
	assert_int_equal(err.errnum, EBADF);
	assert_string_equal(err.msg, "read: Bad file descriptor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(digest_buf__empty__fips_vector),
		cmocka_unit_test(digest_buf__abc__fips_vector),
		cmocka_unit_test(digest_buf__two_blocks__fips_vector),
		cmocka_unit_test(digest_buf__embedded_nul__hashed),
		cmocka_unit_test(digest_update__pieces__same_as_buf),
		cmocka_unit_test(digest_update__million_a_in_odd_pieces__fips_vector),
		cmocka_unit_test(digest_on_read__callback__same_as_buf),
		cmocka_unit_test(digest_new__nothing_given__empty_vector),
		cmocka_unit_test(digest_fd__from_offset__hashes_the_rest),
		cmocka_unit_test(digest_fd__larger_than_buffer__same_as_buf),
		cmocka_unit_test(digest_fd__pipe__hashes_stream),
		cmocka_unit_test(digest_fd__directory__read_error),
		cmocka_unit_test(digest_fd__bad_fd__read_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
