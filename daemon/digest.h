/* sha256 of streams and files, as the image formats address their blobs:
 * OpenSSL's libcrypto does the hashing. */
#ifndef MD_DIGEST_H
#define MD_DIGEST_H

#include <stddef.h>

#include "../common/err.h"

#define DIGEST_HEX_LEN 64

struct digest;

struct digest *digest_new(void);
void digest_update(struct digest *d, const void *buf, size_t len);
/* The lowercase hex of the sha256 of everything given, into hex[65]; d is freed. */
void digest_finish(struct digest *d, char hex[DIGEST_HEX_LEN + 1]);

/* For extract_opts.on_read. */
void digest_on_read(void *arg, const void *buf, size_t len);

/* The sha256 of buf. */
void digest_buf(const void *buf, size_t len, char hex[DIGEST_HEX_LEN + 1]);

/* The sha256 of what fd has from its current offset to its end. */
int digest_fd(int fd, char hex[DIGEST_HEX_LEN + 1], struct md_err *err);

#endif
