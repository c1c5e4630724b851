/* Unit tests for proto/frame.c and proto/msg.c: the framing of the wire
 * protocol and the JSON messages inside it, which are the first code to
 * see a peer's untrusted bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/buf.h"
#include "../../common/err.h"
#include "../../proto/frame.h"
#include "../../proto/msg.h"

/* ---- helpers ---- */

static void raw_hdr(uint8_t out[PROTO_HDR_LEN], uint8_t version, uint8_t type, uint16_t flags,
		    uint32_t len)
{
	out[0] = version;
	out[1] = type;
	out[2] = (uint8_t)(flags >> 8);
	out[3] = (uint8_t)flags;
	out[4] = (uint8_t)(len >> 24);
	out[5] = (uint8_t)(len >> 16);
	out[6] = (uint8_t)(len >> 8);
	out[7] = (uint8_t)len;
}

static enum proto_decode decode_raw(uint8_t version, uint8_t type, uint16_t flags, uint32_t len,
				    const char **why)
{
	uint8_t b[PROTO_HDR_LEN];
	struct frame_hdr h;

	raw_hdr(b, version, type, flags, len);
	*why = NULL;
	return proto_hdr_decode(b, sizeof(b), &h, why);
}

static struct json_object *parse_str(const char *s, const char **why)
{
	*why = NULL;
	return proto_msg_parse((const uint8_t *)s, strlen(s), why);
}

static struct json_object *parse_ok(const char *s)
{
	const char *why = NULL;
	struct json_object *o = parse_str(s, &why);

	assert_non_null(o);
	return o;
}

static void assert_parse_fails(const char *s, const char *expected_why)
{
	const char *why = NULL;
	struct json_object *o = parse_str(s, &why);
	bool parsed = o != NULL;

	json_object_put(o);
	assert_false(parsed);
	assert_non_null(why);
	if (expected_why != NULL)
		assert_string_equal(why, expected_why);
}

/* {"type":"t","a":{"a":...{}}} with `depth` levels of objects in all. */
static char *nested_object(int depth)
{
	size_t cap = 32 + (size_t)depth * 16;
	char *s = calloc(1, cap);

	assert_non_null(s);
	strcat(s, "{\"type\":\"t\"");
	for (int i = 1; i < depth; i++)
		strcat(s, ",\"a\":{\"x\":1");
	for (int i = 0; i < depth; i++)
		strcat(s, "}");
	return s;
}

/* ---- frame header ---- */

static void proto_hdr_encode__then_decode__round_trips(void **state)
{
	struct frame_hdr in = { .version = PROTO_VERSION, .type = FRAME_STDIN,
				.flags = FRAME_FLAG_EOF, .len = 0 };
	struct frame_hdr in2 = { .version = PROTO_VERSION, .type = FRAME_STDERR, .flags = 0,
				 .len = 0x00012345 };
	struct frame_hdr out;
	uint8_t b[PROTO_HDR_LEN];
	const char *why = NULL;

	(void)state;
	proto_hdr_encode(&in, b);
	assert_int_equal(proto_hdr_decode(b, sizeof(b), &out, &why), PROTO_OK);
	assert_int_equal(out.version, PROTO_VERSION);
	assert_int_equal(out.type, FRAME_STDIN);
	assert_int_equal(out.flags, FRAME_FLAG_EOF);
	assert_int_equal(out.len, 0);

	proto_hdr_encode(&in2, b);
	assert_int_equal(proto_hdr_decode(b, sizeof(b), &out, &why), PROTO_OK);
	assert_int_equal(out.version, PROTO_VERSION);
	assert_int_equal(out.type, FRAME_STDERR);
	assert_int_equal(out.flags, 0);
	assert_int_equal(out.len, 0x00012345);
}

