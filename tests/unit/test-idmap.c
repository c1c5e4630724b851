/* Unit tests for daemon/idmap.c and the map text of daemon/ctr-config.c,
 * against subuid/subgid files written to a temp dir. idmap_find_range
 * follows newuidmap's rules: a line names the user or its numeric uid, the
 * first match wins, malformed lines are skipped, and a range that reaches
 * host id 0 or runs past 2^32 - 1 is never used. idmap_for_caller maps a
 * non-root caller's container root to the caller itself (uid 4242, which
 * has no passwd entry, so only numeric lines can match) plus its
 * subordinate range when it has one; root (--userns private) needs ranges
 * of its own, and maps container 0 to their first id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pwd.h>
#include <unistd.h>

#include "../../common/err.h"
#include "../../daemon/ctr-config.h"
#include "../../daemon/idmap.h"

#define OWNER 4242

struct fx {
	char dir[64];
	char subuid[96];
	char subgid[96];
	struct ctr_config cfg;
	struct md_err err;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-idmap.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->subuid, sizeof(f->subuid), "%s/subuid", f->dir);
	snprintf(f->subgid, sizeof(f->subgid), "%s/subgid", f->dir);
	f->cfg.owner_uid = OWNER;
	f->cfg.owner_gid = OWNER;
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->subuid);
	unlink(f->subgid);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* idmap_find_range on f->subuid for (name, id). */
static bool find(struct fx *f, const char *text, const char *name, unsigned long id,
		 unsigned long *start, unsigned long *count)
{
	write_file(f->subuid, text);
	return idmap_find_range(f->subuid, name, id, start, count);
}

/* ---- idmap_find_range ---- */

static void idmap_find_range__by_name__range(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "alice:100000:65536\n", "alice", 1000, &s, &n));
	assert_int_equal(s, 100000);
	assert_int_equal(n, 65536);
}

static void idmap_find_range__by_numeric_uid__range(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "4242:200000:1000\n", "alice", 4242, &s, &n));
	assert_int_equal(s, 200000);
	assert_int_equal(n, 1000);
}

static void idmap_find_range__null_name_numeric_line__range(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "bob:1:2\n4242:300000:65536\n", NULL, 4242, &s, &n));
	assert_int_equal(s, 300000);
	assert_int_equal(n, 65536);
}

static void idmap_find_range__no_trailing_newline__range(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "alice:100000:65536", "alice", 1000, &s, &n));
	assert_int_equal(s, 100000);
	assert_int_equal(n, 65536);
}

static void idmap_find_range__two_lines_same_name__first_wins(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "alice:100000:65536\nalice:500000:10\n", "alice", 1000, &s, &n));
	assert_int_equal(s, 100000);
	assert_int_equal(n, 65536);
}

static void idmap_find_range__uid_line_before_name_line__first_wins(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "1000:700000:5\nalice:100000:65536\n", "alice", 1000, &s, &n));
	assert_int_equal(s, 700000);
	assert_int_equal(n, 5);
}

static void idmap_find_range__other_users_only__false(void **state)
{
	unsigned long s = 7, n = 7;

	assert_false(find(*state, "bob:100000:65536\n1001:200000:65536\n", "alice", 1000, &s, &n));
	assert_int_equal(s, 7);
	assert_int_equal(n, 7);
}

static void idmap_find_range__name_prefix_or_extension__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "alic:100000:65536\nalice2:200000:65536\n", "alice", 1000, &s,
			  &n));
}

static void idmap_find_range__uid_prefix__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "42:100000:65536\n424:100000:65536\n42420:1:2\n", NULL, 4242, &s,
			  &n));
}

static void idmap_find_range__malformed_lines__skipped(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state,
			 "alice\n"
			 "alice:100000\n"
			 "alice:abc:10\n"
			 "alice:100000:xyz\n"
			 "alice:-5:10\n"
			 "alice:100000:-1\n"
			 "alice:1e5:10\n"
			 "alice: 100000:10\n"
			 "\n"
			 "alice:600000:4096\n",
			 "alice", 1000, &s, &n));
	assert_int_equal(s, 600000);
	assert_int_equal(n, 4096);
}

