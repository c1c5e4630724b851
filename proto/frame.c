#include "frame.h"

#include <arpa/inet.h>
#include <string.h>

void proto_hdr_encode(const struct frame_hdr *h, uint8_t out[PROTO_HDR_LEN])
{
	uint16_t flags = htons(h->flags);
	uint32_t len = htonl(h->len);

	out[0] = h->version;
	out[1] = h->type;
	memcpy(out + 2, &flags, 2);
	memcpy(out + 4, &len, 4);
}

enum proto_decode proto_hdr_decode(const uint8_t *data, size_t avail, struct frame_hdr *h,
				   const char **why)
{
	uint16_t flags;
	uint32_t len;

	if (avail < PROTO_HDR_LEN)
		return PROTO_NEED_MORE;
	memcpy(&flags, data + 2, 2);
	memcpy(&len, data + 4, 4);
	h->version = data[0];
	h->type = data[1];
	h->flags = ntohs(flags);
	h->len = ntohl(len);
	if (h->version != PROTO_VERSION) {
		*why = "protocol version mismatch";
		return PROTO_EVERSION;
	}
	if (h->type < FRAME_MSG || h->type > FRAME_STDERR) {
		*why = "unknown frame type";
		return PROTO_EINVAL;
	}
	if ((h->flags & ~FRAME_FLAG_EOF) != 0 ||
	    ((h->flags & FRAME_FLAG_EOF) && (h->type != FRAME_STDIN || h->len != 0))) {
		*why = "invalid frame flags";
		return PROTO_EINVAL;
	}
	if (h->len > PROTO_FRAME_MAX) {
		*why = "frame too large";
		return PROTO_EINVAL;
	}
	return PROTO_OK;
}

void proto_frame_append(struct buf *out, enum frame_type type, uint16_t flags,
			const void *payload, size_t len)
{
	struct frame_hdr h = {
		.version = PROTO_VERSION, .type = (uint8_t)type, .flags = flags, .len = (uint32_t)len,
	};
	uint8_t *p = buf_reserve(out, PROTO_HDR_LEN + len);

	proto_hdr_encode(&h, p);
	if (len > 0)
		memcpy(p + PROTO_HDR_LEN, payload, len);
	buf_commit(out, PROTO_HDR_LEN + len);
}

void proto_data_append(struct buf *out, enum frame_type type, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		size_t n = len > PROTO_DATA_CHUNK ? PROTO_DATA_CHUNK : len;

		proto_frame_append(out, type, 0, p, n);
		p += n;
		len -= n;
	}
}

enum proto_decode proto_frame_peek(const uint8_t *data, size_t avail, struct frame_hdr *h,
				   const uint8_t **payload, const char **why)
{
	enum proto_decode r = proto_hdr_decode(data, avail, h, why);

	if (r != PROTO_OK)
		return r;
	if (avail - PROTO_HDR_LEN < h->len)
		return PROTO_NEED_MORE;
	*payload = data + PROTO_HDR_LEN;
	return PROTO_OK;
}
