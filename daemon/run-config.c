#include "run-config.h"

#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "../proto/msg.h"

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

/* The user's -e entries, then defaults for keys they did not set. */
static int build_env(const char **user, size_t n, const struct ctr_config *c, char ***out,
		     struct md_err *err)
{
	char **env = xcalloc(n + 5, sizeof(*env));
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

static int run_fields(struct json_object *req, struct ctr_config *c, struct run_opts *opts,
		      struct md_err *err)
{
	const char *image = CTR_DEFAULT_IMAGE, *name = NULL, *hostname = CTR_DEFAULT_HOSTNAME;
	const char *cwd = "/", *user = "0";
	cleanup_free const char **argv = NULL;
	cleanup_free const char **env = NULL;
	size_t argc = 0, nenv = 0;
	int64_t stop_timeout = CTR_DEFAULT_STOP_TIMEOUT, rows = 0, cols = 0;

	if (proto_req_strv(req, "argv", true, &argv, &argc, err) < 0 ||
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
	if (argc == 0 || argv[0][0] == '\0')
		return md_err_set(err, 0, "no command given");
	if (nenv > ENV_MAX)
		return md_err_set(err, 0, "too many environment variables");
	if (strcmp(image, CTR_DEFAULT_IMAGE) != 0)
		return md_err_set(err, 0, "no such image: %.128s", image);
	if (name != NULL && !name_valid(name))
		return md_err_set(err, 0, "invalid container name: %.128s "
				  "(must match [a-zA-Z0-9][a-zA-Z0-9_.-]*)", name);
	if (!run_hostname_valid(hostname))
		return md_err_set(err, 0, "invalid hostname: %.128s", hostname);
	if (cwd[0] != '/' || strlen(cwd) > 4096)
		return md_err_set(err, 0, "working directory must be an absolute path: %.128s", cwd);
	if (run_parse_user(user, &c->uid, &c->gid) < 0)
		return md_err_set(err, 0, "invalid user %.64s: expected UID[:GID] as numbers", user);
	c->image = xstrdup(image);
	c->name = name ? xstrdup(name) : NULL;
	c->hostname = xstrdup(hostname);
	c->cwd = xstrdup(cwd);
	c->stop_timeout = (int)stop_timeout;
	c->rows = (unsigned short)rows;
	c->cols = (unsigned short)cols;
	c->argv = xcalloc(argc + 1, sizeof(*c->argv));
	for (size_t i = 0; i < argc; i++)
		c->argv[i] = xstrdup(argv[i]);
	return build_env(env, nenv, c, &c->env, err);
}

int run_config_from_request(struct json_object *req, uid_t uid, gid_t gid,
			    struct ctr_config *c, struct run_opts *opts, struct md_err *err)
{
	memset(c, 0, sizeof(*c));
	memset(opts, 0, sizeof(*opts));
	c->owner_uid = uid;
	c->owner_gid = gid;
	if (run_fields(req, c, opts, err) < 0) {
		ctr_config_free(c);
		return -1;
	}
	return 0;
}
