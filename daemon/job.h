/* Slow work (unpacking an image archive) in a worker process of its own,
 * so that the event loop never waits on it. The worker is a fork of the
 * daemon that keeps only the fds its job names, does the job, writes its
 * result as one JSON text and exits; it dies with the daemon. */
#ifndef MD_JOB_H
#define MD_JOB_H

#include <json-c/json.h>
#include <stddef.h>
#include <sys/types.h>

#include "../common/err.h"
#include "daemon.h"

#define JOB_FDS_MAX 4

/* Runs in the worker: fds[i] are the fds given to job_start, renumbered.
 * Returns the result (an "error" message on failure). */
typedef struct json_object *(*job_fn)(void *arg, const int *fds);

/* Called in the daemon with the worker's result, or with NULL if it died
 * without one. The result is the callee's to put. */
typedef void (*job_done_fn)(struct json_object *result, void *arg);

/* Start fn(arg) in a worker with fds (closed here once it is started).
 * Returns its pid (to kill it when its result is no longer wanted), or -1. */
pid_t job_start(struct daemon *d, job_fn fn, void *arg, int *fds, size_t nfds, job_done_fn done,
	      void *done_arg, struct md_err *err);

#endif
