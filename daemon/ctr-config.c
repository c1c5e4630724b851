#include "ctr-config.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "caps.h"

#define CTR_FILE_MAX (1024 * 1024)

static const char *const status_names[] = {
	[CTR_CREATED] = "created",
	[CTR_RUNNING] = "running",
	[CTR_EXITED] = "exited",
	[CTR_BROKEN] = "broken",
};

const char *ctr_status_name(enum ctr_status s)
{
	return status_names[s];
}

void ctr_config_free(struct ctr_config *c)
{
	free(c->name);
	free(c->image);
	free(c->image_id);
	strv_free(c->layers);
	free(c->host_skel);
	for (size_t i = 0; i < c->nvolumes; i++) {
		free(c->volumes[i].source);
		free(c->volumes[i].target);
	}
	free(c->volumes);
	for (size_t i = 0; i < c->ntmpfs; i++) {
		free(c->tmpfs[i].target);
		free(c->tmpfs[i].options);
	}
	free(c->tmpfs);
	strv_free(c->argv);
	strv_free(c->env);
	free(c->cwd);
	free(c->hostname);
	strv_free(c->cap_add);
	strv_free(c->cap_drop);
	memset(c, 0, sizeof(*c));
}

void ctr_state_clear(struct ctr_state *s)
{
	free(s->error);
	free(s->skeleton);
	memset(s, 0, sizeof(*s));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_int(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static void add_bool(struct json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static char *json_take_text(struct json_object *o)
{
	char *s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));

	json_object_put(o);
	return s;
}

static struct json_object *mounts_to_json(const struct ctr_config *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *vols = json_object_new_array(), *tmpfs = json_object_new_array();

	for (size_t i = 0; i < c->nvolumes; i++) {
		struct json_object *v = json_object_new_object();

		add_str(v, "source", c->volumes[i].source);
		add_str(v, "target", c->volumes[i].target);
		add_bool(v, "readonly", c->volumes[i].readonly);
		json_object_array_add(vols, v);
	}
	for (size_t i = 0; i < c->ntmpfs; i++) {
		struct json_object *t = json_object_new_object();

		add_str(t, "target", c->tmpfs[i].target);
		add_str(t, "options", c->tmpfs[i].options);
		add_bool(t, "exec", c->tmpfs[i].exec);
		add_bool(t, "readonly", c->tmpfs[i].readonly);
		json_object_array_add(tmpfs, t);
	}
	json_object_object_add(o, "volumes", vols);
	json_object_object_add(o, "tmpfs", tmpfs);
	add_bool(o, "read_only", c->read_only);
	return o;
}

char *ctr_config_to_json(const struct ctr_config *c)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "id", c->id);
	add_str(o, "name", c->name);
	add_str(o, "image", c->image);
	if (c->image_id != NULL) {
		add_str(o, "image_id", c->image_id);
		json_object_object_add(o, "layers",
				       proto_strv_to_json((const char *const *)c->layers));
		add_bool(o, "vfs", c->vfs);
	} else if (c->host_skel != NULL) {
		add_str(o, "host_skel", c->host_skel);
	}
	json_object_object_add(o, "mounts", mounts_to_json(c));
	add_int(o, "created_ns", c->created_ns);
	add_int(o, "owner_uid", c->owner_uid);
	add_int(o, "owner_gid", c->owner_gid);
	json_object_object_add(o, "argv", proto_strv_to_json((const char *const *)c->argv));
	json_object_object_add(o, "env", proto_strv_to_json((const char *const *)c->env));
	add_str(o, "cwd", c->cwd);
	add_str(o, "hostname", c->hostname);
	add_int(o, "uid", c->uid);
	add_int(o, "gid", c->gid);
	add_bool(o, "tty", c->tty);
	add_bool(o, "open_stdin", c->open_stdin);
	add_bool(o, "auto_remove", c->auto_remove);
	add_bool(o, "init", c->init);
	add_bool(o, "userns", c->userns);
	add_bool(o, "userns_private", c->userns_private);
	add_int(o, "memory", (int64_t)c->memory);
	add_int(o, "nano_cpus", c->nano_cpus);
	add_int(o, "pids_limit", c->pids_limit);
	add_int(o, "cap_mask", (int64_t)c->cap_mask);
	json_object_object_add(o, "cap_add", proto_strv_to_json((const char *const *)c->cap_add));
	json_object_object_add(o, "cap_drop", proto_strv_to_json((const char *const *)c->cap_drop));
	add_bool(o, "host_network", c->host_network);
	add_int(o, "map_uid", c->map_uid);
	add_int(o, "map_gid", c->map_gid);
	add_int(o, "sub_uid_start", c->sub_uid_start);
	add_int(o, "sub_uid_count", c->sub_uid_count);
	add_int(o, "sub_gid_start", c->sub_gid_start);
	add_int(o, "sub_gid_count", c->sub_gid_count);
	add_int(o, "stop_timeout", c->stop_timeout);
	add_int(o, "rows", c->rows);
	add_int(o, "cols", c->cols);
	return json_take_text(o);
}