static void proto_hdr_encode__fields__network_byte_order(void **state)
{
	struct frame_hdr in = { .version = PROTO_VERSION, .type = FRAME_STDIN,
				.flags = 0x0001, .len = 0x01020304 };
	const uint8_t expected[PROTO_HDR_LEN] = { PROTO_VERSION, FRAME_STDIN, 0x00, 0x01,
						  0x01, 0x02, 0x03, 0x04 };
	uint8_t b[PROTO_HDR_LEN];

	(void)state;
	proto_hdr_encode(&in, b);
	assert_memory_equal(b, expected, PROTO_HDR_LEN);
}

static void proto_hdr_decode__short_input__need_more(void **state)
{
	uint8_t b[PROTO_HDR_LEN];
	struct frame_hdr h;
	const char *why = NULL;

	(void)state;
	raw_hdr(b, PROTO_VERSION, FRAME_MSG, 0, 2);
	for (size_t n = 0; n < PROTO_HDR_LEN; n++)
		assert_int_equal(proto_hdr_decode(b, n, &h, &why), PROTO_NEED_MORE);
	assert_null(why);
	assert_int_equal(proto_hdr_decode(b, PROTO_HDR_LEN, &h, &why), PROTO_OK);
}

static void proto_hdr_decode__other_version__eversion(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION + 1, FRAME_MSG, 0, 0, &why), PROTO_EVERSION);
	assert_non_null(why);
	assert_int_equal(decode_raw(0, FRAME_MSG, 0, 0, &why), PROTO_EVERSION);
	assert_non_null(why);
}

static void proto_hdr_decode__type_zero__einval(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, 0, 0, 0, &why), PROTO_EINVAL);
	assert_string_equal(why, "unknown frame type");
}

static void proto_hdr_decode__type_past_last__einval(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDERR + 1, 0, 0, &why), PROTO_EINVAL);
	assert_string_equal(why, "unknown frame type");
	assert_int_equal(decode_raw(PROTO_VERSION, 0xff, 0, 0, &why), PROTO_EINVAL);
}

static void proto_hdr_decode__reserved_flag__einval(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_MSG, 0x0002, 0, &why), PROTO_EINVAL);
	assert_string_equal(why, "invalid frame flags");
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDIN, 0x8000, 0, &why), PROTO_EINVAL);
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDIN, FRAME_FLAG_EOF | 0x0100, 0, &why),
			 PROTO_EINVAL);
}

static void proto_hdr_decode__eof_on_stdin_empty__ok(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDIN, FRAME_FLAG_EOF, 0, &why), PROTO_OK);
}

static void proto_hdr_decode__eof_on_stdout__einval(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDOUT, FRAME_FLAG_EOF, 0, &why),
			 PROTO_EINVAL);
	assert_string_equal(why, "invalid frame flags");
}

static void proto_hdr_decode__eof_on_msg__einval(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_MSG, FRAME_FLAG_EOF, 0, &why),
			 PROTO_EINVAL);
	assert_string_equal(why, "invalid frame flags");
}

static void proto_hdr_decode__eof_with_length__einval(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDIN, FRAME_FLAG_EOF, 1, &why),
			 PROTO_EINVAL);
	assert_string_equal(why, "invalid frame flags");
}

static void proto_hdr_decode__length_max__ok(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDOUT, 0, PROTO_FRAME_MAX, &why),
			 PROTO_OK);
}

static void proto_hdr_decode__length_over_max__einval(void **state)
{
	const char *why;

	(void)state;
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_STDOUT, 0, PROTO_FRAME_MAX + 1, &why),
			 PROTO_EINVAL);
	assert_string_equal(why, "frame too large");
	assert_int_equal(decode_raw(PROTO_VERSION, FRAME_MSG, 0, UINT32_MAX, &why), PROTO_EINVAL);
}

/* ---- whole frames ---- */

