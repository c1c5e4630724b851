/* Unit tests for daemon/run-config.c: a `run` request from an untrusted
 * client turned into a container config, with Docker's defaults filled in
 * and every field checked. The requests are json-c objects built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <json-c/json.h>

#include "../../common/err.h"
#include "../../daemon/ctr-config.h"
#include "../../daemon/run-config.h"

#define CALLER_UID 1000
#define CALLER_GID 1000

/* ---- helpers ---- */

/* {"type":"run","argv":["sh","-c","exit 0"]} */
static struct json_object *req_new(void)
{
	struct json_object *req = json_object_new_object();
	struct json_object *argv = json_object_new_array();

	json_object_object_add(req, "type", json_object_new_string("run"));
	json_object_array_add(argv, json_object_new_string("sh"));
	json_object_array_add(argv, json_object_new_string("-c"));
	json_object_array_add(argv, json_object_new_string("exit 0"));
	json_object_object_add(req, "argv", argv);
	return req;
}

static struct json_object *req_with_str(const char *key, const char *val)
{
	struct json_object *req = req_new();

	json_object_object_add(req, key, json_object_new_string(val));
	return req;
}

static struct json_object *strv_json(const char *a, const char *b)
{
	struct json_object *v = json_object_new_array();

	if (a != NULL)
		json_object_array_add(v, json_object_new_string(a));
	if (b != NULL)
		json_object_array_add(v, json_object_new_string(b));
	return v;
}

static struct json_object *req_with_env(const char *a, const char *b)
{
	struct json_object *req = req_new();

	json_object_object_add(req, "env", strv_json(a, b));
	return req;
}

/* Run the request (consumed); it must succeed. Free c with ctr_config_free. */
static void run_ok(struct json_object *req, struct ctr_config *c, struct run_opts *opts)
{
	struct md_err err = { 0 };
	int r = run_config_from_request(req, CALLER_UID, CALLER_GID, NULL, c, opts, &err);

	json_object_put(req);
	if (r != 0)
		fail_msg("run_config_from_request failed: %s", err.msg);
}

/* Run the request (consumed); it must fail with exactly this message. */
static void run_fails(struct json_object *req, const char *expected)
{
	struct ctr_config c;
	struct run_opts opts;
	struct md_err err = { 0 };
	int r;

	memset(&c, 0xa5, sizeof(c));
	r = run_config_from_request(req, CALLER_UID, CALLER_GID, NULL, &c, &opts, &err);
	json_object_put(req);
	if (r == 0)
		ctr_config_free(&c);
	assert_int_equal(r, -1);
	assert_string_equal(err.msg, expected);
	assert_int_equal(err.status, MD_STATUS_FAILED);
	/* Nothing is left allocated in c on failure. */
	assert_null(c.name);
	assert_null(c.image);
	assert_null(c.argv);
	assert_null(c.env);
	assert_null(c.cwd);
	assert_null(c.hostname);
}

static size_t strv_len(char **v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

/* The value of KEY in env, or NULL; fails if KEY appears twice. */
static const char *env_get(char **env, const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;

	for (size_t i = 0; env[i] != NULL; i++) {
		if (strncmp(env[i], key, klen) == 0 && env[i][klen] == '=') {
			if (found != NULL)
				fail_msg("%s appears twice in env", key);
			found = env[i] + klen + 1;
		}
	}
	return found;
}

/* ---- defaults ---- */

static void run_config_from_request__minimal__docker_defaults(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_new(), &c, &opts);
	assert_string_equal(c.image, "host");
	assert_string_equal(c.hostname, "container-host");
	assert_string_equal(c.cwd, "/");
	assert_null(c.name);
	assert_int_equal(c.uid, 0);
	assert_int_equal(c.gid, 0);
	assert_int_equal(c.owner_uid, CALLER_UID);
	assert_int_equal(c.owner_gid, CALLER_GID);
	assert_false(c.tty);
	assert_false(c.open_stdin);
	assert_false(c.auto_remove);
	assert_false(opts.detach);
	assert_int_equal(c.stop_timeout, CTR_DEFAULT_STOP_TIMEOUT);
	assert_int_equal(c.rows, 0);
	assert_int_equal(c.cols, 0);
	assert_int_equal(strv_len(c.argv), 3);
	assert_string_equal(c.argv[0], "sh");
	assert_string_equal(c.argv[1], "-c");
	assert_string_equal(c.argv[2], "exit 0");
	ctr_config_free(&c);
}

