/* Unit tests for daemon/ctr-config.c: config.json and state.json, which a
 * restarted daemon trusts to rebuild its view, so every field of what it
 * reads back is checked and a damaged file is an error, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <json-c/json.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/err.h"
#include "../../common/util.h"
#include "../../daemon/ctr-config.h"

#define SAMPLE_ID "0123456789abcdef0123456789abcdef"

/* ---- helpers ---- */

static char **strv(const char *a, const char *b, const char *c)
{
	char **v = calloc(4, sizeof(*v));

	assert_non_null(v);
	if (a != NULL)
		v[0] = strdup(a);
	if (a != NULL && b != NULL)
		v[1] = strdup(b);
	if (a != NULL && b != NULL && c != NULL)
		v[2] = strdup(c);
	return v;
}

static void sample_config(struct ctr_config *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->id, SAMPLE_ID, ID_LEN + 1);
	c->name = strdup("brave_turing");
	c->image = strdup("host");
	c->host_skel = strdup("/var/lib/minidocker/host");
	c->created_ns = 1700000000123456789LL;
	c->owner_uid = 1000;
	c->owner_gid = 1001;
	c->argv = strv("sh", "-c", "echo \"hi\" there\n");
	c->env = strv("PATH=/usr/bin:/bin", "HOSTNAME=container-host", "HOME=/root");
	c->cwd = strdup("/tmp/work dir");
	c->hostname = strdup("container-host");
	c->uid = 4294967294u;
	c->gid = 7;
	c->tty = true;
	c->open_stdin = false;
	c->auto_remove = true;
	c->stop_timeout = 15;
	c->rows = 24;
	c->cols = 65535;
}

static void sample_state(struct ctr_state *s)
{
	memset(s, 0, sizeof(*s));
	s->status = CTR_EXITED;
	s->pid = 0;
	s->monitor_pid = 4242;
	s->started_ns = 1700000000000000001LL;
	s->finished_ns = 1700000001999999999LL;
	s->exit_code = 137;
	s->error = strdup("exec \"nope\": No such file or directory");
	s->skeleton = strdup("0.0-0123456789abcdef");
}

static void assert_strv_equal(char **a, char **b)
{
	size_t i;

	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; a[i] != NULL && b[i] != NULL; i++)
		assert_string_equal(a[i], b[i]);
	assert_null(a[i]);
	assert_null(b[i]);
}

static void assert_config_equal(const struct ctr_config *a, const struct ctr_config *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->image, b->image);
	if (a->host_skel == NULL || b->host_skel == NULL)
		assert_ptr_equal(a->host_skel, b->host_skel);
	else
		assert_string_equal(a->host_skel, b->host_skel);
	assert_int_equal(a->created_ns, b->created_ns);
	assert_int_equal(a->owner_uid, b->owner_uid);
	assert_int_equal(a->owner_gid, b->owner_gid);
	assert_strv_equal(a->argv, b->argv);
	assert_strv_equal(a->env, b->env);
	assert_string_equal(a->cwd, b->cwd);
	assert_string_equal(a->hostname, b->hostname);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->gid, b->gid);
	assert_int_equal(a->tty, b->tty);
	assert_int_equal(a->open_stdin, b->open_stdin);
	assert_int_equal(a->auto_remove, b->auto_remove);
	assert_int_equal(a->stop_timeout, b->stop_timeout);
	assert_int_equal(a->rows, b->rows);
	assert_int_equal(a->cols, b->cols);
}

static void assert_state_equal(const struct ctr_state *a, const struct ctr_state *b)
{
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->monitor_pid, b->monitor_pid);
	assert_int_equal(a->started_ns, b->started_ns);
	assert_int_equal(a->finished_ns, b->finished_ns);
	assert_int_equal(a->exit_code, b->exit_code);
	if (a->error == NULL || b->error == NULL) {
		assert_null(a->error);
		assert_null(b->error);
	} else {
		assert_string_equal(a->error, b->error);
	}
	if (a->skeleton == NULL || b->skeleton == NULL)
		assert_ptr_equal(a->skeleton, b->skeleton);
	else
		assert_string_equal(a->skeleton, b->skeleton);
}

