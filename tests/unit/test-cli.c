/* Unit tests for client/opts.c and client/format.c: every rule of CLI.md
 * about parsing each command's flags and operands (Docker's wording for
 * usage errors, options ending at the command, the -it terminal default,
 * --detach-keys), and Docker's words and layout for ps (HumanDuration,
 * STATUS, COMMAND truncation, table columns). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../client/format.h"
#include "../../client/opts.h"
#include "../../common/err.h"

#define NS 1000000000LL
#define MIN (60 * NS)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

/* ---- fixture: a writable argv (getopt permutes it) and the parse results ---- */

#define MAXARGS 32

static struct fixture {
	int argc;
	char *argv[MAXARGS + 1];
	struct run_opts run;
	struct exec_opts exec;
	struct md_err err;
} F;

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < F.argc; i++)
		free(F.argv[i]);
	opts_run_free(&F.run);
	free(F.exec.env);
	memset(&F, 0, sizeof(F));
	return 0;
}

static void args_set(const char *const *src)
{
	for (int i = 0; i < F.argc; i++)
		free(F.argv[i]);
	F.argc = 0;
	while (src[F.argc] != NULL) {
		assert_true(F.argc < MAXARGS);
		F.argv[F.argc] = strdup(src[F.argc]);
		assert_non_null(F.argv[F.argc]);
		F.argc++;
	}
	F.argv[F.argc] = NULL;
}

/* ARGS("run", "-d", "/bin/true") fills F.argv with fresh copies. */
#define ARGS(...) args_set((const char *const[]){ __VA_ARGS__, NULL })

static int parse_run(void)
{
	opts_run_free(&F.run);
	md_err_clear(&F.err);
	return opts_parse_run(F.argc, F.argv, &F.run, &F.err);
}

static int parse_exec(void)
{
	free(F.exec.env);
	F.exec.env = NULL;
	md_err_clear(&F.err);
	return opts_parse_exec(F.argc, F.argv, &F.exec, &F.err);
}

static void assert_usage_error(int r, const char *msg)
{
	assert_int_equal(r, -1);
	assert_string_equal(F.err.msg, msg);
	assert_int_equal(F.err.status, MD_STATUS_FAILED);
}

/* ---- opts_parse_run: -d, -i, -t ---- */

static void opts_parse_run__no_flags__defaults(void **state)
{
	(void)state;
	ARGS("run", "busybox", "sh");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_false(F.run.detach);
	assert_false(F.run.interactive);
	assert_false(F.run.tty);
	assert_false(F.run.any_io_flag);
	assert_false(F.run.rm);
	assert_false(F.run.init);
	assert_null(F.run.name);
	assert_null(F.run.hostname);
	assert_null(F.run.workdir);
	assert_null(F.run.user);
	assert_null(F.run.detach_keys);
	assert_int_equal(F.run.nenv, 0);
	assert_int_equal(F.run.stop_timeout, -1);
	assert_int_equal(F.run.memory, 0);
	assert_int_equal(F.run.nano_cpus, 0);
	assert_int_equal(F.run.pids_limit, 0);
	assert_int_equal(F.run.ncap_add, 0);
	assert_int_equal(F.run.ncap_drop, 0);
	assert_null(F.run.network);
	assert_null(F.run.userns);
}

static void opts_parse_run__detach__detach_and_any_io_flag(void **state)
{
	(void)state;
	ARGS("run", "-d", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_true(F.run.detach);
	assert_false(F.run.interactive);
	assert_false(F.run.tty);
	assert_true(F.run.any_io_flag);
}

static void opts_parse_run__interactive__interactive_and_any_io_flag(void **state)
{
	(void)state;
	ARGS("run", "-i", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_false(F.run.detach);
	assert_true(F.run.interactive);
	assert_false(F.run.tty);
	assert_true(F.run.any_io_flag);
}

static void opts_parse_run__tty__tty_and_any_io_flag(void **state)
{
	(void)state;
	ARGS("run", "-t", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_false(F.run.detach);
	assert_false(F.run.interactive);
	assert_true(F.run.tty);
	assert_true(F.run.any_io_flag);
}

static void opts_parse_run__combined_it__both_set(void **state)
{
	(void)state;
	ARGS("run", "-it", "/bin/sh");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_false(F.run.detach);
	assert_true(F.run.interactive);
	assert_true(F.run.tty);
	assert_true(F.run.any_io_flag);
}

static void opts_parse_run__long_io_flags__all_set(void **state)
{
	(void)state;
	ARGS("run", "--detach", "--interactive", "--tty", "/bin/sh");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_true(F.run.detach);
	assert_true(F.run.interactive);
	assert_true(F.run.tty);
	assert_true(F.run.any_io_flag);
}

/* ---- opts_parse_run: the other options ---- */

static void opts_parse_run__rm__rm_set(void **state)
{
	(void)state;
	ARGS("run", "--rm", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_true(F.run.rm);
	assert_false(F.run.any_io_flag);
}

static void opts_parse_run__init__init_set(void **state)
{
	(void)state;
	ARGS("run", "--init", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_true(F.run.init);
	assert_false(F.run.rm);
}

static void opts_parse_run__name__name_set(void **state)
{
	(void)state;
	ARGS("run", "--name", "web", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.name, "web");
	assert_null(F.run.image);
	assert_int_equal(F.run.argc, 1);
	assert_string_equal(F.run.argv[0], "/bin/true");
}

static void opts_parse_run__name_with_equals__name_set(void **state)
{
	(void)state;
	ARGS("run", "--name=db", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.name, "db");
}

static void opts_parse_run__hostname_short__hostname_set(void **state)
{
	(void)state;
	ARGS("run", "-h", "box", "/bin/hostname");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.hostname, "box");
	assert_int_equal(F.run.argc, 1);
	assert_string_equal(F.run.argv[0], "/bin/hostname");
}

static void opts_parse_run__hostname_long__hostname_set(void **state)
{
	(void)state;
	ARGS("run", "--hostname", "box2", "/bin/hostname");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.hostname, "box2");
}

static void opts_parse_run__env_repeated__order_kept(void **state)
{
	(void)state;
	ARGS("run", "-e", "A=1", "--env", "B=2", "-eC=3", "--env=A=4", "/bin/env");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.nenv, 4);
	assert_string_equal(F.run.env[0], "A=1");
	assert_string_equal(F.run.env[1], "B=2");
	assert_string_equal(F.run.env[2], "C=3");
	assert_string_equal(F.run.env[3], "A=4");
}

static void opts_parse_run__workdir__workdir_set(void **state)
{
	(void)state;
	ARGS("run", "-w", "/tmp/x", "/bin/pwd");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.workdir, "/tmp/x");
}

static void opts_parse_run__workdir_long__workdir_set(void **state)
{
	(void)state;
	ARGS("run", "--workdir", "/srv", "/bin/pwd");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.workdir, "/srv");
}

static void opts_parse_run__user__user_set(void **state)
{
	(void)state;
	ARGS("run", "-u", "1000:1000", "/bin/id");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.user, "1000:1000");
}

static void opts_parse_run__user_long__user_set(void **state)
{
	(void)state;
	ARGS("run", "--user", "nobody", "/bin/id");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.user, "nobody");
}

static void opts_parse_run__stop_timeout_valid__timeout_set(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout", "30", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.stop_timeout, 30);
}

static void opts_parse_run__stop_timeout_zero__zero(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout=0", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.stop_timeout, 0);
}

static void opts_parse_run__stop_timeout_one_day__accepted(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout", "86400", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.stop_timeout, 86400);
}

static void opts_parse_run__stop_timeout_too_large__error(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout", "86401", "/bin/true");
	assert_usage_error(parse_run(), "invalid timeout: 86401 (seconds, 0 to 86400)");
}

static void opts_parse_run__stop_timeout_huge__error(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout", "99999999999999999999999", "/bin/true");
	assert_usage_error(parse_run(),
			   "invalid timeout: 99999999999999999999999 (seconds, 0 to 86400)");
}

static void opts_parse_run__stop_timeout_not_number__error(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout", "10s", "/bin/true");
	assert_usage_error(parse_run(), "invalid timeout: 10s (seconds, 0 to 86400)");
}

static void opts_parse_run__stop_timeout_negative__error(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout=-1", "/bin/true");
	assert_usage_error(parse_run(), "invalid timeout: -1 (seconds, 0 to 86400)");
}

static void opts_parse_run__stop_timeout_empty__error(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout=", "/bin/true");
	assert_usage_error(parse_run(), "invalid timeout:  (seconds, 0 to 86400)");
}

static void opts_parse_run__detach_keys__kept_verbatim(void **state)
{
	(void)state;
	ARGS("run", "--detach-keys", "ctrl-a,x", "-it", "/bin/sh");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.detach_keys, "ctrl-a,x");
	assert_true(F.run.tty);
}

static void opts_parse_run__memory__bytes(void **state)
{
	(void)state;
	ARGS("run", "--memory", "64m", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.memory, 64ULL << 20);
}

static void opts_parse_run__memory_bad__error(void **state)
{
	(void)state;
	ARGS("run", "--memory", "64x", "/bin/true");
	assert_usage_error(parse_run(), "invalid --memory: 64x (bytes, or with k, m, g)");
}

static void opts_parse_run__cpus__nano_cpus(void **state)
{
	(void)state;
	ARGS("run", "--cpus=1.5", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.nano_cpus, 1500000000LL);
}

static void opts_parse_run__cpus_zero__error(void **state)
{
	(void)state;
	ARGS("run", "--cpus", "0", "/bin/true");
	assert_usage_error(parse_run(), "invalid --cpus: 0 (a positive decimal)");
}

static void opts_parse_run__pids_limit__set(void **state)
{
	(void)state;
	ARGS("run", "--pids-limit", "100", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.pids_limit, 100);
}

