#include "run-mounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "../proto/msg.h"

#define COMPONENT_MAX_LEN 255

/* Filesystems the setup mounts itself, after the user's mounts: a volume
 * there would be covered, or would cover what the container must see. */
static const char *const reserved_dirs[] = { "/proc", "/sys", "/dev" };

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

char *run_mount_target(const char *path, struct md_err *err)
{
	size_t len = strlen(path), k = 0;
	char *out;

	if (path[0] != '/') {
		md_err_set(err, 0, "mount target must be an absolute path: %.128s", path);
		return NULL;
	}
	if (len > RUN_MOUNT_PATH_MAX) {
		md_err_set(err, 0, "mount target too long: %.64s...", path);
		return NULL;
	}
	out = xmalloc(len + 1);
	for (const char *p = path; *p != '\0';) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			free(out);
			md_err_set(err, 0, "mount target must not contain \"..\": %.128s", path);
			return NULL;
		}
		if (n > COMPONENT_MAX_LEN) {
			free(out);
			md_err_set(err, 0, "mount target has a name too long: %.64s...", path);
			return NULL;
		}
		out[k++] = '/';
		memcpy(out + k, p, n);
		k += n;
		p += n;
	}
	out[k] = '\0';
	if (k == 0) {
		free(out);
		md_err_set(err, 0, "mount target must not be \"/\": %.128s", path);
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(reserved_dirs); i++) {
		if (under(out, reserved_dirs[i])) {
			md_err_set(err, 0, "cannot mount on %.128s: %s is the container's own", path,
				   reserved_dirs[i]);
			free(out);
			return NULL;
		}
	}
	return out;
}

/* "64m" -> bytes, with k, m, g powers of 1024; -1 if malformed. */
static int parse_tmpfs_size(const char *s, size_t len, unsigned long long *out)
{
	char num[24];
	unsigned shift = 0;

	if (len > 0 && strchr("kKmMgG", s[len - 1]) != NULL) {
		shift = strchr("kK", s[len - 1]) ? 10 : strchr("mM", s[len - 1]) ? 20 : 30;
		len--;
	}
	if (len == 0 || len >= sizeof(num) || strspn(s, "0123456789") != len)
		return -1;
	memcpy(num, s, len);
	num[len] = '\0';
	if (parse_uint(num, (1ULL << 50) >> shift, out) < 0 || *out == 0)
		return -1;
	*out <<= shift;
	return 0;
}

static int parse_tmpfs_mode(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	if (v > 01777)
		return -1;
	*out = v;
	return 0;
}

static bool opt_is(const char *p, size_t n, const char *name)
{
	return strlen(name) == n && strncmp(p, name, n) == 0;
}

/* The mount data from checked values: "size=N,mode=M", each part optional. */
static char *tmpfs_data(bool has_size, unsigned long long size, bool has_mode, unsigned mode)
{
	char buf[64];
	int k = 0;

	buf[0] = '\0';
	if (has_size)
		k = snprintf(buf, sizeof(buf), "size=%llu", size);
	if (has_mode)
		snprintf(buf + k, sizeof(buf) - (size_t)k, "%smode=%o", k ? "," : "", mode);
	return xstrdup(buf);
}

int run_tmpfs_options(const char *opts, char **data, bool *exec, bool *readonly,
		      struct md_err *err)
{
	unsigned long long size = 0;
	unsigned mode = 0;
	bool has_size = false, has_mode = false;

	*data = NULL;
	*exec = false;
	*readonly = false;
	for (const char *p = opts; *p != '\0';) {
		size_t n = strcspn(p, ",");

		if (n > 5 && strncmp(p, "size=", 5) == 0) {
			if (parse_tmpfs_size(p + 5, n - 5, &size) < 0)
				return md_err_set(err, 0, "invalid tmpfs size: %.*s (bytes, or with k, m, g)",
						  (int)(n > 64 ? 64 : n), p);
			has_size = true;
		} else if (n > 5 && strncmp(p, "mode=", 5) == 0) {
			if (parse_tmpfs_mode(p + 5, n - 5, &mode) < 0)
				return md_err_set(err, 0, "invalid tmpfs mode: %.*s (octal, at most 1777)",
						  (int)(n > 64 ? 64 : n), p);
			has_mode = true;
		} else if (opt_is(p, n, "exec") || opt_is(p, n, "noexec")) {
			*exec = n == 4;
		} else if (opt_is(p, n, "ro") || opt_is(p, n, "rw")) {
			*readonly = p[1] == 'o';
		} else if (!opt_is(p, n, "nosuid") && !opt_is(p, n, "nodev")) {
			/* suid, dev, uid=, nr_inodes=, ...: nothing else reaches the kernel. */
			return md_err_set(err, 0, "invalid tmpfs option: %.*s (size, mode, exec, noexec, "
					  "ro, rw, nosuid, nodev)", (int)(n > 64 ? 64 : n), p);
		}
		p += n;
		if (*p == ',' && *++p == '\0')
			return md_err_set(err, 0, "invalid tmpfs options: %.128s", opts);
	}
	*data = tmpfs_data(has_size, size, has_mode, mode);
	return 0;
}