/* JSON text of the sample (config or state) with key replaced by val (a
 * json-c object, consumed; NULL for JSON null) or removed when remove. */
static char *edited_json(bool state, const char *key, struct json_object *val, bool remove)
{
	struct ctr_config c;
	struct ctr_state s;
	char *text;
	struct json_object *o;
	char *out;

	if (state) {
		sample_state(&s);
		text = ctr_state_to_json(&s);
		ctr_state_clear(&s);
	} else {
		sample_config(&c);
		text = ctr_config_to_json(&c);
		ctr_config_free(&c);
	}
	o = json_tokener_parse(text);
	assert_non_null(o);
	free(text);
	if (remove) {
		assert_true(json_object_object_get_ex(o, key, NULL));
		json_object_object_del(o, key);
	} else {
		json_object_object_add(o, key, val);
	}
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	assert_non_null(out);
	return out;
}

/* from_json of the edited config fails, leaves c empty, and err starts
 * with "config: " and mentions `mention`. */
static void expect_config_fails(char *text, const char *mention)
{
	struct ctr_config c;
	struct md_err err = { 0 };
	int r;

	memset(&c, 0xa5, sizeof(c));
	r = ctr_config_from_json(text, &c, &err);
	free(text);
	if (r == 0)
		ctr_config_free(&c);
	assert_int_equal(r, -1);
	assert_null(c.name);
	assert_null(c.argv);
	assert_null(c.env);
	assert_int_equal(strncmp(err.msg, "config: ", 8), 0);
	if (strstr(err.msg, mention) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err.msg, mention);
}

static void expect_state_fails(char *text, const char *mention)
{
	struct ctr_state s;
	struct md_err err = { 0 };
	int r;

	memset(&s, 0xa5, sizeof(s));
	r = ctr_state_from_json(text, &s, &err);
	free(text);
	if (r == 0)
		ctr_state_clear(&s);
	assert_int_equal(r, -1);
	assert_null(s.error);
	assert_int_equal(strncmp(err.msg, "state: ", 7), 0);
	if (strstr(err.msg, mention) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err.msg, mention);
}

#define config_without(key) expect_config_fails(edited_json(false, key, NULL, true), key)
#define config_with(key, val) expect_config_fails(edited_json(false, key, val, false), key)
#define state_without(key) expect_state_fails(edited_json(true, key, NULL, true), key)
#define state_with(key, val) expect_state_fails(edited_json(true, key, val, false), key)

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/test-ctr-config.XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return strdup(dir);
}

static void remove_tmpdir(char *dir)
{
	struct md_err err = { 0 };

	assert_int_equal(dir_remove_tree(dir, &err), 0);
	free(dir);
}