static void opts_parse_run__pids_limit_not_number__error(void **state)
{
	(void)state;
	ARGS("run", "--pids-limit", "lots", "/bin/true");
	assert_usage_error(parse_run(), "invalid --pids-limit: lots");
}

static void opts_parse_run__pids_limit_too_large__error(void **state)
{
	(void)state;
	ARGS("run", "--pids-limit", "2147483648", "/bin/true");
	assert_usage_error(parse_run(), "invalid --pids-limit: 2147483648");
}

static void opts_parse_run__caps_repeated__order_kept(void **state)
{
	(void)state;
	ARGS("run", "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-drop=CHOWN",
	     "--cap-add", "SYS_TIME", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.ncap_drop, 2);
	assert_string_equal(F.run.cap_drop[0], "ALL");
	assert_string_equal(F.run.cap_drop[1], "CHOWN");
	assert_int_equal(F.run.ncap_add, 2);
	assert_string_equal(F.run.cap_add[0], "NET_ADMIN");
	assert_string_equal(F.run.cap_add[1], "SYS_TIME");
}

static void opts_parse_run__network_and_userns__kept_verbatim(void **state)
{
	(void)state;
	ARGS("run", "--network", "host", "--userns=private", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.network, "host");
	assert_string_equal(F.run.userns, "private");
}

/* ---- opts_parse_run: -v, --tmpfs, --read-only ---- */

static void opts_parse_run__volumes__split_in_order(void **state)
{
	(void)state;
	ARGS("run", "-v", "/srv/a:/a", "--volume=/srv/b:/b/c:ro", "-v", "/x:/y:rw", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.nvolumes, 3);
	assert_string_equal(F.run.volumes[0].source, "/srv/a");
	assert_string_equal(F.run.volumes[0].target, "/a");
	assert_false(F.run.volumes[0].readonly);
	assert_string_equal(F.run.volumes[1].source, "/srv/b");
	assert_string_equal(F.run.volumes[1].target, "/b/c");
	assert_true(F.run.volumes[1].readonly);
	assert_false(F.run.volumes[2].readonly);
	assert_string_equal(F.run.argv[0], "/bin/true");
}

static void opts_parse_run__read_only__set(void **state)
{
	(void)state;
	ARGS("run", "--read-only", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_true(F.run.read_only);
}

static void opts_parse_run__tmpfs__target_and_options(void **state)
{
	(void)state;
	ARGS("run", "--tmpfs", "/tmp", "--tmpfs=/run:size=64m,exec", "/bin/true");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_int_equal(F.run.ntmpfs, 2);
	assert_string_equal(F.run.tmpfs[0].target, "/tmp");
	assert_string_equal(F.run.tmpfs[0].options, "");
	assert_string_equal(F.run.tmpfs[1].target, "/run");
	assert_string_equal(F.run.tmpfs[1].options, "size=64m,exec");
}

static void opts_parse_run__tmpfs_relative__error(void **state)
{
	(void)state;
	ARGS("run", "--tmpfs", "tmp", "/bin/true");
	assert_usage_error(parse_run(), "invalid --tmpfs: tmp (the path must be absolute)");
}

static void opts_parse_run__tmpfs_root__error(void **state)
{
	(void)state;
	ARGS("run", "--tmpfs", "//:size=1m", "/bin/true");
	assert_usage_error(parse_run(), "invalid --tmpfs: //:size=1m (the path cannot be \"/\")");
}

static void opts_parse_run__volume_missing_argument__error(void **state)
{
	(void)state;
	ARGS("run", "-v");
	assert_usage_error(parse_run(), "flag needs an argument: -v");
}

static void opts_parse_run__bad_volume_after_good__error(void **state)
{
	(void)state;
	ARGS("run", "-v", "/a:/a", "-v", "/b", "/bin/true");
	assert_usage_error(parse_run(), "invalid volume specification: /b (HOSTPATH:CTRPATH[:ro])");
}

static void volume_fails(const char *spec, const char *expected)
{
	struct opts_volume v;

	md_err_clear(&F.err);
	assert_int_equal(opts_parse_volume(spec, &v, &F.err), -1);
	assert_string_equal(F.err.msg, expected);
	assert_null(v.source);
	assert_null(v.target);
}

static void opts_parse_volume__no_colon__error(void **state)
{
	(void)state;
	volume_fails("/srv", "invalid volume specification: /srv (HOSTPATH:CTRPATH[:ro])");
	volume_fails("/srv:", "invalid volume specification: /srv: (HOSTPATH:CTRPATH[:ro])");
	volume_fails(":/a", "invalid volume specification: :/a (HOSTPATH:CTRPATH[:ro])");
	volume_fails("/srv::ro", "invalid volume specification: /srv::ro (HOSTPATH:CTRPATH[:ro])");
}

static void opts_parse_volume__relative_host__error(void **state)
{
	(void)state;
	volume_fails("data:/a", "invalid volume specification: data:/a (the host path must be "
		     "absolute: named volumes are not supported)");
}

static void opts_parse_volume__relative_target__error(void **state)
{
	(void)state;
	volume_fails("/srv:a", "invalid volume specification: /srv:a (the container path must be "
		     "absolute)");
}

static void opts_parse_volume__root_target__error(void **state)
{
	(void)state;
	volume_fails("/srv:/", "invalid volume specification: /srv:/ (the container path cannot be "
		     "\"/\")");
	volume_fails("/srv://:ro", "invalid volume specification: /srv://:ro (the container path "
		     "cannot be \"/\")");
}

static void opts_parse_volume__bad_mode__error(void **state)
{
	(void)state;
	volume_fails("/srv:/a:rx", "invalid volume specification: /srv:/a:rx (mode must be ro or rw)");
	volume_fails("/srv:/a:ro:z", "invalid volume specification: /srv:/a:ro:z (mode must be ro or "
		     "rw)");
	volume_fails("/srv:/a:", "invalid volume specification: /srv:/a: (mode must be ro or rw)");
}

static void opts_parse_volume__ro__split(void **state)
{
	struct opts_volume v;

	(void)state;
	assert_int_equal(opts_parse_volume("/h o/st:/c t:ro", &v, &F.err), 0);
	assert_string_equal(v.source, "/h o/st");
	assert_string_equal(v.target, "/c t");
	assert_true(v.readonly);
	free(v.source);
	free(v.target);
}

static void opts_parse_run__memory_missing_argument__error(void **state)
{
	(void)state;
	ARGS("run", "--memory");
	assert_usage_error(parse_run(), "flag needs an argument: --memory");
}

/* ---- opts_parse_size ---- */

static void opts_parse_size__bytes__same(void **state)
{
	unsigned long long v = 1;

	(void)state;
	assert_int_equal(opts_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(opts_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(opts_parse_size("100b", &v), 0);
	assert_int_equal(v, 100);
}

static void opts_parse_size__units__powers_of_1024(void **state)
{
	unsigned long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_size("2k", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(opts_parse_size("3M", &v), 0);
	assert_int_equal(v, 3ULL << 20);
	assert_int_equal(opts_parse_size("1g", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(opts_parse_size("512mb", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(opts_parse_size("1GB", &v), 0);
	assert_int_equal(v, 1ULL << 30);
}

static void opts_parse_size__largest__accepted(void **state)
{
	unsigned long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_size("4294967296g", &v), 0);
	assert_int_equal(v, 1ULL << 62);
}

static void opts_parse_size__over_2_pow_62__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("4294967297g", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__overflow__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("99999999999999999999", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__terabytes__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("1t", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__double_unit__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("1kk", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__space_before_unit__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("1 k", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__empty__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__unit_only__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("k", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__negative__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("-1", &v), -1);
	assert_int_equal(v, 7);
}

static void opts_parse_size__decimal__error(void **state)
{
	unsigned long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_size("1.5g", &v), -1);
	assert_int_equal(v, 7);
}

/* ---- opts_parse_cpus ---- */

static void opts_parse_cpus__whole__times_1e9(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_cpus("2", &v), 0);
	assert_int_equal(v, 2000000000LL);
}

static void opts_parse_cpus__decimal__exact(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_cpus("1.5", &v), 0);
	assert_int_equal(v, 1500000000LL);
	assert_int_equal(opts_parse_cpus("0.25", &v), 0);
	assert_int_equal(v, 250000000LL);
	assert_int_equal(opts_parse_cpus(".5", &v), 0);
	assert_int_equal(v, 500000000LL);
	assert_int_equal(opts_parse_cpus("3.", &v), 0);
	assert_int_equal(v, 3000000000LL);
}

static void opts_parse_cpus__nine_decimals__one_nano_cpu(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_cpus("0.000000001", &v), 0);
	assert_int_equal(v, 1);
}

static void opts_parse_cpus__ten_decimals__error(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_cpus("0.0000000001", &v), -1);
}

static void opts_parse_cpus__zero__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus("0", &v), -1);
}

static void opts_parse_cpus__zero_decimal__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus("0.0", &v), -1);
}

static void opts_parse_cpus__empty__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus("", &v), -1);
}

static void opts_parse_cpus__dot_only__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus(".", &v), -1);
}

static void opts_parse_cpus__negative__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus("-1", &v), -1);
}

static void opts_parse_cpus__two_dots__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus("1.2.3", &v), -1);
}

static void opts_parse_cpus__exponent__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus("1e3", &v), -1);
}

static void opts_parse_cpus__word__error(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(opts_parse_cpus("two", &v), -1);
}

static void opts_parse_cpus__one_million__accepted(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_cpus("1000000", &v), 0);
	assert_int_equal(v, 1000000LL * 1000000000LL);
}

static void opts_parse_cpus__over_one_million__error(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(opts_parse_cpus("1000001", &v), -1);
}

/* ---- opts_parse_run: operands ---- */

static void opts_parse_run__command_flags__kept(void **state)
{
	(void)state;
	ARGS("run", "/bin/ls", "-la");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_null(F.run.image);
	assert_int_equal(F.run.argc, 2);
	assert_string_equal(F.run.argv[0], "/bin/ls");
	assert_string_equal(F.run.argv[1], "-la");
	assert_null(F.run.argv[2]);
}

