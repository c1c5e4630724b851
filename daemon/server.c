#include "server.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/frame.h"
#include "../proto/msg.h"
#include "fd-closer.h"
#include "request.h"

/* fds one connection may have passed and not yet had taken: past it, the
 * peer is not speaking the protocol. */
#define CLIENT_FDS_MAX 64
/* The kernel's most fds in one SCM_RIGHTS message: every one is received,
 * so none is released by the kernel in the loop's context. */
#define SCM_MAX_FDS 253

struct client {
	struct client *next, *prev; /* in d->clients while open */
	struct daemon *d;
	struct bufferevent *bev;
	struct ucred cred;   /* who is calling: SO_PEERCRED, never the client's word */
	int refs;
	bool busy;           /* a request is in flight */
	bool gone;           /* closed: replies are dropped */
	bool closing;        /* close once the output is flushed */
	bool handed_off;     /* a monitor owns the connection now */
	void (*on_drain)(void *arg);
	void *drain_arg;
	/* Reads are ours, with recvmsg, so that fds a request carries
	 * (SCM_RIGHTS) are kept; the bufferevent only writes. */
	struct event *rev;
	struct evbuffer *in; /* bytes read and not yet handled */
	bool reading;
	uint64_t received;   /* bytes read from the socket so far */
	uint64_t handled;    /* bytes of frames taken from the input */
	struct {
		int fd;
		uint64_t at; /* stream offset of a byte sent with it: its frame's */
	} fds[CLIENT_FDS_MAX];
	size_t nfds;
	uint64_t frame_start, frame_end; /* the frame being dispatched */
};

/* Below this much queued output a streaming request is asked for more. */
#define CLIENT_DRAIN_LOW (64u * 1024u)
/* Past this much queued output, stop reading requests until the client
 * takes its replies: a client that never reads cannot grow our memory. */
#define CLIENT_OUT_MAX (1024u * 1024u)

uid_t server_client_uid(const struct client *c)
{
	return c->cred.uid;
}

gid_t server_client_gid(const struct client *c)
{
	return c->cred.gid;
}

int server_client_fd(const struct client *c)
{
	return bufferevent_getfd(c->bev);
}

void server_client_ref(struct client *c)
{
	c->refs++;
}

static void client_unlink(struct client *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->d->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->d->nclients--;
}

/* Close the passed fds of every frame that ends before offset end. */
static void close_passed_fds(struct client *c, uint64_t end)
{
	int done[CLIENT_FDS_MAX];
	size_t k = 0, ndone = 0;

	for (size_t i = 0; i < c->nfds; i++) {
		if (c->fds[i].at >= end)
			c->fds[k++] = c->fds[i];
		else if (c->fds[i].fd >= 0)
			done[ndone++] = c->fds[i].fd;
	}
	c->nfds = k;
	/* A caller's file may block its last close: never in the loop. */
	closer_close(done, ndone);
}

/* Passed fds still queued on a socket being closed would be released by
 * the kernel in our context: take them first, for the closer. */
static void drain_passed_fds(int fd)
{
	/* Nothing more can be queued once reading is shut down. */
	if (shutdown(fd, SHUT_RD) < 0)
		return;
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FDS)];
			struct cmsghdr align;
		} u;
		char data[4096];
		struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };

		if (recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) <= 0)
			return;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
				closer_close((const int *)(void *)CMSG_DATA(cm),
					     (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	}
}

int server_client_take_fd(struct client *c, size_t index)
{
	size_t seen = 0;

	for (size_t i = 0; i < c->nfds; i++) {
		int fd = c->fds[i].fd;

		if (c->fds[i].at < c->frame_start || c->fds[i].at >= c->frame_end)
			continue;
		/* Taken ones still count: index is the fd's place as passed. */
		if (seen++ == index) {
			c->fds[i].fd = -1;
			return fd;
		}
	}
	return -1;
}