static void run_config_from_request__minimal__default_env(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_new(), &c, &opts);
	assert_int_equal(strv_len(c.env), 3);
	assert_string_equal(env_get(c.env, "PATH"), CTR_DEFAULT_PATH);
	assert_string_equal(env_get(c.env, "HOSTNAME"), "container-host");
	assert_string_equal(env_get(c.env, "HOME"), "/root");
	assert_null(env_get(c.env, "TERM"));
	ctr_config_free(&c);
}

static void run_config_from_request__tty__term_in_env(void **state)
{
	struct ctr_config c;
	struct run_opts opts;
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "tty", json_object_new_boolean(true));
	run_ok(req, &c, &opts);
	assert_true(c.tty);
	assert_int_equal(strv_len(c.env), 4);
	assert_string_equal(env_get(c.env, "TERM"), "xterm");
	ctr_config_free(&c);
}

static void run_config_from_request__tty_and_user_term__user_term(void **state)
{
	struct ctr_config c;
	struct run_opts opts;
	struct json_object *req = req_with_env("TERM=vt100", NULL);

	(void)state;
	json_object_object_add(req, "tty", json_object_new_boolean(true));
	run_ok(req, &c, &opts);
	assert_string_equal(env_get(c.env, "TERM"), "vt100");
	ctr_config_free(&c);
}

static void run_config_from_request__all_fields__copied(void **state)
{
	struct ctr_config c;
	struct run_opts opts;
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "image", json_object_new_string("host"));
	json_object_object_add(req, "name", json_object_new_string("web-1"));
	json_object_object_add(req, "hostname", json_object_new_string("box.example"));
	json_object_object_add(req, "workdir", json_object_new_string("/srv/app"));
	json_object_object_add(req, "stdin", json_object_new_boolean(true));
	json_object_object_add(req, "detach", json_object_new_boolean(true));
	json_object_object_add(req, "rm", json_object_new_boolean(true));
	json_object_object_add(req, "stop_timeout", json_object_new_int(3));
	json_object_object_add(req, "rows", json_object_new_int(40));
	json_object_object_add(req, "cols", json_object_new_int(65535));
	run_ok(req, &c, &opts);
	assert_string_equal(c.name, "web-1");
	assert_string_equal(c.hostname, "box.example");
	assert_string_equal(env_get(c.env, "HOSTNAME"), "box.example");
	assert_string_equal(c.cwd, "/srv/app");
	assert_true(c.open_stdin);
	assert_true(opts.detach);
	assert_true(c.auto_remove);
	assert_int_equal(c.stop_timeout, 3);
	assert_int_equal(c.rows, 40);
	assert_int_equal(c.cols, 65535);
	ctr_config_free(&c);
}

static void run_config_from_request__null_fields__defaults(void **state)
{
	struct ctr_config c;
	struct run_opts opts;
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "image", NULL);
	json_object_object_add(req, "user", NULL);
	json_object_object_add(req, "tty", NULL);
	run_ok(req, &c, &opts);
	assert_string_equal(c.image, "host");
	assert_int_equal(c.uid, 0);
	assert_false(c.tty);
	ctr_config_free(&c);
}

/* ---- user ---- */

static void run_config_from_request__user_uid_gid__both_set(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_str("user", "1000:1000"), &c, &opts);
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.gid, 1000);
	assert_string_equal(env_get(c.env, "HOME"), "/");
	ctr_config_free(&c);
}

static void run_config_from_request__user_uid_only__gid_0(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_str("user", "1000"), &c, &opts);
	assert_int_equal(c.uid, 1000);
	assert_int_equal(c.gid, 0);
	ctr_config_free(&c);
}

static void run_config_from_request__user_root_other_gid__home_root(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_str("user", "0:5"), &c, &opts);
	assert_int_equal(c.uid, 0);
	assert_int_equal(c.gid, 5);
	assert_string_equal(env_get(c.env, "HOME"), "/root");
	ctr_config_free(&c);
}

static void run_config_from_request__user_largest__ok(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_str("user", "4294967294:4294967294"), &c, &opts);
	assert_int_equal(c.uid, 4294967294u);
	assert_int_equal(c.gid, 4294967294u);
	ctr_config_free(&c);
}

