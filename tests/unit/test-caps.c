/* Unit tests for daemon/caps.c: the default capability set (Podman's 11),
 * names to numbers and back (with or without CAP_, any case), and
 * caps_apply's Docker order: ALL in --cap-drop empties the set, ALL in
 * --cap-add fills it, then single drops, then single adds; an unknown name
 * fails the whole call and is reported in *bad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/capability.h>

#include "../../daemon/caps.h"

#define BIT(c) (1ULL << (c))

/* Every capability this kernel header knows. */
#define ALL_MASK ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/* ---- caps_default_mask ---- */

static void caps_default_mask__always__podman_eleven(void **state)
{
	(void)state;
	assert_int_equal(caps_default_mask(), 0x800405fbULL);
}

static void caps_default_mask__always__no_net_raw_mknod_audit_write_sys_admin(void **state)
{
	uint64_t m = caps_default_mask();

	(void)state;
	assert_int_equal(m & BIT(CAP_NET_RAW), 0);
	assert_int_equal(m & BIT(CAP_MKNOD), 0);
	assert_int_equal(m & BIT(CAP_AUDIT_WRITE), 0);
	assert_int_equal(m & BIT(CAP_SYS_ADMIN), 0);
	assert_int_equal(m & BIT(CAP_NET_ADMIN), 0);
}

/* ---- caps_from_name ---- */

static void caps_from_name__bare_upper__number(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("NET_ADMIN"), CAP_NET_ADMIN);
	assert_int_equal(caps_from_name("CHOWN"), CAP_CHOWN);
	assert_int_equal(caps_from_name("SYS_CHROOT"), CAP_SYS_CHROOT);
}

static void caps_from_name__cap_prefix__number(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("CAP_NET_ADMIN"), CAP_NET_ADMIN);
	assert_int_equal(caps_from_name("CAP_CHOWN"), CAP_CHOWN);
}

static void caps_from_name__lower_and_mixed_case__number(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("net_admin"), CAP_NET_ADMIN);
	assert_int_equal(caps_from_name("cap_sys_admin"), CAP_SYS_ADMIN);
	assert_int_equal(caps_from_name("Cap_Kill"), CAP_KILL);
	assert_int_equal(caps_from_name("sEtFcAp"), CAP_SETFCAP);
}

static void caps_from_name__first_and_last__number(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("CHOWN"), 0);
	assert_int_equal(caps_from_name("CHECKPOINT_RESTORE"), CAP_CHECKPOINT_RESTORE);
}

static void caps_from_name__unknown__minus_one(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("NET_FOO"), -1);
}

static void caps_from_name__empty__minus_one(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name(""), -1);
}

static void caps_from_name__prefix_only__minus_one(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("CAP_"), -1);
}

static void caps_from_name__all__minus_one(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("ALL"), -1);
}

static void caps_from_name__trailing_junk__minus_one(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("CHOWN "), -1);
	assert_int_equal(caps_from_name("CHOWNX"), -1);
	assert_int_equal(caps_from_name("CAP_CAP_CHOWN"), -1);
}

/* ---- caps_name ---- */

static void caps_name__known__name(void **state)
{
	(void)state;
	assert_string_equal(caps_name(CAP_CHOWN), "CHOWN");
	assert_string_equal(caps_name(CAP_NET_ADMIN), "NET_ADMIN");
	assert_string_equal(caps_name(CAP_SYS_CHROOT), "SYS_CHROOT");
}

static void caps_name__every_cap__round_trips(void **state)
{
	(void)state;
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		const char *n = caps_name(c);

		assert_non_null(n);
		assert_int_equal(caps_from_name(n), c);
	}
}

static void caps_name__negative__null(void **state)
{
	(void)state;
	assert_null(caps_name(-1));
}

static void caps_name__past_last__null(void **state)
{
	(void)state;
	assert_null(caps_name(CAP_LAST_CAP + 1));
	assert_null(caps_name(64));
}

/* ---- caps_apply ---- */

static void caps_apply__nothing__mask_unchanged(void **state)
{
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), NULL, NULL, &out, &bad), 0);
	assert_int_equal(out, caps_default_mask());
	assert_null(bad);
}

static void caps_apply__add_one__bit_set(void **state)
{
	const char *add[] = { "NET_ADMIN", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), add, NULL, &out, &bad), 0);
	assert_int_equal(out, caps_default_mask() | BIT(CAP_NET_ADMIN));
}

static void caps_apply__drop_one__bit_cleared(void **state)
{
	const char *drop[] = { "CHOWN", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), NULL, drop, &out, &bad), 0);
	assert_int_equal(out, 0x800405faULL);
}

static void caps_apply__drop_with_prefix_lowercase__bit_cleared(void **state)
{
	const char *drop[] = { "cap_kill", "Cap_SetUid", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), NULL, drop, &out, &bad), 0);
	assert_int_equal(out, caps_default_mask() & ~(BIT(CAP_KILL) | BIT(CAP_SETUID)));
}

