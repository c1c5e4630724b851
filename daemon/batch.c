#include "batch.h"

#include <stdlib.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "container.h"
#include "server.h"

struct batch {
	struct client *client;
	const char *reply_type;
	struct json_object *results; /* [{"name": as given, "error": msg|null, ...}] */
	size_t pending;
};

struct batch *batch_new(struct client *c, const char *reply_type)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	b->client = c;
	b->reply_type = reply_type;
	b->results = json_object_new_array();
	b->pending = 1; /* held until every argument has been added */
	server_client_ref(c);
	return b;
}

struct json_object *batch_result(struct batch *b, const char *name, const char *error)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "name", proto_text(name));
	json_object_object_add(r, "error", error ? proto_text(error) : NULL);
	json_object_array_add(b->results, r);
	return r;
}

struct container *batch_find(struct batch *b, struct daemon *d, const char *name)
{
	struct md_err e;
	struct container *ct = ctr_find(d->ctrs, d->nctrs, name, server_client_uid(b->client), &e);

	if (ct == NULL)
		batch_result(b, name, e.msg);
	return ct;
}

void batch_hold(struct batch *b)
{
	b->pending++;
}

void batch_release(struct batch *b)
{
	struct json_object *o;

	if (--b->pending > 0)
		return;
	o = proto_msg_new(b->reply_type);
	json_object_object_add(o, "results", b->results);
	server_reply(b->client, o);
	json_object_put(o);
	server_request_done(b->client);
	server_client_unref(b->client);
	free(b);
}

void batch_done_adding(struct batch *b)
{
	batch_release(b);
}
