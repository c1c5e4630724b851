/* Unit tests for daemon/ctr-lookup.c: finding a container by full ID, name
 * or unique ID prefix in Docker's order, and hiding other users'
 * containers so that they answer exactly as missing ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../daemon/container.h"

#define ALICE 1000
#define BOB 1001

/* IDs chosen so prefixes "a", "ab" and "abc" are shared, and "abd" is not. */
#define ID_A1 "abc00000000000000000000000000001"
#define ID_A2 "abc00000000000000000000000000002"
#define ID_B1 "abd00000000000000000000000000003"
#define ID_C1 "c0ffee00000000000000000000000004"

static void set_ctr(struct container *c, const char *id, const char *name, uid_t owner)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(strlen(id), ID_LEN);
	memcpy(c->cfg.id, id, ID_LEN + 1);
	c->cfg.name = (char *)name;
	c->cfg.owner_uid = owner;
}

/* A table: alice owns a1 (web), a2 (db) and c1 (cache); bob owns b1 (bobs). */
struct table {
	struct container a1, a2, b1, c1;
	struct container *v[4];
};

static void table_init(struct table *t)
{
	set_ctr(&t->a1, ID_A1, "web", ALICE);
	set_ctr(&t->a2, ID_A2, "db", ALICE);
	set_ctr(&t->b1, ID_B1, "bobs", BOB);
	set_ctr(&t->c1, ID_C1, "cache", ALICE);
	t->v[0] = &t->a1;
	t->v[1] = &t->a2;
	t->v[2] = &t->b1;
	t->v[3] = &t->c1;
}

static struct container *find(struct table *t, const char *q, uid_t uid, struct md_err *err)
{
	md_err_clear(err);
	return ctr_find(t->v, sizeof(t->v) / sizeof(t->v[0]), q, uid, err);
}

static void assert_not_found(struct table *t, const char *q, uid_t uid)
{
	struct md_err err;
	char expected[128];

	assert_null(find(t, q, uid, &err));
	snprintf(expected, sizeof(expected), "no such container: %s", q);
	assert_string_equal(err.msg, expected);
	assert_int_equal(err.status, MD_STATUS_REFUSED);
}

/* ---- ctr_visible ---- */

static void ctr_visible__owner__true(void **state)
{
	struct container c;

	(void)state;
	set_ctr(&c, ID_A1, "web", ALICE);
	assert_true(ctr_visible(&c, ALICE));
}

static void ctr_visible__other_user__false(void **state)
{
	struct container c;

	(void)state;
	set_ctr(&c, ID_A1, "web", ALICE);
	assert_false(ctr_visible(&c, BOB));
}

static void ctr_visible__root__true(void **state)
{
	struct container c;

	(void)state;
	set_ctr(&c, ID_A1, "web", ALICE);
	assert_true(ctr_visible(&c, 0));
}

static void ctr_visible__root_owned_by_user__false(void **state)
{
	struct container c;

	(void)state;
	set_ctr(&c, ID_A1, "web", 0);
	assert_false(ctr_visible(&c, ALICE));
	assert_true(ctr_visible(&c, 0));
}

/* ---- ctr_find: what matches ---- */

static void ctr_find__full_id__found(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	assert_ptr_equal(find(&t, ID_A2, ALICE, &err), &t.a2);
	assert_ptr_equal(find(&t, ID_A1, ALICE, &err), &t.a1);
}

static void ctr_find__name__found(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	assert_ptr_equal(find(&t, "db", ALICE, &err), &t.a2);
	assert_ptr_equal(find(&t, "cache", ALICE, &err), &t.c1);
}

static void ctr_find__unique_prefix__found(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	assert_ptr_equal(find(&t, "c", ALICE, &err), &t.c1);
	assert_ptr_equal(find(&t, "c0ffee", ALICE, &err), &t.c1);
	assert_ptr_equal(find(&t, "abc00000000000000000000000000002", ALICE, &err), &t.a2);
}

static void ctr_find__unique_prefix_long__found(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* 31 of 32 digits, still unique to a1. */
	t.a2.cfg.id[30] = '9';
	assert_ptr_equal(find(&t, "abc0000000000000000000000000000", ALICE, &err), &t.a1);
}

static void ctr_find__ambiguous_prefix__null(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	assert_null(find(&t, "abc", ALICE, &err));
	assert_string_equal(err.msg, "ambiguous container ID prefix: abc");
	assert_int_equal(err.status, MD_STATUS_REFUSED);
}