static void opts_parse_run__run_flags_after_command__belong_to_command(void **state)
{
	(void)state;
	ARGS("run", "--rm", "busybox", "sh", "-d", "--name", "x", "-e", "A=1");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_true(F.run.rm);
	assert_false(F.run.detach);
	assert_null(F.run.name);
	assert_int_equal(F.run.nenv, 0);
	assert_string_equal(F.run.image, "busybox");
	assert_int_equal(F.run.argc, 6);
	assert_string_equal(F.run.argv[0], "sh");
	assert_string_equal(F.run.argv[1], "-d");
	assert_string_equal(F.run.argv[2], "--name");
	assert_string_equal(F.run.argv[3], "x");
	assert_string_equal(F.run.argv[4], "-e");
	assert_string_equal(F.run.argv[5], "A=1");
}

static void opts_parse_run__absolute_command__no_image(void **state)
{
	(void)state;
	ARGS("run", "-d", "/bin/sleep", "100");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_null(F.run.image);
	assert_int_equal(F.run.argc, 2);
	assert_string_equal(F.run.argv[0], "/bin/sleep");
	assert_string_equal(F.run.argv[1], "100");
}

static void opts_parse_run__relative_first_operand__is_image(void **state)
{
	(void)state;
	ARGS("run", "busybox", "sh");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.image, "busybox");
	assert_int_equal(F.run.argc, 1);
	assert_string_equal(F.run.argv[0], "sh");
	assert_null(F.run.argv[1]);
}

static void opts_parse_run__image_and_absolute_command__both(void **state)
{
	(void)state;
	ARGS("run", "host", "/bin/echo", "hi");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.image, "host");
	assert_int_equal(F.run.argc, 2);
	assert_string_equal(F.run.argv[0], "/bin/echo");
	assert_string_equal(F.run.argv[1], "hi");
}

static void opts_parse_run__image_only__empty_command(void **state)
{
	(void)state;
	ARGS("run", "busybox");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_string_equal(F.run.image, "busybox");
	assert_int_equal(F.run.argc, 0);
	assert_null(F.run.argv[0]);
}

static void opts_parse_run__double_dash__ends_options(void **state)
{
	(void)state;
	ARGS("run", "-d", "--", "/bin/ls", "-l");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_true(F.run.detach);
	assert_null(F.run.image);
	assert_int_equal(F.run.argc, 2);
	assert_string_equal(F.run.argv[0], "/bin/ls");
	assert_string_equal(F.run.argv[1], "-l");
}

static void opts_parse_run__no_operand__error(void **state)
{
	(void)state;
	ARGS("run");
	assert_usage_error(parse_run(), "\"run\" requires at least 1 argument");
}

static void opts_parse_run__flags_only__error(void **state)
{
	(void)state;
	ARGS("run", "-it", "--rm");
	assert_usage_error(parse_run(), "\"run\" requires at least 1 argument");
}

static void opts_parse_run__unknown_short_flag__error(void **state)
{
	(void)state;
	ARGS("run", "-x", "/bin/true");
	assert_usage_error(parse_run(), "unknown shorthand flag: 'x'");
}

static void opts_parse_run__unknown_short_flag_in_group__error(void **state)
{
	(void)state;
	ARGS("run", "-dz", "/bin/true");
	assert_usage_error(parse_run(), "unknown shorthand flag: 'z'");
}

static void opts_parse_run__unknown_long_flag__error(void **state)
{
	(void)state;
	ARGS("run", "--bogus", "/bin/true");
	assert_usage_error(parse_run(), "unknown flag: --bogus");
}

static void opts_parse_run__name_missing_argument__error(void **state)
{
	(void)state;
	ARGS("run", "--name");
	assert_usage_error(parse_run(), "flag needs an argument: --name");
}

static void opts_parse_run__env_missing_argument__error(void **state)
{
	(void)state;
	ARGS("run", "-e");
	assert_usage_error(parse_run(), "flag needs an argument: -e");
}

static void opts_parse_run__stop_timeout_missing_argument__error(void **state)
{
	(void)state;
	ARGS("run", "--stop-timeout");
	assert_usage_error(parse_run(), "flag needs an argument: --stop-timeout");
}

static void opts_parse_run__help__opts_help(void **state)
{
	(void)state;
	ARGS("run", "--help");
	assert_int_equal(parse_run(), OPTS_HELP);
}

static void opts_parse_run__help_after_flags__opts_help(void **state)
{
	(void)state;
	ARGS("run", "-d", "--help", "/bin/true");
	assert_int_equal(parse_run(), OPTS_HELP);
}

static void opts_parse_run__parsed_twice__state_reset(void **state)
{
	(void)state;
	ARGS("run", "-d", "-e", "A=1", "busybox", "sh");
	assert_int_equal(parse_run(), OPTS_OK);
	ARGS("run", "/bin/ls", "-l");
	assert_int_equal(parse_run(), OPTS_OK);
	assert_false(F.run.detach);
	assert_int_equal(F.run.nenv, 0);
	assert_null(F.run.image);
	assert_int_equal(F.run.argc, 2);
	assert_string_equal(F.run.argv[0], "/bin/ls");
	assert_string_equal(F.run.argv[1], "-l");
}

/* ---- opts_run_apply_terminal_default ---- */

static void opts_run_apply_terminal_default__both_ttys_no_flags__it(void **state)
{
	(void)state;
	ARGS("run", "/bin/bash");
	assert_int_equal(parse_run(), OPTS_OK);
	opts_run_apply_terminal_default(&F.run, true, true);
	assert_true(F.run.interactive);
	assert_true(F.run.tty);
	assert_false(F.run.detach);
}

static void opts_run_apply_terminal_default__detach_given__unchanged(void **state)
{
	(void)state;
	ARGS("run", "-d", "/bin/bash");
	assert_int_equal(parse_run(), OPTS_OK);
	opts_run_apply_terminal_default(&F.run, true, true);
	assert_true(F.run.detach);
	assert_false(F.run.interactive);
	assert_false(F.run.tty);
}

static void opts_run_apply_terminal_default__interactive_given__unchanged(void **state)
{
	(void)state;
	ARGS("run", "-i", "/bin/bash");
	assert_int_equal(parse_run(), OPTS_OK);
	opts_run_apply_terminal_default(&F.run, true, true);
	assert_true(F.run.interactive);
	assert_false(F.run.tty);
}

static void opts_run_apply_terminal_default__tty_given__unchanged(void **state)
{
	(void)state;
	ARGS("run", "-t", "/bin/bash");
	assert_int_equal(parse_run(), OPTS_OK);
	opts_run_apply_terminal_default(&F.run, true, true);
	assert_false(F.run.interactive);
	assert_true(F.run.tty);
}

static void opts_run_apply_terminal_default__stdin_not_tty__unchanged(void **state)
{
	(void)state;
	ARGS("run", "/bin/bash");
	assert_int_equal(parse_run(), OPTS_OK);
	opts_run_apply_terminal_default(&F.run, false, true);
	assert_false(F.run.interactive);
	assert_false(F.run.tty);
}

static void opts_run_apply_terminal_default__stdout_not_tty__unchanged(void **state)
{
	(void)state;
	ARGS("run", "/bin/bash");
	assert_int_equal(parse_run(), OPTS_OK);
	opts_run_apply_terminal_default(&F.run, true, false);
	assert_false(F.run.interactive);
	assert_false(F.run.tty);
}

static void opts_run_apply_terminal_default__no_ttys__unchanged(void **state)
{
	(void)state;
	ARGS("run", "/bin/bash");
	assert_int_equal(parse_run(), OPTS_OK);
	opts_run_apply_terminal_default(&F.run, false, false);
	assert_false(F.run.interactive);
	assert_false(F.run.tty);
}

/* ---- opts_parse_ps ---- */

static int parse_ps(struct ps_opts *o)
{
	md_err_clear(&F.err);
	return opts_parse_ps(F.argc, F.argv, o, &F.err);
}

static void opts_parse_ps__no_flags__defaults(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_false(o.all);
	assert_false(o.quiet);
	assert_false(o.no_trunc);
	assert_false(o.json);
}

static void opts_parse_ps__all__all_set(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "-a");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_true(o.all);
	assert_false(o.quiet);
}

static void opts_parse_ps__quiet__quiet_set(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "-q");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_true(o.quiet);
	assert_false(o.all);
}

static void opts_parse_ps__combined_aq__both_set(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "-aq");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_true(o.all);
	assert_true(o.quiet);
}

static void opts_parse_ps__long_flags__set(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "--all", "--quiet", "--no-trunc");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_true(o.all);
	assert_true(o.quiet);
	assert_true(o.no_trunc);
	assert_false(o.json);
}

static void opts_parse_ps__format_json__json(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "--format", "json");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_true(o.json);
}

static void opts_parse_ps__format_json_equals__json(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "--format=json", "-a");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_true(o.json);
	assert_true(o.all);
}

static void opts_parse_ps__format_table__not_json(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "--format", "json", "--format", "table");
	assert_int_equal(parse_ps(&o), OPTS_OK);
	assert_false(o.json);
}

static void opts_parse_ps__bad_format__error(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "--format", "yaml");
	assert_usage_error(parse_ps(&o), "unsupported format: yaml (json or table)");
}

static void opts_parse_ps__format_missing_argument__error(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "--format");
	assert_usage_error(parse_ps(&o), "flag needs an argument: --format");
}

static void opts_parse_ps__extra_argument__error(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "web");
	assert_usage_error(parse_ps(&o), "\"ps\" accepts no arguments");
}

static void opts_parse_ps__extra_argument_before_flag__error(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "web", "-a");
	assert_usage_error(parse_ps(&o), "\"ps\" accepts no arguments");
}

