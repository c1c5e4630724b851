/* The daemon's view of its containers: config and state loaded from disk,
 * the link to each one's monitor, and whoever waits on it. */
#ifndef MD_CONTAINER_H
#define MD_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "ctr-config.h"
#include "daemon.h"

struct bufferevent;
struct container;

/* Called once when a container reaches the event waited for, or with
 * lost=true when the container goes away first. */
typedef void (*ctr_waiter_fn)(struct container *c, void *arg, bool lost);

struct ctr_waiter {
	ctr_waiter_fn fn;
	void *arg;
	bool on_exit;             /* else on start (started or failed) */
	struct ctr_waiter *next;
};

struct container {
	struct daemon *d;
	struct ctr_config cfg;
	struct ctr_state state;
	char *dir;                /* --root/containers/ID */
	char *rundir;             /* --run/containers/ID */
	struct bufferevent *link; /* control connection to the monitor */
	pid_t monitor_pid;        /* our child or the spare factory's, or 0 when
				   * adopted or gone */
	bool starting;            /* spawned, start result not in yet */
	bool removed;             /* ctr_remove ran */
	struct ctr_waiter *waiters;
	int refs;
	/* ps's summary as JSON text (req-ps.c), and the state it shows: its
	 * configuration never changes, so the state tells when it is stale. */
	char *ps_text;
	size_t ps_len;
	struct ctr_state ps_state;
};

/* Is c visible to a caller of uid? Root sees all; others their own. */
bool ctr_visible(const struct container *c, uid_t uid);

/* Find a container by full ID, name or unique ID prefix, among those the
 * caller may see. Others' containers answer exactly as missing ones. */
struct container *ctr_find(struct container *const *v, size_t n, const char *query, uid_t uid,
			   struct md_err *err);

/* The container of that name, whoever owns it (names are one namespace). */
struct container *ctr_find_name(struct container *const *v, size_t n, const char *name);

struct container *ctr_new(struct daemon *d, const char *id);
void ctr_ref(struct container *c);
void ctr_unref(struct container *c);

void ctr_register(struct daemon *d, struct container *c);
void ctr_unregister(struct daemon *d, struct container *c);

void ctr_add_waiter(struct container *c, bool on_exit, ctr_waiter_fn fn, void *arg);
/* Run and drop the waiters of one kind. */
void ctr_fire_waiters(struct container *c, bool on_exit, bool lost);

/* Kill what is left in a container's cgroup and remove it: the monitor
 * does this itself, so this is for one that died first. */
void ctr_release_cgroup(struct container *c);

/* Remove a container's directories and forget it. It must not run. */
int ctr_remove(struct daemon *d, struct container *c, struct md_err *err);

/* Load every container directory under --root at start-up. */
void ctr_load_all(struct daemon *d);

#endif