/* newuidmap (shadow's subordinate_parse) wants exactly three non-empty
 * fields: "alice::100000:5" is not start 100000, count 5. */
static void idmap_find_range__empty_field__skipped(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "alice::100000:5\nalice:600000:10\n", "alice", 1000, &s, &n));
	assert_int_equal(s, 600000);
	assert_int_equal(n, 10);
}

/* A line longer than the reader's buffer is one line: its tail is not a
 * line of its own. newuidmap reads the owner "xxx...xalice" here, which is
 * not alice (and refuses lines of 1024 bytes or more). */
static void idmap_find_range__long_line_tail__not_a_line(void **state)
{
	char text[1100];
	unsigned long s, n;

	/* Owners of 255 to 1000 x's put "alice" at every likely buffer edge. */
	for (size_t len = 255; len <= 1000; len++) {
		memset(text, 'x', len);
		snprintf(text + len, sizeof(text) - len, "alice:100000:65536\n");
		assert_false(find(*state, text, "alice", 1000, &s, &n));
	}
}

static void idmap_find_range__only_malformed__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "alice\nalice:abc:10\nalice:100000:\n", "alice", 1000, &s, &n));
}

static void idmap_find_range__start_zero__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "alice:0:65536\n", "alice", 1000, &s, &n));
}

static void idmap_find_range__start_zero_then_valid__valid_one(void **state)
{
	unsigned long s = 0, n = 0;

	assert_true(find(*state, "alice:0:65536\nalice:100000:65536\n", "alice", 1000, &s, &n));
	assert_int_equal(s, 100000);
}

static void idmap_find_range__count_zero__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "alice:100000:0\n", "alice", 1000, &s, &n));
}

static void idmap_find_range__past_2_32__false(void **state)
{
	unsigned long s, n;

	/* 4294967000 + 1000 > 2^32 - 1 */
	assert_false(find(*state, "alice:4294967000:1000\n", "alice", 1000, &s, &n));
}

static void idmap_find_range__start_past_2_32__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "alice:4294967296:1\n", "alice", 1000, &s, &n));
}

static void idmap_find_range__huge_count__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "alice:1:99999999999999999999\n", "alice", 1000, &s, &n));
}

static void idmap_find_range__ends_at_2_32_minus_1__range(void **state)
{
	unsigned long s = 0, n = 0;

	/* ids 4294901759 .. 4294967294: the last valid id is 2^32 - 2. */
	assert_true(find(*state, "alice:4294901759:65536\n", "alice", 1000, &s, &n));
	assert_int_equal(s, 4294901759UL);
	assert_int_equal(n, 65536);
}

static void idmap_find_range__missing_file__false(void **state)
{
	struct fx *f = *state;
	unsigned long s = 7, n = 7;

	assert_false(idmap_find_range(f->subuid, "alice", 1000, &s, &n));
	assert_int_equal(s, 7);
	assert_int_equal(n, 7);
}

static void idmap_find_range__empty_file__false(void **state)
{
	unsigned long s, n;

	assert_false(find(*state, "", "alice", 1000, &s, &n));
}

/* ---- idmap_for_caller: a caller who is not root ---- */

static void idmap_for_caller__owner_has_no_passwd_entry__precondition(void **state)
{
	(void)state;
	/* The tests below rely on it: only numeric lines can match. */
	assert_null(getpwuid(OWNER));
}

