/* Unit tests for common/id.c: container ID generation and the validation
 * of IDs, ID prefixes and names that every lookup relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/id.h"

static bool all_lower_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* A string of n copies of c (n < size). */
static void fill(char *buf, size_t size, char c, size_t n)
{
	assert_true(n < size);
	memset(buf, c, n);
	buf[n] = '\0';
}

/* ---- id_generate ---- */

static void id_generate__once__32_lowercase_hex(void **state)
{
	char id[ID_LEN + 8];

	(void)state;
	memset(id, 'X', sizeof(id));
	id_generate(id);
	assert_int_equal(strlen(id), ID_LEN);
	assert_int_equal(ID_LEN, 32);
	assert_true(all_lower_hex(id));
	assert_true(id_valid(id));
}

static void id_generate__twice__differs(void **state)
{
	char a[ID_LEN + 1], b[ID_LEN + 1];

	(void)state;
	id_generate(a);
	id_generate(b);
	assert_string_not_equal(a, b);
}

static void id_generate__64_calls__all_valid_and_distinct(void **state)
{
	char ids[64][ID_LEN + 1];

	(void)state;
	for (int i = 0; i < 64; i++) {
		id_generate(ids[i]);
		assert_true(id_valid(ids[i]));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ids[i], ids[j]);
	}
}

/* ---- id_valid ---- */

static void id_valid__32_lower_hex__true(void **state)
{
	(void)state;
	assert_true(id_valid("0123456789abcdef0123456789abcdef"));
}

static void id_valid__empty__false(void **state)
{
	(void)state;
	assert_false(id_valid(""));
}

static void id_valid__31_chars__false(void **state)
{
	(void)state;
	assert_false(id_valid("0123456789abcdef0123456789abcde"));
}

static void id_valid__33_chars__false(void **state)
{
	(void)state;
	assert_false(id_valid("0123456789abcdef0123456789abcdef0"));
}

static void id_valid__uppercase_hex__false(void **state)
{
	(void)state;
	assert_false(id_valid("0123456789ABCDEF0123456789abcdef"));
	assert_false(id_valid("0123456789abcdef0123456789abcdeF"));
}

static void id_valid__non_hex_letter__false(void **state)
{
	(void)state;
	assert_false(id_valid("0123456789abcdef0123456789abcdeg"));
}

static void id_valid__dashed_uuid__false(void **state)
{
	(void)state;
	assert_false(id_valid("01234567-89ab-cdef-0123-456789abcdef"));
}

/* ---- id_prefix_valid ---- */

static void id_prefix_valid__one_digit__true(void **state)
{
	(void)state;
	assert_true(id_prefix_valid("a"));
	assert_true(id_prefix_valid("0"));
}

static void id_prefix_valid__full_id__true(void **state)
{
	(void)state;
	assert_true(id_prefix_valid("0123456789abcdef0123456789abcdef"));
}

static void id_prefix_valid__empty__false(void **state)
{
	(void)state;
	assert_false(id_prefix_valid(""));
}

static void id_prefix_valid__33_chars__false(void **state)
{
	(void)state;
	assert_false(id_prefix_valid("0123456789abcdef0123456789abcdef0"));
}

static void id_prefix_valid__uppercase__false(void **state)
{
	(void)state;
	assert_false(id_prefix_valid("ABC"));
	assert_false(id_prefix_valid("abC"));
}

static void id_prefix_valid__name_like__false(void **state)
{
	(void)state;
	assert_false(id_prefix_valid("web"));
	assert_false(id_prefix_valid("abc-1"));
}

/* ---- name_valid ---- */

static void name_valid__simple__true(void **state)
{
	(void)state;
	assert_true(name_valid("web"));
	assert_true(name_valid("a"));
	assert_true(name_valid("Z"));
	assert_true(name_valid("9"));
}

static void name_valid__allowed_punctuation__true(void **state)
{
	(void)state;
	assert_true(name_valid("my_app-1.0"));
	assert_true(name_valid("a_"));
	assert_true(name_valid("a-"));
	assert_true(name_valid("a."));
	assert_true(name_valid("A..__--z"));
}

static void name_valid__empty__false(void **state)
{
	(void)state;
	assert_false(name_valid(""));
}

static void name_valid__leading_underscore__false(void **state)
{
	(void)state;
	assert_false(name_valid("_web"));
}

static void name_valid__leading_dash__false(void **state)
{
	(void)state;
	assert_false(name_valid("-web"));
}

static void name_valid__leading_dot__false(void **state)
{
	(void)state;
	assert_false(name_valid(".web"));
	assert_false(name_valid(".."));
}

