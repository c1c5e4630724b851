/*
 * Finding how the host mounts its cgroups (cgroup.h has the rules): the
 * mount table and this process's own cgroup, both untrusted text parsed
 * defensively, and the layout decided from them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/util.h"
#include "cgroup-internal.h"

/* ---- /proc/self/mountinfo ---- */

/* Undo the kernel's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

struct mnt_line {
	char *root;         /* the mounted directory, within its filesystem */
	char *mnt;          /* where it is mounted */
	const char *fstype;
	const char *super;  /* super block options: v1 controller names */
};

/* Split one mountinfo line in place:
 *   ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER
 * Returns -1 on anything else. */
static int mountinfo_split(char *line, struct mnt_line *m)
{
	char *f[MOUNTINFO_FIELDS];
	int n = 0, sep = -1;
	char *save = NULL;

	for (char *t = strtok_r(line, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save)) {
		if (n == MOUNTINFO_FIELDS)
			return -1;
		f[n++] = t;
	}
	for (int i = 6; i < n; i++) {
		if (strcmp(f[i], "-") == 0) {
			sep = i;
			break;
		}
	}
	if (sep < 0 || n < sep + 4)
		return -1;
	m->root = f[3];
	m->mnt = f[4];
	m->fstype = f[sep + 1];
	m->super = f[sep + 3];
	unescape_octal(m->root);
	unescape_octal(m->mnt);
	if (m->root[0] != '/' || m->mnt[0] != '/')
		return -1;
	return 0;
}

/* What mountinfo says: the v1 hierarchies holding our controllers (first
 * mount wins for each controller) and the first cgroup2 mount. */
struct mounts {
	char *v1[CG_NCTRL];
	char *v1_root[CG_NCTRL];
	unsigned v1_ctrls[CG_NCTRL];
	size_t nv1;
	unsigned v1_all;
	char *v2;
	char *v2_root;
};

static void mounts_free(struct mounts *m)
{
	for (size_t i = 0; i < m->nv1; i++) {
		free(m->v1[i]);
		free(m->v1_root[i]);
	}
	free(m->v2);
	free(m->v2_root);
}

static int mountinfo_read(const char *file, const char *prefix, struct mounts *m,
			  struct md_err *err)
{
	cleanup_free char *text = NULL;
	char *save = NULL;
	int lineno = 0;

	if (file_read_all(file, FILE_MAX, &text, NULL, err) < 0)
		return -1;
	for (char *line = text; line != NULL; line = save) {
		struct mnt_line ml;
		unsigned bits;

		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		lineno++;
		if (*line == '\0')
			continue;
		if (mountinfo_split(line, &ml) < 0)
			return md_err_set(err, EINVAL, "parse %s line %d", file, lineno);
		if (strcmp(ml.fstype, "cgroup") == 0) {
			bits = cg_ctrls_parse(ml.super) & ~m->v1_all;
			if (bits == 0)
				continue;
			m->v1[m->nv1] = xasprintf("%s%s", prefix, ml.mnt);
			m->v1_root[m->nv1] = xstrdup(ml.root);
			m->v1_ctrls[m->nv1++] = bits;
			m->v1_all |= bits;
		} else if (strcmp(ml.fstype, "cgroup2") == 0 && m->v2 == NULL) {
			m->v2 = xasprintf("%s%s", prefix, ml.mnt);
			m->v2_root = xstrdup(ml.root);
		}
	}
	return 0;
}

/* ---- /proc/self/cgroup ---- */

/* The v2 path of "0::/path" in a /proc/PID/cgroup file. Every line must be
 * "N:CONTROLLERS:/PATH"; anything else is an error, not a guess. */
