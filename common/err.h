/* One error idiom for every layer: functions that can fail return -1 and
 * fill a caller-supplied struct md_err with one lowercase line
 * ("pivot_root: Invalid argument"); callers add context in front. */
#ifndef MD_ERR_H
#define MD_ERR_H

#include <stddef.h>

#define MD_ERR_MSG_MAX 512

/* Exit statuses of CLI.md, carried with an error so a failure deep in the
 * start path reaches the client with the right status. */
enum md_status {
	MD_STATUS_OK = 0,
	MD_STATUS_REFUSED = 1,    /* the daemon refused a named object */
	MD_STATUS_FAILED = 125,   /* client or daemon failure, usage */
	MD_STATUS_CANNOT_EXEC = 126,
	MD_STATUS_NOT_FOUND = 127,
};

struct md_err {
	int errnum;             /* errno of the root cause, 0 if none */
	int status;             /* enum md_status for the user */
	char msg[MD_ERR_MSG_MAX];
};

/* Set err to "FMT: strerror(errnum)" (or just FMT when errnum is 0) with
 * status 125. Always returns -1 so callers can `return md_err_set(...)`. */
int md_err_set(struct md_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like md_err_set, with an explicit status. */
int md_err_setst(struct md_err *err, int status, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Prepend "FMT: " to the message already in err. Returns -1. */
int md_err_prefix(struct md_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void md_err_clear(struct md_err *err);

#endif
