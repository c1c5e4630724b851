/* The client's connection to minidockerd: connect, send a request, read
 * framed replies. Blocking, except inside the attached stream loop. */
#ifndef MD_CLIENT_CONN_H
#define MD_CLIENT_CONN_H

#include <json-c/json.h>

#include "../common/buf.h"
#include "../common/err.h"
#include "../proto/frame.h"

struct conn {
	int fd;
	const char *path;
	struct buf in;
};

/* Connect; on failure err is CLI.md's "cannot connect to minidockerd at
 * PATH: REASON (is the daemon running?)", status 125. */
int conn_open(struct conn *c, const char *path, struct md_err *err);
void conn_close(struct conn *c);

int conn_send(struct conn *c, struct json_object *msg, struct md_err *err);

/* Send msg with fds attached (SCM_RIGHTS): files opened here, with the
 * caller's own rights, that the request names by their index. */
int conn_send_fds(struct conn *c, struct json_object *msg, const int *fds, size_t nfds,
		  struct md_err *err);

/* Decode the next whole frame already in c->in: 1 with *h and *payload
 * set (consume with conn_consume), 0 if more bytes are needed, -1 on a
 * protocol error (err set). */
int conn_next_frame(struct conn *c, struct frame_hdr *h, const uint8_t **payload,
		    struct md_err *err);
void conn_consume(struct conn *c, const struct frame_hdr *h);

/* Blocking: the next message. An "error" reply becomes -1 with err set
 * from its message and status. */
int conn_recv_msg(struct conn *c, struct json_object **msg, struct md_err *err);

/* Send req and wait for its reply. */
int conn_request(struct conn *c, struct json_object *req, struct json_object **reply,
		 struct md_err *err);

/* The same with fds attached to the request (see conn_send_fds). */
int conn_request_fds(struct conn *c, struct json_object *req, const int *fds, size_t nfds,
		     struct json_object **reply, struct md_err *err);

/* Set err from an "error" message. */
int conn_error_from_msg(struct json_object *msg, struct md_err *err);

#endif
