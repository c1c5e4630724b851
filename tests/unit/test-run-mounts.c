/* Unit tests for daemon/run-mounts.c: the -v, --tmpfs and --read-only
 * fields of an untrusted `run` request checked and turned into the
 * container config, targets normalized and tmpfs options narrowed to
 * what is safe. The requests are json-c objects built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <json-c/json.h>

#include "../../common/err.h"
#include "../../daemon/ctr-config.h"
#include "../../daemon/run-mounts.h"

/* ---- helpers ---- */

static struct json_object *volume(const char *source, const char *target, bool ro, int fd)
{
	struct json_object *v = json_object_new_object();

	json_object_object_add(v, "source", json_object_new_string(source));
	json_object_object_add(v, "target", json_object_new_string(target));
	json_object_object_add(v, "readonly", json_object_new_boolean(ro));
	if (fd >= 0)
		json_object_object_add(v, "fd", json_object_new_int(fd));
	return v;
}

static struct json_object *tmpfs(const char *target, const char *options)
{
	struct json_object *t = json_object_new_object();

	json_object_object_add(t, "target", json_object_new_string(target));
	if (options != NULL)
		json_object_object_add(t, "options", json_object_new_string(options));
	return t;
}

/* {"volumes": [v1, v2], "tmpfs": [t1]}, each part left out when NULL. */
static struct json_object *req(struct json_object *v1, struct json_object *v2,
			       struct json_object *t1)
{
	struct json_object *r = json_object_new_object();
	struct json_object *vols = json_object_new_array();
	struct json_object *tm = json_object_new_array();

	if (v1 != NULL)
		json_object_array_add(vols, v1);
	if (v2 != NULL)
		json_object_array_add(vols, v2);
	if (t1 != NULL)
		json_object_array_add(tm, t1);
	json_object_object_add(r, "volumes", vols);
	json_object_object_add(r, "tmpfs", tm);
	return r;
}

/* Parse (consuming r); must succeed. Free c with ctr_config_free. */
static void mounts_ok(struct json_object *r, struct ctr_config *c)
{
	struct md_err err = { 0 };
	int rc;

	memset(c, 0, sizeof(*c));
	rc = run_mounts_from_request(r, c, &err);
	json_object_put(r);
	if (rc != 0)
		fail_msg("run_mounts_from_request failed: %s", err.msg);
}

/* Parse (consuming r); must fail with exactly this message. */
static void mounts_fail(struct json_object *r, const char *expected)
{
	struct ctr_config c;
	struct md_err err = { 0 };
	int rc;

	memset(&c, 0, sizeof(c));
	rc = run_mounts_from_request(r, &c, &err);
	json_object_put(r);
	ctr_config_free(&c); /* what was filled in is the config's */
	assert_int_equal(rc, -1);
	assert_string_equal(err.msg, expected);
}

static void target_fails(const char *target, const char *expected)
{
	mounts_fail(req(volume("/src", target, false, 0), NULL, NULL), expected);
}

static void tmpfs_options_fail(const char *opts, const char *expected)
{
	char *data = (char *)"untouched";
	bool exec, ro;
	struct md_err err = { 0 };

	assert_int_equal(run_tmpfs_options(opts, &data, &exec, &ro, &err), -1);
	assert_string_equal(err.msg, expected);
	assert_null(data);
}

static void tmpfs_options_ok(const char *opts, const char *data_expected, bool exec_expected,
			     bool ro_expected)
{
	char *data = NULL;
	bool exec = !exec_expected, ro = !ro_expected;
	struct md_err err = { 0 };

	if (run_tmpfs_options(opts, &data, &exec, &ro, &err) != 0)
		fail_msg("run_tmpfs_options(%s) failed: %s", opts, err.msg);
	assert_string_equal(data, data_expected);
	assert_int_equal(exec, exec_expected);
	assert_int_equal(ro, ro_expected);
	free(data);
}

/* ---- request fields ---- */

static void run_mounts__none__empty_and_writable(void **state)
{
	struct ctr_config c;

	(void)state;
	mounts_ok(json_object_new_object(), &c);
	assert_int_equal(c.nvolumes, 0);
	assert_int_equal(c.ntmpfs, 0);
	assert_false(c.read_only);
	ctr_config_free(&c);
}

static void run_mounts__read_only__set(void **state)
{
	struct json_object *r = json_object_new_object();
	struct ctr_config c;

	(void)state;
	json_object_object_add(r, "read_only", json_object_new_boolean(true));
	mounts_ok(r, &c);
	assert_true(c.read_only);
	ctr_config_free(&c);
}

