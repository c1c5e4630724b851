/* A request over several containers (stop, kill, rm, wait): one result per
 * argument, in the order given, answered once every container is done. */
#ifndef MD_BATCH_H
#define MD_BATCH_H

#include <json-c/json.h>

struct client;
struct batch;

struct batch *batch_new(struct client *c, const char *reply_type);

/* Add the result for one argument; error NULL means success. Returns the
 * result object, to which later fields (e.g. an exit code) may be added. */
struct json_object *batch_result(struct batch *b, const char *name, const char *error);

struct container;
struct daemon;

/* The container an argument names, visible to the batch's caller; NULL
 * after recording the error as that argument's result. */
struct container *batch_find(struct batch *b, struct daemon *d, const char *name);

/* Wait for one more event before answering; batch_release when it came. */
void batch_hold(struct batch *b);
void batch_release(struct batch *b);

/* Called once the handler has gone through all arguments. */
void batch_done_adding(struct batch *b);

#endif
