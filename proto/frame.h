/* Framing of the wire protocol (see PROTOCOL.md): an 8-byte header
 * { u8 version, u8 type, u16 flags, u32 length } in network byte order,
 * then `length` payload bytes. The header's layout never changes between
 * versions, so either side can always read a peer's version and say so. */
#ifndef MD_PROTO_FRAME_H
#define MD_PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "../common/buf.h"

#define PROTO_VERSION 1
#define PROTO_HDR_LEN 8
/* Largest payload either side accepts; a larger frame ends the connection. */
#define PROTO_FRAME_MAX (1024u * 1024u)
/* Largest payload we send for stream data, so one frame never hogs a peer. */
#define PROTO_DATA_CHUNK (64u * 1024u)

enum frame_type {
	FRAME_MSG = 1,    /* a JSON object: request, reply or event */
	FRAME_STDIN = 2,  /* raw bytes for the container's stdin */
	FRAME_STDOUT = 3, /* raw bytes the container wrote to stdout (or its pty) */
	FRAME_STDERR = 4, /* raw bytes the container wrote to stderr */
};

/* On a FRAME_STDIN with no payload: the writer's stdin reached its end. */
#define FRAME_FLAG_EOF 0x0001u

struct frame_hdr {
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t len;
};

enum proto_decode {
	PROTO_NEED_MORE = 0, /* fewer than PROTO_HDR_LEN bytes available */
	PROTO_OK = 1,        /* header decoded and valid */
	PROTO_EVERSION = -1, /* a header of another protocol version */
	PROTO_EINVAL = -2,   /* unknown type, reserved flags or oversized */
};

void proto_hdr_encode(const struct frame_hdr *h, uint8_t out[PROTO_HDR_LEN]);

/* Decode and validate the header at data. *why is set on errors. */
enum proto_decode proto_hdr_decode(const uint8_t *data, size_t avail, struct frame_hdr *h,
				   const char **why);

/* Append one whole frame of the current version to out. */
void proto_frame_append(struct buf *out, enum frame_type type, uint16_t flags,
			const void *payload, size_t len);

/* Stream data frames split into PROTO_DATA_CHUNK pieces. */
void proto_data_append(struct buf *out, enum frame_type type, const void *data, size_t len);

/* Look at the front of a receive buffer: PROTO_OK when a whole frame is
 * there (header in *h, payload at *payload; the caller consumes
 * PROTO_HDR_LEN + h->len once done), PROTO_NEED_MORE, or an error. */
enum proto_decode proto_frame_peek(const uint8_t *data, size_t avail, struct frame_hdr *h,
				   const uint8_t **payload, const char **why);

#endif