static void run_mounts__read_only_string__fails(void **state)
{
	struct json_object *r = json_object_new_object();

	(void)state;
	json_object_object_add(r, "read_only", json_object_new_string("yes"));
	mounts_fail(r, "invalid request: read_only must be true or false");
}

static void run_mounts__volume__kept_with_normalized_target(void **state)
{
	struct ctr_config c;

	(void)state;
	mounts_ok(req(volume("/srv/data", "//data/./x/", true, 0), NULL, NULL), &c);
	assert_int_equal(c.nvolumes, 1);
	assert_string_equal(c.volumes[0].source, "/srv/data");
	assert_string_equal(c.volumes[0].target, "/data/x");
	assert_true(c.volumes[0].readonly);
	ctr_config_free(&c);
}

static void run_mounts__volumes__placed_by_fd_index(void **state)
{
	struct ctr_config c;

	(void)state;
	mounts_ok(req(volume("/b", "/vb", false, 1), volume("/a", "/va", true, 0), NULL), &c);
	assert_int_equal(c.nvolumes, 2);
	assert_string_equal(c.volumes[0].source, "/a");
	assert_string_equal(c.volumes[0].target, "/va");
	assert_string_equal(c.volumes[1].source, "/b");
	assert_false(c.volumes[1].readonly);
	ctr_config_free(&c);
}

static void run_mounts__fd_out_of_range__fails(void **state)
{
	(void)state;
	mounts_fail(req(volume("/a", "/a", false, 1), NULL, NULL),
		    "invalid request: fd must be an integer from 0 to 0");
}

static void run_mounts__fd_used_twice__fails(void **state)
{
	(void)state;
	mounts_fail(req(volume("/a", "/a", false, 0), volume("/b", "/b", false, 0), NULL),
		    "invalid request: volume fd 0 used twice");
}

static void run_mounts__fd_missing__fails(void **state)
{
	(void)state;
	mounts_fail(req(volume("/a", "/a", false, -1), NULL, NULL),
		    "invalid request: a volume has no fd");
}

static void run_mounts__relative_source__fails(void **state)
{
	(void)state;
	mounts_fail(req(volume("data", "/a", false, 0), NULL, NULL),
		    "volume source must be an absolute path: data");
}

static void run_mounts__source_missing__fails(void **state)
{
	struct json_object *v = json_object_new_object();

	(void)state;
	json_object_object_add(v, "target", json_object_new_string("/a"));
	json_object_object_add(v, "fd", json_object_new_int(0));
	mounts_fail(req(v, NULL, NULL), "invalid request: source is missing");
}

static void run_mounts__volumes_not_array__fails(void **state)
{
	struct json_object *r = json_object_new_object();

	(void)state;
	json_object_object_add(r, "volumes", json_object_new_string("/a:/b"));
	mounts_fail(r, "invalid request: volumes must be an array");
}

static void run_mounts__volume_not_object__fails(void **state)
{
	struct json_object *r = json_object_new_object();
	struct json_object *vols = json_object_new_array();

	(void)state;
	json_object_array_add(vols, json_object_new_string("/a:/b"));
	json_object_object_add(r, "volumes", vols);
	mounts_fail(r, "invalid request: volumes[0] must be an object");
}

static void run_mounts__too_many_volumes__fails(void **state)
{
	struct json_object *r = json_object_new_object();
	struct json_object *vols = json_object_new_array();

	(void)state;
	for (int i = 0; i <= RUN_VOLUMES_MAX; i++) {
		char t[32];

		snprintf(t, sizeof(t), "/v%d", i);
		json_object_array_add(vols, volume("/src", t, false, i));
	}
	json_object_object_add(r, "volumes", vols);
	mounts_fail(r, "too many volumes (at most 32)");
}

static void run_mounts__target_relative__fails(void **state)
{
	(void)state;
	target_fails("mnt", "mount target must be an absolute path: mnt");
}

static void run_mounts__target_root__fails(void **state)
{
	(void)state;
	target_fails("/", "mount target must not be \"/\": /");
	target_fails("//./", "mount target must not be \"/\": //./");
}

static void run_mounts__target_dotdot__fails(void **state)
{
	(void)state;
	target_fails("/a/../b", "mount target must not contain \"..\": /a/../b");
	target_fails("/..", "mount target must not contain \"..\": /..");
}

