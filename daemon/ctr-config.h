/* What a container is (config.json, written once by the daemon) and what
 * became of it (state.json, written by its monitor). Both live in the
 * container's directory under --root, so a restarted daemon can rebuild
 * its view from disk alone. */
#ifndef MD_CTR_CONFIG_H
#define MD_CTR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../common/id.h"

#define CTR_CONFIG_FILE "config.json"
#define CTR_STATE_FILE "state.json"
#define CTR_LOG_FILE "container.log"
#define CTR_ROOTFS_DIR "rootfs"
#define CTR_UPPER_DIR "upper"   /* an image container's writes (overlay) */
#define CTR_WORK_DIR "work"     /* overlay's scratch directory */
#define CTR_MONITOR_SOCK "monitor.sock"
#define CTR_DEFAULT_HOSTNAME "container-host"
#define CTR_DEFAULT_IMAGE "host"
#define CTR_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define CTR_DEFAULT_STOP_TIMEOUT 10

/* -v HOSTPATH:CTRPATH[:ro]. The host side is opened by the client with the
 * caller's own rights and reaches the monitor as an fd; source is kept only
 * to show it. */
struct ctr_volume {
	char *source;
	char *target;   /* absolute, resolved inside the container's root */
	bool readonly;
};

/* --tmpfs PATH[:OPTIONS] */
struct ctr_tmpfs {
	char *target;
	char *options;  /* checked mount data: "size=...,mode=..." or "" */
	bool exec;      /* noexec unless asked for */
	bool readonly;
};

struct ctr_config {
	char id[ID_LEN + 1];
	char *name;
	char *image;     /* as the user named it ("busybox", "host") */
	char *image_id;  /* "sha256:HEX" of the image; NULL for `host` */
	char **layers;   /* the image's layer directories, bottom first; NULL for `host` */
	bool vfs;        /* the root is a copy of the layers, not an overlay of them */
	char *host_skel; /* `host`: where its skeletons are (host-skel.h), for an
			  * overlay over one; NULL: built in rootfs/ instead */
	bool read_only;  /* --read-only */
	struct ctr_volume *volumes;
	size_t nvolumes;
	struct ctr_tmpfs *tmpfs;
	size_t ntmpfs;
	int64_t created_ns;
	uid_t owner_uid; /* the caller, from SO_PEERCRED */
	gid_t owner_gid;
	char **argv;     /* argv[0] is the command as the user gave it */
	char **env;      /* KEY=VALUE, PATH and HOSTNAME included */
	char *cwd;
	char *hostname;
	uid_t uid;       /* user the command runs as, inside */
	gid_t gid;
	bool tty;
	bool open_stdin;
	bool auto_remove;
	bool init;       /* --init: our init is PID 1, the command its child */
	/* A user namespace (always for callers who are not root): container
	 * uid/gid 0 is host map_uid/map_gid, and 1..sub_*_count map to the
	 * caller's subordinate range from /etc/subuid and /etc/subgid. */
	bool userns;
	bool userns_private; /* asked for by a root caller (--userns=private) */
	uid_t map_uid, sub_uid_start;
	gid_t map_gid, sub_gid_start;
	unsigned sub_uid_count, sub_gid_count;
	/* Limits (0: none) and powers. */
	uint64_t memory;        /* bytes, memory and swap together */
	int64_t nano_cpus;      /* CPUs x 10^9 */
	int64_t pids_limit;
	uint64_t cap_mask;      /* the capabilities every process keeps */
	char **cap_add, **cap_drop; /* as asked, for inspect */
	bool host_network;      /* --network host (root only) */
	int stop_timeout;
	unsigned short rows, cols; /* initial terminal size with tty */
};

enum ctr_status {
	CTR_CREATED,
	CTR_RUNNING,
	CTR_EXITED,
	CTR_BROKEN,   /* its files could not be read: it can only be removed */
};

struct ctr_state {
	enum ctr_status status;
	pid_t pid;          /* the container's PID 1 as the host sees it; 0 once exited */
	pid_t monitor_pid;
	int64_t started_ns;
	int64_t finished_ns;
	int exit_code;      /* Docker's ExitCode: the status, or 128+N for signal N */
	bool oom_killed;    /* the kernel's OOM killer ended a process of it */
	char *error;        /* why the container failed to start, if it did */
	char *skeleton;     /* the `host` image's skeleton its root stands on (its
			     * name under --root/host), or NULL */
};

void ctr_config_free(struct ctr_config *c);
void ctr_state_clear(struct ctr_state *s);

const char *ctr_status_name(enum ctr_status s);

/* Serialize to a malloc'd JSON text. */
char *ctr_config_to_json(const struct ctr_config *c);
char *ctr_state_to_json(const struct ctr_state *s);

/* Parse what the *_to_json functions wrote; untrusted on disk, so every
 * field is checked. On failure err says which field. */
int ctr_config_from_json(const char *text, struct ctr_config *c, struct md_err *err);
int ctr_state_from_json(const char *text, struct ctr_state *s, struct md_err *err);

/* Read or write the file in a container directory. */
int ctr_config_load(const char *dir, struct ctr_config *c, struct md_err *err);
int ctr_config_save(const char *dir, const struct ctr_config *c, struct md_err *err);
int ctr_state_load(const char *dir, struct ctr_state *s, struct md_err *err);
int ctr_state_save(const char *dir, const struct ctr_state *s, struct md_err *err);
/* The same, never fsynced: a --rm container's directory goes right after. */
int ctr_state_save_unsynced(const char *dir, const struct ctr_state *s, struct md_err *err);

/* Whether c's processes get the default seccomp filter: always, unless
 * root granted CAP_SYS_ADMIN (--cap-add), for which Docker's profile opens
 * the very calls (mount, unshare, setns, ...) that the filter refuses. */
bool ctr_config_wants_seccomp(const struct ctr_config *c);

/* The text for /proc/PID/uid_map (uid true) or gid_map of c's user
 * namespace, into buf. */
void ctr_config_id_map(const struct ctr_config *c, bool uid, char *buf, size_t len);

/* The exit code Docker reports for a wait(2) status. */
int ctr_exit_code_from_wait(int wstatus);

#endif