static void opts_parse_ps__unknown_flag__error(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "-s");
	assert_usage_error(parse_ps(&o), "unknown shorthand flag: 's'");
}

static void opts_parse_ps__help__opts_help(void **state)
{
	struct ps_opts o;

	(void)state;
	ARGS("ps", "--help");
	assert_int_equal(parse_ps(&o), OPTS_HELP);
}

/* ---- opts_parse_stop ---- */

static int parse_stop(struct stop_opts *o)
{
	md_err_clear(&F.err);
	return opts_parse_stop(F.argc, F.argv, o, &F.err);
}

static void opts_parse_stop__names_only__default_timeout(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "web", "db");
	assert_int_equal(parse_stop(&o), OPTS_OK);
	assert_int_equal(o.timeout, -1);
	assert_int_equal(o.count, 2);
	assert_string_equal(o.names[0], "web");
	assert_string_equal(o.names[1], "db");
}

static void opts_parse_stop__t_n__timeout_set(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "-t", "5", "web");
	assert_int_equal(parse_stop(&o), OPTS_OK);
	assert_int_equal(o.timeout, 5);
	assert_int_equal(o.count, 1);
	assert_string_equal(o.names[0], "web");
}

static void opts_parse_stop__time_long__timeout_set(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "--time", "7", "web");
	assert_int_equal(parse_stop(&o), OPTS_OK);
	assert_int_equal(o.timeout, 7);
}

static void opts_parse_stop__timeout_equals__timeout_set(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "--timeout=0", "web");
	assert_int_equal(parse_stop(&o), OPTS_OK);
	assert_int_equal(o.timeout, 0);
}

static void opts_parse_stop__flag_after_names__accepted(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "web", "-t", "3", "db");
	assert_int_equal(parse_stop(&o), OPTS_OK);
	assert_int_equal(o.timeout, 3);
	assert_int_equal(o.count, 2);
	assert_string_equal(o.names[0], "web");
	assert_string_equal(o.names[1], "db");
}

static void opts_parse_stop__missing_names__error(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop");
	assert_usage_error(parse_stop(&o), "\"stop\" requires at least 1 argument");
}

static void opts_parse_stop__timeout_without_names__error(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "-t", "5");
	assert_usage_error(parse_stop(&o), "\"stop\" requires at least 1 argument");
}

static void opts_parse_stop__bad_number__error(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "-t", "five", "web");
	assert_usage_error(parse_stop(&o), "invalid timeout: five (seconds, 0 to 86400)");
}

static void opts_parse_stop__too_large__error(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "-t", "100000", "web");
	assert_usage_error(parse_stop(&o), "invalid timeout: 100000 (seconds, 0 to 86400)");
}

static void opts_parse_stop__t_missing_argument__error(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "-t");
	assert_usage_error(parse_stop(&o), "flag needs an argument: -t");
}

static void opts_parse_stop__unknown_flag__error(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "-f", "web");
	assert_usage_error(parse_stop(&o), "unknown shorthand flag: 'f'");
}

static void opts_parse_stop__help__opts_help(void **state)
{
	struct stop_opts o;

	(void)state;
	ARGS("stop", "--help");
	assert_int_equal(parse_stop(&o), OPTS_HELP);
}

/* ---- opts_parse_exec ---- */

static void opts_parse_exec__container_and_command__set(void **state)
{
	(void)state;
	ARGS("exec", "web", "ls", "-la");
	assert_int_equal(parse_exec(), OPTS_OK);
	assert_string_equal(F.exec.container, "web");
	assert_int_equal(F.exec.argc, 2);
	assert_string_equal(F.exec.argv[0], "ls");
	assert_string_equal(F.exec.argv[1], "-la");
	assert_null(F.exec.argv[2]);
	assert_false(F.exec.detach);
	assert_false(F.exec.interactive);
	assert_false(F.exec.tty);
	assert_null(F.exec.workdir);
	assert_null(F.exec.user);
	assert_null(F.exec.detach_keys);
	assert_int_equal(F.exec.nenv, 0);
}

static void opts_parse_exec__all_flags__set(void **state)
{
	(void)state;
	ARGS("exec", "-d", "-it", "-e", "A=1", "--env=B=2", "-w", "/tmp", "-u", "1000",
	     "--detach-keys", "ctrl-x", "web", "/bin/sh");
	assert_int_equal(parse_exec(), OPTS_OK);
	assert_true(F.exec.detach);
	assert_true(F.exec.interactive);
	assert_true(F.exec.tty);
	assert_int_equal(F.exec.nenv, 2);
	assert_string_equal(F.exec.env[0], "A=1");
	assert_string_equal(F.exec.env[1], "B=2");
	assert_string_equal(F.exec.workdir, "/tmp");
	assert_string_equal(F.exec.user, "1000");
	assert_string_equal(F.exec.detach_keys, "ctrl-x");
	assert_string_equal(F.exec.container, "web");
	assert_int_equal(F.exec.argc, 1);
	assert_string_equal(F.exec.argv[0], "/bin/sh");
}

static void opts_parse_exec__long_flags__set(void **state)
{
	(void)state;
	ARGS("exec", "--detach", "--interactive", "--tty", "--workdir", "/w", "--user", "u",
	     "web", "true");
	assert_int_equal(parse_exec(), OPTS_OK);
	assert_true(F.exec.detach);
	assert_true(F.exec.interactive);
	assert_true(F.exec.tty);
	assert_string_equal(F.exec.workdir, "/w");
	assert_string_equal(F.exec.user, "u");
}

static void opts_parse_exec__flags_after_container__belong_to_command(void **state)
{
	(void)state;
	ARGS("exec", "web", "sh", "-i", "-e", "X=1");
	assert_int_equal(parse_exec(), OPTS_OK);
	assert_false(F.exec.interactive);
	assert_int_equal(F.exec.nenv, 0);
	assert_string_equal(F.exec.container, "web");
	assert_int_equal(F.exec.argc, 4);
	assert_string_equal(F.exec.argv[0], "sh");
	assert_string_equal(F.exec.argv[1], "-i");
	assert_string_equal(F.exec.argv[2], "-e");
	assert_string_equal(F.exec.argv[3], "X=1");
}

static void opts_parse_exec__container_only__error(void **state)
{
	(void)state;
	ARGS("exec", "-it", "web");
	assert_usage_error(parse_exec(), "\"exec\" requires at least 2 arguments");
}

static void opts_parse_exec__no_arguments__error(void **state)
{
	(void)state;
	ARGS("exec");
	assert_usage_error(parse_exec(), "\"exec\" requires at least 2 arguments");
}

static void opts_parse_exec__unknown_flag__error(void **state)
{
	(void)state;
	ARGS("exec", "--privileged", "web", "sh");
	assert_usage_error(parse_exec(), "unknown flag: --privileged");
}

static void opts_parse_exec__env_missing_argument__error(void **state)
{
	(void)state;
	ARGS("exec", "--env");
	assert_usage_error(parse_exec(), "flag needs an argument: --env");
}

static void opts_parse_exec__help__opts_help(void **state)
{
	(void)state;
	ARGS("exec", "--help");
	assert_int_equal(parse_exec(), OPTS_HELP);
}

/* ---- opts_parse_logs ---- */

static int parse_logs(struct logs_opts *o)
{
	md_err_clear(&F.err);
	return opts_parse_logs(F.argc, F.argv, o, &F.err);
}

static void opts_parse_logs__container_only__defaults(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "web");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_string_equal(o.container, "web");
	assert_false(o.follow);
	assert_false(o.timestamps);
	assert_int_equal(o.tail, -1);
}

static void opts_parse_logs__follow__follow_set(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "-f", "web");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_true(o.follow);
	assert_false(o.timestamps);
	assert_string_equal(o.container, "web");
}

static void opts_parse_logs__timestamps__timestamps_set(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "-t", "web");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_true(o.timestamps);
	assert_false(o.follow);
}

static void opts_parse_logs__long_flags_after_container__set(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "web", "--follow", "--timestamps");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_true(o.follow);
	assert_true(o.timestamps);
	assert_string_equal(o.container, "web");
}

static void opts_parse_logs__tail_n__tail_set(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "--tail", "5", "web");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_int_equal(o.tail, 5);
}

static void opts_parse_logs__short_n__tail_set(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "-n", "12", "web");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_int_equal(o.tail, 12);
}

static void opts_parse_logs__tail_zero__zero(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "--tail=0", "web");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_int_equal(o.tail, 0);
}

static void opts_parse_logs__tail_all__minus_one(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "-n", "3", "--tail", "all", "web");
	assert_int_equal(parse_logs(&o), OPTS_OK);
	assert_int_equal(o.tail, -1);
}

static void opts_parse_logs__bad_tail__error(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "--tail", "many", "web");
	assert_usage_error(parse_logs(&o), "invalid --tail: many (a number or \"all\")");
}

static void opts_parse_logs__tail_too_large__error(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "--tail", "2147483648", "web");
	assert_usage_error(parse_logs(&o), "invalid --tail: 2147483648 (a number or \"all\")");
}

static void opts_parse_logs__no_container__error(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "-f");
	assert_usage_error(parse_logs(&o), "\"logs\" requires exactly 1 argument");
}

static void opts_parse_logs__two_containers__error(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "web", "db");
	assert_usage_error(parse_logs(&o), "\"logs\" requires exactly 1 argument");
}

static void opts_parse_logs__tail_missing_argument__error(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "web", "--tail");
	assert_usage_error(parse_logs(&o), "flag needs an argument: --tail");
}

static void opts_parse_logs__unknown_flag__error(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "--since", "1h", "web");
	assert_usage_error(parse_logs(&o), "unknown flag: --since");
}

static void opts_parse_logs__help__opts_help(void **state)
{
	struct logs_opts o;

	(void)state;
	ARGS("logs", "--help");
	assert_int_equal(parse_logs(&o), OPTS_HELP);
}

