/* minidockerd: the daemon's shared state. One libevent loop; nothing in it
 * blocks on a client or a container. */
#ifndef MD_DAEMON_H
#define MD_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

#define MD_VERSION "0.1.0"

struct event_base;
struct container;

struct daemon {
	struct event_base *base;
	const char *socket_path;
	const char *root_dir;     /* --root */
	const char *run_dir;      /* --run */
	char *ctr_root;           /* --root/containers */
	char *ctr_run;            /* --run/containers */
	const char *group;
	char *monitor_path;       /* the minidocker-monitor binary */
	unsigned long long log_max; /* container log size before rotation, 0: never */
	const char *cgroup_parent;  /* containers' parent cgroup, NULL: the default */
	int listen_fd;
	struct container **ctrs;  /* every container, any owner */
	size_t nctrs;
	bool stopping;
};

#endif
