/* A container's network namespace: its loopback, and one made ahead of
 * need by the spare monitor (mon-spare.c). */
#ifndef MD_CTR_NET_H
#define MD_CTR_NET_H

#include "../common/err.h"

/* Bring up the loopback of the network namespace we are in. */
int netns_loopback_up(struct md_err *err);

/* A new network namespace with its loopback up, as an fd to setns(2)
 * into (O_CLOEXEC), made by the caller, who is back in its own network
 * namespace on return, failed or not; -1 with err set. The caller must be
 * single-threaded and privileged in its user namespace. */
int netns_make(struct md_err *err);

#endif