/* ---- opts_parse_names: kill ---- */

static int parse_names(const char *cmd, struct names_opts *o)
{
	md_err_clear(&F.err);
	return opts_parse_names(cmd, F.argc, F.argv, o, &F.err);
}

static void opts_parse_names__kill_default__sigkill(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "web", "db");
	assert_int_equal(parse_names("kill", &o), OPTS_OK);
	assert_int_equal(o.signal, SIGKILL);
	assert_int_equal(o.count, 2);
	assert_string_equal(o.names[0], "web");
	assert_string_equal(o.names[1], "db");
}

static void opts_parse_names__kill_s_KILL__sigkill(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "KILL", "web");
	assert_int_equal(parse_names("kill", &o), OPTS_OK);
	assert_int_equal(o.signal, SIGKILL);
	assert_int_equal(o.count, 1);
	assert_string_equal(o.names[0], "web");
}

static void opts_parse_names__kill_s_SIGKILL__sigkill(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "SIGKILL", "web");
	assert_int_equal(parse_names("kill", &o), OPTS_OK);
	assert_int_equal(o.signal, SIGKILL);
}

static void opts_parse_names__kill_s_lowercase__sigkill(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "kill", "web");
	assert_int_equal(parse_names("kill", &o), OPTS_OK);
	assert_int_equal(o.signal, SIGKILL);
}

static void opts_parse_names__kill_s_9__sigkill(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "9", "web");
	assert_int_equal(parse_names("kill", &o), OPTS_OK);
	assert_int_equal(o.signal, 9);
}

static void opts_parse_names__kill_s_USR1__sigusr1(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "USR1", "web");
	assert_int_equal(parse_names("kill", &o), OPTS_OK);
	assert_int_equal(o.signal, SIGUSR1);
}

static void opts_parse_names__kill_signal_long_equals__sigterm(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "--signal=TERM", "web");
	assert_int_equal(parse_names("kill", &o), OPTS_OK);
	assert_int_equal(o.signal, SIGTERM);
}

static void opts_parse_names__kill_bad_signal__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "BOGUS", "web");
	assert_usage_error(parse_names("kill", &o), "invalid signal: BOGUS");
}

static void opts_parse_names__kill_signal_zero__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "0", "web");
	assert_usage_error(parse_names("kill", &o), "invalid signal: 0");
}

static void opts_parse_names__kill_s_missing_argument__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s");
	assert_usage_error(parse_names("kill", &o), "flag needs an argument: -s");
}

static void opts_parse_names__kill_no_names__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-s", "TERM");
	assert_usage_error(parse_names("kill", &o), "\"kill\" requires at least 1 argument");
}

static void opts_parse_names__kill_force__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "-f", "web");
	assert_usage_error(parse_names("kill", &o), "unknown shorthand flag: 'f'");
}

static void opts_parse_names__kill_force_long__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("kill", "--force", "web");
	assert_usage_error(parse_names("kill", &o), "unknown flag: --force");
}

/* ---- opts_parse_names: rm ---- */

static void opts_parse_names__rm_default__no_force(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "web");
	assert_int_equal(parse_names("rm", &o), OPTS_OK);
	assert_false(o.force);
	assert_int_equal(o.count, 1);
	assert_string_equal(o.names[0], "web");
}

static void opts_parse_names__rm_f__force(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "-f", "web", "db");
	assert_int_equal(parse_names("rm", &o), OPTS_OK);
	assert_true(o.force);
	assert_int_equal(o.count, 2);
	assert_string_equal(o.names[0], "web");
	assert_string_equal(o.names[1], "db");
}

static void opts_parse_names__rm_force_long_after_name__force(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "web", "--force");
	assert_int_equal(parse_names("rm", &o), OPTS_OK);
	assert_true(o.force);
	assert_int_equal(o.count, 1);
	assert_string_equal(o.names[0], "web");
}

static void opts_parse_names__rm_s__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "-s", "KILL", "web");
	assert_usage_error(parse_names("rm", &o), "unknown shorthand flag: 's'");
}

static void opts_parse_names__rm_signal_long__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "--signal", "KILL", "web");
	assert_usage_error(parse_names("rm", &o), "unknown flag: --signal");
}

static void opts_parse_names__rm_signal_long_equals__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "--signal=KILL", "web");
	assert_usage_error(parse_names("rm", &o), "unknown flag: --signal");
}

static void opts_parse_names__rm_no_stdin__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "--no-stdin", "web");
	assert_usage_error(parse_names("rm", &o), "unknown flag: --no-stdin");
}

static void opts_parse_names__rm_no_names__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("rm", "-f");
	assert_usage_error(parse_names("rm", &o), "\"rm\" requires at least 1 argument");
}

/* ---- opts_parse_names: wait, inspect ---- */

static void opts_parse_names__wait_names__all_kept(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("wait", "a", "b", "c");
	assert_int_equal(parse_names("wait", &o), OPTS_OK);
	assert_int_equal(o.count, 3);
	assert_string_equal(o.names[0], "a");
	assert_string_equal(o.names[1], "b");
	assert_string_equal(o.names[2], "c");
}

static void opts_parse_names__wait_no_names__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("wait");
	assert_usage_error(parse_names("wait", &o), "\"wait\" requires at least 1 argument");
}

static void opts_parse_names__wait_force__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("wait", "-f", "web");
	assert_usage_error(parse_names("wait", &o), "unknown shorthand flag: 'f'");
}

static void opts_parse_names__inspect_names__all_kept(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("inspect", "web", "db");
	assert_int_equal(parse_names("inspect", &o), OPTS_OK);
	assert_int_equal(o.count, 2);
	assert_string_equal(o.names[0], "web");
	assert_string_equal(o.names[1], "db");
}

static void opts_parse_names__inspect_no_names__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("inspect");
	assert_usage_error(parse_names("inspect", &o), "\"inspect\" requires at least 1 argument");
}

static void opts_parse_names__inspect_detach_keys__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("inspect", "--detach-keys", "ctrl-a", "web");
	assert_usage_error(parse_names("inspect", &o), "unknown flag: --detach-keys");
}

/* ---- opts_parse_names: attach ---- */

static void opts_parse_names__attach_default__stdin_and_default_keys(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("attach", "web");
	assert_int_equal(parse_names("attach", &o), OPTS_OK);
	assert_false(o.no_stdin);
	assert_null(o.detach_keys);
	assert_int_equal(o.count, 1);
	assert_string_equal(o.names[0], "web");
}

static void opts_parse_names__attach_no_stdin__set(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("attach", "--no-stdin", "web");
	assert_int_equal(parse_names("attach", &o), OPTS_OK);
	assert_true(o.no_stdin);
	assert_string_equal(o.names[0], "web");
}

static void opts_parse_names__attach_detach_keys__set(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("attach", "--detach-keys", "ctrl-a,d", "web");
	assert_int_equal(parse_names("attach", &o), OPTS_OK);
	assert_string_equal(o.detach_keys, "ctrl-a,d");
	assert_false(o.no_stdin);
	assert_int_equal(o.count, 1);
	assert_string_equal(o.names[0], "web");
}

static void opts_parse_names__attach_two_names__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("attach", "web", "db");
	assert_usage_error(parse_names("attach", &o), "\"attach\" requires exactly 1 argument");
}

static void opts_parse_names__attach_no_names__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("attach", "--no-stdin");
	assert_usage_error(parse_names("attach", &o), "\"attach\" requires exactly 1 argument");
}

static void opts_parse_names__attach_detach_keys_missing_argument__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("attach", "web", "--detach-keys");
	assert_usage_error(parse_names("attach", &o), "flag needs an argument: --detach-keys");
}

static void opts_parse_names__attach_signal__error(void **state)
{
	struct names_opts o;

	(void)state;
	ARGS("attach", "-s", "KILL", "web");
	assert_usage_error(parse_names("attach", &o), "unknown shorthand flag: 's'");
}

static void opts_parse_names__help__opts_help(void **state)
{
	static const char *const cmds[] = { "kill", "rm", "wait", "inspect", "attach" };
	struct names_opts o;

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ARGS(cmds[i], "--help");
		assert_int_equal(parse_names(cmds[i], &o), OPTS_HELP);
	}
}

/* ---- opts_parse_signal ---- */

static void opts_parse_signal__bare_name__number(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("KILL"), SIGKILL);
	assert_int_equal(opts_parse_signal("TERM"), SIGTERM);
	assert_int_equal(opts_parse_signal("HUP"), SIGHUP);
	assert_int_equal(opts_parse_signal("WINCH"), SIGWINCH);
	assert_int_equal(opts_parse_signal("USR2"), SIGUSR2);
}

static void opts_parse_signal__sig_prefix__number(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("SIGKILL"), SIGKILL);
	assert_int_equal(opts_parse_signal("SIGINT"), SIGINT);
	assert_int_equal(opts_parse_signal("SIGVTALRM"), SIGVTALRM);
}

static void opts_parse_signal__any_case__number(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("kill"), SIGKILL);
	assert_int_equal(opts_parse_signal("sigterm"), SIGTERM);
	assert_int_equal(opts_parse_signal("SigUsr1"), SIGUSR1);
}

static void opts_parse_signal__number__same_number(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("1"), 1);
	assert_int_equal(opts_parse_signal("9"), 9);
	assert_int_equal(opts_parse_signal("15"), 15);
}

static void opts_parse_signal__largest_number__accepted(void **state)
{
	char s[16];

	(void)state;
	snprintf(s, sizeof(s), "%d", NSIG - 1);
	assert_int_equal(opts_parse_signal(s), NSIG - 1);
}

static void opts_parse_signal__zero__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("0"), -1);
}

static void opts_parse_signal__nsig__rejected(void **state)
{
	char s[16];

	(void)state;
	snprintf(s, sizeof(s), "%d", NSIG);
	assert_int_equal(opts_parse_signal(s), -1);
}

