/* The daemon's socket: accepting clients, reading their framed requests,
 * sending replies. One request per connection is in flight at a time. */
#ifndef MD_SERVER_H
#define MD_SERVER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "daemon.h"

struct client;

int server_listen(struct daemon *d, struct md_err *err);

/* SIGTERM: stop accepting, let the requests in flight finish and their
 * replies go out (10 s at most), then leave the event loop. */
void server_shutdown(struct daemon *d);

uid_t server_client_uid(const struct client *c);
gid_t server_client_gid(const struct client *c);
/* The connection's fd, e.g. to hand the client over to a monitor. */
int server_client_fd(const struct client *c);

/* The index-th fd passed (SCM_RIGHTS) with the request being handled, now
 * the caller's to close; -1 if it sent fewer. Fds a request does not take
 * are closed when it has been handled. */
int server_client_take_fd(struct client *c, size_t index);

void server_client_ref(struct client *c);
void server_client_unref(struct client *c);

/* Send a message (not consumed). Ignored once the client is gone. */
void server_reply(struct client *c, struct json_object *msg);
/* The same for a message already rendered as JSON text. */
void server_reply_text(struct client *c, const void *text, size_t len);
void server_reply_error(struct client *c, const struct md_err *err);

/* Send stream bytes (FRAME_STDOUT/STDERR). */
void server_send_data(struct client *c, int stream, const void *data, size_t len);

/* Bytes queued for the client and not yet taken by it. */
size_t server_client_pending(const struct client *c);
bool server_client_gone(const struct client *c);

/* Call fn when the client has taken most of its queued output (a request
 * that streams paces itself with this); NULL to stop. */
void server_client_on_drain(struct client *c, void (*fn)(void *arg), void *arg);

/* The request in flight is finished: read the next one. */
void server_request_done(struct client *c);

/* Close the connection without another word: the client now talks to a
 * monitor through its own copy of the socket. */
void server_client_handed_off(struct client *c);

#endif
