#include "mon-log.h"

#include <errno.h>
#include <fcntl.h>
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

void mon_log_format(struct buf *out, enum frame_type stream, const uint8_t *data, size_t len,
		    int64_t now_ns)
{
	const char *name = stream == FRAME_STDERR ? "stderr" : "stdout";
	char stamp[64];

	time_format_rfc3339(now_ns, stamp, sizeof(stamp));
	while (len > 0) {
		const uint8_t *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		buf_append(out, stamp, strlen(stamp));
		buf_append(out, " ", 1);
		buf_append(out, name, strlen(name));
		buf_append(out, nl ? " F " : " P ", 3);
		buf_append(out, data, n);
		buf_append(out, "\n", 1);
		if (nl)
			n++;
		data += n;
		len -= n;
	}
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
