#include "stream.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "tty.h"

/* Stop reading stdin while this much waits for the socket. */
#define STREAM_OUT_MAX (1024u * 1024u)

/* Signals the client forwards to the container without a tty (Docker's
 * sig-proxy); with a tty the terminal's keys travel as bytes instead. */
static const int proxied_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

struct stream {
	struct conn *c;
	const struct stream_opts *o;
	struct buf out;        /* frames for the socket */
	size_t matched;        /* detach keys seen so far */
	bool stdin_done;
	bool detached;
	int status;            /* -1 until known */
	bool exit_recorded;    /* the exit came marked "recorded" */
};

static int open_signalfd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	for (size_t i = 0; i < ARRAY_SIZE(proxied_signals); i++)
		sigaddset(&set, proxied_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void queue_msg(struct stream *s, struct json_object *msg)
{
	proto_msg_append(&s->out, msg);
	json_object_put(msg);
}

static void send_resize(struct stream *s)
{
	unsigned short rows, cols;
	struct json_object *o;

	if (!tty_size(STDIN_FILENO, &rows, &cols) && !tty_size(STDOUT_FILENO, &rows, &cols))
		return;
	o = proto_msg_new("resize");
	json_object_object_add(o, "rows", json_object_new_int(rows));
	json_object_object_add(o, "cols", json_object_new_int(cols));
	queue_msg(s, o);
}

static void handle_signal(struct stream *s, int fd)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		int sig = (int)si.ssi_signo;

		if (sig == SIGWINCH) {
			if (s->o->tty)
				send_resize(s);
		} else if (!s->o->tty) {
			struct json_object *o = proto_msg_new("signal");

			json_object_object_add(o, "signal", json_object_new_int(sig));
			queue_msg(s, o);
		} else if (sig != SIGUSR1 && sig != SIGUSR2) {
			/* With a tty the client itself was told to go: leave the
			 * container running, restore the terminal, and exit. */
			s->status = 128 + sig;
		}
	}
}

/* Pass stdin bytes on, holding back a possible detach sequence: a partial
 * match is sent as it was typed once the next key breaks it. */
static void forward_stdin(struct stream *s, const unsigned char *data, size_t n)
{
	size_t start = 0;

	if (!s->o->tty || s->o->ndetach_keys == 0) {
		proto_data_append(&s->out, FRAME_STDIN, data, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (data[i] == s->o->detach_keys[s->matched]) {
			/* Flush what came before the sequence started. */
			if (s->matched == 0 && i > start)
				proto_data_append(&s->out, FRAME_STDIN, data + start, i - start);
			s->matched++;
			start = i + 1;
			if (s->matched == s->o->ndetach_keys) {
				s->detached = true;
				return;
			}
			continue;
		}
		if (s->matched > 0) {
			proto_data_append(&s->out, FRAME_STDIN, s->o->detach_keys, s->matched);
			s->matched = 0;
			start = i;
			i--; /* this byte may start a new sequence */
		}
	}
	if (s->matched == 0 && n > start)
		proto_data_append(&s->out, FRAME_STDIN, data + start, n - start);
}

static void read_stdin(struct stream *s)
{
	unsigned char data[PROTO_DATA_CHUNK];
	ssize_t n = read(STDIN_FILENO, data, sizeof(data));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		s->stdin_done = true;
		if (!s->o->tty)
			proto_frame_append(&s->out, FRAME_STDIN, FRAME_FLAG_EOF, NULL, 0);
		return;
	}
	forward_stdin(s, data, (size_t)n);
}

/* Blocking write to our own stdout/stderr, even if someone left it
 * non-blocking: the user's terminal or pipe sets the pace. */
static void write_out(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, -1);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* a closed stdout: nothing more to show */
		data += n;
		len -= (size_t)n;
	}
}

