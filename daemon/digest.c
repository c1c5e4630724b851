#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include "../common/util.h"

struct digest {
	EVP_MD_CTX *ctx;
};

struct digest *digest_new(void)
{
	struct digest *d = xcalloc(1, sizeof(*d));

	d->ctx = EVP_MD_CTX_new();
	if (d->ctx == NULL || EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL) != 1)
		abort(); /* out of memory: as xmalloc */
	return d;
}

void digest_update(struct digest *d, const void *buf, size_t len)
{
	if (EVP_DigestUpdate(d->ctx, buf, len) != 1)
		abort();
}

void digest_on_read(void *arg, const void *buf, size_t len)
{
	digest_update(arg, buf, len);
}

void digest_finish(struct digest *d, char hex[DIGEST_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (EVP_DigestFinal_ex(d->ctx, md, &len) != 1 || len * 2 != DIGEST_HEX_LEN)
		abort();
	for (unsigned i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[DIGEST_HEX_LEN] = '\0';
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

void digest_buf(const void *buf, size_t len, char hex[DIGEST_HEX_LEN + 1])
{
	struct digest *d = digest_new();

	digest_update(d, buf, len);
	digest_finish(d, hex);
}

int digest_fd(int fd, char hex[DIGEST_HEX_LEN + 1], struct md_err *err)
{
	struct digest *d = digest_new();
	char buf[64 * 1024];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			digest_finish(d, hex);
			return md_err_set(err, errno, "read");
		}
		digest_update(d, buf, (size_t)n);
	}
	digest_finish(d, hex);
	return 0;
}