char *ctr_state_to_json(const struct ctr_state *s)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "status", ctr_status_name(s->status));
	add_int(o, "pid", s->pid);
	add_int(o, "monitor_pid", s->monitor_pid);
	add_int(o, "started_ns", s->started_ns);
	add_int(o, "finished_ns", s->finished_ns);
	add_int(o, "exit_code", s->exit_code);
	add_bool(o, "oom_killed", s->oom_killed);
	if (s->error != NULL)
		add_str(o, "error", s->error);
	if (s->skeleton != NULL)
		add_str(o, "skeleton", s->skeleton);
	return json_take_text(o);
}

static struct json_object *parse_object(const char *text, struct md_err *err)
{
	struct json_object *o = json_tokener_parse(text);

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		md_err_set(err, 0, "not a JSON object");
		return NULL;
	}
	return o;
}

/* Copy a required string field; -1 with err naming it otherwise. */
static int take_str(struct json_object *o, const char *key, char **out, struct md_err *err)
{
	const char *s = NULL;

	if (proto_req_str(o, key, true, &s, err) < 0)
		return -1;
	*out = xstrdup(s);
	return 0;
}

static int take_strv(struct json_object *o, const char *key, char ***out, struct md_err *err)
{
	const char **v = NULL;
	size_t n = 0;

	if (proto_req_strv(o, key, true, &v, &n, err) < 0)
		return -1;
	*out = strv_copy(v, n);
	free(v);
	return 0;
}

static int take_int(struct json_object *o, const char *key, int64_t min, int64_t max,
		    int64_t *out, struct md_err *err)
{
	struct json_object *v;

	/* null counts as missing: proto_req_int would leave *out unset. */
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return md_err_set(err, 0, "%s is missing", key);
	return proto_req_int(o, key, min, max, out, err);
}

/* Limits and capabilities: optional, so older configs still load (with
 * the default capability set). */
static int config_limit_fields(struct json_object *o, struct ctr_config *c, struct md_err *err)
{
	int64_t memory = 0, mask = -1;
	const char **add = NULL, **drop = NULL;
	size_t nadd = 0, ndrop = 0;

	if (proto_req_int(o, "memory", 0, INT64_MAX, &memory, err) < 0 ||
	    proto_req_int(o, "nano_cpus", 0, INT64_MAX, &c->nano_cpus, err) < 0 ||
	    proto_req_int(o, "pids_limit", 0, INT64_MAX, &c->pids_limit, err) < 0 ||
	    proto_req_int(o, "cap_mask", -1, INT64_MAX, &mask, err) < 0 ||
	    proto_req_strv(o, "cap_add", false, &add, &nadd, err) < 0)
		return -1;
	if (proto_req_strv(o, "cap_drop", false, &drop, &ndrop, err) < 0) {
		free(add);
		return -1;
	}
	c->memory = (uint64_t)memory;
	c->cap_mask = mask < 0 ? caps_default_mask() : (uint64_t)mask;
	c->cap_add = strv_copy(add, nadd);
	c->cap_drop = strv_copy(drop, ndrop);
	free(add);
	free(drop);
	return 0;
}

/* The image and the mounts: optional, absent in configs of the `host`
 * image written before images existed (and host_skel before skeletons). */
