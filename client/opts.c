#include "opts.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../common/util.h"

/* getopt keeps state in globals: reset it before every parse. */
static void getopt_reset(void)
{
	optind = 0;
	opterr = 0;
}

static int bad_option(char **argv, struct md_err *err)
{
	if (optopt > 0 && optopt < 128)
		return md_err_set(err, 0, "unknown shorthand flag: '%c'", optopt);
	return md_err_set(err, 0, "unknown flag: %s", argv[optind - 1]);
}

static int parse_seconds(const char *s, long *out, struct md_err *err)
{
	unsigned long long v;

	if (parse_uint(s, 24 * 3600, &v) < 0)
		return md_err_set(err, 0, "invalid timeout: %s (seconds, 0 to 86400)", s);
	*out = (long)v;
	return 0;
}

enum { OPT_RM = 256, OPT_NAME, OPT_STOP_TIMEOUT, OPT_DETACH_KEYS, OPT_NO_TRUNC, OPT_FORMAT,
       OPT_INIT, OPT_MEMORY, OPT_CPUS, OPT_PIDS, OPT_CAP_ADD, OPT_CAP_DROP, OPT_NETWORK,
       OPT_USERNS, OPT_READ_ONLY, OPT_TMPFS };

int opts_parse_size(const char *s, unsigned long long *out)
{
	char num[32];
	size_t n = strspn(s, "0123456789"), shift = 0;
	const char *unit = s + n;
	unsigned long long v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (*unit == 'k' || *unit == 'K')
		shift = 10;
	else if (*unit == 'm' || *unit == 'M')
		shift = 20;
	else if (*unit == 'g' || *unit == 'G')
		shift = 30;
	if (shift)
		unit++;
	if (*unit == 'b' || *unit == 'B')
		unit++;
	if (*unit != '\0' || parse_uint(num, (1ULL << 62) >> shift, &v) < 0)
		return -1;
	*out = v << shift;
	return 0;
}

int opts_parse_cpus(const char *s, long long *out)
{
	unsigned long long whole = 0, frac = 0;
	const char *dot = strchr(s, '.');
	char ipart[24];
	size_t ilen = dot ? (size_t)(dot - s) : strlen(s), flen = 0;

	if (ilen >= sizeof(ipart) || (ilen == 0 && dot == NULL))
		return -1;
	memcpy(ipart, s, ilen);
	ipart[ilen] = '\0';
	if (ilen > 0 && parse_uint(ipart, 1000000, &whole) < 0)
		return -1;
	if (dot != NULL) {
		for (const char *p = dot + 1; *p; p++, flen++) {
			if (*p < '0' || *p > '9' || flen >= 9)
				return -1;
			frac = frac * 10 + (unsigned)(*p - '0');
		}
		if (flen == 0 && ilen == 0)
			return -1;
		for (; flen < 9; flen++)
			frac *= 10;
	}
	*out = (long long)(whole * 1000000000ULL + frac);
	return *out > 0 ? 0 : -1;
}