/* The i-th member of array key: an object, or an error. */
static struct json_object *array_object(struct json_object *arr, size_t i, const char *key,
					struct md_err *err)
{
	struct json_object *o = json_object_array_get_idx(arr, i);

	if (!json_object_is_type(o, json_type_object))
		md_err_set(err, 0, "invalid request: %s[%zu] must be an object", key, i);
	return json_object_is_type(o, json_type_object) ? o : NULL;
}

/* An array field, absent as empty; -1 if of another type or too long. */
static int get_array(struct json_object *req, const char *key, const char *what, size_t max,
		     struct json_object **arr, size_t *n, struct md_err *err)
{
	*arr = NULL;
	*n = 0;
	if (!json_object_object_get_ex(req, key, arr) || json_object_is_type(*arr, json_type_null))
		return 0;
	if (!json_object_is_type(*arr, json_type_array))
		return md_err_set(err, 0, "invalid request: %s must be an array", key);
	*n = json_object_array_length(*arr);
	if (*n > max)
		return md_err_set(err, 0, "too many %s (at most %zu)", what, max);
	return 0;
}

static bool target_taken(const struct ctr_config *c, const char *target)
{
	for (size_t i = 0; i < c->nvolumes; i++)
		if (c->volumes[i].target != NULL && strcmp(c->volumes[i].target, target) == 0)
			return true;
	for (size_t i = 0; i < c->ntmpfs; i++)
		if (strcmp(c->tmpfs[i].target, target) == 0)
			return true;
	return false;
}

/* A checked target not used by another mount, or NULL with err set. */
static char *take_target(struct json_object *o, const struct ctr_config *c, struct md_err *err)
{
	const char *s = NULL;
	char *t;

	if (proto_req_str(o, "target", true, &s, err) < 0 || (t = run_mount_target(s, err)) == NULL)
		return NULL;
	if (target_taken(c, t)) {
		md_err_set(err, 0, "duplicate mount point: %.128s", t);
		free(t);
		return NULL;
	}
	return t;
}

/* One volume into c->volumes[its fd index] (all slots exist, zeroed). */
static int take_volume(struct json_object *o, struct ctr_config *c, size_t n, struct md_err *err)
{
	const char *source = NULL;
	int64_t fd = -1;
	bool ro = false;
	struct ctr_volume *v;
	char *target;

	if (proto_req_str(o, "source", true, &source, err) < 0 ||
	    proto_req_bool(o, "readonly", &ro, err) < 0 ||
	    proto_req_int(o, "fd", 0, (int64_t)n - 1, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return md_err_set(err, 0, "invalid request: a volume has no fd");
	if (source[0] != '/' || strlen(source) > RUN_MOUNT_PATH_MAX)
		return md_err_set(err, 0, "volume source must be an absolute path: %.128s", source);
	v = &c->volumes[fd];
	if (v->target != NULL)
		return md_err_set(err, 0, "invalid request: volume fd %lld used twice", (long long)fd);
	if ((target = take_target(o, c, err)) == NULL)
		return -1;
	v->target = target;
	v->source = xstrdup(source);
	v->readonly = ro;
	return 0;
}

static int take_tmpfs(struct json_object *o, struct ctr_config *c, struct md_err *err)
{
	struct ctr_tmpfs *t = &c->tmpfs[c->ntmpfs];
	const char *opts = "";

	if (proto_req_str(o, "options", false, &opts, err) < 0)
		return -1;
	if ((t->target = take_target(o, c, err)) == NULL)
		return -1;
	c->ntmpfs++; /* freed with the config from here on */
	if (run_tmpfs_options(opts, &t->options, &t->exec, &t->readonly, err) < 0)
		return md_err_prefix(err, "--tmpfs %.128s", t->target);
	return 0;
}

int run_mounts_from_request(struct json_object *req, struct ctr_config *c, struct md_err *err)
{
	struct json_object *vols, *tmpfs;
	size_t nvols, ntmpfs;

	if (proto_req_bool(req, "read_only", &c->read_only, err) < 0 ||
	    get_array(req, "volumes", "volumes", RUN_VOLUMES_MAX, &vols, &nvols, err) < 0 ||
	    get_array(req, "tmpfs", "tmpfs mounts", RUN_TMPFS_MAX, &tmpfs, &ntmpfs, err) < 0)
		return -1;
	/* All slots first, so each volume lands at its fd's index; the
	 * config owns (and frees) whatever is filled in. */
	c->volumes = xcalloc(nvols + 1, sizeof(*c->volumes));
	c->nvolumes = nvols;
	c->tmpfs = xcalloc(ntmpfs + 1, sizeof(*c->tmpfs));
	for (size_t i = 0; i < nvols; i++) {
		struct json_object *o = array_object(vols, i, "volumes", err);

		if (o == NULL || take_volume(o, c, nvols, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ntmpfs; i++) {
		struct json_object *o = array_object(tmpfs, i, "tmpfs", err);

		if (o == NULL || take_tmpfs(o, c, err) < 0)
			return -1;
	}
	return 0;
}
