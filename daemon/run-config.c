#include "run-config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "caps.h"
#include "run-mounts.h"

#define HOSTNAME_MAX 63
#define ENV_MAX 1024

int run_parse_user(const char *s, uid_t *uid, gid_t *gid)
{
	unsigned long long u, g = 0;
	const char *colon = strchr(s, ':');
	char ubuf[32];

	if (colon != NULL) {
		if ((size_t)(colon - s) >= sizeof(ubuf))
			return -1;
		memcpy(ubuf, s, (size_t)(colon - s));
		ubuf[colon - s] = '\0';
		if (parse_uint(colon + 1, UINT32_MAX - 1, &g) < 0)
			return -1;
		s = ubuf;
	}
	if (parse_uint(s, UINT32_MAX - 1, &u) < 0)
		return -1;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

bool run_hostname_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > HOSTNAME_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.'))
			return false;
	return true;
}

static bool env_has_key(char **env, size_t n, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], kv, klen) == 0 && env[i][klen] == '=')
			return true;
	return false;
}

/* The user's -e entries, then the image's Env for keys they did not set,
 * then defaults for keys neither set. */
static int build_env(const char **user, size_t n, char *const *image_env,
		     const struct ctr_config *c, char ***out, struct md_err *err)
{
	size_t nimage = strv_count(image_env);
	char **env = xcalloc(n + nimage + 5, sizeof(*env));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(user[i], '=');

		if (eq == NULL || eq == user[i]) {
			for (size_t j = 0; j < k; j++)
				free(env[j]);
			free(env);
			return md_err_set(err, 0, "invalid environment variable: %.64s", user[i]);
		}
		env[k++] = xstrdup(user[i]);
	}
	for (size_t i = 0; i < nimage; i++)
		if (strchr(image_env[i], '=') != NULL && !env_has_key(env, k, image_env[i]))
			env[k++] = xstrdup(image_env[i]);
	if (!env_has_key(env, k, "PATH="))
		env[k++] = xstrdup("PATH=" CTR_DEFAULT_PATH);
	if (!env_has_key(env, k, "HOSTNAME="))
		env[k++] = xasprintf("HOSTNAME=%s", c->hostname);
	if (!env_has_key(env, k, "HOME="))
		env[k++] = xstrdup(c->uid == 0 ? "HOME=/root" : "HOME=/");
	if (c->tty && !env_has_key(env, k, "TERM="))
		env[k++] = xstrdup("TERM=xterm");
	*out = env;
	return 0;
}

/* Docker's rule: the Entrypoint, then the user's command or else the
 * image's Cmd. */
static char **build_argv(const char **user, size_t n, const struct image_config *ic)
{
	char *const *entry = ic ? ic->entrypoint : NULL;
	char *const *cmd = ic && n == 0 ? ic->cmd : NULL;
	size_t nentry = strv_count(entry), ncmd = n > 0 ? n : strv_count(cmd), k = 0;
	char **argv = xcalloc(nentry + ncmd + 1, sizeof(*argv));

	for (size_t i = 0; i < nentry; i++)
		argv[k++] = xstrdup(entry[i]);
	for (size_t i = 0; i < ncmd; i++)
		argv[k++] = xstrdup(n > 0 ? user[i] : cmd[i]);
	return argv;
}

static int run_fields(struct json_object *req, const struct run_image *img, struct ctr_config *c,
		      struct run_opts *opts, struct md_err *err)
{
	const struct image_config *ic = img ? img->config : NULL;
	const char *image = CTR_DEFAULT_IMAGE, *name = NULL, *hostname = CTR_DEFAULT_HOSTNAME;
	const char *cwd = ic && ic->workdir ? ic->workdir : "/", *user = NULL;
	cleanup_free const char **argv = NULL;
	cleanup_free const char **env = NULL;
	size_t argc = 0, nenv = 0;
	int64_t stop_timeout = CTR_DEFAULT_STOP_TIMEOUT, rows = 0, cols = 0;

	if (proto_req_strv(req, "argv", img == NULL, &argv, &argc, err) < 0 ||
	    proto_req_strv(req, "env", false, &env, &nenv, err) < 0 ||
	    proto_req_str(req, "image", false, &image, err) < 0 ||
	    proto_req_str(req, "name", false, &name, err) < 0 ||
	    proto_req_str(req, "hostname", false, &hostname, err) < 0 ||
	    proto_req_str(req, "workdir", false, &cwd, err) < 0 ||
	    proto_req_str(req, "user", false, &user, err) < 0 ||
	    proto_req_bool(req, "tty", &c->tty, err) < 0 ||
	    proto_req_bool(req, "stdin", &c->open_stdin, err) < 0 ||
	    proto_req_bool(req, "detach", &opts->detach, err) < 0 ||
	    proto_req_bool(req, "rm", &c->auto_remove, err) < 0 ||
	    proto_req_bool(req, "init", &c->init, err) < 0 ||
	    proto_req_int(req, "stop_timeout", 0, 24 * 3600, &stop_timeout, err) < 0 ||
	    proto_req_int(req, "rows", 0, 65535, &rows, err) < 0 ||
	    proto_req_int(req, "cols", 0, 65535, &cols, err) < 0)
		return -1;
	c->argv = build_argv(argv, argc, ic);
	if (c->argv[0] == NULL)
		return md_err_set(err, 0, "no command given");
	if (c->argv[0][0] == '\0')
		return md_err_set(err, 0, "no command given");
	if (nenv > ENV_MAX)
		return md_err_set(err, 0, "too many environment variables");
	if (img == NULL && strcmp(image, CTR_DEFAULT_IMAGE) != 0)
		return md_err_set(err, 0, "no such image: %.128s", image);
	if (name != NULL && !name_valid(name))
		return md_err_set(err, 0, "invalid container name: %.128s "
				  "(must match [a-zA-Z0-9][a-zA-Z0-9_.-]*)", name);
	if (!run_hostname_valid(hostname))
		return md_err_set(err, 0, "invalid hostname: %.128s", hostname);
	if (cwd[0] != '/' || strlen(cwd) > 4096)
		return md_err_set(err, 0, "working directory must be an absolute path: %.128s", cwd);
	if (user != NULL && run_parse_user(user, &c->uid, &c->gid) < 0)
		return md_err_set(err, 0, "invalid user %.64s: expected UID[:GID] as numbers", user);
	if (user == NULL && img != NULL && img->has_user) {
		c->uid = img->uid;
		c->gid = img->gid;
	}
	c->image = xstrdup(image);
	if (img != NULL) {
		c->image_id = xstrdup(img->id);
		c->layers = strv_copy((const char *const *)img->layer_dirs,
				      strv_count(img->layer_dirs));
		c->vfs = img->vfs;
	}
	c->name = name ? xstrdup(name) : NULL;
	c->hostname = xstrdup(hostname);
	c->cwd = xstrdup(cwd);
	c->stop_timeout = (int)stop_timeout;
	c->rows = (unsigned short)rows;
	c->cols = (unsigned short)cols;
	return build_env(env, nenv, ic ? ic->env : NULL, c, &c->env, err);
}