static void ctr_find__ambiguous_one_char_prefix__null(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	assert_null(find(&t, "a", 0, &err));
	assert_string_equal(err.msg, "ambiguous container ID prefix: a");
}

static void ctr_find__unknown_name__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, "nope", ALICE);
	assert_not_found(&t, "nope", 0);
}

static void ctr_find__unknown_prefix__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, "dead", ALICE);
}

static void ctr_find__unknown_full_id__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, "abc00000000000000000000000000009", ALICE);
}

static void ctr_find__uppercase_prefix__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, "C0FFEE", ALICE);
}

static void ctr_find__id_plus_one_char__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, ID_C1 "0", ALICE);
}

static void ctr_find__empty_query__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, "", 0);
}

static void ctr_find__empty_table__no_such(void **state)
{
	struct md_err err;

	(void)state;
	md_err_clear(&err);
	assert_null(ctr_find(NULL, 0, "web", 0, &err));
	assert_string_equal(err.msg, "no such container: web");
}

/* ---- ctr_find: other users' containers ---- */

static void ctr_find__other_users_id__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, ID_B1, ALICE);
}

static void ctr_find__other_users_prefix__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, "abd", ALICE);
}

static void ctr_find__other_users_name__no_such(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_not_found(&t, "bobs", ALICE);
}

static void ctr_find__other_users_ctr__prefix_not_ambiguous(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* "ab" matches a1, a2 and b1, but bob sees only b1. */
	assert_ptr_equal(find(&t, "ab", BOB, &err), &t.b1);
	/* alice sees a1 and a2 under "abc"; give bob a twin of a1's prefix. */
	memcpy(t.b1.cfg.id, "abc0000000000000000000000000000f", ID_LEN);
	assert_ptr_equal(find(&t, "abc", BOB, &err), &t.b1);
}

static void ctr_find__own_ctr__found_by_bob(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	assert_ptr_equal(find(&t, ID_B1, BOB, &err), &t.b1);
	assert_ptr_equal(find(&t, "bobs", BOB, &err), &t.b1);
	assert_not_found(&t, "web", BOB);
	assert_not_found(&t, ID_A1, BOB);
	assert_not_found(&t, "c0ffee", BOB);
}

static void ctr_find__root__sees_all(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	assert_ptr_equal(find(&t, ID_B1, 0, &err), &t.b1);
	assert_ptr_equal(find(&t, "bobs", 0, &err), &t.b1);
	assert_ptr_equal(find(&t, "abd", 0, &err), &t.b1);
	assert_ptr_equal(find(&t, "web", 0, &err), &t.a1);
	assert_ptr_equal(find(&t, "c0f", 0, &err), &t.c1);
}

/* ---- ctr_find: precedence ---- */

static void ctr_find__id_equal_to_other_name__id_wins(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* a1 is named like c1's full ID; the full ID wins. */
	t.a1.cfg.name = (char *)ID_C1;
	assert_ptr_equal(find(&t, ID_C1, ALICE, &err), &t.c1);
	assert_ptr_equal(find(&t, ID_C1, 0, &err), &t.c1);
}

static void ctr_find__id_equal_to_hidden_ctrs_name__visible_id_wins(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* bob names his container after alice's ID: alice still gets hers. */
	t.b1.cfg.name = (char *)ID_A1;
	assert_ptr_equal(find(&t, ID_A1, ALICE, &err), &t.a1);
}

static void ctr_find__own_name_equal_to_other_prefix__name_wins(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* alice's a2 is named "c0ffee", a prefix of her c1's ID: her own
	 * name wins, as in Docker ("rm c" must work beside an ID c6...). */
	t.a2.cfg.name = (char *)"c0ffee";
	assert_ptr_equal(find(&t, "c0ffee", ALICE, &err), &t.a2);
}

static void ctr_find__others_name_equal_to_prefix__ambiguous_for_root(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* bob names his container after the short ID of alice's c1: root,
	 * who sees both, is told it is ambiguous rather than sent to bob's. */
	t.b1.cfg.name = (char *)"c0ffee";
	assert_null(find(&t, "c0ffee", 0, &err));
	assert_string_equal(err.msg, "ambiguous: c0ffee is a container name and an ID prefix");
	assert_int_equal(err.status, MD_STATUS_REFUSED);
	/* bob himself, who cannot see c1, finds his own by name. */
	assert_ptr_equal(find(&t, "c0ffee", BOB, &err), &t.b1);
}

