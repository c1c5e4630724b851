#include "conn.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/util.h"
#include "../proto/msg.h"

static int cannot_connect(const char *path, int errnum, struct md_err *err)
{
	return md_err_set(err, 0, "cannot connect to minidockerd at %s: %s (is the daemon running?)",
			  path, strerror(errnum));
}

int conn_open(struct conn *c, const char *path, struct md_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->path = path;
	if (strlen(path) >= sizeof(sa.sun_path))
		return cannot_connect(path, ENAMETOOLONG, err);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return cannot_connect(path, errno, err);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(c->fd);
		c->fd = -1;
		return cannot_connect(path, e, err);
	}
	return 0;
}

void conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
}

int conn_send_fds(struct conn *c, struct json_object *msg, const int *fds, size_t nfds,
		  struct md_err *err)
{
	struct buf out = { 0 };
	int r = 0;

	proto_msg_append(&out, msg);
	while (buf_used(&out) > 0) {
		/* The fds go with the frame's first bytes, so the daemon knows
		 * which request they belong to. */
		ssize_t n = fds_send(c->fd, buf_head(&out), buf_used(&out), fds, nfds);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = md_err_set(err, errno, "send to minidockerd");
			break;
		}
		buf_consume(&out, (size_t)n);
		nfds = 0;
	}
	buf_free(&out);
	return r;
}

int conn_send(struct conn *c, struct json_object *msg, struct md_err *err)
{
	return conn_send_fds(c, msg, NULL, 0, err);
}

int conn_next_frame(struct conn *c, struct frame_hdr *h, const uint8_t **payload,
		    struct md_err *err)
{
	const char *why = NULL;
	enum proto_decode r = proto_frame_peek(buf_head(&c->in), buf_used(&c->in), h, payload, &why);

	if (r == PROTO_NEED_MORE)
		return 0;
	if (r == PROTO_EVERSION)
		return md_err_set(err, 0, "protocol version mismatch: client speaks %u, daemon speaks %u",
				  PROTO_VERSION, h->version);
	if (r != PROTO_OK)
		return md_err_set(err, 0, "bad reply from minidockerd: %s", why);
	return 1;
}

void conn_consume(struct conn *c, const struct frame_hdr *h)
{
	buf_consume(&c->in, PROTO_HDR_LEN + h->len);
}

int conn_error_from_msg(struct json_object *msg, struct md_err *err)
{
	const char *text = "request failed";
	int64_t status = MD_STATUS_REFUSED;

	proto_get_str(msg, "message", &text);
	proto_get_int(msg, "status", 1, 255, &status);
	return md_err_setst(err, (int)status, 0, "%s", text);
}

int conn_recv_msg(struct conn *c, struct json_object **msg, struct md_err *err)
{
	for (;;) {
		struct frame_hdr h;
		const uint8_t *payload;
		const char *why = NULL;
		int r = conn_next_frame(c, &h, &payload, err);
		ssize_t n;

		if (r < 0)
			return -1;
		if (r == 1) {
			struct json_object *o = NULL;

			if (h.type == FRAME_MSG)
				o = proto_msg_parse(payload, h.len, &why);
			conn_consume(c, &h);
			if (o == NULL)
				return md_err_set(err, 0, "bad reply from minidockerd: %s",
						  why ? why : "unexpected data");
			if (strcmp(proto_msg_type(o), "error") == 0) {
				conn_error_from_msg(o, err);
				json_object_put(o);
				return -1;
			}
			*msg = o;
			return 0;
		}
		n = read(c->fd, buf_reserve(&c->in, PROTO_DATA_CHUNK), PROTO_DATA_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return md_err_set(err, errno, "read from minidockerd");
		if (n == 0)
			return md_err_set(err, 0, "minidockerd closed the connection");
		buf_commit(&c->in, (size_t)n);
	}
}

int conn_request_fds(struct conn *c, struct json_object *req, const int *fds, size_t nfds,
		     struct json_object **reply, struct md_err *err)
{
	if (conn_send_fds(c, req, fds, nfds, err) < 0) {
		struct md_err why;

		/* The daemon may have refused us (a connection limit) with one
		 * error line before closing: that line says more than EPIPE. */
		if ((err->errnum == EPIPE || err->errnum == ECONNRESET) &&
		    conn_recv_msg(c, reply, &why) < 0 && why.msg[0] != '\0' &&
		    strstr(why.msg, "closed the connection") == NULL)
			*err = why;
		return -1;
	}
	return conn_recv_msg(c, reply, err);
}

int conn_request(struct conn *c, struct json_object *req, struct json_object **reply,
		 struct md_err *err)
{
	return conn_request_fds(c, req, NULL, 0, reply, err);
}
