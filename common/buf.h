/* A growable byte buffer with a read offset: what the monitor and the
 * client queue on non-blocking fds (the daemon uses libevent's evbuffer). */
#ifndef MD_BUF_H
#define MD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t off; /* first unread byte */
	size_t len; /* end of valid bytes */
	size_t cap;
};

static inline size_t buf_used(const struct buf *b)
{
	return b->len - b->off;
}

static inline const uint8_t *buf_head(const struct buf *b)
{
	static const uint8_t empty[1];

	/* Never NULL + 0 (undefined behaviour) for a buffer never filled. */
	return b->data != NULL ? b->data + b->off : empty;
}

void buf_append(struct buf *b, const void *data, size_t len);
/* Make room for at least n more bytes and return where they go. */
uint8_t *buf_reserve(struct buf *b, size_t n);
void buf_commit(struct buf *b, size_t n);
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);

/* Write as much as fd takes without blocking. Returns bytes left, or -1
 * on a write error (errno set; EAGAIN is not an error). */
long buf_flush(struct buf *b, int fd);

#endif