static void client_read_enable(struct client *c, bool on)
{
	if (c->gone || c->reading == on)
		return;
	c->reading = on;
	if (on)
		event_add(c->rev, NULL);
	else
		event_del(c->rev);
}

static void client_close(struct client *c)
{
	void (*on_drain)(void *arg) = c->on_drain;

	if (c->gone)
		return;
	c->gone = true;
	client_unlink(c);
	if (!c->handed_off)
		drain_passed_fds(bufferevent_getfd(c->bev));
	event_free(c->rev);
	c->rev = NULL;
	evbuffer_free(c->in);
	c->in = NULL;
	bufferevent_free(c->bev);
	c->bev = NULL;
	close_passed_fds(c, UINT64_MAX);
	/* A streaming request learns that its client left and lets go. */
	c->on_drain = NULL;
	if (on_drain != NULL)
		on_drain(c->drain_arg);
	server_client_unref(c);
}

void server_client_unref(struct client *c)
{
	if (--c->refs == 0)
		free(c);
}

void server_reply(struct client *c, struct json_object *msg)
{
	struct buf out = { 0 };

	if (c->gone)
		return;
	proto_msg_append(&out, msg);
	bufferevent_write(c->bev, buf_head(&out), buf_used(&out));
	buf_free(&out);
}

void server_reply_text(struct client *c, const void *text, size_t len)
{
	struct buf out = { 0 };

	if (c->gone)
		return;
	proto_frame_append(&out, FRAME_MSG, 0, text, len);
	bufferevent_write(c->bev, buf_head(&out), buf_used(&out));
	buf_free(&out);
}

void server_send_data(struct client *c, int stream, const void *data, size_t len)
{
	struct buf out = { 0 };

	if (c->gone)
		return;
	proto_data_append(&out, (enum frame_type)stream, data, len);
	bufferevent_write(c->bev, buf_head(&out), buf_used(&out));
	buf_free(&out);
}

size_t server_client_pending(const struct client *c)
{
	return c->gone ? 0 : evbuffer_get_length(bufferevent_get_output(c->bev));
}

bool server_client_gone(const struct client *c)
{
	return c->gone;
}

void server_client_on_drain(struct client *c, void (*fn)(void *arg), void *arg)
{
	/* Clearing is for the current owner only: a request that ended must
	 * not unset the hook of the one that followed it. */
	if (fn == NULL && c->drain_arg != arg)
		return;
	c->on_drain = fn;
	c->drain_arg = arg;
}

void server_reply_error(struct client *c, const struct md_err *err)
{
	struct json_object *o = proto_msg_error(err);

	server_reply(c, o);
	json_object_put(o);
}

static void client_read_cb(struct bufferevent *bev, void *arg);

static void client_close_after_flush(struct client *c);

void server_request_done(struct client *c)
{
	if (c->gone)
		return;
	c->busy = false;
	if (c->d->stopping) {
		client_close_after_flush(c);
		return;
	}
	client_read_enable(c, true);
	/* Frames that arrived while busy are waiting in the input buffer. */
	client_read_cb(c->bev, c);
}

void server_client_handed_off(struct client *c)
{
	/* What is queued on the socket is the monitor's now: not drained. */
	c->handed_off = true;
	client_close(c);
}

static void client_close_after_flush(struct client *c)
{
	c->closing = true;
	client_read_enable(c, false);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		client_close(c);
}

static void dispatch(struct client *c, struct json_object *msg)
{
	const char *type = proto_msg_type(msg);
	req_fn fn = request_lookup(type);
	struct md_err err;
	int r;

	md_err_clear(&err);
	if (fn == NULL) {
		md_err_set(&err, 0, "unknown request: %.64s", type);
		server_reply_error(c, &err);
		return;
	}
	c->busy = true;
	server_client_ref(c);
	r = fn(c->d, c, msg, &err);
	if (r < 0)
		server_reply_error(c, &err);
	if (r != REQ_PENDING)
		server_request_done(c);
	server_client_unref(c);
}