static void opts_parse_signal__negative__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("-9"), -1);
}

static void opts_parse_signal__unknown_name__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("BOGUS"), -1);
}

static void opts_parse_signal__name_with_suffix__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("KILLX"), -1);
}

static void opts_parse_signal__prefix_only__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("SIG"), -1);
}

static void opts_parse_signal__sig_and_number__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("SIG9"), -1);
}

static void opts_parse_signal__number_with_suffix__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("9x"), -1);
}

static void opts_parse_signal__trailing_space__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal("KILL "), -1);
}

static void opts_parse_signal__empty__rejected(void **state)
{
	(void)state;
	assert_int_equal(opts_parse_signal(""), -1);
}

/* ---- opts_parse_detach_keys ---- */

static int parse_keys(const char *s, unsigned char *seq, size_t *len)
{
	md_err_clear(&F.err);
	return opts_parse_detach_keys(s, seq, len, &F.err);
}

static void opts_parse_detach_keys__default__ctrl_p_ctrl_q(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys(DETACH_KEYS_DEFAULT, seq, &len), 0);
	assert_int_equal(len, 2);
	assert_int_equal(seq[0], 16);
	assert_int_equal(seq[1], 17);
}

static void opts_parse_detach_keys__ctrl_a__one(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-a", seq, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(seq[0], 1);
}

static void opts_parse_detach_keys__ctrl_z__twenty_six(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-z", seq, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(seq[0], 26);
}

static void opts_parse_detach_keys__plain_chars__themselves(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("a,b", seq, &len), 0);
	assert_int_equal(len, 2);
	assert_int_equal(seq[0], 'a');
	assert_int_equal(seq[1], 'b');
}

static void opts_parse_detach_keys__mixed__in_order(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-x,q,ctrl-c", seq, &len), 0);
	assert_int_equal(len, 3);
	assert_int_equal(seq[0], 24);
	assert_int_equal(seq[1], 'q');
	assert_int_equal(seq[2], 3);
}

static void opts_parse_detach_keys__ctrl_at__zero(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-@", seq, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(seq[0], 0);
}

static void opts_parse_detach_keys__ctrl_bracket__escape(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-[", seq, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(seq[0], 27);
}

static void opts_parse_detach_keys__ctrl_backslash__28(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-\\", seq, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(seq[0], 28);
}

static void opts_parse_detach_keys__ctrl_close_bracket_caret_underscore__29_30_31(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-],ctrl-^,ctrl-_", seq, &len), 0);
	assert_int_equal(len, 3);
	assert_int_equal(seq[0], 29);
	assert_int_equal(seq[1], 30);
	assert_int_equal(seq[2], 31);
}

static void opts_parse_detach_keys__lone_comma__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	/* A lone "," cannot be a key: it is the separator, so "," is empty. */
	assert_int_equal(parse_keys(",", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: ,");
}

static void opts_parse_detach_keys__max_keys__accepted(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(DETACH_KEYS_MAX, 8);
	assert_int_equal(parse_keys("a,b,c,d,e,f,g,ctrl-h", seq, &len), 0);
	assert_int_equal(len, 8);
	assert_int_equal(seq[0], 'a');
	assert_int_equal(seq[6], 'g');
	assert_int_equal(seq[7], 8);
}

static void opts_parse_detach_keys__ctrl_dash_only__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: ctrl-");
	assert_int_equal(F.err.status, MD_STATUS_FAILED);
}

static void opts_parse_detach_keys__ctrlx__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrlx", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: ctrlx");
}

static void opts_parse_detach_keys__empty__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: ");
}

static void opts_parse_detach_keys__too_many_keys__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("a,b,c,d,e,f,g,h,i", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: a,b,c,d,e,f,g,h,i (at most 8 keys)");
}

static void opts_parse_detach_keys__ctrl_digit__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-1", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: ctrl-1");
}