static void proto_frame_peek__partial_payload__need_more(void **state)
{
	struct buf b = { 0 };
	struct frame_hdr h;
	const uint8_t *payload = NULL;
	const char *why = NULL;

	(void)state;
	proto_frame_append(&b, FRAME_STDOUT, 0, "hello", 5);
	assert_int_equal(buf_used(&b), PROTO_HDR_LEN + 5);
	for (size_t n = 0; n < PROTO_HDR_LEN + 5; n++)
		assert_int_equal(proto_frame_peek(buf_head(&b), n, &h, &payload, &why),
				 PROTO_NEED_MORE);
	assert_null(payload);
	assert_int_equal(proto_frame_peek(buf_head(&b), buf_used(&b), &h, &payload, &why),
			 PROTO_OK);
	assert_int_equal(h.type, FRAME_STDOUT);
	assert_int_equal(h.len, 5);
	assert_ptr_equal(payload, buf_head(&b) + PROTO_HDR_LEN);
	assert_memory_equal(payload, "hello", 5);
	buf_free(&b);
}

static void proto_frame_peek__two_frames__first_only(void **state)
{
	struct buf b = { 0 };
	struct frame_hdr h;
	const uint8_t *payload = NULL;
	const char *why = NULL;

	(void)state;
	proto_frame_append(&b, FRAME_STDOUT, 0, "ab", 2);
	proto_frame_append(&b, FRAME_STDERR, 0, "xyz", 3);
	assert_int_equal(proto_frame_peek(buf_head(&b), buf_used(&b), &h, &payload, &why),
			 PROTO_OK);
	assert_int_equal(h.type, FRAME_STDOUT);
	assert_int_equal(h.len, 2);
	assert_memory_equal(payload, "ab", 2);
	buf_consume(&b, PROTO_HDR_LEN + h.len);
	assert_int_equal(proto_frame_peek(buf_head(&b), buf_used(&b), &h, &payload, &why),
			 PROTO_OK);
	assert_int_equal(h.type, FRAME_STDERR);
	assert_int_equal(h.len, 3);
	assert_memory_equal(payload, "xyz", 3);
	buf_free(&b);
}

static void proto_frame_peek__bad_header__einval(void **state)
{
	uint8_t b[PROTO_HDR_LEN + 4] = { 0 };
	struct frame_hdr h;
	const uint8_t *payload = NULL;
	const char *why = NULL;

	(void)state;
	raw_hdr(b, PROTO_VERSION, 9, 0, 4);
	assert_int_equal(proto_frame_peek(b, sizeof(b), &h, &payload, &why), PROTO_EINVAL);
	assert_non_null(why);
	assert_null(payload);
}

static void proto_frame_append__empty_eof__header_only(void **state)
{
	struct buf b = { 0 };
	struct frame_hdr h;
	const uint8_t *payload = NULL;
	const char *why = NULL;

	(void)state;
	proto_frame_append(&b, FRAME_STDIN, FRAME_FLAG_EOF, NULL, 0);
	assert_int_equal(buf_used(&b), PROTO_HDR_LEN);
	assert_int_equal(proto_frame_peek(buf_head(&b), buf_used(&b), &h, &payload, &why),
			 PROTO_OK);
	assert_int_equal(h.type, FRAME_STDIN);
	assert_int_equal(h.flags, FRAME_FLAG_EOF);
	assert_int_equal(h.len, 0);
	buf_free(&b);
}

static void proto_data_append__large__split_into_chunks(void **state)
{
	const size_t total = 2 * PROTO_DATA_CHUNK + 100;
	uint8_t *data = malloc(total);
	struct buf b = { 0 };
	size_t got = 0, frames = 0;
	const uint32_t expect_len[] = { PROTO_DATA_CHUNK, PROTO_DATA_CHUNK, 100 };

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < total; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	proto_data_append(&b, FRAME_STDOUT, data, total);
	assert_int_equal(buf_used(&b), total + 3 * PROTO_HDR_LEN);
	while (buf_used(&b) > 0) {
		struct frame_hdr h;
		const uint8_t *payload = NULL;
		const char *why = NULL;

		assert_int_equal(proto_frame_peek(buf_head(&b), buf_used(&b), &h, &payload, &why),
				 PROTO_OK);
		assert_true(frames < 3);
		assert_int_equal(h.type, FRAME_STDOUT);
		assert_int_equal(h.flags, 0);
		assert_int_equal(h.len, expect_len[frames]);
		assert_memory_equal(payload, data + got, h.len);
		got += h.len;
		frames++;
		buf_consume(&b, PROTO_HDR_LEN + h.len);
	}
	assert_int_equal(frames, 3);
	assert_int_equal(got, total);
	buf_free(&b);
	free(data);
}