static void run_config_from_request__user_letters__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "abc"), "invalid user abc: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_gid_letters__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "1:x"), "invalid user 1:x: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_colon_only__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", ":"), "invalid user :: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_empty__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", ""), "invalid user : expected UID[:GID] as numbers");
}

static void run_config_from_request__user_too_large__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "99999999999"),
		  "invalid user 99999999999: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_uint32_max__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "4294967295"),
		  "invalid user 4294967295: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_negative__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "-1"), "invalid user -1: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_missing_gid__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "1000:"), "invalid user 1000:: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_missing_uid__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", ":1000"), "invalid user :1000: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_two_colons__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "1:2:3"), "invalid user 1:2:3: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_name__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("user", "root"), "invalid user root: expected UID[:GID] as numbers");
}

static void run_config_from_request__user_number__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "user", json_object_new_int(1000));
	run_fails(req, "invalid request: user must be a string");
}

/* ---- name, hostname, workdir, image ---- */

static void run_config_from_request__name_leading_underscore__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("name", "_web"),
		  "invalid container name: _web (must match [a-zA-Z0-9][a-zA-Z0-9_.-]*)");
}

static void run_config_from_request__name_slash__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("name", "a/b"),
		  "invalid container name: a/b (must match [a-zA-Z0-9][a-zA-Z0-9_.-]*)");
}

static void run_config_from_request__name_empty__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("name", ""),
		  "invalid container name:  (must match [a-zA-Z0-9][a-zA-Z0-9_.-]*)");
}

static void run_config_from_request__hostname_leading_dash__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("hostname", "-host"), "invalid hostname: -host");
}

static void run_config_from_request__hostname_underscore__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("hostname", "my_host"), "invalid hostname: my_host");
}

static void run_config_from_request__hostname_empty__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("hostname", ""), "invalid hostname: ");
}

static void run_config_from_request__hostname_64_chars__fails(void **state)
{
	char host[65];
	char expected[128];

	(void)state;
	memset(host, 'h', 64);
	host[64] = '\0';
	snprintf(expected, sizeof(expected), "invalid hostname: %s", host);
	run_fails(req_with_str("hostname", host), expected);
}

static void run_config_from_request__hostname_63_chars__ok(void **state)
{
	struct ctr_config c;
	struct run_opts opts;
	char host[64];

	(void)state;
	memset(host, 'h', 63);
	host[63] = '\0';
	run_ok(req_with_str("hostname", host), &c, &opts);
	assert_string_equal(c.hostname, host);
	ctr_config_free(&c);
}

static void run_config_from_request__relative_workdir__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("workdir", "tmp"),
		  "working directory must be an absolute path: tmp");
}

static void run_config_from_request__empty_workdir__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("workdir", ""), "working directory must be an absolute path: ");
}

static void run_config_from_request__unknown_image__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("image", "ubuntu"), "no such image: ubuntu");
}

static void run_config_from_request__empty_image__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("image", ""), "no such image: ");
}

/* ---- argv ---- */

static void run_config_from_request__missing_argv__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_del(req, "argv");
	run_fails(req, "invalid request: argv is missing");
}

static void run_config_from_request__null_argv__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "argv", NULL);
	run_fails(req, "invalid request: argv is missing");
}

static void run_config_from_request__empty_argv__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "argv", json_object_new_array());
	run_fails(req, "no command given");
}

static void run_config_from_request__empty_command__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "argv", strv_json("", "x"));
	run_fails(req, "no command given");
}

static void run_config_from_request__argv_string__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("argv", "sh -c true"),
		  "invalid request: argv must be an array of strings");
}

static void run_config_from_request__argv_number_element__fails(void **state)
{
	struct json_object *req = req_new();
	struct json_object *argv = strv_json("sh", NULL);

	(void)state;
	json_object_array_add(argv, json_object_new_int(1));
	json_object_object_add(req, "argv", argv);
	run_fails(req, "invalid request: argv must be an array of strings");
}

/* ---- wrong types and ranges ---- */

static void run_config_from_request__tty_string__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("tty", "true"), "invalid request: tty must be true or false");
}

static void run_config_from_request__detach_number__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "detach", json_object_new_int(1));
	run_fails(req, "invalid request: detach must be true or false");
}

static void run_config_from_request__image_array__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "image", strv_json("host", NULL));
	run_fails(req, "invalid request: image must be a string");
}

static void run_config_from_request__env_string__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("env", "A=1"), "invalid request: env must be an array of strings");
}