static void idmap_for_caller__user_with_ranges__owner_and_sub_ranges(void **state)
{
	struct fx *f = *state;

	write_file(f->subuid, "root:100000:65536\n4242:165536:65536\n");
	write_file(f->subgid, "4242:300000:1000\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	assert_true(f->cfg.userns);
	assert_int_equal(f->cfg.map_uid, OWNER);
	assert_int_equal(f->cfg.map_gid, OWNER);
	assert_int_equal(f->cfg.sub_uid_start, 165536);
	assert_int_equal(f->cfg.sub_uid_count, 65536);
	assert_int_equal(f->cfg.sub_gid_start, 300000);
	assert_int_equal(f->cfg.sub_gid_count, 1000);
}

static void idmap_for_caller__user_without_ranges__owner_only(void **state)
{
	struct fx *f = *state;

	write_file(f->subuid, "root:100000:65536\n1000:165536:65536\n");
	write_file(f->subgid, "root:100000:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	assert_true(f->cfg.userns);
	assert_int_equal(f->cfg.map_uid, OWNER);
	assert_int_equal(f->cfg.map_gid, OWNER);
	assert_int_equal(f->cfg.sub_uid_count, 0);
	assert_int_equal(f->cfg.sub_gid_count, 0);
}

static void idmap_for_caller__user_missing_files__owner_only(void **state)
{
	struct fx *f = *state;

	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	assert_true(f->cfg.userns);
	assert_int_equal(f->cfg.map_uid, OWNER);
	assert_int_equal(f->cfg.map_gid, OWNER);
	assert_int_equal(f->cfg.sub_uid_count, 0);
	assert_int_equal(f->cfg.sub_gid_count, 0);
}

static void idmap_for_caller__user_uid_range_only__gid_owner_only(void **state)
{
	struct fx *f = *state;

	write_file(f->subuid, "4242:165536:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	assert_int_equal(f->cfg.sub_uid_start, 165536);
	assert_int_equal(f->cfg.sub_uid_count, 65536);
	assert_int_equal(f->cfg.sub_gid_count, 0);
}

static void idmap_for_caller__user_gid_differs__map_gid_is_owner_gid(void **state)
{
	struct fx *f = *state;

	f->cfg.owner_gid = 100;
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	assert_int_equal(f->cfg.map_uid, OWNER);
	assert_int_equal(f->cfg.map_gid, 100);
}

/* ---- idmap_for_caller: root (--userns private) ---- */

static void idmap_for_caller__root_without_ranges__error_names_files(void **state)
{
	struct fx *f = *state;

	f->cfg.owner_uid = 0;
	f->cfg.owner_gid = 0;
	f->cfg.userns_private = true;
	write_file(f->subuid, "4242:165536:65536\n");
	write_file(f->subgid, "4242:165536:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "subuid"));
	assert_non_null(strstr(f->err.msg, f->subuid));
	assert_non_null(strstr(f->err.msg, f->subgid));
	assert_false(f->cfg.userns);
}

static void idmap_for_caller__root_missing_files__error(void **state)
{
	struct fx *f = *state;

	f->cfg.owner_uid = 0;
	f->cfg.owner_gid = 0;
	f->cfg.userns_private = true;
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "subuid"));
}

static void idmap_for_caller__root_uid_range_only__error(void **state)
{
	struct fx *f = *state;

	f->cfg.owner_uid = 0;
	f->cfg.owner_gid = 0;
	f->cfg.userns_private = true;
	write_file(f->subuid, "root:100000:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "subgid"));
}

static void idmap_for_caller__root_range_of_one__error(void **state)
{
	struct fx *f = *state;

	f->cfg.owner_uid = 0;
	f->cfg.owner_gid = 0;
	f->cfg.userns_private = true;
	write_file(f->subuid, "root:100000:1\n");
	write_file(f->subgid, "root:100000:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), -1);
}

static void idmap_for_caller__root_with_ranges__zero_maps_to_start(void **state)
{
	struct fx *f = *state;

	f->cfg.owner_uid = 0;
	f->cfg.owner_gid = 0;
	f->cfg.userns_private = true;
	write_file(f->subuid, "4242:1:2\nroot:100000:65536\n");
	write_file(f->subgid, "0:200000:1000\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	assert_true(f->cfg.userns);
	assert_int_equal(f->cfg.map_uid, 100000);
	assert_int_equal(f->cfg.sub_uid_start, 100001);
	assert_int_equal(f->cfg.sub_uid_count, 65535);
	assert_int_equal(f->cfg.map_gid, 200000);
	assert_int_equal(f->cfg.sub_gid_start, 200001);
	assert_int_equal(f->cfg.sub_gid_count, 999);
}

/* ---- ctr_config_id_map ---- */

static void ctr_config_id_map__owner_only__one_line(void **state)
{
	struct fx *f = *state;
	char buf[128];

	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	ctr_config_id_map(&f->cfg, true, buf, sizeof(buf));
	assert_string_equal(buf, "0 4242 1\n");
	ctr_config_id_map(&f->cfg, false, buf, sizeof(buf));
	assert_string_equal(buf, "0 4242 1\n");
}

static void ctr_config_id_map__with_sub_range__two_lines(void **state)
{
	struct fx *f = *state;
	char buf[128];

	write_file(f->subuid, "4242:100000:65536\n");
	write_file(f->subgid, "4242:100000:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	ctr_config_id_map(&f->cfg, true, buf, sizeof(buf));
	assert_string_equal(buf, "0 4242 1\n1 100000 65536\n");
	ctr_config_id_map(&f->cfg, false, buf, sizeof(buf));
	assert_string_equal(buf, "0 4242 1\n1 100000 65536\n");
}

static void ctr_config_id_map__uid_and_gid_differ__each_its_own(void **state)
{
	struct fx *f = *state;
	char buf[128];

	f->cfg.owner_gid = 100;
	write_file(f->subuid, "4242:100000:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	ctr_config_id_map(&f->cfg, true, buf, sizeof(buf));
	assert_string_equal(buf, "0 4242 1\n1 100000 65536\n");
	ctr_config_id_map(&f->cfg, false, buf, sizeof(buf));
	assert_string_equal(buf, "0 100 1\n");
}

static void ctr_config_id_map__root_private__from_start(void **state)
{
	struct fx *f = *state;
	char buf[128];

	f->cfg.owner_uid = 0;
	f->cfg.owner_gid = 0;
	f->cfg.userns_private = true;
	write_file(f->subuid, "root:100000:65536\n");
	write_file(f->subgid, "root:100000:65536\n");
	assert_int_equal(idmap_for_caller(&f->cfg, f->subuid, f->subgid, &f->err), 0);
	ctr_config_id_map(&f->cfg, true, buf, sizeof(buf));
	assert_string_equal(buf, "0 100000 1\n1 100001 65535\n");
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(idmap_find_range__by_name__range),
		T(idmap_find_range__by_numeric_uid__range),
		T(idmap_find_range__null_name_numeric_line__range),
		T(idmap_find_range__no_trailing_newline__range),
		T(idmap_find_range__two_lines_same_name__first_wins),
		T(idmap_find_range__uid_line_before_name_line__first_wins),
		T(idmap_find_range__other_users_only__false),
		T(idmap_find_range__name_prefix_or_extension__false),
		T(idmap_find_range__uid_prefix__false),
		T(idmap_find_range__malformed_lines__skipped),
		T(idmap_find_range__empty_field__skipped),
		T(idmap_find_range__long_line_tail__not_a_line),
		T(idmap_find_range__only_malformed__false),
		T(idmap_find_range__start_zero__false),
		T(idmap_find_range__start_zero_then_valid__valid_one),
		T(idmap_find_range__count_zero__false),
		T(idmap_find_range__past_2_32__false),
		T(idmap_find_range__start_past_2_32__false),
		T(idmap_find_range__huge_count__false),
		T(idmap_find_range__ends_at_2_32_minus_1__range),
		T(idmap_find_range__missing_file__false),
		T(idmap_find_range__empty_file__false),
		T(idmap_for_caller__owner_has_no_passwd_entry__precondition),
		T(idmap_for_caller__user_with_ranges__owner_and_sub_ranges),
		T(idmap_for_caller__user_without_ranges__owner_only),
		T(idmap_for_caller__user_missing_files__owner_only),
		T(idmap_for_caller__user_uid_range_only__gid_owner_only),
		T(idmap_for_caller__user_gid_differs__map_gid_is_owner_gid),
		T(idmap_for_caller__root_without_ranges__error_names_files),
		T(idmap_for_caller__root_missing_files__error),
		T(idmap_for_caller__root_uid_range_only__error),
		T(idmap_for_caller__root_range_of_one__error),
		T(idmap_for_caller__root_with_ranges__zero_maps_to_start),
		T(ctr_config_id_map__owner_only__one_line),
		T(ctr_config_id_map__with_sub_range__two_lines),
		T(ctr_config_id_map__uid_and_gid_differ__each_its_own),
		T(ctr_config_id_map__root_private__from_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
