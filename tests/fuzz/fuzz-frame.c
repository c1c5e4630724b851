/* libFuzzer target for proto/frame.c and common/buf.c: the 8-byte header
 * and the frame boundaries are the first thing the daemon, the monitor and
 * the client read from a peer. Any byte string must decode without a
 * fault; a header that decodes must encode back to the same 8 bytes; and
 * a receiver fed the same bytes in arbitrary pieces must cut the same
 * frames as one that has them all at once. */
#include <stdbool.h>

#include "common/buf.h"
#include "proto/frame.h"
#include "tests/fuzz/fuzz.h"

#define MAX_FRAMES 256

struct cut {
	uint8_t type;
	uint16_t flags;
	size_t off; /* of the header in the input */
	uint32_t len;
};

/* Check one header decode against the bytes it came from. */
static enum proto_decode check_header(const uint8_t *data, size_t size, struct frame_hdr *h)
{
	const char *why = NULL;
	enum proto_decode r = proto_hdr_decode(data, size, h, &why);
	uint8_t out[PROTO_HDR_LEN];

	switch (r) {
	case PROTO_NEED_MORE:
		CHECK(size < PROTO_HDR_LEN);
		break;
	case PROTO_OK:
		CHECK(why == NULL);
		CHECK(h->version == PROTO_VERSION);
		CHECK(h->type >= FRAME_MSG && h->type <= FRAME_STDERR);
		CHECK(h->len <= PROTO_FRAME_MAX);
		proto_hdr_encode(h, out);
		CHECK(memcmp(out, data, PROTO_HDR_LEN) == 0);
		break;
	case PROTO_EVERSION:
		CHECK(why != NULL && h->version != PROTO_VERSION);
		break;
	case PROTO_EINVAL:
		CHECK(why != NULL);
		break;
	default:
		CHECK(!"unknown proto_decode value");
	}
	return r;
}

/* Cut data into frames as a peer that has it all at once; returns how
 * many whole frames came before the end, a partial frame or an error. */
static size_t cut_all(const uint8_t *data, size_t size, struct cut *cuts, enum proto_decode *end)
{
	size_t off = 0, n = 0;

	for (;;) {
		struct frame_hdr h, h2;
		const uint8_t *payload = NULL;
		const char *why = NULL;
		enum proto_decode r = check_header(data + off, size - off, &h);
		enum proto_decode p = proto_frame_peek(data + off, size - off, &h2, &payload, &why);

		if (r != PROTO_OK) {
			CHECK(p == r);
			*end = r;
			return n;
		}
		if (size - off - PROTO_HDR_LEN < h.len) {
			CHECK(p == PROTO_NEED_MORE);
			*end = PROTO_NEED_MORE;
			return n;
		}
		CHECK(p == PROTO_OK && payload == data + off + PROTO_HDR_LEN);
		CHECK(memcmp(&h, &h2, sizeof(h)) == 0);
		if (n == MAX_FRAMES) {
			*end = PROTO_OK;
			return n;
		}
		cuts[n++] = (struct cut){ h.type, h.flags, off, h.len };

		/* Writing that frame again gives back the very same bytes. */
		struct buf out = { 0 };

		proto_frame_append(&out, (enum frame_type)h.type, h.flags, payload, h.len);
		CHECK(buf_used(&out) == PROTO_HDR_LEN + h.len);
		CHECK(memcmp(buf_head(&out), data + off, buf_used(&out)) == 0);
		buf_free(&out);
		off += PROTO_HDR_LEN + h.len;
	}
}

/* The same bytes arriving in pieces whose sizes come from a small PRNG
 * seeded by the input, received into a struct buf as conn.c and
 * mon-conn.c do: the frames cut must be the same ones. */
static void cut_pieces(const uint8_t *data, size_t size, const struct cut *cuts, size_t ncuts,
		       enum proto_decode end)
{
	struct buf in = { 0 };
	uint32_t seed = 2166136261u;
	size_t fed = 0, got = 0, consumed = 0;
	enum proto_decode r = PROTO_NEED_MORE;

	for (size_t i = 0; i < size && i < 64; i++)
		seed = (seed ^ data[i]) * 16777619u;
	while (got < ncuts) {
		struct frame_hdr h;
		const uint8_t *payload = NULL;
		const char *why = NULL;

		/* Not on a buf that never held a byte: buf_head() is then
		 * NULL + 0, undefined behaviour (tests/fuzz/crashes/README.md). */
		r = in.data == NULL ? PROTO_NEED_MORE :
			proto_frame_peek(buf_head(&in), buf_used(&in), &h, &payload, &why);
		if (r == PROTO_OK) {
			CHECK(cuts[got].off == consumed && cuts[got].len == h.len);
			CHECK(cuts[got].type == h.type && cuts[got].flags == h.flags);
			CHECK(memcmp(payload, data + consumed + PROTO_HDR_LEN, h.len) == 0);
			buf_consume(&in, PROTO_HDR_LEN + h.len);
			consumed += PROTO_HDR_LEN + h.len;
			got++;
			continue;
		}
		CHECK(r == PROTO_NEED_MORE);
		CHECK(fed < size);
		seed = seed * 1103515245u + 12345u;
		size_t n = 1 + (seed >> 16) % 4096;

		if (n > size - fed)
			n = size - fed;
		buf_append(&in, data + fed, n);
		fed += n;
	}
	/* After the last whole frame, what is left ends as the whole did. */
	if (end != PROTO_OK) {
		struct frame_hdr h;
		const uint8_t *payload = NULL;
		const char *why = NULL;

		buf_append(&in, data + fed, size - fed);
		r = in.data == NULL ? PROTO_NEED_MORE :
			proto_frame_peek(buf_head(&in), buf_used(&in), &h, &payload, &why);
		CHECK(r == end);
	}
	buf_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cut cuts[MAX_FRAMES];
	enum proto_decode end = PROTO_NEED_MORE;
	size_t n = cut_all(data, size, cuts, &end);

	cut_pieces(data, size, cuts, n, end);

	/* Every valid header also encodes from its fields alone. */
	for (uint8_t type = FRAME_MSG; size >= 4 && type <= FRAME_STDERR; type++) {
		struct frame_hdr h = { PROTO_VERSION, type, 0, 0 }, back;
		uint8_t out[PROTO_HDR_LEN];
		const char *why = NULL;

		memcpy(&h.len, data, 4);
		h.len %= PROTO_FRAME_MAX + 1;
		proto_hdr_encode(&h, out);
		CHECK(proto_hdr_decode(out, sizeof(out), &back, &why) == PROTO_OK);
		CHECK(memcmp(&h, &back, sizeof(h)) == 0);
	}
	return 0;
}