static void run_mounts__target_under_proc_sys_dev__fails(void **state)
{
	(void)state;
	target_fails("/proc", "cannot mount on /proc: /proc is the container's own");
	target_fails("/sys/fs/x", "cannot mount on /sys/fs/x: /sys is the container's own");
	target_fails("//dev/./shm", "cannot mount on //dev/./shm: /dev is the container's own");
}

static void run_mounts__target_like_dev__accepted(void **state)
{
	struct ctr_config c;

	(void)state;
	mounts_ok(req(volume("/src", "/devices", false, 0), volume("/s", "/process", false, 1), NULL),
		  &c);
	assert_string_equal(c.volumes[0].target, "/devices");
	assert_string_equal(c.volumes[1].target, "/process");
	ctr_config_free(&c);
}

static void run_mounts__target_too_long__fails(void **state)
{
	char *t = malloc(RUN_MOUNT_PATH_MAX + 2);

	(void)state;
	for (size_t i = 0; i < RUN_MOUNT_PATH_MAX + 1; i++)
		t[i] = i % 100 == 0 ? '/' : 'a';
	t[RUN_MOUNT_PATH_MAX + 1] = '\0';
	mounts_fail(req(volume("/src", t, false, 0), NULL, NULL),
		    "mount target too long: /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...");
	free(t);
}

static void run_mounts__target_name_over_255__fails(void **state)
{
	char t[300];

	(void)state;
	t[0] = '/';
	memset(t + 1, 'n', 256);
	t[257] = '\0';
	mounts_fail(req(volume("/src", t, false, 0), NULL, NULL),
		    "mount target has a name too long: /nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...");
}

static void run_mounts__duplicate_volume_targets__fails(void **state)
{
	(void)state;
	mounts_fail(req(volume("/a", "/data", false, 0), volume("/b", "/data/", false, 1), NULL),
		    "duplicate mount point: /data");
}

static void run_mounts__volume_and_tmpfs_same_target__fails(void **state)
{
	(void)state;
	mounts_fail(req(volume("/a", "/data", false, 0), NULL, tmpfs("/data", NULL)),
		    "duplicate mount point: /data");
}

static void run_mounts__tmpfs__checked_options_kept(void **state)
{
	struct ctr_config c;

	(void)state;
	mounts_ok(req(NULL, NULL, tmpfs("/run/x/", "size=64m,mode=1777,exec,nosuid,ro")), &c);
	assert_int_equal(c.ntmpfs, 1);
	assert_string_equal(c.tmpfs[0].target, "/run/x");
	assert_string_equal(c.tmpfs[0].options, "size=67108864,mode=1777");
	assert_true(c.tmpfs[0].exec);
	assert_true(c.tmpfs[0].readonly);
	ctr_config_free(&c);
}

static void run_mounts__tmpfs_no_options__defaults(void **state)
{
	struct ctr_config c;

	(void)state;
	mounts_ok(req(NULL, NULL, tmpfs("/tmp", NULL)), &c);
	assert_string_equal(c.tmpfs[0].options, "");
	assert_false(c.tmpfs[0].exec);
	assert_false(c.tmpfs[0].readonly);
	ctr_config_free(&c);
}

static void run_mounts__tmpfs_bad_option__fails(void **state)
{
	(void)state;
	mounts_fail(req(NULL, NULL, tmpfs("/tmp", "suid")),
		    "--tmpfs /tmp: invalid tmpfs option: suid (size, mode, exec, noexec, ro, rw, "
		    "nosuid, nodev)");
}

static void run_mounts__tmpfs_target_dev__fails(void **state)
{
	(void)state;
	mounts_fail(req(NULL, NULL, tmpfs("/dev/shm", NULL)),
		    "cannot mount on /dev/shm: /dev is the container's own");
}

/* ---- run_tmpfs_options ---- */

static void tmpfs_options__empty__no_data(void **state)
{
	(void)state;
	tmpfs_options_ok("", "", false, false);
}

static void tmpfs_options__sizes__bytes(void **state)
{
	(void)state;
	tmpfs_options_ok("size=4096", "size=4096", false, false);
	tmpfs_options_ok("size=64k", "size=65536", false, false);
	tmpfs_options_ok("size=2G", "size=2147483648", false, false);
}

static void tmpfs_options__mode_zero__kept(void **state)
{
	(void)state;
	tmpfs_options_ok("mode=0", "mode=0", false, false);
	tmpfs_options_ok("mode=0755", "mode=755", false, false);
}

