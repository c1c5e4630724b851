/* Command-line parsing for each command: pure functions from argv to a
 * struct, so every rule of CLI.md is unit-tested without a daemon. */
#ifndef MD_CLIENT_OPTS_H
#define MD_CLIENT_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"

/* Parsers return OPTS_OK, OPTS_HELP (print usage to stdout, exit 0), or
 * -1 with err set (a usage error: exit 125). */
enum { OPTS_OK = 0, OPTS_HELP = 1 };

/* -v HOSTPATH:CTRPATH[:ro|rw], split (malloc'd copies). */
struct opts_volume {
	char *source, *target;
	bool readonly;
};

/* --tmpfs PATH[:OPTIONS] (malloc'd copies; the daemon checks OPTIONS). */
struct opts_tmpfs {
	char *target, *options;
};

struct run_opts {
	bool detach, interactive, tty, rm, init, read_only;
	bool any_io_flag;          /* one of -d, -i, -t was given */
	const char *name, *hostname, *workdir, *user, *detach_keys;
	const char **env;          /* -e KEY=VALUE, in order */
	size_t nenv;
	const char **cap_add, **cap_drop;
	size_t ncap_add, ncap_drop;
	const char *network, *userns;
	unsigned long long memory; /* bytes, 0 when not given */
	long long nano_cpus;       /* CPUs x 10^9, 0 when not given */
	long long pids_limit;      /* 0 when not given */
	long stop_timeout;         /* -1 when not given */
	struct opts_volume *volumes; /* -v, in order */
	size_t nvolumes;
	struct opts_tmpfs *tmpfs;  /* --tmpfs, in order */
	size_t ntmpfs;
	const char *image;         /* NULL: the default image */
	char **argv;               /* points into the caller's argv */
	size_t argc;
};

struct ps_opts {
	bool all, quiet, no_trunc, json;
};

struct stop_opts {
	long timeout;              /* -1 when not given */
	char **names;
	size_t count;
};

struct exec_opts {
	bool detach, interactive, tty;
	const char *workdir, *user, *detach_keys;
	const char **env;
	size_t nenv;
	const char *container;
	char **argv;
	size_t argc;
};

struct logs_opts {
	bool follow, timestamps;
	long tail;                 /* -1: all */
	const char *container;
};

/* kill, rm, wait, inspect, attach: flags and a list of containers. */
struct names_opts {
	int signal;                /* kill -s, default SIGKILL */
	bool force;                /* rm -f */
	bool no_stdin;             /* attach --no-stdin */
	const char *detach_keys;   /* attach --detach-keys */
	char **names;
	size_t count;
};

int opts_parse_run(int argc, char **argv, struct run_opts *o, struct md_err *err);
int opts_parse_exec(int argc, char **argv, struct exec_opts *o, struct md_err *err);
int opts_parse_logs(int argc, char **argv, struct logs_opts *o, struct md_err *err);
/* cmd is "kill", "rm", "wait", "inspect" or "attach": each takes its own flags. */
int opts_parse_names(const char *cmd, int argc, char **argv, struct names_opts *o,
		     struct md_err *err);

/* A size: bytes, or with k, m, g (powers of 1024, Docker's rule), an
 * optional trailing b. -1 if malformed or out of range. */
int opts_parse_size(const char *s, unsigned long long *out);

/* A decimal CPU count ("1.5") as CPUs x 10^9, exactly; -1 if malformed. */
int opts_parse_cpus(const char *s, long long *out);

/* -v HOSTPATH:CTRPATH[:ro|rw]: both paths absolute, CTRPATH not "/". */
int opts_parse_volume(const char *spec, struct opts_volume *v, struct md_err *err);

/* --tmpfs PATH[:OPTIONS]: PATH absolute, not "/". */
int opts_parse_tmpfs(const char *spec, struct opts_tmpfs *t, struct md_err *err);

/* A signal by name (KILL, SIGKILL, kill) or number; -1 if unknown. */
int opts_parse_signal(const char *s);
int opts_parse_ps(int argc, char **argv, struct ps_opts *o, struct md_err *err);
int opts_parse_stop(int argc, char **argv, struct stop_opts *o, struct md_err *err);
void opts_run_free(struct run_opts *o);

/* With stdin and stdout both terminals and none of -d/-i/-t, run is -it. */
void opts_run_apply_terminal_default(struct run_opts *o, bool stdin_tty, bool stdout_tty);


#define DETACH_KEYS_MAX 8
#define DETACH_KEYS_DEFAULT "ctrl-p,ctrl-q"

/* Docker's --detach-keys: comma-separated "ctrl-X" or single characters. */
int opts_parse_detach_keys(const char *s, unsigned char *seq, size_t *len, struct md_err *err);
/* images, import, load, rmi (argv[0] says which). */
#define OPTS_IMAGE_ARGS_MAX 256
struct image_opts {
	bool quiet, no_trunc;
	const char *input;   /* load -i */
	char **args;         /* operands: import FILE NAME, rmi IMAGE... */
	size_t nargs;
};

int opts_parse_image(int argc, char **argv, struct image_opts *o, struct md_err *err);

#endif
