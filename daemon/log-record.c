#include "log-record.h"

#include <string.h>

int log_record_parse(const char *line, size_t len, struct log_record *r)
{
	const char *sp1 = memchr(line, ' ', len), *p;
	size_t rest;

	if (sp1 == NULL || sp1 == line)
		return -1;
	r->stamp = line;
	r->stamp_len = (size_t)(sp1 - line);
	p = sp1 + 1;
	rest = len - (size_t)(p - line);
	if (rest >= 7 && memcmp(p, "stdout ", 7) == 0) {
		r->stream = FRAME_STDOUT;
		p += 7;
	} else if (rest >= 7 && memcmp(p, "stderr ", 7) == 0) {
		r->stream = FRAME_STDERR;
		p += 7;
	} else {
		return -1;
	}
	rest = len - (size_t)(p - line);
	if (rest < 2 || (p[0] != 'F' && p[0] != 'P') || p[1] != ' ')
		return -1;
	r->partial = p[0] == 'P';
	r->text = p + 2;
	r->text_len = rest - 2;
	return 0;
}

size_t log_tail_offset(const char *data, size_t len, size_t n, size_t *found)
{
	size_t end = len, count = 0;

	/* A file ends with a newline; skip it so it does not count twice. */
	if (end > 0 && data[end - 1] == '\n')
		end--;
	while (end > 0 && count < n) {
		const char *nl = memrchr(data, '\n', end);

		count++;
		if (nl == NULL) {
			*found = count;
			return 0;
		}
		end = (size_t)(nl - data);
		if (count == n) {
			*found = count;
			return end + 1;
		}
	}
	*found = count;
	return 0;
}