static int config_image_fields(struct json_object *o, struct ctr_config *c, struct md_err *err)
{
	const char *image_id = NULL, *skel = NULL;

	if (proto_req_str(o, "image_id", false, &image_id, err) < 0 ||
	    proto_req_str(o, "host_skel", false, &skel, err) < 0)
		return -1;
	if (image_id == NULL && skel != NULL) {
		if (skel[0] != '/')
			return md_err_set(err, 0, "host_skel: not an absolute path");
		c->host_skel = xstrdup(skel);
	}
	if (image_id == NULL)
		return 0;
	c->image_id = xstrdup(image_id);
	if (take_strv(o, "layers", &c->layers, err) < 0 || proto_req_bool(o, "vfs", &c->vfs, err) < 0)
		return -1;
	if (c->layers[0] == NULL)
		return md_err_set(err, 0, "layers is empty");
	for (char **l = c->layers; *l != NULL; l++)
		if ((*l)[0] != '/')
			return md_err_set(err, 0, "layers: not an absolute path");
	return 0;
}

static int take_target(struct json_object *o, char **out, struct md_err *err)
{
	if (take_str(o, "target", out, err) < 0)
		return -1;
	if ((*out)[0] != '/')
		return md_err_set(err, 0, "mount target is not an absolute path");
	return 0;
}

static int config_volume(struct json_object *v, struct ctr_volume *vol, struct md_err *err)
{
	if (!json_object_is_type(v, json_type_object))
		return md_err_set(err, 0, "volume is not an object");
	if (take_str(v, "source", &vol->source, err) < 0 || take_target(v, &vol->target, err) < 0)
		return -1;
	return proto_req_bool(v, "readonly", &vol->readonly, err);
}

static int config_tmpfs(struct json_object *t, struct ctr_tmpfs *tm, struct md_err *err)
{
	if (!json_object_is_type(t, json_type_object))
		return md_err_set(err, 0, "tmpfs is not an object");
	if (take_target(t, &tm->target, err) < 0 || take_str(t, "options", &tm->options, err) < 0)
		return -1;
	if (proto_req_bool(t, "exec", &tm->exec, err) < 0)
		return -1;
	return proto_req_bool(t, "readonly", &tm->readonly, err);
}

static int config_mount_fields(struct json_object *o, struct ctr_config *c, struct md_err *err)
{
	struct json_object *m, *vols, *tmpfs;

	if (!json_object_object_get_ex(o, "mounts", &m))
		return 0;
	if (!json_object_is_type(m, json_type_object) ||
	    !json_object_object_get_ex(m, "volumes", &vols) ||
	    !json_object_is_type(vols, json_type_array) ||
	    !json_object_object_get_ex(m, "tmpfs", &tmpfs) ||
	    !json_object_is_type(tmpfs, json_type_array))
		return md_err_set(err, 0, "mounts: invalid");
	if (proto_req_bool(m, "read_only", &c->read_only, err) < 0)
		return -1;
	c->volumes = xcalloc(json_object_array_length(vols) + 1, sizeof(*c->volumes));
	for (size_t i = 0; i < json_object_array_length(vols); i++, c->nvolumes++)
		if (config_volume(json_object_array_get_idx(vols, i), &c->volumes[i], err) < 0) {
			c->nvolumes++; /* freed with the config */
			return md_err_prefix(err, "volumes");
		}
	c->tmpfs = xcalloc(json_object_array_length(tmpfs) + 1, sizeof(*c->tmpfs));
	for (size_t i = 0; i < json_object_array_length(tmpfs); i++, c->ntmpfs++)
		if (config_tmpfs(json_object_array_get_idx(tmpfs, i), &c->tmpfs[i], err) < 0) {
			c->ntmpfs++;
			return md_err_prefix(err, "tmpfs");
		}
	return 0;
}

/* The id maps: optional members, absent in configs without a user namespace. */
static int config_userns_fields(struct json_object *o, struct ctr_config *c, struct md_err *err)
{
	int64_t v[6] = { 0 };
	static const char *const keys[6] = { "map_uid", "map_gid", "sub_uid_start",
					     "sub_uid_count", "sub_gid_start", "sub_gid_count" };

	for (int i = 0; i < 6; i++)
		if (proto_req_int(o, keys[i], 0, UINT32_MAX - 1, &v[i], err) < 0)
			return -1;
	c->map_uid = (uid_t)v[0];
	c->map_gid = (gid_t)v[1];
	c->sub_uid_start = (uid_t)v[2];
	c->sub_uid_count = (unsigned)v[3];
	c->sub_gid_start = (gid_t)v[4];
	c->sub_gid_count = (unsigned)v[5];
	return 0;
}

