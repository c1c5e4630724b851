#include "mon-log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"

int mon_log_open(const char *path, struct md_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return md_err_set(err, errno, "open log %s", path);
	return fd;
}

/* One record per line, all with the same time and stream: the prefix is
 * formatted once and the output reserved in one piece, as a stream of
 * short lines (base64, a build log) is the common case and each line
 * otherwise cost six appends. */
void mon_log_format(struct buf *out, enum frame_type stream, const uint8_t *data, size_t len,
		    int64_t now_ns)
{
	const char *name = stream == FRAME_STDERR ? "stderr" : "stdout";
	char stamp[64], prefix[96];
	size_t plen, records = 1;
	uint8_t *start, *w;

	time_format_rfc3339(now_ns, stamp, sizeof(stamp));
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%s %s ", stamp, name);
	for (const uint8_t *p = data, *end = data + len;
	     p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		records++;
	/* Each record: the prefix, "F " or "P ", its bytes, a newline. */
	start = w = buf_reserve(out, len + records * (plen + 3));
	while (len > 0) {
		const uint8_t *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		memcpy(w, prefix, plen);
		w += plen;
		memcpy(w, nl ? "F " : "P ", 2);
		w += 2;
		memcpy(w, data, n);
		w += n;
		*w++ = '\n';
		if (nl)
			n++;
		data += n;
		len -= n;
	}
	buf_commit(out, (size_t)(w - start));
}

uint64_t mon_log_write(int fd, enum frame_type stream, const uint8_t *data, size_t len,
		       int64_t now_ns)
{
	struct buf out = { 0 };
	uint64_t n = 0;

	if (fd < 0)
		return 0;
	mon_log_format(&out, stream, data, len, now_ns);
	if (write_all(fd, buf_head(&out), buf_used(&out)) < 0)
		log_warn("write container log: %s", strerror(errno));
	else
		n = buf_used(&out);
	buf_free(&out);
	return n;
}
