/* JSON messages of the wire protocol: the only code that turns wire bytes
 * into json-c objects and back. Every message is an object whose "type"
 * names it; see PROTOCOL.md for each one. */
#ifndef MD_PROTO_MSG_H
#define MD_PROTO_MSG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../common/err.h"

#define PROTO_JSON_DEPTH 8     /* messages are shallow; deeper is garbage */
#define PROTO_STRV_MAX 4096    /* most strings in an array field (argv, env) */

/* A new message object {"type": type}. */
struct json_object *proto_msg_new(const char *type);

/* Append msg as one FRAME_MSG to out. */
void proto_msg_append(struct buf *out, struct json_object *msg);

/* Parse a FRAME_MSG payload: it must be exactly one JSON object with a
 * string "type". Returns NULL and sets *why otherwise. */
struct json_object *proto_msg_parse(const uint8_t *payload, size_t len, const char **why);

const char *proto_msg_type(struct json_object *msg);

/* A JSON string of untrusted text: control characters and bytes that are
 * not valid UTF-8 become '?', so every reply is valid JSON. */
struct json_object *proto_text(const char *s);

/* An error reply {"type":"error","message":m,"status":s}. */
struct json_object *proto_msg_error(const struct md_err *err);

/* Field getters. Absent fields leave *out alone and return 0 (the caller
 * pre-sets a default); a field of the wrong type or range returns -1. */
int proto_get_str(struct json_object *o, const char *key, const char **out);
int proto_get_bool(struct json_object *o, const char *key, bool *out);
int proto_get_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		  int64_t *out);
/* An array of strings as a NULL-terminated, malloc'd vector of pointers into
 * the object (valid while it lives). Strings must not contain NUL. */
int proto_get_strv(struct json_object *o, const char *key, const char ***out, size_t *count);

/* Validated getters that fill err with "invalid request: KEY ..." */
int proto_req_str(struct json_object *o, const char *key, bool required, const char **out,
		  struct md_err *err);
int proto_req_strv(struct json_object *o, const char *key, bool required, const char ***out,
		   size_t *count, struct md_err *err);
int proto_req_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		  int64_t *out, struct md_err *err);
int proto_req_bool(struct json_object *o, const char *key, bool *out, struct md_err *err);

struct json_object *proto_strv_to_json(const char *const *v);
struct json_object *proto_strv_to_json_n(const char *const *v, size_t n);

#endif