static void proto_data_append__exact_chunk__one_frame(void **state)
{
	uint8_t *data = calloc(1, PROTO_DATA_CHUNK);
	struct buf b = { 0 };

	(void)state;
	assert_non_null(data);
	proto_data_append(&b, FRAME_STDERR, data, PROTO_DATA_CHUNK);
	assert_int_equal(buf_used(&b), PROTO_DATA_CHUNK + PROTO_HDR_LEN);
	buf_free(&b);
	free(data);
}

static void proto_data_append__empty__no_frame(void **state)
{
	struct buf b = { 0 };

	(void)state;
	proto_data_append(&b, FRAME_STDOUT, "", 0);
	assert_int_equal(buf_used(&b), 0);
	buf_free(&b);
}

static void proto_msg_append__then_parse__round_trips(void **state)
{
	struct json_object *m = proto_msg_new("run");
	struct json_object *back;
	struct buf b = { 0 };
	struct frame_hdr h;
	const uint8_t *payload = NULL;
	const char *why = NULL;

	(void)state;
	json_object_object_add(m, "n", json_object_new_int(42));
	proto_msg_append(&b, m);
	assert_int_equal(proto_frame_peek(buf_head(&b), buf_used(&b), &h, &payload, &why),
			 PROTO_OK);
	assert_int_equal(h.type, FRAME_MSG);
	back = proto_msg_parse(payload, h.len, &why);
	assert_non_null(back);
	assert_string_equal(proto_msg_type(back), "run");
	assert_int_equal(json_object_get_int(json_object_object_get(back, "n")), 42);
	json_object_put(back);
	json_object_put(m);
	buf_free(&b);
}

/* ---- message parsing ---- */

static void proto_msg_parse__object_with_type__ok(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"version\",\"x\":[1,2]}");

	(void)state;
	assert_string_equal(proto_msg_type(o), "version");
	json_object_put(o);
}

static void proto_msg_parse__garbage__fails(void **state)
{
	(void)state;
	assert_parse_fails("\x01\x02garbage\xff", "malformed message");
}

static void proto_msg_parse__empty__fails(void **state)
{
	const char *why = NULL;

	(void)state;
	assert_null(proto_msg_parse((const uint8_t *)"", 0, &why));
	assert_string_equal(why, "malformed message");
}

static void proto_msg_parse__truncated__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"type\":\"version\"", "malformed message");
}

static void proto_msg_parse__truncated_in_string__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"type\":\"vers", "malformed message");
}

static void proto_msg_parse__trailing_bytes__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"type\":\"version\"}x", "malformed message");
}

static void proto_msg_parse__two_objects__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"type\":\"a\"}{\"type\":\"b\"}", "malformed message");
}

static void proto_msg_parse__embedded_nul__fails(void **state)
{
	static const char msg[] = "{\"type\":\"version\"}\0";
	static const char msg2[] = "{\"type\":\"ver\0sion\"}";
	const char *why = NULL;

	(void)state;
	assert_null(proto_msg_parse((const uint8_t *)msg, sizeof(msg) - 1, &why));
	assert_string_equal(why, "malformed message");
	why = NULL;
	assert_null(proto_msg_parse((const uint8_t *)msg2, sizeof(msg2) - 1, &why));
	assert_string_equal(why, "malformed message");
}

static void proto_msg_parse__escaped_nul_in_type__fails(void **state)
{
	(void)state;
	/* \u0000 decodes to an embedded NUL: the type must not truncate. */
	assert_parse_fails("{\"type\":\"ver\\u0000sion\"}", "message without a type");
}

