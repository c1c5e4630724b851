/* Requests the daemon serves, one handler each (daemon/req-*.c), and the
 * table that maps a message type to its handler. */
#ifndef MD_REQUEST_H
#define MD_REQUEST_H

#include <json-c/json.h>

#include "../common/err.h"
#include "daemon.h"

struct client;

/* A handler returns REQ_DONE when it has replied, REQ_PENDING when it
 * will reply and call server_request_done later, or -1 with err set for
 * the server to send as the error reply. */
enum { REQ_DONE = 0, REQ_PENDING = 1 };

typedef int (*req_fn)(struct daemon *d, struct client *c, struct json_object *req,
		      struct md_err *err);

req_fn request_lookup(const char *type);

int req_version(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_run(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_ps(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_stop(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_kill(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_rm(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_wait(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_exec(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_attach(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_inspect(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_logs(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_info(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_import(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_load(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_images(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);
int req_rmi(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err);

/* Remove what rmi left in the image trash, in a worker (req-image.c). */
void image_trash_collect(struct daemon *d);
/* The same a little later (TRASH_DELAY_MS), so that the worker's fork is
 * not on the path of the reply that follows a removal, and a burst of
 * removals shares one worker. */
#define TRASH_DELAY_MS 50
void image_trash_collect_soon(struct daemon *d);

#endif
