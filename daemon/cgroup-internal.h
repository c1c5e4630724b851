/* What cgroup.c and cgroup-detect.c share: the detected layout and a few
 * file helpers. Not for other modules: they use cgroup.h. */
#ifndef MD_CGROUP_INTERNAL_H
#define MD_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cgroup.h"

enum { CG_MEMORY, CG_CPU, CG_PIDS, CG_NCTRL };
#define CG_BIT(c) (1u << (c))

extern const char *const cg_ctrl_names[CG_NCTRL];

#define FILE_MAX (4u << 20)       /* mountinfo of a busy host, a big cgroup.procs */
#define DEFAULT_V1_PARENT "minidocker"
#define SUPERVISOR "supervisor"
#define CONTAINERS "containers"
#define ROUND_NS 10000000L        /* 10 ms between rounds of the loops below */
#define KILL_ROUNDS 50
#define REMOVE_ROUNDS 100
#define MOVE_ROUNDS 10
#define MOUNTINFO_FIELDS 64

/* One mounted hierarchy (v1), or the cgroup2 mount (v2). */
struct cg_hier {
	char *mnt;      /* prefix + mount point */
	char *root;     /* v1: the hierarchy's directory mounted there ("/") */
	char *parent;   /* the directory holding the containers' cgroups */
	unsigned ctrls; /* CG_BIT()s usable here: v1 mounted, v2 offered */
};

struct cgroup_env {
	int version;
	struct cg_hier hier[CG_NCTRL]; /* v1: at most one per controller; v2: one */
	size_t nhier;
	char *rel;        /* parent relative to the mount; v2 delegated: CONTAINERS */
	char *base;       /* v2: where enabling starts: the mount, or O when delegated */
	bool delegated;   /* v2 with parent NULL */
	bool own_is_root; /* O is the mount's root: never move processes out of it */
};

/* Where a process's own cgroup is in each hierarchy of an env, in the
 * env's order: the directories to write its pid back into. */
struct cgroup_home {
	char *dir[CG_NCTRL];
	size_t n;
};

/* Read DIR/NAME (at most FILE_MAX bytes) into a NUL-terminated buffer. */
int cg_read(const char *dir, const char *name, char **out, struct md_err *err);

/* Controller bits named in a list (cgroup.controllers, super options). */
unsigned cg_ctrls_parse(const char *s);

/* A copy of a relative cgroup path with no empty, "." or ".." component,
 * or NULL. */
char *cg_rel_path_check(const char *p);

#endif
