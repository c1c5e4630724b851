/* minidockerd: the daemon's shared state. One libevent loop; nothing in it
 * blocks on a client or a container. */
#ifndef MD_DAEMON_H
#define MD_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

#define MD_VERSION "0.1.0"

struct event_base;
struct event;
struct container;
struct client;
struct cgroup_env;
struct image_store;

/* Image workers (import, load) at once, in all. */
#define DAEMON_JOBS_MAX 4

/* Limits on what callers may take (see the README for the defaults). */
struct daemon_limits {
	unsigned connections;          /* open connections in all */
	unsigned connections_per_user; /* open connections of one uid (root exempt) */
	unsigned containers_per_user;  /* containers of one uid, any state (root exempt) */
	unsigned long long image_bytes; /* file data one import or load may unpack */
};

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
	const char *log_file;       /* --log-file, reopened on SIGHUP; NULL: stderr */
	bool storage_vfs;           /* --storage-driver vfs: image roots are copies
				     * of their layers, not overlays */
	struct daemon_limits limits;
	struct cgroup_env *cg;      /* to clean up after a monitor that died, or NULL */
	struct client *clients;     /* every open connection (server.c) */
	unsigned nclients;
	struct event *listen_ev;
	struct event *drain_ev;     /* while stopping: checks for replies in flight */
	int64_t stop_deadline_ns;
	int listen_fd;
	struct image_store *images;
	int seccomp_fd;           /* the default seccomp filter as BPF, for monitors; -1 */
	unsigned long long nofile_soft; /* the fd limit we were started with: the containers' */
	uid_t job_owners[DAEMON_JOBS_MAX]; /* who started each running image worker */
	size_t njobs;
	bool trash_job;           /* a worker is emptying the image trash */
	bool trash_again;         /* more came into it meanwhile */
	struct event *trash_ev;   /* image_trash_collect_soon's timer, or NULL */
	struct event *spare_ev;   /* spare_refill's timer, or NULL */
	struct spare *spare;      /* a monitor started ahead of need, or NULL */
	struct factory *factory;  /* the process spares are forked from, or NULL */
	unsigned factory_failures; /* factories lost: past a few, spares are spawned */
	bool no_spare;            /* --no-spare-monitor */
	bool spare_sweep;         /* dead spares' cgroups may be left */
	struct container **ctrs;  /* every container, any owner */
	size_t nctrs;
	bool stopping;
};

#endif