static void reply_version_mismatch(struct client *c, unsigned peer)
{
	struct md_err err;

	md_err_set(&err, 0, "protocol version mismatch: client speaks %u, daemon speaks %u",
		   peer, PROTO_VERSION);
	server_reply_error(c, &err);
	client_close_after_flush(c);
}

static void client_read_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;
	struct evbuffer *in = c->in;

	server_client_ref(c);
	while (!c->busy && !c->gone && !c->closing &&
	       evbuffer_get_length(bufferevent_get_output(bev)) < CLIENT_OUT_MAX) {
		size_t avail = evbuffer_get_length(in);
		const uint8_t *data = evbuffer_pullup(in, avail < PROTO_HDR_LEN ? -1 : PROTO_HDR_LEN);
		struct frame_hdr h;
		const char *why = NULL;
		struct json_object *msg;
		enum proto_decode r = proto_hdr_decode(data, avail, &h, &why);

		if (r == PROTO_NEED_MORE)
			break;
		if (r == PROTO_EVERSION) {
			reply_version_mismatch(c, h.version);
			break;
		}
		/* A broken frame, or stream bytes sent to the daemon: the peer
		 * does not speak the protocol, so only this connection ends. */
		if (r != PROTO_OK || h.type != FRAME_MSG) {
			log_info("dropping client uid %u: %s", (unsigned)c->cred.uid,
				 why ? why : "unexpected frame");
			client_close(c);
			break;
		}
		if (avail < PROTO_HDR_LEN + h.len)
			break;
		data = evbuffer_pullup(in, (ssize_t)(PROTO_HDR_LEN + h.len));
		msg = proto_msg_parse(data + PROTO_HDR_LEN, h.len, &why);
		evbuffer_drain(in, PROTO_HDR_LEN + h.len);
		c->frame_start = c->handled;
		c->handled += PROTO_HDR_LEN + h.len;
		c->frame_end = c->handled;
		if (msg == NULL) {
			log_info("dropping client uid %u: %s", (unsigned)c->cred.uid, why);
			client_close(c);
			break;
		}
		dispatch(c, msg);
		json_object_put(msg);
		/* fds the request did not take are not kept for the next one. */
		if (!c->gone)
			close_passed_fds(c, c->frame_end);
	}
	/* While replies pile up, stop reading: the kernel's buffer then holds
	 * the client back instead of our memory. While a request is in flight
	 * reading goes on, unparsed, so that a client who leaves is noticed
	 * (and its slot freed); the read watermark bounds what is held. */
	if (!c->gone && !c->closing)
		client_read_enable(c, evbuffer_get_length(bufferevent_get_output(bev)) < CLIENT_OUT_MAX);
	server_client_unref(c);
}

/* Keep the fds that came with a read; each belongs to the frame holding
 * the last byte read with it (the kernel ends a read at a message that
 * carries fds, so that byte is the sender's). False: too many, or cut. */
static bool keep_passed_fds(struct client *c, struct msghdr *mh)
{
	bool ok = !(mh->msg_flags & MSG_CTRUNC);

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int fds[SCM_MAX_FDS];

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (c->nfds == CLIENT_FDS_MAX) {
				closer_close_fd(fds[i]);
				ok = false;
				continue;
			}
			c->fds[c->nfds].fd = fds[i];
			c->fds[c->nfds++].at = c->received - 1;
		}
	}
	return ok;
}