static void tmpfs_options__last_of_exec_noexec_wins(void **state)
{
	(void)state;
	tmpfs_options_ok("exec,noexec", "", false, false);
	tmpfs_options_ok("noexec,exec,rw", "", true, false);
	tmpfs_options_ok("ro,rw,ro,nodev", "", false, true);
}

static void tmpfs_options__mode_over_1777__fails(void **state)
{
	(void)state;
	tmpfs_options_fail("mode=2777", "invalid tmpfs mode: mode=2777 (octal, at most 1777)");
	tmpfs_options_fail("mode=8", "invalid tmpfs mode: mode=8 (octal, at most 1777)");
	tmpfs_options_fail("mode=", "invalid tmpfs option: mode= (size, mode, exec, noexec, ro, rw, "
			   "nosuid, nodev)");
}

static void tmpfs_options__bad_size__fails(void **state)
{
	(void)state;
	tmpfs_options_fail("size=0", "invalid tmpfs size: size=0 (bytes, or with k, m, g)");
	tmpfs_options_fail("size=1x", "invalid tmpfs size: size=1x (bytes, or with k, m, g)");
	tmpfs_options_fail("size=50%", "invalid tmpfs size: size=50% (bytes, or with k, m, g)");
	tmpfs_options_fail("size=99999999999999999999", "invalid tmpfs size: size=99999999999999999999 "
			   "(bytes, or with k, m, g)");
}

static void tmpfs_options__other_kernel_options__fail(void **state)
{
	(void)state;
	tmpfs_options_fail("uid=0", "invalid tmpfs option: uid=0 (size, mode, exec, noexec, ro, rw, "
			   "nosuid, nodev)");
	tmpfs_options_fail("dev", "invalid tmpfs option: dev (size, mode, exec, noexec, ro, rw, "
			   "nosuid, nodev)");
	tmpfs_options_fail(",ro", "invalid tmpfs option:  (size, mode, exec, noexec, ro, rw, "
			   "nosuid, nodev)");
}

static void tmpfs_options__trailing_comma__fails(void **state)
{
	(void)state;
	tmpfs_options_fail("ro,", "invalid tmpfs options: ro,");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(run_mounts__none__empty_and_writable),
		cmocka_unit_test(run_mounts__read_only__set),
		cmocka_unit_test(run_mounts__read_only_string__fails),
		cmocka_unit_test(run_mounts__volume__kept_with_normalized_target),
		cmocka_unit_test(run_mounts__volumes__placed_by_fd_index),
		cmocka_unit_test(run_mounts__fd_out_of_range__fails),
		cmocka_unit_test(run_mounts__fd_used_twice__fails),
		cmocka_unit_test(run_mounts__fd_missing__fails),
		cmocka_unit_test(run_mounts__relative_source__fails),
		cmocka_unit_test(run_mounts__source_missing__fails),
		cmocka_unit_test(run_mounts__volumes_not_array__fails),
		cmocka_unit_test(run_mounts__volume_not_object__fails),
		cmocka_unit_test(run_mounts__too_many_volumes__fails),
		cmocka_unit_test(run_mounts__target_relative__fails),
		cmocka_unit_test(run_mounts__target_root__fails),
		cmocka_unit_test(run_mounts__target_dotdot__fails),
		cmocka_unit_test(run_mounts__target_under_proc_sys_dev__fails),
		cmocka_unit_test(run_mounts__target_like_dev__accepted),
		cmocka_unit_test(run_mounts__target_too_long__fails),
		cmocka_unit_test(run_mounts__target_name_over_255__fails),
		cmocka_unit_test(run_mounts__duplicate_volume_targets__fails),
		cmocka_unit_test(run_mounts__volume_and_tmpfs_same_target__fails),
		cmocka_unit_test(run_mounts__tmpfs__checked_options_kept),
		cmocka_unit_test(run_mounts__tmpfs_no_options__defaults),
		cmocka_unit_test(run_mounts__tmpfs_bad_option__fails),
		cmocka_unit_test(run_mounts__tmpfs_target_dev__fails),
		cmocka_unit_test(tmpfs_options__empty__no_data),
		cmocka_unit_test(tmpfs_options__sizes__bytes),
		cmocka_unit_test(tmpfs_options__mode_zero__kept),
		cmocka_unit_test(tmpfs_options__last_of_exec_noexec_wins),
		cmocka_unit_test(tmpfs_options__mode_over_1777__fails),
		cmocka_unit_test(tmpfs_options__bad_size__fails),
		cmocka_unit_test(tmpfs_options__other_kernel_options__fail),
		cmocka_unit_test(tmpfs_options__trailing_comma__fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