/* Docker refuses less: a container cannot even start in that. */
#define MEMORY_MIN (6ULL * 1024 * 1024)
#define NANO_CPUS_MIN 10000000LL
#define PIDS_LIMIT_MAX 4194304 /* the kernel's pid_max ceiling */

/* Limits, capabilities, network and user namespace, with the rule that a
 * caller who is not root may narrow a container's power but never widen it. */
static int power_fields(struct json_object *req, uid_t uid, struct ctr_config *c,
			struct md_err *err)
{
	cleanup_free const char **add = NULL;
	cleanup_free const char **drop = NULL;
	const char *network = "none", *userns = NULL, *bad = NULL;
	int64_t memory = 0;
	size_t nadd = 0, ndrop = 0;

	if (proto_req_int(req, "memory", 0, INT64_MAX, &memory, err) < 0 ||
	    proto_req_int(req, "nano_cpus", 0, INT64_MAX / 2, &c->nano_cpus, err) < 0 ||
	    proto_req_int(req, "pids_limit", 0, PIDS_LIMIT_MAX, &c->pids_limit, err) < 0 ||
	    proto_req_strv(req, "cap_add", false, &add, &nadd, err) < 0 ||
	    proto_req_strv(req, "cap_drop", false, &drop, &ndrop, err) < 0 ||
	    proto_req_str(req, "network", false, &network, err) < 0 ||
	    proto_req_str(req, "userns", false, &userns, err) < 0)
		return -1;
	if (memory > 0 && (uint64_t)memory < MEMORY_MIN)
		return md_err_set(err, 0, "minimum memory limit allowed is 6MB");
	/* The kernel takes a CFS quota of 1 ms and up: 0.01 of a 100 ms period. */
	if (c->nano_cpus > 0 && c->nano_cpus < NANO_CPUS_MIN)
		return md_err_set(err, 0, "--cpus must be at least 0.01");
	if (c->nano_cpus > (int64_t)sysconf(_SC_NPROCESSORS_ONLN) * 1000000000LL)
		return md_err_set(err, 0, "--cpus must be at most %ld, the CPUs available",
				  sysconf(_SC_NPROCESSORS_ONLN));
	c->memory = (uint64_t)memory;
	if (nadd > 0 && uid != 0)
		return md_err_set(err, 0, "--cap-add is for root only: a container cannot have more "
				  "power than its caller");
	if (caps_apply(caps_default_mask(), add, drop, &c->cap_mask, &bad) < 0)
		return md_err_set(err, 0, "unknown capability: %.64s", bad);
	if (strcmp(network, "host") == 0) {
		if (uid != 0)
			return md_err_set(err, 0, "--network host is for root only");
		c->host_network = true;
	} else if (strcmp(network, "bridge") == 0) {
		return md_err_set(err, 0, "bridge networking is not available yet: use --network none");
	} else if (strcmp(network, "none") != 0) {
		return md_err_set(err, 0, "invalid network: %.64s (none or host)", network);
	}
	if (userns != NULL && strcmp(userns, "private") != 0 && strcmp(userns, "host") != 0)
		return md_err_set(err, 0, "invalid --userns: %.64s (private or host)", userns);
	if (userns != NULL && strcmp(userns, "host") == 0 && uid != 0)
		return md_err_set(err, 0, "--userns host is for root only");
	c->userns_private = userns != NULL && strcmp(userns, "private") == 0 && uid == 0;
	if (c->host_network && (uid != 0 || c->userns_private))
		return md_err_set(err, 0, "--network host needs the host's user namespace");
	c->cap_add = strv_copy(add, nadd);
	c->cap_drop = strv_copy(drop, ndrop);
	return 0;
}

int run_config_from_request(struct json_object *req, uid_t uid, gid_t gid,
			    const struct run_image *img, struct ctr_config *c,
			    struct run_opts *opts, struct md_err *err)
{
	memset(c, 0, sizeof(*c));
	memset(opts, 0, sizeof(*opts));
	c->owner_uid = uid;
	c->owner_gid = gid;
	if (run_fields(req, img, c, opts, err) < 0 || power_fields(req, uid, c, err) < 0 ||
	    run_mounts_from_request(req, c, err) < 0) {
		ctr_config_free(c);
		return -1;
	}
	return 0;
}