static char *xstrndup_(const char *s, size_t n)
{
	char *r = xmalloc(n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

/* "/", "//", ...: a mount there would replace the container's root. */
static bool is_root_path(const char *s)
{
	return s[0] == '/' && s[strspn(s, "/")] == '\0';
}

int opts_parse_volume(const char *spec, struct opts_volume *v, struct md_err *err)
{
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *mode = c2 ? c2 + 1 : "rw";

	memset(v, 0, sizeof(*v));
	if (c1 == NULL || c1 == spec || c1[1] == '\0' || c2 == c1 + 1)
		return md_err_set(err, 0, "invalid volume specification: %s "
				  "(HOSTPATH:CTRPATH[:ro])", spec);
	if (strcmp(mode, "ro") != 0 && strcmp(mode, "rw") != 0)
		return md_err_set(err, 0, "invalid volume specification: %s (mode must be ro or rw)",
				  spec);
	if (spec[0] != '/')
		return md_err_set(err, 0, "invalid volume specification: %s (the host path must be "
				  "absolute: named volumes are not supported)", spec);
	if (c1[1] != '/')
		return md_err_set(err, 0, "invalid volume specification: %s (the container path "
				  "must be absolute)", spec);
	v->source = xstrndup_(spec, (size_t)(c1 - spec));
	v->target = c2 ? xstrndup_(c1 + 1, (size_t)(c2 - c1 - 1)) : xstrdup(c1 + 1);
	v->readonly = strcmp(mode, "ro") == 0;
	if (is_root_path(v->target)) {
		free(v->source);
		free(v->target);
		memset(v, 0, sizeof(*v));
		return md_err_set(err, 0, "invalid volume specification: %s (the container path "
				  "cannot be \"/\")", spec);
	}
	return 0;
}

int opts_parse_tmpfs(const char *spec, struct opts_tmpfs *t, struct md_err *err)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	memset(t, 0, sizeof(*t));
	if (spec[0] != '/')
		return md_err_set(err, 0, "invalid --tmpfs: %s (the path must be absolute)", spec);
	t->target = xstrndup_(spec, n);
	if (is_root_path(t->target)) {
		free(t->target);
		t->target = NULL;
		return md_err_set(err, 0, "invalid --tmpfs: %s (the path cannot be \"/\")", spec);
	}
	t->options = xstrdup(colon ? colon + 1 : "");
	return 0;
}

static void strv_push(const char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

int opts_parse_run(int argc, char **argv, struct run_opts *o, struct md_err *err)
{
	static const struct option longs[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "rm", no_argument, NULL, OPT_RM },
		{ "init", no_argument, NULL, OPT_INIT },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "pids-limit", required_argument, NULL, OPT_PIDS },
		{ "cap-add", required_argument, NULL, OPT_CAP_ADD },
		{ "cap-drop", required_argument, NULL, OPT_CAP_DROP },
		{ "network", required_argument, NULL, OPT_NETWORK },
		{ "userns", required_argument, NULL, OPT_USERNS },
		{ "volume", required_argument, NULL, 'v' },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ "tmpfs", required_argument, NULL, OPT_TMPFS },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "hostname", required_argument, NULL, 'h' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->stop_timeout = -1;
	getopt_reset();
	/* "+": options end at the first operand, the image or the command,
	 * so the command's own options are left alone. */
	while ((c = getopt_long(argc, argv, "+:ditHh:e:w:u:v:", longs, NULL)) != -1) {
		switch (c) {
		case 'd': o->detach = o->any_io_flag = true; break;
		case 'i': o->interactive = o->any_io_flag = true; break;
		case 't': o->tty = o->any_io_flag = true; break;
		case OPT_RM: o->rm = true; break;
		case OPT_INIT: o->init = true; break;
		case OPT_CAP_ADD: strv_push(&o->cap_add, &o->ncap_add, optarg); break;
		case OPT_CAP_DROP: strv_push(&o->cap_drop, &o->ncap_drop, optarg); break;
		case OPT_NETWORK: o->network = optarg; break;
		case OPT_USERNS: o->userns = optarg; break;
		case OPT_READ_ONLY: o->read_only = true; break;
		case 'v':
			o->volumes = xrealloc(o->volumes, (o->nvolumes + 1) * sizeof(*o->volumes));
			if (opts_parse_volume(optarg, &o->volumes[o->nvolumes], err) < 0)
				return -1;
			o->nvolumes++;
			break;
		case OPT_TMPFS:
			o->tmpfs = xrealloc(o->tmpfs, (o->ntmpfs + 1) * sizeof(*o->tmpfs));
			if (opts_parse_tmpfs(optarg, &o->tmpfs[o->ntmpfs], err) < 0)
				return -1;
			o->ntmpfs++;
			break;
		case OPT_MEMORY:
			if (opts_parse_size(optarg, &o->memory) < 0)
				return md_err_set(err, 0, "invalid --memory: %s (bytes, or with k, m, g)", optarg);
			break;
		case OPT_CPUS:
			if (opts_parse_cpus(optarg, &o->nano_cpus) < 0)
				return md_err_set(err, 0, "invalid --cpus: %s (a positive decimal)", optarg);
			break;
		case OPT_PIDS: {
			unsigned long long v;

			if (parse_uint(optarg, INT32_MAX, &v) < 0)
				return md_err_set(err, 0, "invalid --pids-limit: %s", optarg);
			o->pids_limit = (long long)v;
			break;
		}
		case OPT_NAME: o->name = optarg; break;
		case 'h': o->hostname = optarg; break;
		case 'w': o->workdir = optarg; break;
		case 'u': o->user = optarg; break;
		case OPT_DETACH_KEYS: o->detach_keys = optarg; break;
		case 'e':
			o->env = xrealloc(o->env, (o->nenv + 1) * sizeof(*o->env));
			o->env[o->nenv++] = optarg;
			break;
		case OPT_STOP_TIMEOUT:
			if (parse_seconds(optarg, &o->stop_timeout, err) < 0)
				return -1;
			break;
		case 'H': return OPTS_HELP;
		case ':': return md_err_set(err, 0, "flag needs an argument: %s", argv[optind - 1]);
		default: return bad_option(argv, err);
		}
	}
	if (optind >= argc)
		return md_err_set(err, 0, "\"run\" requires at least 1 argument");
	/* IMAGE may be left out when the command is an absolute path. */
	if (argv[optind][0] != '/')
		o->image = argv[optind++];
	o->argv = argv + optind;
	o->argc = (size_t)(argc - optind);
	if (o->image == NULL && o->argc == 0)
		return md_err_set(err, 0, "\"run\" requires at least 1 argument");
	return OPTS_OK;
}