static void opts_parse_detach_keys__ctrl_uppercase__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	/* Docker's names are lowercase: "ctrl-P" is not one of them. */
	assert_int_equal(parse_keys("ctrl-P", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: ctrl-P");
}

static void opts_parse_detach_keys__empty_middle_key__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("a,,b", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: a,,b");
}

static void opts_parse_detach_keys__word__error(void **state)
{
	unsigned char seq[DETACH_KEYS_MAX];
	size_t len;

	(void)state;
	assert_int_equal(parse_keys("ctrl-p,quit", seq, &len), -1);
	assert_string_equal(F.err.msg, "invalid detach keys: ctrl-p,quit");
}

/* ---- format_duration ---- */

static void assert_duration(int64_t ns, const char *expected)
{
	char buf[64];

	memset(buf, 'X', sizeof(buf));
	format_duration(ns, buf, sizeof(buf));
	assert_string_equal(buf, expected);
}

static void format_duration__zero__less_than_a_second(void **state)
{
	(void)state;
	assert_duration(0, "Less than a second");
	assert_duration(NS - 1, "Less than a second");
}

static void format_duration__negative__less_than_a_second(void **state)
{
	(void)state;
	assert_duration(-5 * NS, "Less than a second");
}

static void format_duration__one_second__singular(void **state)
{
	(void)state;
	assert_duration(NS, "1 second");
	assert_duration(2 * NS - 1, "1 second");
}

static void format_duration__seconds__plural(void **state)
{
	(void)state;
	assert_duration(2 * NS, "2 seconds");
	assert_duration(59 * NS, "59 seconds");
	assert_duration(60 * NS - 1, "59 seconds");
}

static void format_duration__one_minute__about_a_minute(void **state)
{
	(void)state;
	assert_duration(60 * NS, "About a minute");
	assert_duration(119 * NS, "About a minute");
}

static void format_duration__minutes__plural(void **state)
{
	(void)state;
	assert_duration(120 * NS, "2 minutes");
	assert_duration(5 * MIN, "5 minutes");
	assert_duration(59 * MIN, "59 minutes");
	assert_duration(60 * MIN - 1, "59 minutes");
}

static void format_duration__one_hour__about_an_hour(void **state)
{
	(void)state;
	assert_duration(HOUR, "About an hour");
	assert_duration(HOUR + 29 * MIN, "About an hour");
}

static void format_duration__hours__rounded_hours(void **state)
{
	(void)state;
	assert_duration(HOUR + 30 * MIN, "2 hours");
	assert_duration(5 * HOUR, "5 hours");
	assert_duration(47 * HOUR, "47 hours");
	assert_duration(47 * HOUR + 29 * MIN, "47 hours");
}

static void format_duration__47_5_hours_to_13_days__days(void **state)
{
	(void)state;
	assert_duration(47 * HOUR + 30 * MIN, "2 days");
	assert_duration(3 * DAY, "3 days");
	assert_duration(13 * DAY, "13 days");
}

static void format_duration__14_to_59_days__weeks(void **state)
{
	(void)state;
	assert_duration(14 * DAY, "2 weeks");
	assert_duration(21 * DAY, "3 weeks");
	assert_duration(59 * DAY, "8 weeks");
}

static void format_duration__60_to_729_days__months(void **state)
{
	(void)state;
	assert_duration(60 * DAY, "2 months");
	assert_duration(90 * DAY, "3 months");
	assert_duration(729 * DAY, "24 months");
}

static void format_duration__730_days_and_more__years(void **state)
{
	(void)state;
	assert_duration(730 * DAY, "2 years");
	assert_duration(3 * 365 * DAY, "3 years");
}

static void format_duration__just_under_three_years__two_years(void **state)
{
	(void)state;
	/* Docker counts years from whole hours, not rounded ones. */
	assert_duration(3 * 365 * DAY - 10 * MIN, "2 years");
}

static void format_duration__small_buffer__truncated_terminated(void **state)
{
	char buf[6];

	(void)state;
	format_duration(5 * MIN, buf, sizeof(buf));
	assert_string_equal(buf, "5 min");
}

/* ---- format_status, format_created ---- */

static void format_status__running__up_duration(void **state)
{
	char buf[64];

	(void)state;
	format_status("running", 0, 100 * NS, 0, 105 * NS, buf, sizeof(buf));
	assert_string_equal(buf, "Up 5 seconds");
}

static void format_status__running_long__up_hours(void **state)
{
	char buf[64];

	(void)state;
	format_status("running", 0, 1000 * NS, 0, 1000 * NS + 3 * HOUR, buf, sizeof(buf));
	assert_string_equal(buf, "Up 3 hours");
}

static void format_status__exited__code_and_ago(void **state)
{
	char buf[64];

	(void)state;
	format_status("exited", 137, 10 * NS, 100 * NS, 102 * NS, buf, sizeof(buf));
	assert_string_equal(buf, "Exited (137) 2 seconds ago");
}

static void format_status__exited_zero_just_now__less_than_a_second(void **state)
{
	char buf[64];

	(void)state;
	format_status("exited", 0, 10 * NS, 100 * NS, 100 * NS, buf, sizeof(buf));
	assert_string_equal(buf, "Exited (0) Less than a second ago");
}

static void format_status__created__created(void **state)
{
	char buf[64];

	(void)state;
	format_status("created", 0, 0, 0, 500 * NS, buf, sizeof(buf));
	assert_string_equal(buf, "Created");
}

static void format_created__minutes__ago(void **state)
{
	char buf[64];

	(void)state;
	format_created(1000 * NS, 1000 * NS + 5 * MIN, buf, sizeof(buf));
	assert_string_equal(buf, "5 minutes ago");
}

static void format_created__now__less_than_a_second_ago(void **state)
{
	char buf[64];

	(void)state;
	format_created(1000 * NS, 1000 * NS, buf, sizeof(buf));
	assert_string_equal(buf, "Less than a second ago");
}

static void format_created__days__ago(void **state)
{
	char buf[64];

	(void)state;
	format_created(0, 3 * DAY, buf, sizeof(buf));
	assert_string_equal(buf, "3 days ago");
}

/* ---- format_command ---- */

static void assert_command(const char *const *argv, bool no_trunc, const char *expected)
{
	char *s = format_command(argv, no_trunc);

	assert_non_null(s);
	assert_string_equal(s, expected);
	free(s);
}

#define CMD(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void format_command__short__quoted(void **state)
{
	(void)state;
	assert_command(CMD("/bin/sh", "-c", "ls"), false, "\"/bin/sh -c ls\"");
}

static void format_command__single_word__quoted(void **state)
{
	(void)state;
	assert_command(CMD("top"), false, "\"top\"");
}

static void format_command__empty_argv__empty_quotes(void **state)
{
	static const char *const argv[] = { NULL };

	(void)state;
	assert_command(argv, false, "\"\"");
}

static void format_command__long__truncated_to_20_with_ellipsis(void **state)
{
	(void)state;
	/* "sleep 1000000000000000" is 22 characters: 19 kept, then "…". */
	assert_command(CMD("sleep", "1000000000000000"), false, "\"sleep 1000000000000…\"");
}

static void format_command__21_chars__truncated(void **state)
{
	(void)state;
	assert_command(CMD("abcdefghijklmnopqrstu"), false, "\"abcdefghijklmnopqrs…\"");
}

static void format_command__exactly_20_chars__whole(void **state)
{
	(void)state;
	/* Docker's Ellipsis keeps a string that already fits in 20. */
	assert_command(CMD("abcdefghij", "klmnopqrs"), false, "\"abcdefghij klmnopqrs\"");
}

static void format_command__19_chars__whole(void **state)
{
	(void)state;
	assert_command(CMD("abcdefghijklmnopqrs"), false, "\"abcdefghijklmnopqrs\"");
}

static void format_command__no_trunc__whole(void **state)
{
	(void)state;
	assert_command(CMD("sleep", "1000000000000000", "&&", "echo", "done"), true,
		       "\"sleep 1000000000000000 && echo done\"");
}

static void format_command__multibyte__not_split(void **state)
{
	(void)state;
	/* 25 two-byte characters: 19 of them (38 bytes) kept, then "…". */
	assert_command(CMD("ééééééééééééééééééééééééé"), false,
		       "\"ééééééééééééééééééé…\"");
}

static void format_command__multibyte_exactly_20__whole(void **state)
{
	(void)state;
	/* 20 characters in 40 bytes fit. */
	assert_command(CMD("éééééééééééééééééééé"), false, "\"éééééééééééééééééééé\"");
}

static void format_command__three_byte_chars__not_split(void **state)
{
	(void)state;
	/* "echo " then 20 three-byte characters: 5 + 14 kept. */
	assert_command(CMD("echo", "日本語日本語日本語日本語日本語日本語日本"), false,
		       "\"echo 日本語日本語日本語日本語日本…\"");
}

/* ---- table_render ---- */

static char *render(const char *const *rows, size_t ncols, size_t nrows)
{
	struct table t;
	char *s;

	table_init(&t, ncols);
	for (size_t r = 0; r < nrows; r++)
		table_add(&t, rows + r * ncols);
	assert_int_equal(t.nrows, nrows);
	s = table_render(&t);
	table_free(&t);
	assert_null(t.cells);
	assert_int_equal(t.nrows, 0);
	return s;
}

static void table_render__columns__widest_plus_three(void **state)
{
	static const char *const rows[] = {
		"CONTAINER ID", "IMAGE", "NAMES",
		"abc", "busybox", "web",
	};
	char *s;

	(void)state;
	s = render(rows, 3, 2);
	assert_string_equal(s, "CONTAINER ID   IMAGE     NAMES\n"
			       "abc            busybox   web\n");
	free(s);
}

static void table_render__last_column__unpadded(void **state)
{
	static const char *const rows[] = {
		"A", "LONGEST",
		"bb", "x",
	};
	char *s;

	(void)state;
	s = render(rows, 2, 2);
	assert_string_equal(s, "A    LONGEST\n"
			       "bb   x\n");
	free(s);
}

static void table_render__utf8__width_in_characters(void **state)
{
	static const char *const rows[] = {
		"COMMAND", "NAMES",
		"\"ééééééééé…\"", "web",
	};
	char *s;

	(void)state;
	/* The second cell is 12 characters (23 bytes): the column is 15 wide. */
	s = render(rows, 2, 2);
	assert_string_equal(s, "COMMAND        NAMES\n"
			       "\"ééééééééé…\"   web\n");
	free(s);
}

static void table_render__empty_cell__padded(void **state)
{
	static const char *const rows[] = {
		"ID", "", "X",
		"", "yy", "",
	};
	char *s;

	(void)state;
	s = render(rows, 3, 2);
	assert_string_equal(s, "ID        X\n"
			       "     yy   \n");
	free(s);
}

static void table_render__single_column__no_padding(void **state)
{
	static const char *const rows[] = { "ID", "abcdef" };
	char *s;

	(void)state;
	s = render(rows, 1, 2);
	assert_string_equal(s, "ID\nabcdef\n");
	free(s);
}

static void table_render__no_rows__empty_string(void **state)
{
	char *s;

	(void)state;
	s = render(NULL, 3, 0);
	assert_string_equal(s, "");
	free(s);
}

static void table_add__caller_changes_row_after__copy_unchanged(void **state)
{
	char a[] = "one", b[] = "two";
	const char *row[] = { a, b };
	struct table t;
	char *s;

	(void)state;
	table_init(&t, 2);
	table_add(&t, row);
	a[0] = 'X';
	b[0] = 'Y';
	s = table_render(&t);
	assert_string_equal(s, "one   two\n");
	free(s);
	table_free(&t);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(opts_parse_run__no_flags__defaults),
		T(opts_parse_run__detach__detach_and_any_io_flag),
		T(opts_parse_run__interactive__interactive_and_any_io_flag),
		T(opts_parse_run__tty__tty_and_any_io_flag),
		T(opts_parse_run__combined_it__both_set),
		T(opts_parse_run__long_io_flags__all_set),
		T(opts_parse_run__rm__rm_set),
		T(opts_parse_run__init__init_set),
		T(opts_parse_run__name__name_set),
		T(opts_parse_run__name_with_equals__name_set),
		T(opts_parse_run__hostname_short__hostname_set),
		T(opts_parse_run__hostname_long__hostname_set),
		T(opts_parse_run__env_repeated__order_kept),
		T(opts_parse_run__workdir__workdir_set),
		T(opts_parse_run__workdir_long__workdir_set),
		T(opts_parse_run__user__user_set),
		T(opts_parse_run__user_long__user_set),
		T(opts_parse_run__stop_timeout_valid__timeout_set),
		T(opts_parse_run__stop_timeout_zero__zero),
		T(opts_parse_run__stop_timeout_one_day__accepted),
		T(opts_parse_run__stop_timeout_too_large__error),
		T(opts_parse_run__stop_timeout_huge__error),
		T(opts_parse_run__stop_timeout_not_number__error),
		T(opts_parse_run__stop_timeout_negative__error),
		T(opts_parse_run__stop_timeout_empty__error),
		T(opts_parse_run__detach_keys__kept_verbatim),
		T(opts_parse_run__memory__bytes),
		T(opts_parse_run__memory_bad__error),
		T(opts_parse_run__cpus__nano_cpus),
		T(opts_parse_run__cpus_zero__error),
		T(opts_parse_run__pids_limit__set),
		T(opts_parse_run__pids_limit_not_number__error),
		T(opts_parse_run__pids_limit_too_large__error),
		T(opts_parse_run__caps_repeated__order_kept),
		T(opts_parse_run__network_and_userns__kept_verbatim),
		T(opts_parse_run__volumes__split_in_order),
		T(opts_parse_run__read_only__set),
		T(opts_parse_run__tmpfs__target_and_options),
		T(opts_parse_run__tmpfs_relative__error),
		T(opts_parse_run__tmpfs_root__error),
		T(opts_parse_run__volume_missing_argument__error),
		T(opts_parse_run__bad_volume_after_good__error),
		T(opts_parse_volume__no_colon__error),
		T(opts_parse_volume__relative_host__error),
		T(opts_parse_volume__relative_target__error),
		T(opts_parse_volume__root_target__error),
		T(opts_parse_volume__bad_mode__error),
		T(opts_parse_volume__ro__split),
		T(opts_parse_run__memory_missing_argument__error),
		T(opts_parse_size__bytes__same),
		T(opts_parse_size__units__powers_of_1024),
		T(opts_parse_size__largest__accepted),
		T(opts_parse_size__over_2_pow_62__error),
		T(opts_parse_size__overflow__error),
		T(opts_parse_size__terabytes__error),
		T(opts_parse_size__double_unit__error),
		T(opts_parse_size__space_before_unit__error),
		T(opts_parse_size__empty__error),
		T(opts_parse_size__unit_only__error),
		T(opts_parse_size__negative__error),
		T(opts_parse_size__decimal__error),
		T(opts_parse_cpus__whole__times_1e9),
		T(opts_parse_cpus__decimal__exact),
		T(opts_parse_cpus__nine_decimals__one_nano_cpu),
		T(opts_parse_cpus__ten_decimals__error),
		T(opts_parse_cpus__zero__error),
		T(opts_parse_cpus__zero_decimal__error),
		T(opts_parse_cpus__empty__error),
		T(opts_parse_cpus__dot_only__error),
		T(opts_parse_cpus__negative__error),
		T(opts_parse_cpus__two_dots__error),
		T(opts_parse_cpus__exponent__error),
		T(opts_parse_cpus__word__error),
		T(opts_parse_cpus__one_million__accepted),
		T(opts_parse_cpus__over_one_million__error),
		T(opts_parse_run__command_flags__kept),
		T(opts_parse_run__run_flags_after_command__belong_to_command),
		T(opts_parse_run__absolute_command__no_image),
		T(opts_parse_run__relative_first_operand__is_image),
		T(opts_parse_run__image_and_absolute_command__both),
		T(opts_parse_run__image_only__empty_command),
		T(opts_parse_run__double_dash__ends_options),
		T(opts_parse_run__no_operand__error),
		T(opts_parse_run__flags_only__error),
		T(opts_parse_run__unknown_short_flag__error),
		T(opts_parse_run__unknown_short_flag_in_group__error),
		T(opts_parse_run__unknown_long_flag__error),
		T(opts_parse_run__name_missing_argument__error),
		T(opts_parse_run__env_missing_argument__error),
		T(opts_parse_run__stop_timeout_missing_argument__error),
		T(opts_parse_run__help__opts_help),
		T(opts_parse_run__help_after_flags__opts_help),
		T(opts_parse_run__parsed_twice__state_reset),
		T(opts_run_apply_terminal_default__both_ttys_no_flags__it),
		T(opts_run_apply_terminal_default__detach_given__unchanged),
		T(opts_run_apply_terminal_default__interactive_given__unchanged),
		T(opts_run_apply_terminal_default__tty_given__unchanged),
		T(opts_run_apply_terminal_default__stdin_not_tty__unchanged),
		T(opts_run_apply_terminal_default__stdout_not_tty__unchanged),
		T(opts_run_apply_terminal_default__no_ttys__unchanged),
		T(opts_parse_ps__no_flags__defaults),
		T(opts_parse_ps__all__all_set),
		T(opts_parse_ps__quiet__quiet_set),
		T(opts_parse_ps__combined_aq__both_set),
		T(opts_parse_ps__long_flags__set),
		T(opts_parse_ps__format_json__json),
		T(opts_parse_ps__format_json_equals__json),
		T(opts_parse_ps__format_table__not_json),
		T(opts_parse_ps__bad_format__error),
		T(opts_parse_ps__format_missing_argument__error),
		T(opts_parse_ps__extra_argument__error),
		T(opts_parse_ps__extra_argument_before_flag__error),
		T(opts_parse_ps__unknown_flag__error),
		T(opts_parse_ps__help__opts_help),
		T(opts_parse_stop__names_only__default_timeout),
		T(opts_parse_stop__t_n__timeout_set),
		T(opts_parse_stop__time_long__timeout_set),
		T(opts_parse_stop__timeout_equals__timeout_set),
		T(opts_parse_stop__flag_after_names__accepted),
		T(opts_parse_stop__missing_names__error),
		T(opts_parse_stop__timeout_without_names__error),
		T(opts_parse_stop__bad_number__error),
		T(opts_parse_stop__too_large__error),
		T(opts_parse_stop__t_missing_argument__error),
		T(opts_parse_stop__unknown_flag__error),
		T(opts_parse_stop__help__opts_help),
		T(opts_parse_exec__container_and_command__set),
		T(opts_parse_exec__all_flags__set),
		T(opts_parse_exec__long_flags__set),
		T(opts_parse_exec__flags_after_container__belong_to_command),
		T(opts_parse_exec__container_only__error),
		T(opts_parse_exec__no_arguments__error),
		T(opts_parse_exec__unknown_flag__error),
		T(opts_parse_exec__env_missing_argument__error),
		T(opts_parse_exec__help__opts_help),
		T(opts_parse_logs__container_only__defaults),
		T(opts_parse_logs__follow__follow_set),
		T(opts_parse_logs__timestamps__timestamps_set),
		T(opts_parse_logs__long_flags_after_container__set),
		T(opts_parse_logs__tail_n__tail_set),
		T(opts_parse_logs__short_n__tail_set),
		T(opts_parse_logs__tail_zero__zero),
		T(opts_parse_logs__tail_all__minus_one),
		T(opts_parse_logs__bad_tail__error),
		T(opts_parse_logs__tail_too_large__error),
		T(opts_parse_logs__no_container__error),
		T(opts_parse_logs__two_containers__error),
		T(opts_parse_logs__tail_missing_argument__error),
		T(opts_parse_logs__unknown_flag__error),
		T(opts_parse_logs__help__opts_help),
		T(opts_parse_names__kill_default__sigkill),
		T(opts_parse_names__kill_s_KILL__sigkill),
		T(opts_parse_names__kill_s_SIGKILL__sigkill),
		T(opts_parse_names__kill_s_lowercase__sigkill),
		T(opts_parse_names__kill_s_9__sigkill),
		T(opts_parse_names__kill_s_USR1__sigusr1),
		T(opts_parse_names__kill_signal_long_equals__sigterm),
		T(opts_parse_names__kill_bad_signal__error),
		T(opts_parse_names__kill_signal_zero__error),
		T(opts_parse_names__kill_s_missing_argument__error),
		T(opts_parse_names__kill_no_names__error),
		T(opts_parse_names__kill_force__error),
		T(opts_parse_names__kill_force_long__error),
		T(opts_parse_names__rm_default__no_force),
		T(opts_parse_names__rm_f__force),
		T(opts_parse_names__rm_force_long_after_name__force),
		T(opts_parse_names__rm_s__error),
		T(opts_parse_names__rm_signal_long__error),
		T(opts_parse_names__rm_signal_long_equals__error),
		T(opts_parse_names__rm_no_stdin__error),
		T(opts_parse_names__rm_no_names__error),
		T(opts_parse_names__wait_names__all_kept),
		T(opts_parse_names__wait_no_names__error),
		T(opts_parse_names__wait_force__error),
		T(opts_parse_names__inspect_names__all_kept),
		T(opts_parse_names__inspect_no_names__error),
		T(opts_parse_names__inspect_detach_keys__error),
		T(opts_parse_names__attach_default__stdin_and_default_keys),
		T(opts_parse_names__attach_no_stdin__set),
		T(opts_parse_names__attach_detach_keys__set),
		T(opts_parse_names__attach_two_names__error),
		T(opts_parse_names__attach_no_names__error),
		T(opts_parse_names__attach_detach_keys_missing_argument__error),
		T(opts_parse_names__attach_signal__error),
		T(opts_parse_names__help__opts_help),
		T(opts_parse_signal__bare_name__number),
		T(opts_parse_signal__sig_prefix__number),
		T(opts_parse_signal__any_case__number),
		T(opts_parse_signal__number__same_number),
		T(opts_parse_signal__largest_number__accepted),
		T(opts_parse_signal__zero__rejected),
		T(opts_parse_signal__nsig__rejected),
		T(opts_parse_signal__negative__rejected),
		T(opts_parse_signal__unknown_name__rejected),
		T(opts_parse_signal__name_with_suffix__rejected),
		T(opts_parse_signal__prefix_only__rejected),
		T(opts_parse_signal__sig_and_number__rejected),
		T(opts_parse_signal__number_with_suffix__rejected),
		T(opts_parse_signal__trailing_space__rejected),
		T(opts_parse_signal__empty__rejected),
		T(opts_parse_detach_keys__default__ctrl_p_ctrl_q),
		T(opts_parse_detach_keys__ctrl_a__one),
		T(opts_parse_detach_keys__ctrl_z__twenty_six),
		T(opts_parse_detach_keys__plain_chars__themselves),
		T(opts_parse_detach_keys__mixed__in_order),
		T(opts_parse_detach_keys__ctrl_at__zero),
		T(opts_parse_detach_keys__ctrl_bracket__escape),
		T(opts_parse_detach_keys__ctrl_backslash__28),
		T(opts_parse_detach_keys__ctrl_close_bracket_caret_underscore__29_30_31),
		T(opts_parse_detach_keys__lone_comma__error),
		T(opts_parse_detach_keys__max_keys__accepted),
		T(opts_parse_detach_keys__ctrl_dash_only__error),
		T(opts_parse_detach_keys__ctrlx__error),
		T(opts_parse_detach_keys__empty__error),
		T(opts_parse_detach_keys__too_many_keys__error),
		T(opts_parse_detach_keys__ctrl_digit__error),
		T(opts_parse_detach_keys__ctrl_uppercase__error),
		T(opts_parse_detach_keys__empty_middle_key__error),
		T(opts_parse_detach_keys__word__error),
		T(format_duration__zero__less_than_a_second),
		T(format_duration__negative__less_than_a_second),
		T(format_duration__one_second__singular),
		T(format_duration__seconds__plural),
		T(format_duration__one_minute__about_a_minute),
		T(format_duration__minutes__plural),
		T(format_duration__one_hour__about_an_hour),
		T(format_duration__hours__rounded_hours),
		T(format_duration__47_5_hours_to_13_days__days),
		T(format_duration__14_to_59_days__weeks),
		T(format_duration__60_to_729_days__months),
		T(format_duration__730_days_and_more__years),
		T(format_duration__just_under_three_years__two_years),
		T(format_duration__small_buffer__truncated_terminated),
		T(format_status__running__up_duration),
		T(format_status__running_long__up_hours),
		T(format_status__exited__code_and_ago),
		T(format_status__exited_zero_just_now__less_than_a_second),
		T(format_status__created__created),
		T(format_created__minutes__ago),
		T(format_created__now__less_than_a_second_ago),
		T(format_created__days__ago),
		T(format_command__short__quoted),
		T(format_command__single_word__quoted),
		T(format_command__empty_argv__empty_quotes),
		T(format_command__long__truncated_to_20_with_ellipsis),
		T(format_command__21_chars__truncated),
		T(format_command__exactly_20_chars__whole),
		T(format_command__19_chars__whole),
		T(format_command__no_trunc__whole),
		T(format_command__multibyte__not_split),
		T(format_command__multibyte_exactly_20__whole),
		T(format_command__three_byte_chars__not_split),
		T(table_render__columns__widest_plus_three),
		T(table_render__last_column__unpadded),
		T(table_render__utf8__width_in_characters),
		T(table_render__empty_cell__padded),
		T(table_render__single_column__no_padding),
		T(table_render__no_rows__empty_string),
		T(table_add__caller_changes_row_after__copy_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
