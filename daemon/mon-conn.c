/* The monitor's connections: the daemon's control links and the clients the
 * daemon handed over (an attached `run`, later `attach` and `exec`). All
 * speak the wire protocol of proto/. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/frame.h"
#include "../proto/msg.h"
#include "monitor.h"

struct mon_conn *mon_conn_add(struct monitor *m, int fd, unsigned flags, struct mon_proc *p)
{
	struct mon_conn *c = xcalloc(1, sizeof(*c));

	fd_set_nonblock(fd, true);
	fd_set_cloexec(fd, true);
	c->fd = fd;
	c->flags = flags;
	c->proc = p;
	c->next = m->conns;
	m->conns = c;
	return c;
}

void mon_conn_send(struct mon_conn *c, struct json_object *msg)
{
	if (!c->dead)
		proto_msg_append(&c->out, msg);
}

void mon_conn_broadcast(struct monitor *m, struct mon_proc *p, struct json_object *msg)
{
	for (struct mon_conn *c = m->conns; c != NULL; c = c->next)
		if ((c->flags & MON_CONN_CONTROL) || c->proc == p || (p == NULL && c->proc == NULL))
			mon_conn_send(c, msg);
}

void mon_conn_broadcast_data(struct monitor *m, struct mon_proc *p, enum frame_type stream,
			     const uint8_t *data, size_t len)
{
	for (struct mon_conn *c = m->conns; c != NULL; c = c->next)
		if ((c->flags & MON_CONN_OUTPUT) && c->proc == p && !c->dead)
			proto_data_append(&c->out, stream, data, len);
}

bool mon_conn_output_blocked(struct monitor *m, const struct mon_proc *p)
{
	int64_t now = time_mono_ns();
	bool blocked = false;

	/* Backpressure reaches a process only through its own readers: one
	 * that lags stops that output until it catches up (the log is written
	 * as the output is read, so it never falls behind). A reader other
	 * than the session's own that stays full for MON_CONN_STALL_NS is
	 * dropped instead; it may attach again. */
	for (struct mon_conn *c = m->conns; c != NULL; c = c->next) {
		if (!(c->flags & MON_CONN_OUTPUT) || c->proc != p || c->dead)
			continue;
		if (buf_used(&c->out) <= MON_CONN_OUT_MAX) {
			c->full_since_ns = 0;
			continue;
		}
		if (c->full_since_ns == 0)
			c->full_since_ns = now;
		if (!(c->flags & MON_CONN_PRIMARY) && now - c->full_since_ns > MON_CONN_STALL_NS) {
			log_warn("dropping an attached client that stopped reading");
			c->dead = true;
			continue;
		}
		blocked = true;
	}
	return blocked;
}

void mon_conn_reply_error(struct mon_conn *c, const struct md_err *err)
{
	struct json_object *o = proto_msg_error(err);

	mon_conn_send(c, o);
	json_object_put(o);
}

size_t mon_conn_count(const struct monitor *m)
{
	size_t n = 0;

	for (const struct mon_conn *c = m->conns; c != NULL; c = c->next)
		n++;
	return n;
}

int mon_conn_pop_fd(struct mon_conn *c)
{
	int fd;

	if (c->nfds == 0)
		return -1;
	fd = c->fds[0];
	memmove(c->fds, c->fds + 1, sizeof(int) * (size_t)--c->nfds);
	return fd;
}

/* "attach": the daemon hands over a client's socket with the message. */
static void handle_attach(struct monitor *m, struct mon_conn *c, struct json_object *msg)
{
	bool want_stdin = false;
	unsigned flags = MON_CONN_OUTPUT;
	struct mon_conn *client;
	struct json_object *state;
	int fd;

	if (c->nfds == 0 || proto_get_bool(msg, "stdin", &want_stdin) < 0) {
		/* The fd was lost (we were out of fds): the client sees its
		 * connection close; the daemon's link stays. */
		log_warn("attach without a client fd or with bad flags");
		return;
	}
	if (mon_conn_count(m) >= MON_CONNS_MAX) {
		log_warn("too many connections: attach refused");
		close(mon_conn_pop_fd(c));
		return;
	}
	fd = mon_conn_pop_fd(c);
	if (want_stdin && m->main->in_fd >= 0)
		flags |= MON_CONN_INPUT;
	client = mon_conn_add(m, fd, flags, m->main);
	state = monitor_state_msg(m);
	mon_conn_send(client, state);
	json_object_put(state);
}