static int self_cgroup_v2(const char *file, char **out, struct md_err *err)
{
	cleanup_free char *text = NULL;
	char *save = NULL;
	int lineno = 0;

	if (file == NULL)
		return md_err_set(err, EINVAL, "own cgroup: no cgroup file given");
	if (file_read_all(file, FILE_MAX, &text, NULL, err) < 0)
		return -1;
	for (char *line = text; line != NULL; line = save) {
		unsigned long long num;
		char *c1, *c2;

		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		lineno++;
		if (*line == '\0')
			continue;
		c1 = strchr(line, ':');
		c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL || c2[1] != '/')
			return md_err_set(err, EINVAL, "parse %s line %d", file, lineno);
		*c1 = '\0';
		if (parse_uint(line, 1u << 20, &num) < 0)
			return md_err_set(err, EINVAL, "parse %s line %d", file, lineno);
		if (num == 0 && c2 == c1 + 1) {
			*out = xstrdup(c2 + 1);
			return 0;
		}
	}
	return md_err_set(err, ENOENT, "no cgroup v2 entry (0::) in %s", file);
}

/* Delegated mode: O from this process's cgroup path, relative to the mount
 * (whose root field is mroot), with a trailing "supervisor" dropped.
 * Sets env->base and env->own_is_root. */
static int v2_own_locate(struct cgroup_env *env, const char *mnt, const char *mroot,
			 const char *self_cgroup, struct md_err *err)
{
	cleanup_free char *own = NULL;
	const char *rel, *last;
	size_t rl = strlen(mroot), n;

	if (self_cgroup_v2(self_cgroup, &own, err) < 0)
		return -1;
	/* Outside our cgroup namespace the kernel shows "/../x": not ours. */
	for (const char *d = strstr(own, "/.."); d != NULL; d = strstr(d + 1, "/.."))
		if (d[3] == '/' || d[3] == '\0')
			return md_err_set(err, EACCES, "own cgroup %s is outside the cgroup namespace",
					  own);
	if (strcmp(mroot, "/") == 0)
		rel = own;
	else if (strncmp(own, mroot, rl) == 0 && (own[rl] == '/' || own[rl] == '\0'))
		rel = own + rl;
	else
		return md_err_set(err, ENOENT, "own cgroup %s is outside the cgroup2 mount of %s",
				  own, mroot);
	while (*rel == '/')
		rel++;
	n = strlen(rel);
	while (n > 0 && rel[n - 1] == '/')
		n--;
	last = memrchr(rel, '/', n);
	last = last != NULL ? last + 1 : rel;
	if ((size_t)(rel + n - last) == strlen(SUPERVISOR) &&
	    strncmp(last, SUPERVISOR, strlen(SUPERVISOR)) == 0) {
		n = (size_t)(last - rel);
		while (n > 0 && rel[n - 1] == '/')
			n--;
	}
	env->own_is_root = n == 0;
	env->base = n == 0 ? xstrdup(mnt) : xasprintf("%s/%.*s", mnt, (int)n, rel);
	return 0;
}

/* The directory under mnt (whose root field is mroot) of the cgroup path
 * own, or NULL when own lies outside that mount or our cgroup namespace. */
static char *dir_of_path(const char *mnt, const char *mroot, const char *own)
{
	size_t rl = strlen(mroot);
	const char *rel;

	for (const char *d = strstr(own, "/.."); d != NULL; d = strstr(d + 1, "/.."))
		if (d[3] == '/' || d[3] == '\0')
			return NULL;
	if (strcmp(mroot, "/") == 0)
		rel = own;
	else if (strncmp(own, mroot, rl) == 0 && (own[rl] == '/' || own[rl] == '\0'))
		rel = own + rl;
	else
		return NULL;
	while (*rel == '/')
		rel++;
	return *rel == '\0' ? xstrdup(mnt) : xasprintf("%s/%s", mnt, rel);
}

int cgroup_home_find(const struct cgroup_env *env, const char *self_cgroup,
		     struct cgroup_home **out, struct md_err *err)
{
	cleanup_free char *text = NULL;
	struct cgroup_home *home;

