/* libFuzzer target for the client's option parsing (client/opts.c): the
 * value parsers of --signal, --memory, --cpus and --detach-keys on any
 * NUL-terminated string, and each command's flag parsing on any argv (the
 * input split at NUL bytes). The user is not an attacker here, but a
 * script may pass anything, and a crash is still a bug. */
#include <signal.h>
#include <stdbool.h>

#include "client/opts.h"
#include "tests/fuzz/fuzz.h"

#define MAX_ARGS 32

static void check_values(const char *s)
{
	unsigned long long size = 0;
	long long cpus = 0;
	unsigned char *seq = malloc(DETACH_KEYS_MAX); /* exactly: an overrun is caught */
	size_t nseq = (size_t)-1;
	struct md_err err;
	int sig = opts_parse_signal(s);

	CHECK(sig == -1 || (sig >= 1 && sig < NSIG));
	if (opts_parse_size(s, &size) == 0)
		CHECK(size <= (1ULL << 62));
	if (opts_parse_cpus(s, &cpus) == 0)
		CHECK(cpus > 0 && cpus <= 1000000LL * 1000000000LL + 999999999LL);
	CHECK(seq != NULL);
	fuzz_err_poison(&err);
	if (opts_parse_detach_keys(s, seq, &nseq, &err) == 0)
		CHECK(nseq >= 1 && nseq <= DETACH_KEYS_MAX);
	else
		fuzz_err_check(&err);
	free(seq);
}

/* r is OPTS_OK, OPTS_HELP, or -1 with a message. */
static void check_result(int r, const struct md_err *err)
{
	CHECK(r == OPTS_OK || r == OPTS_HELP || r == -1);
	if (r == -1)
		fuzz_err_check(err);
}

/* getopt permutes argv: each parser gets its own copy of the vector. */
static void check_argv(char **args, int argc)
{
	static const char *const names_cmds[] = { "kill", "rm", "wait", "inspect", "attach" };
	char *argv[MAX_ARGS + 2];
	struct md_err err;
	int r;

#define FRESH()                                                     \
	do {                                                        \
		memcpy(argv, args, sizeof(*argv) * (size_t)(argc + 1)); \
		fuzz_err_poison(&err);                              \
	} while (0)

	{
		struct run_opts o;

		FRESH();
		r = opts_parse_run(argc, argv, &o, &err);
		check_result(r, &err);
		if (r == OPTS_OK)
			CHECK(o.image != NULL || (o.argc > 0 && o.argv[0][0] == '/'));
		opts_run_free(&o);
	}
	{
		struct exec_opts o;

		FRESH();
		r = opts_parse_exec(argc, argv, &o, &err);
		check_result(r, &err);
		if (r == OPTS_OK)
			CHECK(o.container != NULL && o.argc >= 1);
		free(o.env);
	}
	{
		struct logs_opts o;

		FRESH();
		r = opts_parse_logs(argc, argv, &o, &err);
		check_result(r, &err);
		if (r == OPTS_OK)
			CHECK(o.container != NULL && o.tail >= -1);
	}
	{
		struct ps_opts o;

		FRESH();
		check_result(opts_parse_ps(argc, argv, &o, &err), &err);
	}
	{
		struct stop_opts o;

		FRESH();
		r = opts_parse_stop(argc, argv, &o, &err);
		check_result(r, &err);
		if (r == OPTS_OK)
			CHECK(o.count >= 1 && o.names[0] != NULL);
	}
	for (size_t i = 0; i < sizeof(names_cmds) / sizeof(names_cmds[0]); i++) {
		struct names_opts o;

		FRESH();
		r = opts_parse_names(names_cmds[i], argc, argv, &o, &err);
		check_result(r, &err);
		if (r == OPTS_OK)
			CHECK(o.count >= 1 && o.signal >= 1 && o.signal < NSIG);
	}
#undef FRESH
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char prog[] = "minidocker";
	char *text = fuzz_strndup(data, size);
	char *args[MAX_ARGS + 2];
	int argc = 0;
	char *p = text, *end = text + size;

	/* The input split at NUL bytes, as the arguments after the command;
	 * each one also as a value on its own. */
	args[argc++] = prog;
	while (argc <= MAX_ARGS && p < end) {
		args[argc++] = p;
		p += strlen(p) + 1;
	}
	args[argc] = NULL;
	if (argc == 1)
		check_values(text);
	for (int i = 1; i < argc; i++)
		check_values(args[i]);
	check_argv(args, argc);
	free(text);
	return 0;
}