/* Read what the socket has, up to one maximal frame held unhandled. */
static void client_recv_cb(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t data[64 * 1024];
	struct client *c = arg;
	struct evbuffer *in = c->in;
	size_t held = evbuffer_get_length(in), room = PROTO_HDR_LEN + PROTO_FRAME_MAX;
	union {
		char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = data, .iov_len = sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	ssize_t n;

	(void)what;
	if (held >= room) {
		client_read_enable(c, false);
		return;
	}
	if (iov.iov_len > room - held)
		iov.iov_len = room - held;
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->received += (uint64_t)n;
	if (!keep_passed_fds(c, &mh)) {
		log_info("dropping client uid %u: more than %d fds passed", (unsigned)c->cred.uid,
			 CLIENT_FDS_MAX);
		client_close(c);
		return;
	}
	if (evbuffer_add(in, data, (size_t)n) < 0) {
		client_close(c);
		return;
	}
	client_read_cb(c->bev, c);
}

static void client_write_cb(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			client_close(c);
	} else if (c->on_drain != NULL) {
		c->on_drain(c->drain_arg);
	} else if (!c->busy) {
		/* Replies drained: take the requests that waited. */
		client_read_enable(c, true);
		client_read_cb(bev, c);
	}
}

static void client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client *c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_close(c);
}

/* Over a connection limit: say so in one frame (it fits in the socket
 * buffer of a new connection, so this never blocks) and close. */
static bool refuse_over_limit(struct daemon *d, int fd, uid_t uid)
{
	unsigned mine = 0;
	struct md_err err;
	struct buf out = { 0 };
	struct json_object *o;

	for (struct client *c = d->clients; c != NULL; c = c->next)
		if (c->cred.uid == uid)
			mine++;
	if (d->nclients >= d->limits.connections)
		md_err_set(&err, 0, "too many connections to minidockerd (limit %u)",
			   d->limits.connections);
	else if (uid != 0 && mine >= d->limits.connections_per_user)
		md_err_set(&err, 0, "too many connections from uid %u (limit %u)", (unsigned)uid,
			   d->limits.connections_per_user);
	else
		return false;
	log_warn("%s", err.msg);
	o = proto_msg_error(&err);
	proto_msg_append(&out, o);
	(void)!send(fd, buf_head(&out), buf_used(&out), MSG_NOSIGNAL | MSG_DONTWAIT);
	json_object_put(o);
	buf_free(&out);
	return true;
}

static void accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (!d->stopping && d->listen_ev != NULL)
		event_add(d->listen_ev, NULL);
}

/* Out of fds: the pending connection keeps the socket readable, so the
 * loop would spin on accept. Stop listening a moment instead. */
static void accept_pause(struct daemon *d)
{
	struct timeval later = { 0, 100 * 1000 };

	log_warn("accept: out of file descriptors: not accepting for 100 ms");
	event_del(d->listen_ev);
	event_base_once(d->base, -1, EV_TIMEOUT, accept_resume_cb, d, &later);
}

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct daemon *d = arg;
	struct client *c;
	socklen_t len = sizeof(struct ucred);
	int fd;

	(void)what;
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			accept_pause(d);
		else if (errno != EAGAIN && errno != EINTR)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->d = d;
	c->refs = 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0) {
		log_warn("SO_PEERCRED: %s", strerror(errno));
		close(fd);
		free(c);
		return;
	}
	if (refuse_over_limit(d, fd, c->cred.uid)) {
		close(fd);
		free(c);
		return;
	}
	c->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->rev = event_new(d->base, fd, EV_READ | EV_PERSIST, client_recv_cb, c);
	c->in = evbuffer_new();
	if (c->bev == NULL || c->rev == NULL || c->in == NULL) {
		if (c->in != NULL)
			evbuffer_free(c->in);
		if (c->rev != NULL)
			event_free(c->rev);
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		free(c);
		return;
	}
	c->next = d->clients;
	if (d->clients != NULL)
		d->clients->prev = c;
	d->clients = c;
	d->nclients++;
	bufferevent_setwatermark(c->bev, EV_WRITE, CLIENT_DRAIN_LOW, 0);
	bufferevent_setcb(c->bev, NULL, client_write_cb, client_event_cb, c);
	bufferevent_disable(c->bev, EV_READ);
	client_read_enable(c, true);
	log_debug("client pid %d uid %u connected", (int)c->cred.pid, (unsigned)c->cred.uid);
}