static void proto_msg_parse__array__fails(void **state)
{
	(void)state;
	assert_parse_fails("[{\"type\":\"version\"}]", "message without a type");
}

static void proto_msg_parse__number__fails(void **state)
{
	(void)state;
	assert_parse_fails("42", NULL);
	assert_parse_fails("42 ", NULL);
}

static void proto_msg_parse__string__fails(void **state)
{
	(void)state;
	assert_parse_fails("\"version\"", "message without a type");
}

static void proto_msg_parse__missing_type__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"kind\":\"version\"}", "message without a type");
}

static void proto_msg_parse__null_type__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"type\":null}", "message without a type");
}

static void proto_msg_parse__number_type__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"type\":1}", "message without a type");
}

static void proto_msg_parse__object_type__fails(void **state)
{
	(void)state;
	assert_parse_fails("{\"type\":{\"a\":\"b\"}}", "message without a type");
}

static void proto_msg_parse__shallow_nesting__ok(void **state)
{
	char *s = nested_object(PROTO_JSON_DEPTH - 1);
	struct json_object *o = parse_ok(s);

	(void)state;
	json_object_put(o);
	free(s);
}

static void proto_msg_parse__deeper_than_limit__fails(void **state)
{
	char *s = nested_object(PROTO_JSON_DEPTH + 1);
	char *s2 = nested_object(PROTO_JSON_DEPTH * 4);

	(void)state;
	assert_parse_fails(s, "malformed message");
	assert_parse_fails(s2, "malformed message");
	free(s);
	free(s2);
}

static void proto_msg_parse__deep_arrays__fails(void **state)
{
	char s[256] = "{\"type\":\"t\",\"a\":";

	(void)state;
	for (int i = 0; i < PROTO_JSON_DEPTH + 1; i++)
		strcat(s, "[");
	for (int i = 0; i < PROTO_JSON_DEPTH + 1; i++)
		strcat(s, "]");
	strcat(s, "}");
	assert_parse_fails(s, "malformed message");
}

/* ---- getters ---- */

static void proto_get_int__in_range__ok(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"n\":7,\"lo\":-3,\"hi\":10}");
	int64_t v = 0;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 10, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(proto_get_int(o, "lo", -3, 10, &v), 0);
	assert_int_equal(v, -3);
	assert_int_equal(proto_get_int(o, "hi", -3, 10, &v), 0);
	assert_int_equal(v, 10);
	json_object_put(o);
}

static void proto_get_int__absent__keeps_default(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"z\":null}");
	int64_t v = 99;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 10, &v), 0);
	assert_int_equal(v, 99);
	assert_int_equal(proto_get_int(o, "z", 0, 10, &v), 0);
	assert_int_equal(v, 99);
	json_object_put(o);
}

static void proto_get_int__below_min__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"n\":-1}");
	int64_t v = 99;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 10, &v), -1);
	assert_int_equal(v, 99);
	json_object_put(o);
}

static void proto_get_int__above_max__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"n\":11}");
	int64_t v = 99;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 10, &v), -1);
	assert_int_equal(v, 99);
	json_object_put(o);
}

static void proto_get_int__huge__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"n\":18446744073709551615}");
	int64_t v = 99;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 1000000, &v), -1);
	assert_int_equal(v, 99);
	json_object_put(o);
}

static void proto_get_int__string__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"n\":\"5\"}");
	int64_t v = 99;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 10, &v), -1);
	assert_int_equal(v, 99);
	json_object_put(o);
}

static void proto_get_int__double__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"n\":5.5}");
	int64_t v = 99;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 10, &v), -1);
	assert_int_equal(v, 99);
	json_object_put(o);
}

static void proto_get_int__bool__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"n\":true}");
	int64_t v = 99;

	(void)state;
	assert_int_equal(proto_get_int(o, "n", 0, 10, &v), -1);
	assert_int_equal(v, 99);
	json_object_put(o);
}