void opts_run_free(struct run_opts *o)
{
	free(o->env);
	free(o->cap_add);
	free(o->cap_drop);
	o->env = o->cap_add = o->cap_drop = NULL;
	for (size_t i = 0; i < o->nvolumes; i++) {
		free(o->volumes[i].source);
		free(o->volumes[i].target);
	}
	for (size_t i = 0; i < o->ntmpfs; i++) {
		free(o->tmpfs[i].target);
		free(o->tmpfs[i].options);
	}
	free(o->volumes);
	free(o->tmpfs);
	o->volumes = NULL;
	o->tmpfs = NULL;
	o->nvolumes = o->ntmpfs = 0;
}

void opts_run_apply_terminal_default(struct run_opts *o, bool stdin_tty, bool stdout_tty)
{
	if (!o->any_io_flag && stdin_tty && stdout_tty)
		o->interactive = o->tty = true;
}

int opts_parse_ps(int argc, char **argv, struct ps_opts *o, struct md_err *err)
{
	static const struct option longs[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	getopt_reset();
	while ((c = getopt_long(argc, argv, "+:aq", longs, NULL)) != -1) {
		switch (c) {
		case 'a': o->all = true; break;
		case 'q': o->quiet = true; break;
		case OPT_NO_TRUNC: o->no_trunc = true; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
				return md_err_set(err, 0, "unsupported format: %s (json or table)", optarg);
			o->json = strcmp(optarg, "json") == 0;
			break;
		case 'H': return OPTS_HELP;
		case ':': return md_err_set(err, 0, "flag needs an argument: %s", argv[optind - 1]);
		default: return bad_option(argv, err);
		}
	}
	if (optind != argc)
		return md_err_set(err, 0, "\"ps\" accepts no arguments");
	return OPTS_OK;
}

int opts_parse_stop(int argc, char **argv, struct stop_opts *o, struct md_err *err)
{
	static const struct option longs[] = {
		{ "time", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->timeout = -1;
	getopt_reset();
	while ((c = getopt_long(argc, argv, ":t:", longs, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_seconds(optarg, &o->timeout, err) < 0)
				return -1;
			break;
		case 'H': return OPTS_HELP;
		case ':': return md_err_set(err, 0, "flag needs an argument: %s", argv[optind - 1]);
		default: return bad_option(argv, err);
		}
	}
	if (optind >= argc)
		return md_err_set(err, 0, "\"stop\" requires at least 1 argument");
	o->names = argv + optind;
	o->count = (size_t)(argc - optind);
	return OPTS_OK;
}

int opts_parse_detach_keys(const char *s, unsigned char *seq, size_t *len, struct md_err *err)
{
	static const char ctrl_punct[] = "@[\\]^_"; /* ctrl-@ is 0, then 27..31 */
	const char *p = s;

	*len = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (*len == DETACH_KEYS_MAX)
			return md_err_set(err, 0, "invalid detach keys: %s (at most %d keys)", s,
					  DETACH_KEYS_MAX);
		if (n == 1) {
			seq[(*len)++] = (unsigned char)p[0];
		} else if (n == 6 && strncmp(p, "ctrl-", 5) == 0 && p[5] >= 'a' && p[5] <= 'z') {
			seq[(*len)++] = (unsigned char)(p[5] - 'a' + 1);
		} else if (n == 6 && strncmp(p, "ctrl-", 5) == 0 && strchr(ctrl_punct, p[5]) && p[5]) {
			seq[(*len)++] = p[5] == '@' ? 0 : (unsigned char)(27 + (strchr(ctrl_punct, p[5]) - ctrl_punct) - 1);
		} else {
			return md_err_set(err, 0, "invalid detach keys: %s", s);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (*len == 0)
		return md_err_set(err, 0, "invalid detach keys: %s", s);
	return 0;
}

enum { OPT_TAIL = 300, OPT_NO_STDIN };

int opts_parse_exec(int argc, char **argv, struct exec_opts *o, struct md_err *err)
{
	static const struct option longs[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	getopt_reset();
	while ((c = getopt_long(argc, argv, "+:dite:w:u:", longs, NULL)) != -1) {
		switch (c) {
		case 'd': o->detach = true; break;
		case 'i': o->interactive = true; break;
		case 't': o->tty = true; break;
		case 'w': o->workdir = optarg; break;
		case 'u': o->user = optarg; break;
		case OPT_DETACH_KEYS: o->detach_keys = optarg; break;
		case 'e':
			o->env = xrealloc(o->env, (o->nenv + 1) * sizeof(*o->env));
			o->env[o->nenv++] = optarg;
			break;
		case 'H': return OPTS_HELP;
		case ':': return md_err_set(err, 0, "flag needs an argument: %s", argv[optind - 1]);
		default: return bad_option(argv, err);
		}
	}
	if (argc - optind < 2)
		return md_err_set(err, 0, "\"exec\" requires at least 2 arguments");
	o->container = argv[optind++];
	o->argv = argv + optind;
	o->argc = (size_t)(argc - optind);
	return OPTS_OK;
}

int opts_parse_logs(int argc, char **argv, struct logs_opts *o, struct md_err *err)
{
	static const struct option longs[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "tail", required_argument, NULL, OPT_TAIL },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long n;
	int c;

	memset(o, 0, sizeof(*o));
	o->tail = -1;
	getopt_reset();
	while ((c = getopt_long(argc, argv, ":ftn:", longs, NULL)) != -1) {
		switch (c) {
		case 'f': o->follow = true; break;
		case 't': o->timestamps = true; break;
		case 'n':
		case OPT_TAIL:
			if (strcmp(optarg, "all") == 0)
				o->tail = -1;
			else if (parse_uint(optarg, INT32_MAX, &n) == 0)
				o->tail = (long)n;
			else
				return md_err_set(err, 0, "invalid --tail: %s (a number or \"all\")", optarg);
			break;
		case 'H': return OPTS_HELP;
		case ':': return md_err_set(err, 0, "flag needs an argument: %s", argv[optind - 1]);
		default: return bad_option(argv, err);
		}
	}
	if (argc - optind != 1)
		return md_err_set(err, 0, "\"logs\" requires exactly 1 argument");
	o->container = argv[optind];
	return OPTS_OK;
}

int opts_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
		{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
		{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
		{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
		{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
		{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
		{ "PWR", SIGPWR }, { "SYS", SIGSYS },
	};
	unsigned long long n;

	if (parse_uint(s, NSIG - 1, &n) == 0)
		return n >= 1 ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcasecmp(s, names[i].name) == 0)
			return names[i].sig;
	return -1;
}

int opts_parse_names(const char *cmd, int argc, char **argv, struct names_opts *o,
		     struct md_err *err)
{
	static const struct option longs[] = {
		{ "signal", required_argument, NULL, 's' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-stdin", no_argument, NULL, OPT_NO_STDIN },
		{ "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	bool is_kill = strcmp(cmd, "kill") == 0, is_rm = strcmp(cmd, "rm") == 0;
	bool is_attach = strcmp(cmd, "attach") == 0;
	int c, li;

	memset(o, 0, sizeof(*o));
	o->signal = SIGKILL;
	getopt_reset();
	while ((c = getopt_long(argc, argv, is_kill ? ":s:" : is_rm ? ":f" : ":", longs, &li)) != -1) {
		if (c == 'H')
			return OPTS_HELP;
		if (c == 's' && is_kill) {
			o->signal = opts_parse_signal(optarg);
			if (o->signal < 0)
				return md_err_set(err, 0, "invalid signal: %s", optarg);
		} else if (c == 'f' && is_rm) {
			o->force = true;
		} else if (c == OPT_NO_STDIN && is_attach) {
			o->no_stdin = true;
		} else if (c == OPT_DETACH_KEYS && is_attach) {
			o->detach_keys = optarg;
		} else if (c == ':') {
			return md_err_set(err, 0, "flag needs an argument: %s", argv[optind - 1]);
		} else if (c != '?') {
			/* Another command's long option: name it, not its argument. */
			return md_err_set(err, 0, "unknown flag: --%s", longs[li].name);
		} else {
			return bad_option(argv, err);
		}
	}
	if (is_attach && argc - optind != 1)
		return md_err_set(err, 0, "\"attach\" requires exactly 1 argument");
	if (optind >= argc)
		return md_err_set(err, 0, "\"%s\" requires at least 1 argument", cmd);
	o->names = argv + optind;
	o->count = (size_t)(argc - optind);
	return OPTS_OK;
}