	*out = NULL;
	if (env->version != 1)
		return md_err_set(err, EOPNOTSUPP, "own cgroup: only looked up on cgroup v1");
	if (file_read_all(self_cgroup, FILE_MAX, &text, NULL, err) < 0)
		return -1;
	home = xcalloc(1, sizeof(*home));
	for (char *line = text, *next; line != NULL; line = next) {
		char *c1, *c2;
		unsigned bits;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		c1 = strchr(line, ':');
		c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL || c2[1] != '/')
			continue;
		*c2 = '\0';
		bits = cg_ctrls_parse(c1 + 1);
		for (size_t i = 0; i < env->nhier; i++) {
			if ((bits & env->hier[i].ctrls) == 0 || home->dir[i] != NULL)
				continue;
			home->dir[i] = dir_of_path(env->hier[i].mnt, env->hier[i].root, c2 + 1);
			if (home->dir[i] == NULL) {
				md_err_set(err, ENOENT, "own cgroup %s is outside the mount %s", c2 + 1,
					   env->hier[i].mnt);
				cgroup_home_free(home);
				return -1;
			}
		}
	}
	home->n = env->nhier;
	for (size_t i = 0; i < env->nhier; i++) {
		if (home->dir[i] == NULL) {
			md_err_set(err, ENOENT, "no own cgroup for %s in %s", env->hier[i].mnt,
				   self_cgroup);
			cgroup_home_free(home);
			return -1;
		}
	}
	*out = home;
	return 0;
}

void cgroup_home_free(struct cgroup_home *home)
{
	if (home == NULL)
		return;
	for (size_t i = 0; i < CG_NCTRL; i++)
		free(home->dir[i]);
	free(home);
}

int cgroup_env_detect(const char *mountinfo, const char *self_cgroup, const char *prefix,
		      const char *parent, struct cgroup_env **out, struct md_err *err)
{
	struct mounts m = { 0 };
	struct cgroup_env *env = xcalloc(1, sizeof(*env));
	cleanup_free char *offered = NULL;

	*out = NULL;
	if (prefix == NULL)
		prefix = "";
	if (parent != NULL) {
		env->rel = cg_rel_path_check(parent);
		if (env->rel == NULL) {
			md_err_set(err, EINVAL, "invalid cgroup parent \"%s\"", parent);
			goto fail;
		}
	}
	if (mountinfo_read(mountinfo, prefix, &m, err) < 0)
		goto fail;

	if (m.v1_all != 0) {
		/* v1, or hybrid: the controllers live on v1 hierarchies, so a
		 * cgroup2 mount beside them holds none of them. */
		env->version = 1;
		if (env->rel == NULL)
			env->rel = xstrdup(DEFAULT_V1_PARENT);
		for (size_t i = 0; i < m.nv1; i++) {
			env->hier[i].mnt = steal_ptr(&m.v1[i]);
			env->hier[i].root = steal_ptr(&m.v1_root[i]);
			env->hier[i].parent = xasprintf("%s/%s", env->hier[i].mnt, env->rel);
			env->hier[i].ctrls = m.v1_ctrls[i];
		}
		env->nhier = m.nv1;
		m.nv1 = 0;
	} else if (m.v2 != NULL) {
		env->version = 2;
		if (env->rel != NULL) {
			env->base = xstrdup(m.v2);
		} else {
			env->delegated = true;
			env->rel = xstrdup(CONTAINERS);
			if (v2_own_locate(env, m.v2, m.v2_root, self_cgroup, err) < 0)
				goto fail;
		}
		if (cg_read(env->base, "cgroup.controllers", &offered, err) < 0)
			goto fail;
		env->hier[0].mnt = steal_ptr(&m.v2);
		env->hier[0].parent = xasprintf("%s/%s", env->base, env->rel);
		env->hier[0].ctrls = cg_ctrls_parse(offered);
		env->nhier = 1;
	} else {
		md_err_set(err, ENOENT, "no cgroup mount with memory, cpu or pids in %s", mountinfo);
		goto fail;
	}
	mounts_free(&m);
	*out = env;
	return 0;
fail:
	mounts_free(&m);
	cgroup_env_free(env);
	return -1;
}

void cgroup_env_free(struct cgroup_env *env)
{
	if (env == NULL)
		return;
	for (size_t i = 0; i < env->nhier; i++) {
		free(env->hier[i].mnt);
		free(env->hier[i].root);
		free(env->hier[i].parent);
	}
	free(env->rel);
	free(env->base);
	free(env);
}

int cgroup_env_version(const struct cgroup_env *env)
{
	return env->version;
}