static void proto_get_str__number__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"s\":5}");
	const char *s = "default";

	(void)state;
	assert_int_equal(proto_get_str(o, "s", &s), -1);
	assert_string_equal(s, "default");
	json_object_put(o);
}

static void proto_get_str__embedded_nul__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"s\":\"a\\u0000b\"}");
	const char *s = "default";

	(void)state;
	assert_int_equal(proto_get_str(o, "s", &s), -1);
	assert_string_equal(s, "default");
	json_object_put(o);
}

static void proto_get_bool__string__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"b\":\"true\",\"ok\":true}");
	bool b = false;

	(void)state;
	assert_int_equal(proto_get_bool(o, "b", &b), -1);
	assert_false(b);
	assert_int_equal(proto_get_bool(o, "ok", &b), 0);
	assert_true(b);
	json_object_put(o);
}

static void proto_get_strv__strings__vector(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"v\":[\"a\",\"\",\"c d\"]}");
	const char **v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(proto_get_strv(o, "v", &v, &n), 0);
	assert_int_equal(n, 3);
	assert_non_null(v);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "");
	assert_string_equal(v[2], "c d");
	assert_null(v[3]);
	free(v);
	json_object_put(o);
}

static void proto_get_strv__empty_array__empty_vector(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"v\":[]}");
	const char **v = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(proto_get_strv(o, "v", &v, &n), 0);
	assert_int_equal(n, 0);
	assert_non_null(v);
	assert_null(v[0]);
	free(v);
	json_object_put(o);
}

static void proto_get_strv__absent__untouched(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\"}");
	const char **v = NULL;
	size_t n = 99;

	(void)state;
	assert_int_equal(proto_get_strv(o, "v", &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 99);
	json_object_put(o);
}

static void proto_get_strv__number_element__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"v\":[\"a\",1,\"c\"]}");
	const char **v = NULL;

	(void)state;
	assert_int_equal(proto_get_strv(o, "v", &v, NULL), -1);
	assert_null(v);
	json_object_put(o);
}

static void proto_get_strv__null_element__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"v\":[\"a\",null]}");
	const char **v = NULL;

	(void)state;
	assert_int_equal(proto_get_strv(o, "v", &v, NULL), -1);
	assert_null(v);
	json_object_put(o);
}

static void proto_get_strv__nul_in_element__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"v\":[\"a\\u0000b\"]}");
	const char **v = NULL;

	(void)state;
	assert_int_equal(proto_get_strv(o, "v", &v, NULL), -1);
	assert_null(v);
	json_object_put(o);
}

static void proto_get_strv__string_not_array__fails(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"v\":\"a b\"}");
	const char **v = NULL;

	(void)state;
	assert_int_equal(proto_get_strv(o, "v", &v, NULL), -1);
	assert_null(v);
	json_object_put(o);
}

static void proto_get_strv__too_many__fails(void **state)
{
	struct json_object *o = proto_msg_new("t");
	struct json_object *a = json_object_new_array();
	const char **v = NULL;

	(void)state;
	for (int i = 0; i < PROTO_STRV_MAX + 1; i++)
		json_object_array_add(a, json_object_new_string("x"));
	json_object_object_add(o, "v", a);
	assert_int_equal(proto_get_strv(o, "v", &v, NULL), -1);
	assert_null(v);
	json_object_put(o);
}

static void proto_req_str__missing_required__names_key(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\"}");
	struct md_err err = { 0 };
	const char *s = NULL;

	(void)state;
	assert_int_equal(proto_req_str(o, "image", true, &s, &err), -1);
	assert_string_equal(err.msg, "invalid request: image is missing");
	assert_int_equal(err.status, MD_STATUS_FAILED);
	json_object_put(o);
}

static void proto_req_str__missing_optional__keeps_default(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\"}");
	struct md_err err = { 0 };
	const char *s = "dflt";

	(void)state;
	assert_int_equal(proto_req_str(o, "image", false, &s, &err), 0);
	assert_string_equal(s, "dflt");
	json_object_put(o);
}