static void run_config_from_request__negative_stop_timeout__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "stop_timeout", json_object_new_int(-1));
	run_fails(req, "invalid request: stop_timeout must be an integer from 0 to 86400");
}

static void run_config_from_request__huge_stop_timeout__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "stop_timeout", json_object_new_int(86401));
	run_fails(req, "invalid request: stop_timeout must be an integer from 0 to 86400");
}

static void run_config_from_request__rows_over_65535__fails(void **state)
{
	struct json_object *req = req_new();

	(void)state;
	json_object_object_add(req, "rows", json_object_new_int(65536));
	run_fails(req, "invalid request: rows must be an integer from 0 to 65535");
}

static void run_config_from_request__cols_string__fails(void **state)
{
	(void)state;
	run_fails(req_with_str("cols", "80"),
		  "invalid request: cols must be an integer from 0 to 65535");
}

/* ---- environment ---- */

static void run_config_from_request__env_without_equals__fails(void **state)
{
	(void)state;
	run_fails(req_with_env("A=1", "FOO"), "invalid environment variable: FOO");
}

static void run_config_from_request__env_empty_key__fails(void **state)
{
	(void)state;
	run_fails(req_with_env("=value", NULL), "invalid environment variable: =value");
}

static void run_config_from_request__env_empty_string__fails(void **state)
{
	(void)state;
	run_fails(req_with_env("", NULL), "invalid environment variable: ");
}

static void run_config_from_request__user_env__first_and_kept(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_env("FOO=bar=baz", "EMPTY="), &c, &opts);
	assert_int_equal(strv_len(c.env), 5);
	assert_string_equal(c.env[0], "FOO=bar=baz");
	assert_string_equal(c.env[1], "EMPTY=");
	assert_string_equal(env_get(c.env, "PATH"), CTR_DEFAULT_PATH);
	ctr_config_free(&c);
}

static void run_config_from_request__user_path__overrides_default(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_env("PATH=/opt/bin", NULL), &c, &opts);
	assert_int_equal(strv_len(c.env), 3);
	assert_string_equal(env_get(c.env, "PATH"), "/opt/bin");
	assert_string_equal(env_get(c.env, "HOSTNAME"), "container-host");
	assert_string_equal(env_get(c.env, "HOME"), "/root");
	ctr_config_free(&c);
}

static void run_config_from_request__user_home_hostname__override_defaults(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_env("HOME=/home/me", "HOSTNAME=mine"), &c, &opts);
	assert_int_equal(strv_len(c.env), 3);
	assert_string_equal(env_get(c.env, "HOME"), "/home/me");
	assert_string_equal(env_get(c.env, "HOSTNAME"), "mine");
	assert_string_equal(env_get(c.env, "PATH"), CTR_DEFAULT_PATH);
	ctr_config_free(&c);
}

static void run_config_from_request__key_with_path_prefix__default_path_kept(void **state)
{
	struct ctr_config c;
	struct run_opts opts;

	(void)state;
	run_ok(req_with_env("PATHX=1", "PAT=2"), &c, &opts);
	assert_int_equal(strv_len(c.env), 5);
	assert_string_equal(env_get(c.env, "PATH"), CTR_DEFAULT_PATH);
	assert_string_equal(env_get(c.env, "PATHX"), "1");
	assert_string_equal(env_get(c.env, "PAT"), "2");
	ctr_config_free(&c);
}

/* ---- run_parse_user / run_hostname_valid directly ---- */

static void run_parse_user__failure__outputs_untouched(void **state)
{
	uid_t uid = 7;
	gid_t gid = 8;

	(void)state;
	assert_int_equal(run_parse_user("12:x", &uid, &gid), -1);
	assert_int_equal(uid, 7);
	assert_int_equal(gid, 8);
}

static void run_parse_user__long_uid_before_colon__fails(void **state)
{
	uid_t uid = 7;
	gid_t gid = 8;
	char s[80];

	(void)state;
	memset(s, '1', 40);
	strcpy(s + 40, ":0");
	assert_int_equal(run_parse_user(s, &uid, &gid), -1);
}

static void run_hostname_valid__dots_and_digits__true(void **state)
{
	(void)state;
	assert_true(run_hostname_valid("a.b-c.1"));
	assert_true(run_hostname_valid("1"));
}