static void write_file(const char *dir, const char *file, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", dir, file);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

/* ---- round trips ---- */

static void ctr_config_to_json__then_from_json__identical(void **state)
{
	struct ctr_config a, b;
	struct md_err err = { 0 };
	char *text;

	(void)state;
	sample_config(&a);
	text = ctr_config_to_json(&a);
	assert_non_null(text);
	assert_int_equal(ctr_config_from_json(text, &b, &err), 0);
	assert_config_equal(&a, &b);
	free(text);
	ctr_config_free(&a);
	ctr_config_free(&b);
}

static void ctr_config_to_json__all_false_and_zero__identical(void **state)
{
	struct ctr_config a, b;
	struct md_err err = { 0 };
	char *text;

	(void)state;
	sample_config(&a);
	a.tty = false;
	a.auto_remove = false;
	a.open_stdin = true;
	a.created_ns = 0;
	a.owner_uid = a.owner_gid = a.uid = a.gid = 0;
	a.rows = a.cols = 0;
	a.stop_timeout = 0;
	free(a.host_skel); /* the `host` image built in place */
	a.host_skel = NULL;
	text = ctr_config_to_json(&a);
	assert_int_equal(ctr_config_from_json(text, &b, &err), 0);
	assert_config_equal(&a, &b);
	free(text);
	ctr_config_free(&a);
	ctr_config_free(&b);
}

static void ctr_state_to_json__then_from_json__identical(void **state)
{
	struct ctr_state a, b;
	struct md_err err = { 0 };
	char *text;

	(void)state;
	sample_state(&a);
	text = ctr_state_to_json(&a);
	assert_int_equal(ctr_state_from_json(text, &b, &err), 0);
	assert_state_equal(&a, &b);
	free(text);
	ctr_state_clear(&a);
	ctr_state_clear(&b);
}

static void ctr_state_to_json__running_no_error__identical(void **state)
{
	struct ctr_state a = { .status = CTR_RUNNING, .pid = 123, .monitor_pid = 122,
			       .started_ns = 5, .finished_ns = 0, .exit_code = 0 };
	struct ctr_state b;
	struct md_err err = { 0 };
	char *text;

	(void)state;
	text = ctr_state_to_json(&a);
	assert_null(strstr(text, "\"error\""));
	assert_int_equal(ctr_state_from_json(text, &b, &err), 0);
	assert_state_equal(&a, &b);
	assert_null(b.error);
	free(text);
	ctr_state_clear(&b);
}

static void ctr_state_to_json__created__identical(void **state)
{
	struct ctr_state a = { .status = CTR_CREATED };
	struct ctr_state b;
	struct md_err err = { 0 };
	char *text;

	(void)state;
	text = ctr_state_to_json(&a);
	assert_int_equal(ctr_state_from_json(text, &b, &err), 0);
	assert_int_equal(b.status, CTR_CREATED);
	free(text);
	ctr_state_clear(&b);
}

static void ctr_status_name__each__docker_words(void **state)
{
	(void)state;
	assert_string_equal(ctr_status_name(CTR_CREATED), "created");
	assert_string_equal(ctr_status_name(CTR_RUNNING), "running");
	assert_string_equal(ctr_status_name(CTR_EXITED), "exited");
}

static void ctr_config_save__then_load__identical(void **state)
{
	char *dir = make_tmpdir();
	char *path = xasprintf("%s/%s", dir, CTR_CONFIG_FILE);
	struct ctr_config a, b;
	struct md_err err = { 0 };
	struct stat st;

	(void)state;
	sample_config(&a);
	assert_int_equal(ctr_config_save(dir, &a, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(ctr_config_load(dir, &b, &err), 0);
	assert_config_equal(&a, &b);
	ctr_config_free(&a);
	ctr_config_free(&b);
	free(path);
	remove_tmpdir(dir);
}

static void ctr_config_save__twice__second_wins(void **state)
{
	char *dir = make_tmpdir();
	struct ctr_config a, b;
	struct md_err err = { 0 };

	(void)state;
	sample_config(&a);
	assert_int_equal(ctr_config_save(dir, &a, &err), 0);
	a.stop_timeout = 99;
	assert_int_equal(ctr_config_save(dir, &a, &err), 0);
	assert_int_equal(ctr_config_load(dir, &b, &err), 0);
	assert_int_equal(b.stop_timeout, 99);
	ctr_config_free(&a);
	ctr_config_free(&b);
	remove_tmpdir(dir);
}

static void ctr_state_save__then_load__identical(void **state)
{
	char *dir = make_tmpdir();
	struct ctr_state a, b;
	struct md_err err = { 0 };

	(void)state;
	sample_state(&a);
	assert_int_equal(ctr_state_save(dir, &a, &err), 0);
	assert_int_equal(ctr_state_load(dir, &b, &err), 0);
	assert_state_equal(&a, &b);
	ctr_state_clear(&a);
	ctr_state_clear(&b);
	remove_tmpdir(dir);
}

static void ctr_config_load__no_file__fails(void **state)
{
	char *dir = make_tmpdir();
	struct ctr_config c;
	struct md_err err = { 0 };

	(void)state;
	assert_int_equal(ctr_config_load(dir, &c, &err), -1);
	assert_non_null(strstr(err.msg, CTR_CONFIG_FILE));
	assert_non_null(strstr(err.msg, "No such file or directory"));
	remove_tmpdir(dir);
}

static void ctr_state_load__no_dir__fails(void **state)
{
	struct ctr_state s;
	struct md_err err = { 0 };

	(void)state;
	assert_int_equal(ctr_state_load("/nonexistent/test-ctr-config", &s, &err), -1);
	assert_int_not_equal(err.errnum, 0);
}

static void ctr_config_save__no_dir__fails(void **state)
{
	struct ctr_config c;
	struct md_err err = { 0 };

	(void)state;
	sample_config(&c);
	assert_int_equal(ctr_config_save("/nonexistent/test-ctr-config", &c, &err), -1);
	assert_int_not_equal(err.errnum, 0);
	ctr_config_free(&c);
}

/* ---- damaged files ---- */

static void ctr_config_load__truncated_half__fails(void **state)
{
	char *dir = make_tmpdir();
	struct ctr_config c;
	struct md_err err = { 0 };
	char *text;

	(void)state;
	sample_config(&c);
	text = ctr_config_to_json(&c);
	ctr_config_free(&c);
	write_file(dir, CTR_CONFIG_FILE, text, strlen(text) / 2);
	assert_int_equal(ctr_config_load(dir, &c, &err), -1);
	assert_string_equal(err.msg, "config: not a JSON object");
	assert_null(c.name);
	free(text);
	remove_tmpdir(dir);
}

static void ctr_state_load__truncated_half__fails(void **state)
{
	char *dir = make_tmpdir();
	struct ctr_state s;
	struct md_err err = { 0 };
	char *text;

	(void)state;
	sample_state(&s);
	text = ctr_state_to_json(&s);
	ctr_state_clear(&s);
	write_file(dir, CTR_STATE_FILE, text, strlen(text) / 2);
	assert_int_equal(ctr_state_load(dir, &s, &err), -1);
	assert_string_equal(err.msg, "state: not a JSON object");
	assert_null(s.error);
	free(text);
	remove_tmpdir(dir);
}

static void ctr_config_load__empty_file__fails(void **state)
{
	char *dir = make_tmpdir();
	struct ctr_config c;
	struct md_err err = { 0 };

	(void)state;
	write_file(dir, CTR_CONFIG_FILE, "", 0);
	assert_int_equal(ctr_config_load(dir, &c, &err), -1);
	assert_string_equal(err.msg, "config: not a JSON object");
	remove_tmpdir(dir);
}

static void ctr_config_from_json__every_truncation__fails(void **state)
{
	struct ctr_config c;
	struct md_err err = { 0 };
	char *text;
	size_t len;

	(void)state;
	sample_config(&c);
	text = ctr_config_to_json(&c);
	ctr_config_free(&c);
	len = strlen(text);
	for (size_t n = 0; n < len; n++) {
		char *cut = strndup(text, n);

		assert_non_null(cut);
		if (ctr_config_from_json(cut, &c, &err) == 0)
			fail_msg("a config cut to %zu of %zu bytes was accepted", n, len);
		free(cut);
	}
	free(text);
}

static void ctr_state_from_json__every_truncation__fails(void **state)
{
	struct ctr_state s;
	struct md_err err = { 0 };
	char *text;
	size_t len;

	(void)state;
	sample_state(&s);
	text = ctr_state_to_json(&s);
	ctr_state_clear(&s);
	len = strlen(text);
	for (size_t n = 0; n < len; n++) {
		char *cut = strndup(text, n);

		assert_non_null(cut);
		if (ctr_state_from_json(cut, &s, &err) == 0)
			fail_msg("a state cut to %zu of %zu bytes was accepted", n, len);
		free(cut);
	}
	free(text);
}

/* ---- config: rejected content ---- */

static void ctr_config_from_json__not_json__fails(void **state)
{
	(void)state;
	expect_config_fails(strdup("this is not json"), "not a JSON object");
}

static void ctr_config_from_json__json_array__fails(void **state)
{
	(void)state;
	expect_config_fails(strdup("[1,2,3]"), "not a JSON object");
}

static void ctr_config_from_json__empty_object__fails(void **state)
{
	(void)state;
	expect_config_fails(strdup("{}"), "id");
}

static void ctr_config_from_json__missing_id__fails(void **state)
{
	(void)state;
	config_without("id");
}

static void ctr_config_from_json__missing_name__fails(void **state)
{
	(void)state;
	config_without("name");
}

static void ctr_config_from_json__missing_image__fails(void **state)
{
	(void)state;
	config_without("image");
}

static void ctr_config_from_json__missing_argv__fails(void **state)
{
	(void)state;
	config_without("argv");
}

static void ctr_config_from_json__missing_env__fails(void **state)
{
	(void)state;
	config_without("env");
}

static void ctr_config_from_json__missing_cwd__fails(void **state)
{
	(void)state;
	config_without("cwd");
}

static void ctr_config_from_json__missing_hostname__fails(void **state)
{
	(void)state;
	config_without("hostname");
}

static void ctr_config_from_json__missing_created_ns__fails(void **state)
{
	(void)state;
	config_without("created_ns");
}

static void ctr_config_from_json__missing_owner_uid__fails(void **state)
{
	(void)state;
	config_without("owner_uid");
}

static void ctr_config_from_json__missing_owner_gid__fails(void **state)
{
	(void)state;
	config_without("owner_gid");
}

static void ctr_config_from_json__missing_uid__fails(void **state)
{
	(void)state;
	config_without("uid");
}

static void ctr_config_from_json__missing_gid__fails(void **state)
{
	(void)state;
	config_without("gid");
}

static void ctr_config_from_json__missing_stop_timeout__fails(void **state)
{
	(void)state;
	config_without("stop_timeout");
}

static void ctr_config_from_json__missing_rows__fails(void **state)
{
	(void)state;
	config_without("rows");
}

static void ctr_config_from_json__missing_cols__fails(void **state)
{
	(void)state;
	config_without("cols");
}

static void ctr_config_from_json__null_name__fails(void **state)
{
	(void)state;
	config_with("name", NULL);
}

static void ctr_config_from_json__null_uid__fails(void **state)
{
	(void)state;
	config_with("uid", NULL);
}

static void ctr_config_from_json__null_rows__fails(void **state)
{
	(void)state;
	config_with("rows", NULL);
}

static void ctr_config_from_json__invalid_id__fails(void **state)
{
	(void)state;
	config_with("id", json_object_new_string("not-an-id"));
}

static void ctr_config_from_json__uppercase_id__fails(void **state)
{
	(void)state;
	config_with("id", json_object_new_string("0123456789ABCDEF0123456789ABCDEF"));
}

static void ctr_config_from_json__short_id__fails(void **state)
{
	(void)state;
	config_with("id", json_object_new_string("0123456789ab"));
}

static void ctr_config_from_json__long_id__fails(void **state)
{
	(void)state;
	config_with("id", json_object_new_string(SAMPLE_ID "0"));
}

static void ctr_config_from_json__id_number__fails(void **state)
{
	(void)state;
	config_with("id", json_object_new_int(12));
}

static void ctr_config_from_json__empty_argv__fails(void **state)
{
	(void)state;
	config_with("argv", json_object_new_array());
}

static void ctr_config_from_json__relative_host_skel__fails(void **state)
{
	(void)state;
	config_with("host_skel", json_object_new_string("host"));
}

static void ctr_config_from_json__argv_string__fails(void **state)
{
	(void)state;
	config_with("argv", json_object_new_string("sh -c true"));
}

static void ctr_config_from_json__argv_number_element__fails(void **state)
{
	struct json_object *a = json_object_new_array();

	(void)state;
	json_object_array_add(a, json_object_new_string("sh"));
	json_object_array_add(a, json_object_new_int(1));
	config_with("argv", a);
}

static void ctr_config_from_json__env_object__fails(void **state)
{
	(void)state;
	config_with("env", json_object_new_object());
}

static void ctr_config_from_json__negative_created_ns__fails(void **state)
{
	(void)state;
	config_with("created_ns", json_object_new_int64(-1));
}

static void ctr_config_from_json__negative_owner_uid__fails(void **state)
{
	(void)state;
	config_with("owner_uid", json_object_new_int64(-1));
}

static void ctr_config_from_json__owner_uid_uint32_max__fails(void **state)
{
	(void)state;
	config_with("owner_uid", json_object_new_int64(UINT32_MAX));
}

static void ctr_config_from_json__uid_over_32_bits__fails(void **state)
{
	(void)state;
	config_with("uid", json_object_new_int64(1LL << 32));
}

static void ctr_config_from_json__negative_gid__fails(void **state)
{
	(void)state;
	config_with("gid", json_object_new_int64(-5));
}

static void ctr_config_from_json__negative_stop_timeout__fails(void **state)
{
	(void)state;
	config_with("stop_timeout", json_object_new_int64(-1));
}

static void ctr_config_from_json__stop_timeout_over_int__fails(void **state)
{
	(void)state;
	config_with("stop_timeout", json_object_new_int64((int64_t)INT32_MAX + 1));
}

static void ctr_config_from_json__rows_over_65535__fails(void **state)
{
	(void)state;
	config_with("rows", json_object_new_int64(65536));
}

static void ctr_config_from_json__negative_rows__fails(void **state)
{
	(void)state;
	config_with("rows", json_object_new_int64(-1));
}

static void ctr_config_from_json__negative_cols__fails(void **state)
{
	(void)state;
	config_with("cols", json_object_new_int64(-1));
}

static void ctr_config_from_json__uid_string__fails(void **state)
{
	(void)state;
	config_with("uid", json_object_new_string("0"));
}

static void ctr_config_from_json__uid_double__fails(void **state)
{
	(void)state;
	config_with("uid", json_object_new_double(1.5));
}

static void ctr_config_from_json__tty_string__fails(void **state)
{
	(void)state;
	config_with("tty", json_object_new_string("yes"));
}

static void ctr_config_from_json__auto_remove_number__fails(void **state)
{
	(void)state;
	config_with("auto_remove", json_object_new_int(1));
}

/* ---- state: rejected content ---- */

static void ctr_state_from_json__not_json__fails(void **state)
{
	(void)state;
	expect_state_fails(strdup("exited"), "not a JSON object");
}

static void ctr_state_from_json__missing_status__fails(void **state)
{
	(void)state;
	state_without("status");
}

static void ctr_state_from_json__unknown_status__fails(void **state)
{
	(void)state;
	expect_state_fails(edited_json(true, "status", json_object_new_string("paused"), false),
			   "unknown status");
}

static void ctr_state_from_json__uppercase_status__fails(void **state)
{
	(void)state;
	expect_state_fails(edited_json(true, "status", json_object_new_string("Exited"), false),
			   "unknown status");
}

/* The skeleton is a name under --root/host: never a path out of it. */
static void ctr_state_from_json__skeleton_path__fails(void **state)
{
	(void)state;
	state_with("skeleton", json_object_new_string("../../etc"));
	state_with("skeleton", json_object_new_string(".."));
	state_with("skeleton", json_object_new_string(""));
}

static void ctr_state_from_json__status_number__fails(void **state)
{
	(void)state;
	state_with("status", json_object_new_int(2));
}

static void ctr_state_from_json__missing_pid__fails(void **state)
{
	(void)state;
	state_without("pid");
}

static void ctr_state_from_json__missing_monitor_pid__fails(void **state)
{
	(void)state;
	state_without("monitor_pid");
}

static void ctr_state_from_json__missing_started_ns__fails(void **state)
{
	(void)state;
	state_without("started_ns");
}

static void ctr_state_from_json__missing_finished_ns__fails(void **state)
{
	(void)state;
	state_without("finished_ns");
}

static void ctr_state_from_json__missing_exit_code__fails(void **state)
{
	(void)state;
	state_without("exit_code");
}

static void ctr_state_from_json__null_pid__fails(void **state)
{
	(void)state;
	state_with("pid", NULL);
}

static void ctr_state_from_json__null_exit_code__fails(void **state)
{
	(void)state;
	state_with("exit_code", NULL);
}

static void ctr_state_from_json__negative_pid__fails(void **state)
{
	(void)state;
	state_with("pid", json_object_new_int(-1));
}

static void ctr_state_from_json__pid_over_int__fails(void **state)
{
	(void)state;
	state_with("monitor_pid", json_object_new_int64((int64_t)INT32_MAX + 1));
}

static void ctr_state_from_json__negative_finished_ns__fails(void **state)
{
	(void)state;
	state_with("finished_ns", json_object_new_int64(-1));
}

static void ctr_state_from_json__exit_code_256__fails(void **state)
{
	(void)state;
	state_with("exit_code", json_object_new_int(256));
}

static void ctr_state_from_json__negative_exit_code__fails(void **state)
{
	(void)state;
	state_with("exit_code", json_object_new_int(-1));
}

static void ctr_state_from_json__error_number__fails(void **state)
{
	(void)state;
	state_with("error", json_object_new_int(1));
}

/* ---- exit codes ---- */

static int wait_status_of_child(int how)
{
	int ws = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (how < 0)
			raise(-how);
		_exit(how);
	}
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	return ws;
}

static void ctr_exit_code_from_wait__exit_3__3(void **state)
{
	(void)state;
	assert_int_equal(ctr_exit_code_from_wait(wait_status_of_child(3)), 3);
}

static void ctr_exit_code_from_wait__exit_0__0(void **state)
{
	(void)state;
	assert_int_equal(ctr_exit_code_from_wait(wait_status_of_child(0)), 0);
}

static void ctr_exit_code_from_wait__sigkill__137(void **state)
{
	(void)state;
	assert_int_equal(ctr_exit_code_from_wait(wait_status_of_child(-SIGKILL)), 137);
}

static void ctr_exit_code_from_wait__sigterm__143(void **state)
{
	(void)state;
	assert_int_equal(ctr_exit_code_from_wait(wait_status_of_child(-SIGTERM)), 143);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctr_config_to_json__then_from_json__identical),
		cmocka_unit_test(ctr_config_to_json__all_false_and_zero__identical),
		cmocka_unit_test(ctr_state_to_json__then_from_json__identical),
		cmocka_unit_test(ctr_state_to_json__running_no_error__identical),
		cmocka_unit_test(ctr_state_to_json__created__identical),
		cmocka_unit_test(ctr_status_name__each__docker_words),
		cmocka_unit_test(ctr_config_save__then_load__identical),
		cmocka_unit_test(ctr_config_save__twice__second_wins),
		cmocka_unit_test(ctr_state_save__then_load__identical),
		cmocka_unit_test(ctr_config_load__no_file__fails),
		cmocka_unit_test(ctr_state_load__no_dir__fails),
		cmocka_unit_test(ctr_config_save__no_dir__fails),
		cmocka_unit_test(ctr_config_load__truncated_half__fails),
		cmocka_unit_test(ctr_state_load__truncated_half__fails),
		cmocka_unit_test(ctr_config_load__empty_file__fails),
		cmocka_unit_test(ctr_config_from_json__every_truncation__fails),
		cmocka_unit_test(ctr_state_from_json__every_truncation__fails),
		cmocka_unit_test(ctr_config_from_json__not_json__fails),
		cmocka_unit_test(ctr_config_from_json__json_array__fails),
		cmocka_unit_test(ctr_config_from_json__empty_object__fails),
		cmocka_unit_test(ctr_config_from_json__missing_id__fails),
		cmocka_unit_test(ctr_config_from_json__missing_name__fails),
		cmocka_unit_test(ctr_config_from_json__missing_image__fails),
		cmocka_unit_test(ctr_config_from_json__missing_argv__fails),
		cmocka_unit_test(ctr_config_from_json__missing_env__fails),
		cmocka_unit_test(ctr_config_from_json__missing_cwd__fails),
		cmocka_unit_test(ctr_config_from_json__missing_hostname__fails),
		cmocka_unit_test(ctr_config_from_json__missing_created_ns__fails),
		cmocka_unit_test(ctr_config_from_json__missing_owner_uid__fails),
		cmocka_unit_test(ctr_config_from_json__missing_owner_gid__fails),
		cmocka_unit_test(ctr_config_from_json__missing_uid__fails),
		cmocka_unit_test(ctr_config_from_json__missing_gid__fails),
		cmocka_unit_test(ctr_config_from_json__missing_stop_timeout__fails),
		cmocka_unit_test(ctr_config_from_json__missing_rows__fails),
		cmocka_unit_test(ctr_config_from_json__missing_cols__fails),
		cmocka_unit_test(ctr_config_from_json__null_name__fails),
		cmocka_unit_test(ctr_config_from_json__null_uid__fails),
		cmocka_unit_test(ctr_config_from_json__null_rows__fails),
		cmocka_unit_test(ctr_config_from_json__invalid_id__fails),
		cmocka_unit_test(ctr_config_from_json__uppercase_id__fails),
		cmocka_unit_test(ctr_config_from_json__short_id__fails),
		cmocka_unit_test(ctr_config_from_json__long_id__fails),
		cmocka_unit_test(ctr_config_from_json__id_number__fails),
		cmocka_unit_test(ctr_config_from_json__empty_argv__fails),
		cmocka_unit_test(ctr_config_from_json__relative_host_skel__fails),
		cmocka_unit_test(ctr_config_from_json__argv_string__fails),
		cmocka_unit_test(ctr_config_from_json__argv_number_element__fails),
		cmocka_unit_test(ctr_config_from_json__env_object__fails),
		cmocka_unit_test(ctr_config_from_json__negative_created_ns__fails),
		cmocka_unit_test(ctr_config_from_json__negative_owner_uid__fails),
		cmocka_unit_test(ctr_config_from_json__owner_uid_uint32_max__fails),
		cmocka_unit_test(ctr_config_from_json__uid_over_32_bits__fails),
		cmocka_unit_test(ctr_config_from_json__negative_gid__fails),
		cmocka_unit_test(ctr_config_from_json__negative_stop_timeout__fails),
		cmocka_unit_test(ctr_config_from_json__stop_timeout_over_int__fails),
		cmocka_unit_test(ctr_config_from_json__rows_over_65535__fails),
		cmocka_unit_test(ctr_config_from_json__negative_rows__fails),
		cmocka_unit_test(ctr_config_from_json__negative_cols__fails),
		cmocka_unit_test(ctr_config_from_json__uid_string__fails),
		cmocka_unit_test(ctr_config_from_json__uid_double__fails),
		cmocka_unit_test(ctr_config_from_json__tty_string__fails),
		cmocka_unit_test(ctr_config_from_json__auto_remove_number__fails),
		cmocka_unit_test(ctr_state_from_json__not_json__fails),
		cmocka_unit_test(ctr_state_from_json__missing_status__fails),
		cmocka_unit_test(ctr_state_from_json__unknown_status__fails),
		cmocka_unit_test(ctr_state_from_json__uppercase_status__fails),
		cmocka_unit_test(ctr_state_from_json__status_number__fails),
		cmocka_unit_test(ctr_state_from_json__skeleton_path__fails),
		cmocka_unit_test(ctr_state_from_json__missing_pid__fails),
		cmocka_unit_test(ctr_state_from_json__missing_monitor_pid__fails),
		cmocka_unit_test(ctr_state_from_json__missing_started_ns__fails),
		cmocka_unit_test(ctr_state_from_json__missing_finished_ns__fails),
		cmocka_unit_test(ctr_state_from_json__missing_exit_code__fails),
		cmocka_unit_test(ctr_state_from_json__null_pid__fails),
		cmocka_unit_test(ctr_state_from_json__null_exit_code__fails),
		cmocka_unit_test(ctr_state_from_json__negative_pid__fails),
		cmocka_unit_test(ctr_state_from_json__pid_over_int__fails),
		cmocka_unit_test(ctr_state_from_json__negative_finished_ns__fails),
		cmocka_unit_test(ctr_state_from_json__exit_code_256__fails),
		cmocka_unit_test(ctr_state_from_json__negative_exit_code__fails),
		cmocka_unit_test(ctr_state_from_json__error_number__fails),
		cmocka_unit_test(ctr_exit_code_from_wait__exit_3__3),
		cmocka_unit_test(ctr_exit_code_from_wait__exit_0__0),
		cmocka_unit_test(ctr_exit_code_from_wait__sigkill__137),
		cmocka_unit_test(ctr_exit_code_from_wait__sigterm__143),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
