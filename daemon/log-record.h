/* Reading the container log format of mon-log.h back. Pure parsing. */
#ifndef MD_LOG_RECORD_H
#define MD_LOG_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "../proto/frame.h"

struct log_record {
	const char *stamp;      /* RFC 3339 timestamp, not NUL-terminated */
	size_t stamp_len;
	enum frame_type stream; /* FRAME_STDOUT or FRAME_STDERR */
	bool partial;           /* P: the line goes on in the next record */
	const char *text;       /* the bytes, without the record's newline */
	size_t text_len;
};

/* Parse one record line (without its trailing newline); -1 if malformed. */
int log_record_parse(const char *line, size_t len, struct log_record *r);

/* Where the last n records of the len bytes at data begin: the offset of
 * the first of them, or 0 when there are n or fewer. *found says how many
 * were counted (at most n), so a caller can go on in an older file. */
size_t log_tail_offset(const char *data, size_t len, size_t n, size_t *found);

#endif