static void proto_req_str__wrong_type__names_key(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"image\":[]}");
	struct md_err err = { 0 };
	const char *s = NULL;

	(void)state;
	assert_int_equal(proto_req_str(o, "image", false, &s, &err), -1);
	assert_string_equal(err.msg, "invalid request: image must be a string");
	assert_null(s);
	json_object_put(o);
}

static void proto_req_strv__wrong_element__names_key(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"argv\":[\"sh\",true]}");
	struct md_err err = { 0 };
	const char **v = NULL;

	(void)state;
	assert_int_equal(proto_req_strv(o, "argv", true, &v, NULL, &err), -1);
	assert_string_equal(err.msg, "invalid request: argv must be an array of strings");
	assert_null(v);
	json_object_put(o);
}

static void proto_req_strv__missing_required__names_key(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\"}");
	struct md_err err = { 0 };
	const char **v = NULL;

	(void)state;
	assert_int_equal(proto_req_strv(o, "argv", true, &v, NULL, &err), -1);
	assert_string_equal(err.msg, "invalid request: argv is missing");
	assert_null(v);
	json_object_put(o);
}

static void proto_req_int__out_of_range__names_key_and_range(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"rows\":70000}");
	struct md_err err = { 0 };
	int64_t v = 0;

	(void)state;
	assert_int_equal(proto_req_int(o, "rows", 0, 65535, &v, &err), -1);
	assert_string_equal(err.msg, "invalid request: rows must be an integer from 0 to 65535");
	assert_int_equal(v, 0);
	json_object_put(o);
}

static void proto_req_bool__wrong_type__names_key(void **state)
{
	struct json_object *o = parse_ok("{\"type\":\"t\",\"tty\":1}");
	struct md_err err = { 0 };
	bool b = false;

	(void)state;
	assert_int_equal(proto_req_bool(o, "tty", &b, &err), -1);
	assert_string_equal(err.msg, "invalid request: tty must be true or false");
	json_object_put(o);
}

static void proto_msg_error__message_and_status__fields(void **state)
{
	struct md_err err = { 0 };
	struct json_object *o;

	(void)state;
	md_err_setst(&err, MD_STATUS_NOT_FOUND, 0, "no such thing");
	o = proto_msg_error(&err);
	assert_string_equal(proto_msg_type(o), "error");
	assert_string_equal(json_object_get_string(json_object_object_get(o, "message")),
			    "no such thing");
	assert_int_equal(json_object_get_int(json_object_object_get(o, "status")),
			 MD_STATUS_NOT_FOUND);
	json_object_put(o);
}