/* Handle what the socket brought; returns -1 on a protocol error. */
static int handle_frames(struct stream *s, struct md_err *err)
{
	for (;;) {
		struct frame_hdr h;
		const uint8_t *payload;
		int r = conn_next_frame(s->c, &h, &payload, err);

		if (r <= 0)
			return r;
		if (h.type == FRAME_STDOUT || h.type == FRAME_STDERR) {
			write_out(h.type == FRAME_STDOUT ? STDOUT_FILENO : STDERR_FILENO, payload, h.len);
		} else if (h.type == FRAME_MSG) {
			const char *why = NULL;
			struct json_object *msg = proto_msg_parse(payload, h.len, &why);
			int64_t code = 0;

			if (msg == NULL)
				return md_err_set(err, 0, "bad message from minidockerd: %s", why);
			if (strcmp(proto_msg_type(msg), "exit") == 0) {
				proto_get_int(msg, "exit_code", 0, 255, &code);
				proto_get_bool(msg, "recorded", &s->exit_recorded);
				s->status = (int)code;
			} else if (strcmp(proto_msg_type(msg), "error") == 0) {
				conn_error_from_msg(msg, err);
				json_object_put(msg);
				conn_consume(s->c, &h);
				return -1;
			}
			json_object_put(msg);
		}
		conn_consume(s->c, &h);
	}
}

static int read_socket(struct stream *s, struct md_err *err)
{
	ssize_t n = read(s->c->fd, buf_reserve(&s->c->in, PROTO_DATA_CHUNK), PROTO_DATA_CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0)
		return md_err_set(err, errno, "read from minidockerd");
	if (n == 0)
		return md_err_set(err, 0, "lost connection to the container's monitor");
	buf_commit(&s->c->in, (size_t)n);
	return handle_frames(s, err);
}

static int relay_loop(struct stream *s, int sigfd, struct md_err *err)
{
	if (handle_frames(s, err) < 0)
		return -1;
	while (s->status < 0 && !s->detached) {
		bool want_stdin = s->o->stdin_open && !s->stdin_done && buf_used(&s->out) < STREAM_OUT_MAX;
		struct pollfd p[3] = {
			{ .fd = s->c->fd, .events = (short)(POLLIN | (buf_used(&s->out) ? POLLOUT : 0)) },
			{ .fd = want_stdin ? STDIN_FILENO : -1, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return md_err_set(err, errno, "poll");
		}
		if (p[2].revents)
			handle_signal(s, sigfd);
		if (p[1].revents)
			read_stdin(s);
		if ((p[0].revents & POLLOUT) && buf_flush(&s->out, s->c->fd) < 0 && errno != EPIPE)
			return md_err_set(err, errno, "write to minidockerd");
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && read_socket(s, err) < 0)
			return -1;
	}
	return 0;
}

int stream_relay(struct conn *c, const struct stream_opts *o, struct stream_end *end)
{
	struct stream s = { .c = c, .o = o, .status = -1 };
	struct md_err err;
	int sigfd = open_signalfd();
	int r;

	md_err_clear(&err);
	if (sigfd < 0) {
		fprintf(stderr, "minidocker: signalfd: %s\n", strerror(errno));
		return MD_STATUS_FAILED;
	}
	fd_set_nonblock(c->fd, true);
	if (o->tty) {
		if (isatty(STDIN_FILENO) && o->stdin_open && tty_raw(STDIN_FILENO) < 0) {
			fprintf(stderr, "minidocker: cannot set the terminal to raw mode: %s\n",
				strerror(errno));
			close(sigfd);
			return MD_STATUS_FAILED;
		}
		send_resize(&s);
	}
	r = relay_loop(&s, sigfd, &err);
	if (s.detached) {
		struct json_object *bye = proto_msg_new("detach");

		queue_msg(&s, bye);
		fd_set_nonblock(c->fd, false);
		buf_flush(&s.out, c->fd);
	}
	tty_restore();
	close(sigfd);
	buf_free(&s.out);
	if (end != NULL)
		*end = (struct stream_end){ .detached = s.detached, .exit_recorded = s.exit_recorded };
	if (r < 0) {
		fprintf(stderr, "minidocker: %s\n", err.msg);
		return err.status ? err.status : MD_STATUS_FAILED;
	}
	return s.detached ? 0 : s.status;
}
