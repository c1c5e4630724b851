/* The attached session: the user's stdin to the container, its output to
 * the user's stdout and stderr, window size and signals along, until the
 * container exits or the user detaches. */
#ifndef MD_CLIENT_STREAM_H
#define MD_CLIENT_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "conn.h"
#include "opts.h"

struct stream_opts {
	bool tty;
	bool stdin_open;
	unsigned char detach_keys[DETACH_KEYS_MAX];
	size_t ndetach_keys;
};

/* How a relay ended, besides its status. */
struct stream_end {
	bool detached;      /* the user detached */
	bool exit_recorded; /* the daemon had recorded the exit before we heard of it */
};

/* Relay on an attached connection. Returns the exit status for the
 * client: the container's, 0 when the user detached, 125 when the link
 * failed (after printing one line). end, if not NULL, says more. */
int stream_relay(struct conn *c, const struct stream_opts *o, struct stream_end *end);

#endif