static void caps_apply__drop_absent__mask_unchanged(void **state)
{
	const char *drop[] = { "SYS_ADMIN", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), NULL, drop, &out, &bad), 0);
	assert_int_equal(out, caps_default_mask());
}

static void caps_apply__drop_all_add_one__only_that_one(void **state)
{
	const char *add[] = { "NET_ADMIN", NULL };
	const char *drop[] = { "ALL", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), add, drop, &out, &bad), 0);
	assert_int_equal(out, BIT(CAP_NET_ADMIN));
}

static void caps_apply__drop_all_lowercase__empty(void **state)
{
	const char *drop[] = { "all", NULL };
	uint64_t out = 1;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), NULL, drop, &out, &bad), 0);
	assert_int_equal(out, 0);
}

static void caps_apply__add_all_drop_one__all_but_that_one(void **state)
{
	const char *add[] = { "ALL", NULL };
	const char *drop[] = { "SYS_ADMIN", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), add, drop, &out, &bad), 0);
	assert_int_equal(out, ALL_MASK & ~BIT(CAP_SYS_ADMIN));
}

static void caps_apply__add_all__every_known_cap(void **state)
{
	const char *add[] = { "ALL", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(0, add, NULL, &out, &bad), 0);
	assert_int_equal(out, ALL_MASK);
}

static void caps_apply__add_and_drop_same__added(void **state)
{
	/* Docker's order: drops first, then adds. */
	const char *add[] = { "NET_ADMIN", NULL };
	const char *drop[] = { "NET_ADMIN", NULL };
	uint64_t out = 0;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), add, drop, &out, &bad), 0);
	assert_int_equal(out, caps_default_mask() | BIT(CAP_NET_ADMIN));
}

static void caps_apply__unknown_in_add__fails_naming_it(void **state)
{
	const char *add[] = { "NET_ADMIN", "NET_FOO", NULL };
	uint64_t out = 42;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), add, NULL, &out, &bad), -1);
	assert_non_null(bad);
	assert_string_equal(bad, "NET_FOO");
	assert_int_equal(out, 42);
}

static void caps_apply__unknown_in_drop__fails_naming_it(void **state)
{
	const char *drop[] = { "CHOWN", "BOGUS", NULL };
	uint64_t out = 42;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), NULL, drop, &out, &bad), -1);
	assert_non_null(bad);
	assert_string_equal(bad, "BOGUS");
	assert_int_equal(out, 42);
}

static void caps_apply__unknown_with_all__fails_naming_it(void **state)
{
	const char *add[] = { "NOPE", NULL };
	const char *drop[] = { "ALL", NULL };
	uint64_t out = 42;
	const char *bad = NULL;

	(void)state;
	assert_int_equal(caps_apply(caps_default_mask(), add, drop, &out, &bad), -1);
	assert_non_null(bad);
	assert_string_equal(bad, "NOPE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caps_default_mask__always__podman_eleven),
		cmocka_unit_test(caps_default_mask__always__no_net_raw_mknod_audit_write_sys_admin),
		cmocka_unit_test(caps_from_name__bare_upper__number),
		cmocka_unit_test(caps_from_name__cap_prefix__number),
		cmocka_unit_test(caps_from_name__lower_and_mixed_case__number),
		cmocka_unit_test(caps_from_name__first_and_last__number),
		cmocka_unit_test(caps_from_name__unknown__minus_one),
		cmocka_unit_test(caps_from_name__empty__minus_one),
		cmocka_unit_test(caps_from_name__prefix_only__minus_one),
		cmocka_unit_test(caps_from_name__all__minus_one),
		cmocka_unit_test(caps_from_name__trailing_junk__minus_one),
		cmocka_unit_test(caps_name__known__name),
		cmocka_unit_test(caps_name__every_cap__round_trips),
		cmocka_unit_test(caps_name__negative__null),
		cmocka_unit_test(caps_name__past_last__null),
		cmocka_unit_test(caps_apply__nothing__mask_unchanged),
		cmocka_unit_test(caps_apply__add_one__bit_set),
		cmocka_unit_test(caps_apply__drop_one__bit_cleared),
		cmocka_unit_test(caps_apply__drop_with_prefix_lowercase__bit_cleared),
		cmocka_unit_test(caps_apply__drop_absent__mask_unchanged),
		cmocka_unit_test(caps_apply__drop_all_add_one__only_that_one),
		cmocka_unit_test(caps_apply__drop_all_lowercase__empty),
		cmocka_unit_test(caps_apply__add_all_drop_one__all_but_that_one),
		cmocka_unit_test(caps_apply__add_all__every_known_cap),
		cmocka_unit_test(caps_apply__add_and_drop_same__added),
		cmocka_unit_test(caps_apply__unknown_in_add__fails_naming_it),
		cmocka_unit_test(caps_apply__unknown_in_drop__fails_naming_it),
		cmocka_unit_test(caps_apply__unknown_with_all__fails_naming_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