static int config_fields(struct json_object *o, struct ctr_config *c, struct md_err *err)
{
	const char *id = NULL;
	int64_t n;

	if (proto_req_str(o, "id", true, &id, err) < 0)
		return -1;
	if (!id_valid(id))
		return md_err_set(err, 0, "invalid id");
	memcpy(c->id, id, ID_LEN + 1);
	if (take_str(o, "name", &c->name, err) < 0 || take_str(o, "image", &c->image, err) < 0 ||
	    take_strv(o, "argv", &c->argv, err) < 0 || take_strv(o, "env", &c->env, err) < 0 ||
	    take_str(o, "cwd", &c->cwd, err) < 0 || take_str(o, "hostname", &c->hostname, err) < 0)
		return -1;
	if (c->argv[0] == NULL)
		return md_err_set(err, 0, "argv is empty");
	if (take_int(o, "created_ns", 0, INT64_MAX, &c->created_ns, err) < 0)
		return -1;
	if (take_int(o, "owner_uid", 0, UINT32_MAX - 1, &n, err) < 0)
		return -1;
	c->owner_uid = (uid_t)n;
	if (take_int(o, "owner_gid", 0, UINT32_MAX - 1, &n, err) < 0)
		return -1;
	c->owner_gid = (gid_t)n;
	if (take_int(o, "uid", 0, UINT32_MAX - 1, &n, err) < 0)
		return -1;
	c->uid = (uid_t)n;
	if (take_int(o, "gid", 0, UINT32_MAX - 1, &n, err) < 0)
		return -1;
	c->gid = (gid_t)n;
	if (take_int(o, "stop_timeout", 0, INT_MAX, &n, err) < 0)
		return -1;
	c->stop_timeout = (int)n;
	if (take_int(o, "rows", 0, USHRT_MAX, &n, err) < 0)
		return -1;
	c->rows = (unsigned short)n;
	if (take_int(o, "cols", 0, USHRT_MAX, &n, err) < 0)
		return -1;
	c->cols = (unsigned short)n;
	if (proto_req_bool(o, "tty", &c->tty, err) < 0 ||
	    proto_req_bool(o, "open_stdin", &c->open_stdin, err) < 0 ||
	    proto_req_bool(o, "auto_remove", &c->auto_remove, err) < 0 ||
	    proto_req_bool(o, "init", &c->init, err) < 0 ||
	    proto_req_bool(o, "userns", &c->userns, err) < 0 ||
	    proto_req_bool(o, "userns_private", &c->userns_private, err) < 0 ||
	    proto_req_bool(o, "host_network", &c->host_network, err) < 0)
		return -1;
	if (config_userns_fields(o, c, err) < 0 || config_limit_fields(o, c, err) < 0 ||
	    config_image_fields(o, c, err) < 0 || config_mount_fields(o, c, err) < 0)
		return -1;
	return 0;
}

int ctr_config_from_json(const char *text, struct ctr_config *c, struct md_err *err)
{
	struct json_object *o = parse_object(text, err);
	int r;

	memset(c, 0, sizeof(*c));
	if (o == NULL)
		return md_err_prefix(err, "config");
	r = config_fields(o, c, err);
	json_object_put(o);
	if (r < 0) {
		ctr_config_free(c);
		return md_err_prefix(err, "config");
	}
	return 0;
}