static void proto_strv_to_json__vector__array(void **state)
{
	const char *const v[] = { "a", "b c", NULL };
	struct json_object *a = proto_strv_to_json(v);

	(void)state;
	assert_string_equal(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
			    "[\"a\",\"b c\"]");
	json_object_put(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proto_hdr_encode__then_decode__round_trips),
		cmocka_unit_test(proto_hdr_encode__fields__network_byte_order),
		cmocka_unit_test(proto_hdr_decode__short_input__need_more),
		cmocka_unit_test(proto_hdr_decode__other_version__eversion),
		cmocka_unit_test(proto_hdr_decode__type_zero__einval),
		cmocka_unit_test(proto_hdr_decode__type_past_last__einval),
		cmocka_unit_test(proto_hdr_decode__reserved_flag__einval),
		cmocka_unit_test(proto_hdr_decode__eof_on_stdin_empty__ok),
		cmocka_unit_test(proto_hdr_decode__eof_on_stdout__einval),
		cmocka_unit_test(proto_hdr_decode__eof_on_msg__einval),
		cmocka_unit_test(proto_hdr_decode__eof_with_length__einval),
		cmocka_unit_test(proto_hdr_decode__length_max__ok),
		cmocka_unit_test(proto_hdr_decode__length_over_max__einval),
		cmocka_unit_test(proto_frame_peek__partial_payload__need_more),
		cmocka_unit_test(proto_frame_peek__two_frames__first_only),
		cmocka_unit_test(proto_frame_peek__bad_header__einval),
		cmocka_unit_test(proto_frame_append__empty_eof__header_only),
		cmocka_unit_test(proto_data_append__large__split_into_chunks),
		cmocka_unit_test(proto_data_append__exact_chunk__one_frame),
		cmocka_unit_test(proto_data_append__empty__no_frame),
		cmocka_unit_test(proto_msg_append__then_parse__round_trips),
		cmocka_unit_test(proto_msg_parse__object_with_type__ok),
		cmocka_unit_test(proto_msg_parse__garbage__fails),
		cmocka_unit_test(proto_msg_parse__empty__fails),
		cmocka_unit_test(proto_msg_parse__truncated__fails),
		cmocka_unit_test(proto_msg_parse__truncated_in_string__fails),
		cmocka_unit_test(proto_msg_parse__trailing_bytes__fails),
		cmocka_unit_test(proto_msg_parse__two_objects__fails),
		cmocka_unit_test(proto_msg_parse__embedded_nul__fails),
		cmocka_unit_test(proto_msg_parse__escaped_nul_in_type__fails),
		cmocka_unit_test(proto_msg_parse__array__fails),
		cmocka_unit_test(proto_msg_parse__number__fails),
		cmocka_unit_test(proto_msg_parse__string__fails),
		cmocka_unit_test(proto_msg_parse__missing_type__fails),
		cmocka_unit_test(proto_msg_parse__null_type__fails),
		cmocka_unit_test(proto_msg_parse__number_type__fails),
		cmocka_unit_test(proto_msg_parse__object_type__fails),
		cmocka_unit_test(proto_msg_parse__shallow_nesting__ok),
		cmocka_unit_test(proto_msg_parse__deeper_than_limit__fails),
		cmocka_unit_test(proto_msg_parse__deep_arrays__fails),
		cmocka_unit_test(proto_get_int__in_range__ok),
		cmocka_unit_test(proto_get_int__absent__keeps_default),
		cmocka_unit_test(proto_get_int__below_min__fails),
		cmocka_unit_test(proto_get_int__above_max__fails),
		cmocka_unit_test(proto_get_int__huge__fails),
		cmocka_unit_test(proto_get_int__string__fails),
		cmocka_unit_test(proto_get_int__double__fails),
		cmocka_unit_test(proto_get_int__bool__fails),
		cmocka_unit_test(proto_get_str__number__fails),
		cmocka_unit_test(proto_get_str__embedded_nul__fails),
		cmocka_unit_test(proto_get_bool__string__fails),
		cmocka_unit_test(proto_get_strv__strings__vector),
		cmocka_unit_test(proto_get_strv__empty_array__empty_vector),
		cmocka_unit_test(proto_get_strv__absent__untouched),
		cmocka_unit_test(proto_get_strv__number_element__fails),
		cmocka_unit_test(proto_get_strv__null_element__fails),
		cmocka_unit_test(proto_get_strv__nul_in_element__fails),
		cmocka_unit_test(proto_get_strv__string_not_array__fails),
		cmocka_unit_test(proto_get_strv__too_many__fails),
		cmocka_unit_test(proto_req_str__missing_required__names_key),
		cmocka_unit_test(proto_req_str__missing_optional__keeps_default),
		cmocka_unit_test(proto_req_str__wrong_type__names_key),
		cmocka_unit_test(proto_req_strv__wrong_element__names_key),
		cmocka_unit_test(proto_req_strv__missing_required__names_key),
		cmocka_unit_test(proto_req_int__out_of_range__names_key_and_range),
		cmocka_unit_test(proto_req_bool__wrong_type__names_key),
		cmocka_unit_test(proto_msg_error__message_and_status__fields),
		cmocka_unit_test(proto_strv_to_json__vector__array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
