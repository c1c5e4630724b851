#include "msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "frame.h"

struct json_object *proto_msg_new(const char *type)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string(type));
	return o;
}

void proto_msg_append(struct buf *out, struct json_object *msg)
{
	size_t len;
	const char *s = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);

	proto_frame_append(out, FRAME_MSG, 0, s, len);
}

struct json_object *proto_msg_parse(const uint8_t *payload, size_t len, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len == 0 || len > PROTO_FRAME_MAX || memchr(payload, '\0', len) != NULL) {
		*why = "malformed message";
		return NULL;
	}
	tok = json_tokener_new_ex(PROTO_JSON_DEPTH);
	if (tok == NULL) {
		*why = "out of memory";
		return NULL;
	}
	o = json_tokener_parse_ex(tok, (const char *)payload, (int)len);
	/* The whole payload must be one complete object, nothing after it. */
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		json_tokener_free(tok);
		*why = "malformed message";
		return NULL;
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object) || proto_msg_type(o) == NULL) {
		json_object_put(o);
		*why = "message without a type";
		return NULL;
	}
	return o;
}

const char *proto_msg_type(struct json_object *msg)
{
	const char *type = NULL;

	if (proto_get_str(msg, "type", &type) < 0)
		return NULL;
	return type;
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if it is not one. */
static size_t utf8_seq_len(const unsigned char *s)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

struct json_object *proto_text(const char *s)
{
	char *copy = xstrdup(s);
	struct json_object *o;

	for (unsigned char *p = (unsigned char *)copy; *p;) {
		size_t n = utf8_seq_len(p);

		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	o = json_object_new_string(copy);
	free(copy);
	return o;
}

struct json_object *proto_msg_error(const struct md_err *err)
{
	struct json_object *o = proto_msg_new("error");

	json_object_object_add(o, "message", proto_text(err->msg));
	json_object_object_add(o, "status", json_object_new_int(err->status ? err->status : 1));
	return o;
}

int proto_get_str(struct json_object *o, const char *key, const char **out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return -1; /* an embedded NUL would truncate silently later */
	*out = json_object_get_string(v);
	return 0;
}

int proto_get_bool(struct json_object *o, const char *key, bool *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -1;
	*out = json_object_get_boolean(v);
	return 0;
}

int proto_get_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		  int64_t *out)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno != 0 || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

int proto_get_strv(struct json_object *o, const char *key, const char ***out, size_t *count)
{
	struct json_object *v;
	const char **vec;
	size_t n;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return -1;
	n = json_object_array_length(v);
	if (n > PROTO_STRV_MAX)
		return -1;
	vec = xcalloc(n + 1, sizeof(*vec));
	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string) ||
		    strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e)) {
			free(vec);
			return -1;
		}
		vec[i] = json_object_get_string(e);
	}
	*out = vec;
	if (count != NULL)
		*count = n;
	return 0;
}

int proto_req_str(struct json_object *o, const char *key, bool required, const char **out,
		  struct md_err *err)
{
	const char *s = NULL;

	if (proto_get_str(o, key, &s) < 0)
		return md_err_set(err, 0, "invalid request: %s must be a string", key);
	if (s == NULL && required)
		return md_err_set(err, 0, "invalid request: %s is missing", key);
	if (s != NULL)
		*out = s;
	return 0;
}

int proto_req_strv(struct json_object *o, const char *key, bool required, const char ***out,
		   size_t *count, struct md_err *err)
{
	const char **v = NULL;

	if (proto_get_strv(o, key, &v, count) < 0)
		return md_err_set(err, 0, "invalid request: %s must be an array of strings", key);
	if (v == NULL && required)
		return md_err_set(err, 0, "invalid request: %s is missing", key);
	if (v != NULL)
		*out = v;
	return 0;
}

int proto_req_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		  int64_t *out, struct md_err *err)
{
	if (proto_get_int(o, key, min, max, out) < 0)
		return md_err_set(err, 0, "invalid request: %s must be an integer from %lld to %lld",
				  key, (long long)min, (long long)max);
	return 0;
}

int proto_req_bool(struct json_object *o, const char *key, bool *out, struct md_err *err)
{
	if (proto_get_bool(o, key, out) < 0)
		return md_err_set(err, 0, "invalid request: %s must be true or false", key);
	return 0;
}

struct json_object *proto_strv_to_json(const char *const *v)
{
	struct json_object *a = json_object_new_array();

	for (; v != NULL && *v != NULL; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

struct json_object *proto_strv_to_json_n(const char *const *v, size_t n)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}