static int state_fields(struct json_object *o, struct ctr_state *s, struct md_err *err)
{
	const char *status = NULL, *error = NULL, *skeleton = NULL;
	int64_t n;
	size_t i;

	if (proto_req_str(o, "status", true, &status, err) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(status_names); i++)
		if (strcmp(status, status_names[i]) == 0)
			break;
	if (i == ARRAY_SIZE(status_names))
		return md_err_set(err, 0, "unknown status");
	s->status = (enum ctr_status)i;
	if (take_int(o, "pid", 0, INT_MAX, &n, err) < 0)
		return -1;
	s->pid = (pid_t)n;
	if (take_int(o, "monitor_pid", 0, INT_MAX, &n, err) < 0)
		return -1;
	s->monitor_pid = (pid_t)n;
	if (take_int(o, "started_ns", 0, INT64_MAX, &s->started_ns, err) < 0 ||
	    take_int(o, "finished_ns", 0, INT64_MAX, &s->finished_ns, err) < 0)
		return -1;
	if (take_int(o, "exit_code", 0, 255, &n, err) < 0)
		return -1;
	s->exit_code = (int)n;
	if (proto_req_str(o, "error", false, &error, err) < 0 ||
	    proto_req_str(o, "skeleton", false, &skeleton, err) < 0 ||
	    proto_req_bool(o, "oom_killed", &s->oom_killed, err) < 0)
		return -1;
	/* A name in --root/host, never a path. */
	if (skeleton != NULL && (strchr(skeleton, '/') != NULL || skeleton[0] == '.' ||
				 skeleton[0] == '\0'))
		return md_err_set(err, 0, "skeleton: not a skeleton's name");
	if (error != NULL)
		s->error = xstrdup(error);
	if (skeleton != NULL)
		s->skeleton = xstrdup(skeleton);
	return 0;
}

int ctr_state_from_json(const char *text, struct ctr_state *s, struct md_err *err)
{
	struct json_object *o = parse_object(text, err);
	int r;

	memset(s, 0, sizeof(*s));
	if (o == NULL)
		return md_err_prefix(err, "state");
	r = state_fields(o, s, err);
	json_object_put(o);
	if (r < 0) {
		ctr_state_clear(s);
		return md_err_prefix(err, "state");
	}
	return 0;
}

static int load_file(const char *dir, const char *file, char **text, struct md_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);

	return file_read_all(path, CTR_FILE_MAX, text, NULL, err);
}

static int save_file(const char *dir, const char *file, const char *text, bool durable,
		     struct md_err *err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);

	if (durable)
		return file_write_atomic(path, text, strlen(text), 0600, err);
	return file_replace(path, text, strlen(text), 0600, err);
}

int ctr_config_load(const char *dir, struct ctr_config *c, struct md_err *err)
{
	cleanup_free char *text = NULL;

	if (load_file(dir, CTR_CONFIG_FILE, &text, err) < 0)
		return -1;
	return ctr_config_from_json(text, c, err);
}

int ctr_config_save(const char *dir, const struct ctr_config *c, struct md_err *err)
{
	cleanup_free char *text = ctr_config_to_json(c);

	/* Not fsynced: a crash of the host ends the container anyway, and a
	 * config it left empty shows the container as broken, removable. */
	return save_file(dir, CTR_CONFIG_FILE, text, false, err);
}

int ctr_state_load(const char *dir, struct ctr_state *s, struct md_err *err)
{
	cleanup_free char *text = NULL;

	if (load_file(dir, CTR_STATE_FILE, &text, err) < 0)
		return -1;
	return ctr_state_from_json(text, s, err);
}

int ctr_state_save(const char *dir, const struct ctr_state *s, struct md_err *err)
{
	cleanup_free char *text = ctr_state_to_json(s);

	/* An end (an exit, a failed start) is fsynced: no exit status is
	 * lost. The states before it die with the host's processes. */
	return save_file(dir, CTR_STATE_FILE, text, s->finished_ns != 0, err);
}

int ctr_state_save_unsynced(const char *dir, const struct ctr_state *s, struct md_err *err)
{
	cleanup_free char *text = ctr_state_to_json(s);

	return save_file(dir, CTR_STATE_FILE, text, false, err);
}

int ctr_exit_code_from_wait(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

void ctr_config_id_map(const struct ctr_config *c, bool uid, char *buf, size_t len)
{
	unsigned long base = uid ? c->map_uid : c->map_gid;
	unsigned long sub = uid ? c->sub_uid_start : c->sub_gid_start;
	unsigned count = uid ? c->sub_uid_count : c->sub_gid_count;

	if (count > 0)
		snprintf(buf, len, "0 %lu 1\n1 %lu %u\n", base, sub, count);
	else
		snprintf(buf, len, "0 %lu 1\n", base);
}

bool ctr_config_wants_seccomp(const struct ctr_config *c)
{
	return !(c->cap_mask & (1ULL << CAP_SYS_ADMIN));
}
