#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Append src to the NUL-terminated dst of size bytes, truncating. */
static void str_append(char *dst, size_t size, const char *src)
{
	size_t used = strlen(dst), n = strlen(src);

	if (used + 1 >= size)
		return;
	if (n > size - used - 1)
		n = size - used - 1;
	memcpy(dst + used, src, n);
	dst[used + n] = '\0';
}

__attribute__((format(printf, 3, 0))) static void err_vformat(struct md_err *err, int errnum,
								  const char *fmt, va_list ap)
{
	if (vsnprintf(err->msg, sizeof(err->msg), fmt, ap) < 0)
		err->msg[0] = '\0';
	if (errnum != 0) {
		str_append(err->msg, sizeof(err->msg), ": ");
		str_append(err->msg, sizeof(err->msg), strerror(errnum));
	}
	err->errnum = errnum;
}

int md_err_set(struct md_err *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vformat(err, errnum, fmt, ap);
	va_end(ap);
	err->status = MD_STATUS_FAILED;
	return -1;
}

int md_err_setst(struct md_err *err, int status, int errnum, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	err_vformat(err, errnum, fmt, ap);
	va_end(ap);
	err->status = status;
	return -1;
}

int md_err_prefix(struct md_err *err, const char *fmt, ...)
{
	char prefix[MD_ERR_MSG_MAX], old[MD_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	err->msg[0] = '\0';
	str_append(err->msg, sizeof(err->msg), prefix);
	str_append(err->msg, sizeof(err->msg), ": ");
	str_append(err->msg, sizeof(err->msg), old);
	return -1;
}

void md_err_clear(struct md_err *err)
{
	err->errnum = 0;
	err->status = MD_STATUS_OK;
	err->msg[0] = '\0';
}