static int handle_msg(struct monitor *m, struct mon_conn *c, struct json_object *msg)
{
	const char *type = proto_msg_type(msg);
	bool control = c->flags & MON_CONN_CONTROL;
	/* A client acts on its own session only; once that ended (or for a
	 * detached exec) it acts on nothing. The daemon acts on PID 1. */
	struct mon_proc *p = c->proc ? c->proc : control ? m->main : NULL;
	int64_t n = 0, rows = 0, cols = 0;
	struct md_err err;

	if (strcmp(type, "resize") == 0) {
		if (proto_get_int(msg, "rows", 1, 65535, &rows) < 0 ||
		    proto_get_int(msg, "cols", 1, 65535, &cols) < 0)
			return -1;
		if (p != NULL)
			mon_proc_resize(p, (unsigned short)rows, (unsigned short)cols);
	} else if (strcmp(type, "signal") == 0) {
		if (proto_get_int(msg, "signal", 1, NSIG - 1, &n) < 0 || n == 0)
			return -1;
		if (p != NULL)
			mon_proc_signal(p, (int)n);
	} else if (strcmp(type, "stop") == 0 && control) {
		n = CTR_DEFAULT_STOP_TIMEOUT;
		if (proto_get_int(msg, "timeout", 0, 24 * 3600, &n) < 0)
			return -1;
		monitor_stop(m, (int)n);
	} else if (strcmp(type, "attach") == 0 && control) {
		handle_attach(m, c, msg);
	} else if (strcmp(type, "exec") == 0 && control) {
		monitor_exec(m, c, msg);
	} else if (strcmp(type, "state") == 0) {
		struct json_object *o = monitor_state_msg(m);

		mon_conn_send(c, o);
		json_object_put(o);
	} else if (strcmp(type, "exit_recorded") == 0 && control) {
		m->exit_recorded = true;
	} else if (strcmp(type, "detach") == 0) {
		c->dead = true;
	} else {
		md_err_setst(&err, MD_STATUS_REFUSED, 0, "unknown request: %.64s", type);
		mon_conn_reply_error(c, &err);
	}
	return 0;
}

static void handle_stdin(struct mon_conn *c, const struct frame_hdr *h, const uint8_t *payload)
{
	struct mon_proc *p = c->proc;

	if (!(c->flags & MON_CONN_INPUT) || p == NULL || p->in_fd < 0)
		return; /* stdin not open to this reader: dropped, as Docker does */
	if (h->flags & FRAME_FLAG_EOF)
		p->stdin_eof = true;
	else
		buf_append(&p->stdin_buf, payload, h->len);
}

/* Take the fds that came with a recvmsg: only a daemon's control link
 * passes any, and no more than MON_CONN_FDS_MAX wait at once. */
static void conn_take_fds(struct mon_conn *c, struct msghdr *mh)
{
	size_t room = (c->flags & MON_CONN_CONTROL) ? MON_CONN_FDS_MAX - (size_t)c->nfds : 0;

	c->nfds += (int)fds_from_cmsg(mh, c->fds + c->nfds, room);
}

static void conn_parse(struct monitor *m, struct mon_conn *c)
{
	for (;;) {
		struct frame_hdr h;
		const uint8_t *payload = NULL;
		const char *why = NULL;
		enum proto_decode r = proto_frame_peek(buf_head(&c->in), buf_used(&c->in), &h,
						       &payload, &why);

		if (r == PROTO_NEED_MORE)
			return;
		if (r != PROTO_OK) {
			log_warn("dropping connection: %s", why);
			c->dead = true;
			return;
		}
		if (h.type == FRAME_MSG) {
			struct json_object *msg = proto_msg_parse(payload, h.len, &why);

			if (msg == NULL || handle_msg(m, c, msg) < 0) {
				log_warn("dropping connection: %s", msg ? "invalid message" : why);
				c->dead = true;
			}
			json_object_put(msg);
		} else if (h.type == FRAME_STDIN) {
			handle_stdin(c, &h, payload);
		}
		buf_consume(&c->in, PROTO_HDR_LEN + h.len);
		if (c->dead)
			return;
	}
}

void mon_conn_read(struct monitor *m, struct mon_conn *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * MON_CONN_FDS_MAX)];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	iov.iov_base = buf_reserve(&c->in, PROTO_DATA_CHUNK);
	iov.iov_len = PROTO_DATA_CHUNK;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			c->dead = true;
		return;
	}
	if (mh.msg_flags & MSG_CTRUNC)
		log_warn("received fds were cut short (out of fds)");
	conn_take_fds(c, &mh);
	if (n == 0) {
		c->dead = true;
		return;
	}
	buf_commit(&c->in, (size_t)n);
	if (buf_used(&c->in) > PROTO_HDR_LEN + PROTO_FRAME_MAX) {
		c->dead = true;
		return;
	}
	conn_parse(m, c);
}

void mon_conn_write(struct mon_conn *c)
{
	while (buf_used(&c->out) > 0) {
		ssize_t n = send(c->fd, buf_head(&c->out), buf_used(&c->out), MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				c->dead = true;
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
	if (c->close_when_flushed)
		c->dead = true;
}

void mon_conn_reap_dead(struct monitor *m)
{
	struct mon_conn **pp = &m->conns;

	while (*pp != NULL) {
		struct mon_conn *c = *pp;

		if (!c->dead) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		close(c->fd);
		for (int i = 0; i < c->nfds; i++)
			close(c->fds[i]);
		buf_free(&c->in);
		buf_free(&c->out);
		free(c);
	}
}
