/* Capability names and the default set every container process keeps. */
#ifndef MD_CAPS_H
#define MD_CAPS_H

#include <stdint.h>

/* Podman's default: Docker's 14 without NET_RAW, MKNOD and AUDIT_WRITE. */
uint64_t caps_default_mask(void);

/* A capability by name ("NET_ADMIN", "CAP_NET_ADMIN", any case); -1 if
 * unknown. "ALL" is not a capability: see caps_apply. */
int caps_from_name(const char *name);

/* The name of capability cap ("NET_ADMIN"), or NULL. */
const char *caps_name(int cap);

/* Start from mask, add then drop the named capabilities ("ALL" allowed in
 * both). Returns 0 with *out set, or -1 with *bad naming the unknown one. */
int caps_apply(uint64_t mask, const char *const *add, const char *const *drop, uint64_t *out,
	       const char **bad);

#endif