static void name_valid__slash__false(void **state)
{
	(void)state;
	assert_false(name_valid("a/b"));
	assert_false(name_valid("/web"));
}

static void name_valid__space_or_control__false(void **state)
{
	(void)state;
	assert_false(name_valid("a b"));
	assert_false(name_valid("a\nb"));
	assert_false(name_valid("web\t"));
}

static void name_valid__other_punctuation__false(void **state)
{
	(void)state;
	assert_false(name_valid("a:b"));
	assert_false(name_valid("a@b"));
	assert_false(name_valid("a+b"));
}

static void name_valid__non_ascii__false(void **state)
{
	(void)state;
	assert_false(name_valid("caf\xc3\xa9"));
	assert_false(name_valid("\xc3\xa9t\xc3\xa9"));
}

static void name_valid__max_length__true(void **state)
{
	char name[NAME_MAX_LEN + 2];

	(void)state;
	fill(name, sizeof(name), 'a', NAME_MAX_LEN);
	assert_true(name_valid(name));
}

static void name_valid__max_length_plus_one__false(void **state)
{
	char name[NAME_MAX_LEN + 2];

	(void)state;
	fill(name, sizeof(name), 'a', NAME_MAX_LEN + 1);
	assert_false(name_valid(name));
}

/* ---- name_generate ---- */

static void name_generate__seeds__valid_names(void **state)
{
	char name[64];

	(void)state;
	for (unsigned seed = 0; seed < 2000; seed++) {
		memset(name, 0, sizeof(name));
		name_generate(name, sizeof(name), seed);
		assert_true(strlen(name) > 2);
		assert_non_null(strchr(name, '_'));
		assert_true(name_valid(name));
	}
}

static void name_generate__large_seed__valid_name(void **state)
{
	char name[64];

	(void)state;
	name_generate(name, sizeof(name), UINT32_MAX);
	assert_true(name_valid(name));
}

static void name_generate__different_seeds__different_names(void **state)
{
	char a[64], b[64];

	(void)state;
	name_generate(a, sizeof(a), 0);
	name_generate(b, sizeof(b), 1);
	assert_string_not_equal(a, b);
}

static void name_generate__small_buffer__truncated_terminated(void **state)
{
	char name[6];

	(void)state;
	memset(name, 'X', sizeof(name));
	name_generate(name, sizeof(name), 0);
	assert_int_equal(strlen(name), sizeof(name) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(id_generate__once__32_lowercase_hex),
		cmocka_unit_test(id_generate__twice__differs),
		cmocka_unit_test(id_generate__64_calls__all_valid_and_distinct),
		cmocka_unit_test(id_valid__32_lower_hex__true),
		cmocka_unit_test(id_valid__empty__false),
		cmocka_unit_test(id_valid__31_chars__false),
		cmocka_unit_test(id_valid__33_chars__false),
		cmocka_unit_test(id_valid__uppercase_hex__false),
		cmocka_unit_test(id_valid__non_hex_letter__false),
		cmocka_unit_test(id_valid__dashed_uuid__false),
		cmocka_unit_test(id_prefix_valid__one_digit__true),
		cmocka_unit_test(id_prefix_valid__full_id__true),
		cmocka_unit_test(id_prefix_valid__empty__false),
		cmocka_unit_test(id_prefix_valid__33_chars__false),
		cmocka_unit_test(id_prefix_valid__uppercase__false),
		cmocka_unit_test(id_prefix_valid__name_like__false),
		cmocka_unit_test(name_valid__simple__true),
		cmocka_unit_test(name_valid__allowed_punctuation__true),
		cmocka_unit_test(name_valid__empty__false),
		cmocka_unit_test(name_valid__leading_underscore__false),
		cmocka_unit_test(name_valid__leading_dash__false),
		cmocka_unit_test(name_valid__leading_dot__false),
		cmocka_unit_test(name_valid__slash__false),
		cmocka_unit_test(name_valid__space_or_control__false),
		cmocka_unit_test(name_valid__other_punctuation__false),
		cmocka_unit_test(name_valid__non_ascii__false),
		cmocka_unit_test(name_valid__max_length__true),
		cmocka_unit_test(name_valid__max_length_plus_one__false),
		cmocka_unit_test(name_generate__seeds__valid_names),
		cmocka_unit_test(name_generate__large_seed__valid_name),
		cmocka_unit_test(name_generate__different_seeds__different_names),
		cmocka_unit_test(name_generate__small_buffer__truncated_terminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
