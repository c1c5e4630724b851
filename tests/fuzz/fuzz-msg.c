/* libFuzzer target for proto/msg.c: every FRAME_MSG payload from a
 * client, a monitor or the daemon goes through proto_msg_parse. Any
 * payload must parse or be refused without a fault or a leak; a message
 * that parses has a string type, its fields read through the getters
 * without a fault, it writes back out as a payload that parses again, and
 * proto_text turns any of its strings into valid UTF-8 without control
 * characters. */
#include <json-c/json.h>
#include <stdbool.h>

#include "common/buf.h"
#include "proto/frame.h"
#include "proto/msg.h"
#include "tests/fuzz/fuzz.h"

/* Every key some request, reply or event reads (proto/PROTOCOL.md). */
static const char *const keys[] = {
	"type", "id", "name", "image", "argv", "env", "workdir", "user", "hostname",
	"tty", "stdin", "detach", "rm", "init", "stop_timeout", "rows", "cols",
	"memory", "nano_cpus", "pids_limit", "cap_add", "cap_drop", "network",
	"userns", "container", "containers", "all", "signal", "timeout", "force",
	"follow", "tail", "timestamps", "message", "status", "exit_code", "pid",
	"version", "proto", "error", "state", "",
};

/* Strict UTF-8 (Unicode 15, table 3-7) with no C0 control or DEL. */
static bool text_clean(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t n;
		unsigned lo = 0x80, hi = 0xbf;

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 2;
		else if (c >= 0xe0 && c <= 0xef)
			n = 3;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 4;
		else
			return false;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k < n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += n;
	}
	return true;
}

/* proto_text of s: clean, and the same length (one '?' per bad byte). */
static void check_text(const char *s)
{
	struct json_object *t = proto_text(s);
	const char *out = json_object_get_string(t);
	size_t len = (size_t)json_object_get_string_len(t);

	CHECK(len == strlen(s) && strlen(out) == len);
	CHECK(text_clean((const unsigned char *)out, len));
	json_object_put(t);
}

static void read_fields(struct json_object *msg)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *s = NULL, **v = NULL;
		bool b = false;
		int64_t n = 0;
		size_t count = 0;
		struct md_err err;

		if (proto_get_str(msg, keys[i], &s) == 0 && s != NULL)
			check_text(s);
		(void)proto_get_bool(msg, keys[i], &b);
		(void)proto_get_int(msg, keys[i], INT64_MIN, INT64_MAX, &n);
		(void)proto_get_int(msg, keys[i], 0, 65535, &n);
		if (proto_get_strv(msg, keys[i], &v, &count) == 0 && v != NULL) {
			CHECK(count <= PROTO_STRV_MAX && v[count] == NULL);
			for (size_t k = 0; k < count; k++)
				check_text(v[k]);
			free(v);
		}
		v = NULL;
		fuzz_err_poison(&err);
		if (proto_req_strv(msg, keys[i], true, &v, &count, &err) < 0)
			fuzz_err_check(&err);
		free(v);
		fuzz_err_poison(&err);
		if (proto_req_int(msg, keys[i], 1, 255, &n, &err) < 0)
			fuzz_err_check(&err);
		fuzz_err_poison(&err);
		if (proto_req_str(msg, keys[i], true, &s, &err) < 0)
			fuzz_err_check(&err);
		fuzz_err_poison(&err);
		if (proto_req_bool(msg, keys[i], &b, &err) < 0)
			fuzz_err_check(&err);
	}
}

/* Written out again as a frame, the message reads back as itself. */
static void check_round_trip(struct json_object *msg)
{
	struct buf out = { 0 };
	struct frame_hdr h;
	const uint8_t *payload = NULL;
	const char *why = NULL;
	struct json_object *again;

	proto_msg_append(&out, msg);
	CHECK(proto_frame_peek(buf_head(&out), buf_used(&out), &h, &payload, &why) == PROTO_OK);
	CHECK(h.type == FRAME_MSG && PROTO_HDR_LEN + h.len == buf_used(&out));
	again = proto_msg_parse(payload, h.len, &why);
	CHECK(again != NULL);
	CHECK(strcmp(proto_msg_type(again), proto_msg_type(msg)) == 0);
	json_object_put(again);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	struct json_object *msg = proto_msg_parse(data, size, &why);
	char *text;

	if (msg == NULL) {
		CHECK(why != NULL);
	} else {
		const char *type = proto_msg_type(msg);

		CHECK(type != NULL && json_object_is_type(msg, json_type_object));
		check_text(type);
		read_fields(msg);
		check_round_trip(msg);
		json_object_put(msg);
	}

	/* Any text at all, as a peer's string would reach proto_text. */
	text = fuzz_strndup(data, size);
	check_text(text);
	free(text);
	return 0;
}