static void run_hostname_valid__leading_dot__false(void **state)
{
	(void)state;
	assert_false(run_hostname_valid(".host"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_config_from_request__minimal__docker_defaults),
		cmocka_unit_test(run_config_from_request__minimal__default_env),
		cmocka_unit_test(run_config_from_request__tty__term_in_env),
		cmocka_unit_test(run_config_from_request__tty_and_user_term__user_term),
		cmocka_unit_test(run_config_from_request__all_fields__copied),
		cmocka_unit_test(run_config_from_request__null_fields__defaults),
		cmocka_unit_test(run_config_from_request__user_uid_gid__both_set),
		cmocka_unit_test(run_config_from_request__user_uid_only__gid_0),
		cmocka_unit_test(run_config_from_request__user_root_other_gid__home_root),
		cmocka_unit_test(run_config_from_request__user_largest__ok),
		cmocka_unit_test(run_config_from_request__user_letters__fails),
		cmocka_unit_test(run_config_from_request__user_gid_letters__fails),
		cmocka_unit_test(run_config_from_request__user_colon_only__fails),
		cmocka_unit_test(run_config_from_request__user_empty__fails),
		cmocka_unit_test(run_config_from_request__user_too_large__fails),
		cmocka_unit_test(run_config_from_request__user_uint32_max__fails),
		cmocka_unit_test(run_config_from_request__user_negative__fails),
		cmocka_unit_test(run_config_from_request__user_missing_gid__fails),
		cmocka_unit_test(run_config_from_request__user_missing_uid__fails),
		cmocka_unit_test(run_config_from_request__user_two_colons__fails),
		cmocka_unit_test(run_config_from_request__user_name__fails),
		cmocka_unit_test(run_config_from_request__user_number__fails),
		cmocka_unit_test(run_config_from_request__name_leading_underscore__fails),
		cmocka_unit_test(run_config_from_request__name_slash__fails),
		cmocka_unit_test(run_config_from_request__name_empty__fails),
		cmocka_unit_test(run_config_from_request__hostname_leading_dash__fails),
		cmocka_unit_test(run_config_from_request__hostname_underscore__fails),
		cmocka_unit_test(run_config_from_request__hostname_empty__fails),
		cmocka_unit_test(run_config_from_request__hostname_64_chars__fails),
		cmocka_unit_test(run_config_from_request__hostname_63_chars__ok),
		cmocka_unit_test(run_config_from_request__relative_workdir__fails),
		cmocka_unit_test(run_config_from_request__empty_workdir__fails),
		cmocka_unit_test(run_config_from_request__unknown_image__fails),
		cmocka_unit_test(run_config_from_request__empty_image__fails),
		cmocka_unit_test(run_config_from_request__missing_argv__fails),
		cmocka_unit_test(run_config_from_request__null_argv__fails),
		cmocka_unit_test(run_config_from_request__empty_argv__fails),
		cmocka_unit_test(run_config_from_request__empty_command__fails),
		cmocka_unit_test(run_config_from_request__argv_string__fails),
		cmocka_unit_test(run_config_from_request__argv_number_element__fails),
		cmocka_unit_test(run_config_from_request__tty_string__fails),
		cmocka_unit_test(run_config_from_request__detach_number__fails),
		cmocka_unit_test(run_config_from_request__image_array__fails),
		cmocka_unit_test(run_config_from_request__env_string__fails),
		cmocka_unit_test(run_config_from_request__negative_stop_timeout__fails),
		cmocka_unit_test(run_config_from_request__huge_stop_timeout__fails),
		cmocka_unit_test(run_config_from_request__rows_over_65535__fails),
		cmocka_unit_test(run_config_from_request__cols_string__fails),
		cmocka_unit_test(run_config_from_request__env_without_equals__fails),
		cmocka_unit_test(run_config_from_request__env_empty_key__fails),
		cmocka_unit_test(run_config_from_request__env_empty_string__fails),
		cmocka_unit_test(run_config_from_request__user_env__first_and_kept),
		cmocka_unit_test(run_config_from_request__user_path__overrides_default),
		cmocka_unit_test(run_config_from_request__user_home_hostname__override_defaults),
		cmocka_unit_test(run_config_from_request__key_with_path_prefix__default_path_kept),
		cmocka_unit_test(run_parse_user__failure__outputs_untouched),
		cmocka_unit_test(run_parse_user__long_uid_before_colon__fails),
		cmocka_unit_test(run_hostname_valid__dots_and_digits__true),
		cmocka_unit_test(run_hostname_valid__leading_dot__false),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