static void ctr_find__name_equal_to_own_prefix_only__found(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* A name that is a prefix of its own container's ID alone is no clash. */
	t.c1.cfg.name = (char *)"c0ffee0";
	assert_ptr_equal(find(&t, "c0ffee0", ALICE, &err), &t.c1);
}

static void ctr_find__hidden_name_equal_to_prefix__prefix_wins(void **state)
{
	struct table t;
	struct md_err err;

	(void)state;
	table_init(&t);
	/* bob's container named "c0f" is invisible to alice: her prefix match counts. */
	t.b1.cfg.name = (char *)"c0f";
	assert_ptr_equal(find(&t, "c0f", ALICE, &err), &t.c1);
	assert_ptr_equal(find(&t, "c0f", BOB, &err), &t.b1);
}

/* ---- ctr_find_name ---- */

static void ctr_find_name__existing__found(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_ptr_equal(ctr_find_name(t.v, 4, "web"), &t.a1);
	assert_ptr_equal(ctr_find_name(t.v, 4, "cache"), &t.c1);
}

static void ctr_find_name__other_owner__found(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	/* Names are one namespace: no caller filter here. */
	assert_ptr_equal(ctr_find_name(t.v, 4, "bobs"), &t.b1);
}

static void ctr_find_name__unknown__null(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_null(ctr_find_name(t.v, 4, "nope"));
	assert_null(ctr_find_name(t.v, 4, "we"));
	assert_null(ctr_find_name(t.v, 4, "webx"));
}

static void ctr_find_name__id__null(void **state)
{
	struct table t;

	(void)state;
	table_init(&t);
	assert_null(ctr_find_name(t.v, 4, ID_A1));
}

static void ctr_find_name__empty_table__null(void **state)
{
	(void)state;
	assert_null(ctr_find_name(NULL, 0, "web"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ctr_visible__owner__true),
		cmocka_unit_test(ctr_visible__other_user__false),
		cmocka_unit_test(ctr_visible__root__true),
		cmocka_unit_test(ctr_visible__root_owned_by_user__false),
		cmocka_unit_test(ctr_find__full_id__found),
		cmocka_unit_test(ctr_find__name__found),
		cmocka_unit_test(ctr_find__unique_prefix__found),
		cmocka_unit_test(ctr_find__unique_prefix_long__found),
		cmocka_unit_test(ctr_find__ambiguous_prefix__null),
		cmocka_unit_test(ctr_find__ambiguous_one_char_prefix__null),
		cmocka_unit_test(ctr_find__unknown_name__no_such),
		cmocka_unit_test(ctr_find__unknown_prefix__no_such),
		cmocka_unit_test(ctr_find__unknown_full_id__no_such),
		cmocka_unit_test(ctr_find__uppercase_prefix__no_such),
		cmocka_unit_test(ctr_find__id_plus_one_char__no_such),
		cmocka_unit_test(ctr_find__empty_query__no_such),
		cmocka_unit_test(ctr_find__empty_table__no_such),
		cmocka_unit_test(ctr_find__other_users_id__no_such),
		cmocka_unit_test(ctr_find__other_users_prefix__no_such),
		cmocka_unit_test(ctr_find__other_users_name__no_such),
		cmocka_unit_test(ctr_find__other_users_ctr__prefix_not_ambiguous),
		cmocka_unit_test(ctr_find__own_ctr__found_by_bob),
		cmocka_unit_test(ctr_find__root__sees_all),
		cmocka_unit_test(ctr_find__id_equal_to_other_name__id_wins),
		cmocka_unit_test(ctr_find__id_equal_to_hidden_ctrs_name__visible_id_wins),
		cmocka_unit_test(ctr_find__own_name_equal_to_other_prefix__name_wins),
		cmocka_unit_test(ctr_find__others_name_equal_to_prefix__ambiguous_for_root),
		cmocka_unit_test(ctr_find__name_equal_to_own_prefix_only__found),
		cmocka_unit_test(ctr_find__hidden_name_equal_to_prefix__prefix_wins),
		cmocka_unit_test(ctr_find_name__existing__found),
		cmocka_unit_test(ctr_find_name__other_owner__found),
		cmocka_unit_test(ctr_find_name__unknown__null),
		cmocka_unit_test(ctr_find_name__id__null),
		cmocka_unit_test(ctr_find_name__empty_table__null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
