/* Unit tests for proto/frame-read.c: one frame and its fds read from a
 * socket without taking a byte of what follows, within a deadline. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../common/buf.h"
#include "../../common/err.h"
#include "../../common/util.h"
#include "../../proto/frame-read.h"
#include "../../proto/frame.h"

static int sv[2];

static int pair_setup(void **state)
{
	(void)state;
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
}

static int pair_teardown(void **state)
{
	(void)state;
	close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	return 0;
}

/* A FRAME_MSG of payload into out. */
static void frame_of(struct buf *out, const char *payload)
{
	proto_frame_append(out, FRAME_MSG, 0, payload, strlen(payload));
}

/* Bytes [from, to) of b to sv[1], with fd attached if >= 0. */
static void send_part(const struct buf *b, size_t from, size_t to, int fd)
{
	ssize_t n = fd >= 0 ? fd_send(sv[1], buf_head(b) + from, to - from, fd)
			    : write(sv[1], buf_head(b) + from, to - from);

	assert_int_equal(n, (ssize_t)(to - from));
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static void read_one__frame_in_pieces_with_fd__whole_frame_nothing_after(void **state)
{
	struct buf out = { 0 }, in = { 0 };
	struct md_err err;
	int fds[2] = { -1, -1 }, pipefd[2];
	size_t nfds = 0, first;
	char rest[64];

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	frame_of(&out, "{\"type\":\"take\"}");
	first = buf_used(&out);
	frame_of(&out, "{\"type\":\"next\"}");
	/* The header in two parts, the fd with the second. */
	send_part(&out, 0, 3, -1);
	send_part(&out, 3, 10, pipefd[0]);
	send_part(&out, 10, buf_used(&out), -1);

	assert_int_equal(proto_frame_read_one(sv[0], &in, 64, 0, fds, &nfds, 2, &err), 0);
	assert_int_equal(buf_used(&in), first);
	assert_memory_equal(buf_head(&in), buf_head(&out), first);
	assert_int_equal(nfds, 1);
	assert_true(fd_is_open(fds[0]));
	assert_true(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	/* The next frame is still on the socket, whole. */
	assert_int_equal(recv(sv[0], rest, sizeof(rest), MSG_DONTWAIT),
			 (ssize_t)(buf_used(&out) - first));
	close(fds[0]);
	close(pipefd[0]);
	close(pipefd[1]);
	buf_free(&in);
	buf_free(&out);
}

static void read_one__eof_mid_frame__returns_1(void **state)
{
	struct buf out = { 0 }, in = { 0 };
	struct md_err err;
	size_t nfds = 0;
	int fds[1];

	(void)state;
	frame_of(&out, "{\"type\":\"take\"}");
	send_part(&out, 0, buf_used(&out) - 1, -1);
	close(sv[1]);
	sv[1] = -1;
	assert_int_equal(proto_frame_read_one(sv[0], &in, 64, 0, fds, &nfds, 1, &err), 1);
	buf_free(&in);
	buf_free(&out);
}

static void read_one__nothing_before_deadline__etimedout(void **state)
{
	struct buf out = { 0 }, in = { 0 };
	struct md_err err;
	int64_t start = time_mono_ns();
	size_t nfds = 0;
	int fds[1];

	(void)state;
	frame_of(&out, "{}");
	send_part(&out, 0, 4, -1);
	assert_int_equal(proto_frame_read_one(sv[0], &in, 64, start + 50 * 1000000, fds, &nfds, 1,
					      &err),
			 -1);
	assert_int_equal(err.errnum, ETIMEDOUT);
	assert_true(time_mono_ns() - start >= 50 * 1000000);
	buf_free(&in);
	buf_free(&out);
}

static void read_one__more_fds_than_room__eproto_room_filled(void **state)
{
	struct buf out = { 0 }, in = { 0 };
	struct md_err err;
	int fds[1] = { -1 }, pass[2], pipefd[2];
	size_t nfds = 0;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pass[0] = pipefd[0];
	pass[1] = pipefd[1];
	frame_of(&out, "{}");
	assert_int_equal(fds_send(sv[1], buf_head(&out), buf_used(&out), pass, 2),
			 (ssize_t)buf_used(&out));
	assert_int_equal(proto_frame_read_one(sv[0], &in, 64, 0, fds, &nfds, 1, &err), -1);
	assert_int_equal(err.errnum, EPROTO);
	/* One kept (the caller closes it), the other closed. */
	assert_int_equal(nfds, 1);
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	close(pipefd[0]);
	close(pipefd[1]);
	buf_free(&in);
	buf_free(&out);
}

static void read_one__fds_past_the_control_room__eproto(void **state)
{
	struct buf out = { 0 }, in = { 0 };
	struct md_err err;
	int fds[1] = { -1 }, pass[4], pipefd[2];
	size_t nfds = 0;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	for (size_t i = 0; i < 4; i++)
		pass[i] = pipefd[i % 2];
	frame_of(&out, "{}");
	assert_int_equal(fds_send(sv[1], buf_head(&out), buf_used(&out), pass, 4),
			 (ssize_t)buf_used(&out));
	assert_int_equal(proto_frame_read_one(sv[0], &in, 64, 0, fds, &nfds, 1, &err), -1);
	assert_int_equal(err.errnum, EPROTO);
	assert_int_equal(nfds, 1);
	close(fds[0]);
	close(pipefd[0]);
	close(pipefd[1]);
	buf_free(&in);
	buf_free(&out);
}

static void read_one__into_a_buffer_in_use__appends_the_frame(void **state)
{
	struct buf out = { 0 }, in = { 0 };
	struct md_err err;
	size_t nfds = 0;
	int fds[1];

	(void)state;
	buf_append(&in, "kept", 4);
	frame_of(&out, "{\"type\":\"take\"}");
	send_part(&out, 0, buf_used(&out), -1);
	assert_int_equal(proto_frame_read_one(sv[0], &in, 64, 0, fds, &nfds, 1, &err), 0);
	assert_int_equal(buf_used(&in), 4 + buf_used(&out));
	assert_memory_equal(buf_head(&in), "kept", 4);
	assert_memory_equal(buf_head(&in) + 4, buf_head(&out), buf_used(&out));
	buf_free(&in);
	buf_free(&out);
}

static void read_one__payload_over_max__eproto_before_reading_it(void **state)
{
	struct buf out = { 0 }, in = { 0 };
	struct md_err err;
	size_t nfds = 0;
	int fds[1];

	(void)state;
	frame_of(&out, "{\"type\":\"a bit too long\"}");
	send_part(&out, 0, PROTO_HDR_LEN, -1);
	assert_int_equal(proto_frame_read_one(sv[0], &in, 8, 0, fds, &nfds, 1, &err), -1);
	assert_int_equal(err.errnum, EPROTO);
	buf_free(&in);
	buf_free(&out);
}

static void read_one__other_version__eproto(void **state)
{
	uint8_t hdr[PROTO_HDR_LEN] = { PROTO_VERSION + 1, FRAME_MSG, 0, 0, 0, 0, 0, 2 };
	struct buf in = { 0 };
	struct md_err err;
	size_t nfds = 0;
	int fds[1];

	(void)state;
	assert_int_equal(write(sv[1], hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
	assert_int_equal(proto_frame_read_one(sv[0], &in, 64, 0, fds, &nfds, 1, &err), -1);
	assert_int_equal(err.errnum, EPROTO);
	buf_free(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			read_one__frame_in_pieces_with_fd__whole_frame_nothing_after, pair_setup,
			pair_teardown),
		cmocka_unit_test_setup_teardown(read_one__eof_mid_frame__returns_1, pair_setup,
						pair_teardown),
		cmocka_unit_test_setup_teardown(read_one__nothing_before_deadline__etimedout,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(read_one__more_fds_than_room__eproto_room_filled,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(read_one__fds_past_the_control_room__eproto,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(read_one__into_a_buffer_in_use__appends_the_frame,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(read_one__payload_over_max__eproto_before_reading_it,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(read_one__other_version__eproto, pair_setup,
						pair_teardown),
	};

	/* A reader that regressed into waiting for ever fails here instead
	 * of hanging the suite. */
	alarm(10);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
