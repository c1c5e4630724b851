/* Helpers shared by the libFuzzer targets in this directory. A failed
 * CHECK is a finding: it aborts, and libFuzzer saves the input. */
#ifndef MD_FUZZ_H
#define MD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/* libFuzzer's entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* A NUL-terminated copy of data in a block of exactly size + 1 bytes, so
 * AddressSanitizer catches a read one past the terminator. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* An error object as the daemon declares it, uninitialized: filled with
 * non-NUL bytes so that reading its message before it is set overruns. */
static inline void fuzz_err_poison(struct md_err *err)
{
	memset(err, 'A', sizeof(*err));
}

/* A failed call must leave a terminated, non-empty message. */
static inline void fuzz_err_check(const struct md_err *err)
{
	size_t n = strnlen(err->msg, sizeof(err->msg));

	CHECK(n > 0 && n < sizeof(err->msg));
}

#endif