/* Make the socket's directory, bind and set mode and group per CLI.md. */
static int bind_socket(struct daemon *d, struct md_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	cleanup_free char *dir = xstrdup(d->socket_path);
	cleanup_close int fd = -1;
	struct group *gr;
	char *slash;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path))
		return md_err_set(err, ENAMETOOLONG, "socket path %s", d->socket_path);
	memcpy(sa.sun_path, d->socket_path, strlen(d->socket_path) + 1);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return md_err_set(err, errno, "mkdir %s", dir);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return md_err_set(err, errno, "socket");
	if (unlink(d->socket_path) < 0 && errno != ENOENT)
		return md_err_set(err, errno, "unlink %s", d->socket_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return md_err_set(err, errno, "bind %s", d->socket_path);
	gr = getgrnam(d->group);
	if (gr != NULL) {
		if (chown(d->socket_path, 0, gr->gr_gid) < 0 || chmod(d->socket_path, 0660) < 0)
			return md_err_set(err, errno, "chown %s", d->socket_path);
	} else {
		log_warn("group %s does not exist: socket %s is for root only", d->group,
			 d->socket_path);
		if (chmod(d->socket_path, 0600) < 0)
			return md_err_set(err, errno, "chmod %s", d->socket_path);
	}
	if (listen(fd, 128) < 0)
		return md_err_set(err, errno, "listen %s", d->socket_path);
	return steal_fd(&fd);
}

/* A socket handed over by systemd (LISTEN_FDS), or -1 if there is none. */
static int activated_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	unsigned long long p, n;

	if (pid == NULL || fds == NULL || parse_uint(pid, INT32_MAX, &p) < 0 ||
	    (pid_t)p != getpid() || parse_uint(fds, 64, &n) < 0 || n < 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	fd_set_cloexec(3, true);
	fd_set_nonblock(3, true);
	return 3;
}

int server_listen(struct daemon *d, struct md_err *err)
{
	struct event *ev;

	d->listen_fd = activated_socket();
	if (d->listen_fd >= 0)
		log_info("using the socket systemd passed");
	else if ((d->listen_fd = bind_socket(d, err)) < 0)
		return -1;
	else
		log_info("listening on %s", d->socket_path);
	ev = event_new(d->base, d->listen_fd, EV_READ | EV_PERSIST, accept_cb, d);
	if (ev == NULL || event_add(ev, NULL) < 0)
		return md_err_set(err, ENOMEM, "listen event");
	d->listen_ev = ev;
	return 0;
}

#define SHUTDOWN_GRACE_NS (10LL * 1000000000LL)

static void shutdown_check_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *d = arg;

	(void)fd;
	(void)what;
	if (d->nclients == 0 || time_now_ns() >= d->stop_deadline_ns) {
		if (d->nclients > 0)
			log_warn("exiting with %u connections still open", d->nclients);
		event_base_loopexit(d->base, NULL);
	}
}

void server_shutdown(struct daemon *d)
{
	struct timeval tick = { 0, 50 * 1000 };
	struct client *next;

	if (d->stopping)
		return;
	d->stopping = true;
	d->stop_deadline_ns = time_now_ns() + SHUTDOWN_GRACE_NS;
	/* No new connections; a socket systemd owns stays open in systemd. */
	event_del(d->listen_ev);
	close(d->listen_fd);
	d->listen_fd = -1;
	/* Idle connections go now; busy ones when their reply is out. */
	for (struct client *c = d->clients; c != NULL; c = next) {
		next = c->next;
		if (!c->busy)
			client_close_after_flush(c);
	}
	d->drain_ev = event_new(d->base, -1, EV_PERSIST, shutdown_check_cb, d);
	event_add(d->drain_ev, &tick);
	shutdown_check_cb(-1, 0, d);
}
