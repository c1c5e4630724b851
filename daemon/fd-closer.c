#include "fd-closer.h"

#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "../common/log.h"

/* The close runs in a thread of the daemon: it shares the daemon's fd
 * table, so the flush (FUSE sends one at every close, not only the last)
 * and the release both happen there, while the event loop goes on. A file
 * that never lets go keeps only its thread. The loop's thread never takes
 * a lock these threads hold: they only call close(). */
static void *close_one(void *arg)
{
	close((int)(intptr_t)arg);
	return NULL;
}

static pthread_attr_t attr;
static bool attr_ready;

int closer_start(struct md_err *err)
{
	if (pthread_attr_init(&attr) != 0 ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) != 0 ||
	    pthread_attr_setstacksize(&attr, 64 * 1024) != 0)
		return md_err_set(err, 0, "fd closer: thread attributes");
	attr_ready = true;
	return 0;
}

void closer_close_fd(int fd)
{
	pthread_t t;

	if (fd < 0)
		return;
	if (!attr_ready || pthread_create(&t, &attr, close_one, (void *)(intptr_t)fd) != 0) {
		log_warn("fd closer: no thread, closing in the loop");
		close(fd);
	}
}

void closer_close(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		closer_close_fd(fds[i]);
}
