/*
 * mdtime: run a command many times and print how long each run took, to the
 * microsecond, as one line of KEY=VALUE pairs (milliseconds):
 *
 *   n=50 fail=0 median_ms=3.104 p10_ms=2.950 p90_ms=3.420 min_ms=2.871
 *   max_ms=4.518 mean_ms=3.160 sum_ms=158.0 total_ms=160.2
 *
 * (one line). Each run is posix_spawnp + waitpid, timed with
 * clock_gettime(CLOCK_MONOTONIC) around exactly that: no shell, no fork of a
 * bash, nothing else in the timed window.
 *
 *   mdtime [-n RUNS] [-w WARMUP] [-p PAUSE_MS] [-j JOBS]
 *          [--pre SHELL_CMD] [--post SHELL_CMD] [-v] -- CMD [ARG...]
 *
 *   -n RUNS      timed runs (default 50)
 *   -w WARMUP    untimed runs first (default 5)
 *   -p PAUSE_MS  sleep this long before each run, outside the timing
 *   -j JOBS      keep up to JOBS runs in flight at once (density); total_ms
 *                is then the wall time of all RUNS, first start to last exit
 *   --pre CMD    before each run, outside the timing: `sh -c CMD`; its
 *                stdout (trimmed) replaces "{}" in CMD's arguments
 *   --post CMD   after each run, outside the timing: `sh -c CMD` with
 *                MDTIME_OUT (the run's stdout, trimmed) and MDTIME_PRE set
 *   -v           show each run's stderr (default: only the first failure's)
 *
 * "{i}" in an argument becomes the run's number (0, 1, ...; warm-up runs
 * are numbered from 1000000), e.g. a container name unique per run.
 * A run that exits non-zero or by a signal counts in fail=; it is still
 * timed. mdtime exits 0 when it could run the command, whatever fail= is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int runs = 50, warmup = 5, pause_ms, jobs = 1, verbose;
static const char *pre_cmd, *post_cmd;
static char **cmd;
static int failures;
static char first_err[2048];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "mdtime: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The whole content of fd (a memfd), trailing white space cut. */
static char *slurp(int fd)
{
	size_t cap = 4096, len = 0;
	char *s = malloc(cap);
	ssize_t n;

	if (s == NULL)
		die("malloc");
	if (lseek(fd, 0, SEEK_SET) < 0)
		die("lseek");
	while ((n = read(fd, s + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 == cap && (s = realloc(s, cap *= 2)) == NULL)
			die("realloc");
	}
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' ' || s[len - 1] == '\r'))
		len--;
	s[len] = '\0';
	return s;
}

static int new_memfd(void)
{
	int fd = memfd_create("mdtime", MFD_CLOEXEC);

	if (fd < 0)
		die("memfd_create");
	return fd;
}

/* Spawn argv with stdin /dev/null, stdout and stderr to the given fds. */
static pid_t spawn(char **argv, int out_fd, int err_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		errno = r;
		fprintf(stderr, "mdtime: cannot run %s: %s\n", argv[0], strerror(r));
		exit(2);
	}
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return st;
}

/* sh -c CMD outside the timing; returns its stdout, trimmed. */
static char *shell(const char *c)
{
	char *argv[] = { "sh", "-c", (char *)c, NULL };
	int out = new_memfd();
	int st = wait_status(spawn(argv, out, 2));
	char *s = slurp(out);

	close(out);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "mdtime: warning: `%s` failed (status %d)\n", c, st);
	return s;
}

/* argv of run i: "{}" replaced by pre, "{i}" by i. */
static char **expand(int i, const char *pre)
{
	size_t n = 0;
	char **v;

	while (cmd[n] != NULL)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		die("calloc");
	for (size_t k = 0; k < n; k++) {
		const char *a = cmd[k];
		size_t cap = strlen(a) + 64 + (pre ? strlen(pre) * 4 : 0);
		char *o = malloc(cap), *p = o;

		if (o == NULL)
			die("malloc");
		while (*a != '\0') {
			if (strncmp(a, "{}", 2) == 0 && pre != NULL) {
				p = stpcpy(p, pre);
				a += 2;
			} else if (strncmp(a, "{i}", 3) == 0) {
				p += sprintf(p, "%d", i);
				a += 3;
			} else {
				*p++ = *a++;
			}
		}
		*p = '\0';
		v[k] = o;
	}
	return v;
}

static void free_argv(char **v)
{
	for (size_t k = 0; v[k] != NULL; k++)
		free(v[k]);
	free(v);
}

static void note_status(int st, int err_fd)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	failures++;
	if (first_err[0] == '\0') {
		char *e = err_fd >= 0 ? slurp(err_fd) : strdup("");

		snprintf(first_err, sizeof(first_err), "status %d: %s",
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), e);
		free(e);
	}
}

/* One run, sequential mode. Returns its time in ms. */
static double one_run(int i, int null_fd)
{
	char *pre = pre_cmd ? shell(pre_cmd) : NULL;
	char **argv = expand(i, pre);
	int out = post_cmd ? new_memfd() : null_fd;
	int errfd = verbose ? 2 : new_memfd();
	double t0, t1;
	int st;

	if (pause_ms > 0)
		sleep_ms(pause_ms);
	t0 = now_ms();
	st = wait_status(spawn(argv, out, errfd));
	t1 = now_ms();
	note_status(st, verbose ? -1 : errfd);
	if (post_cmd) {
		char *o = slurp(out);

		setenv("MDTIME_OUT", o, 1);
		setenv("MDTIME_PRE", pre ? pre : "", 1);
		free(shell(post_cmd));
		free(o);
		close(out);
	}
	if (!verbose)
		close(errfd);
	free_argv(argv);
	free(pre);
	return t1 - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Linear interpolation between closest ranks. */
static double pct(const double *v, int n, double p)
{
	double r = p * (n - 1);
	int lo = (int)r;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (r - lo) * (v[lo + 1] - v[lo]);
}

/* JOBS runs in flight at once; times[i] of each run; returns the wall time. */
static double parallel_runs(double *times, int null_fd)
{
	pid_t *pids = calloc((size_t)jobs, sizeof(*pids));
	int *idx = calloc((size_t)jobs, sizeof(*idx));
	double *start = calloc((size_t)jobs, sizeof(*start));
	int next = 0, done = 0, errfd = verbose ? 2 : null_fd;
	double t0 = now_ms();

	if (pids == NULL || idx == NULL || start == NULL)
		die("calloc");
	while (done < runs) {
		for (int s = 0; s < jobs && next < runs; s++) {
			if (pids[s] != 0)
				continue;
			char **argv = expand(next, NULL);

			idx[s] = next++;
			start[s] = now_ms();
			pids[s] = spawn(argv, null_fd, errfd);
			free_argv(argv);
		}
		int st;
		pid_t p = waitpid(-1, &st, 0);

		if (p < 0) {
			if (errno == EINTR)
				continue;
			die("waitpid");
		}
		double t = now_ms();

		for (int s = 0; s < jobs; s++) {
			if (pids[s] == p) {
				times[idx[s]] = t - start[s];
				pids[s] = 0;
				done++;
				note_status(st, -1);
			}
		}
	}
	free(pids);
	free(idx);
	free(start);
	return now_ms() - t0;
}

static void usage(void)
{
	fprintf(stderr, "usage: mdtime [-n RUNS] [-w WARMUP] [-p PAUSE_MS] [-j JOBS] "
			"[--pre CMD] [--post CMD] [-v] -- CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i, null_fd;
	double *times, total, sum = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-v") == 0) {
			verbose = 1;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "-n") == 0)
			runs = atoi(argv[++i]);
		else if (strcmp(a, "-w") == 0)
			warmup = atoi(argv[++i]);
		else if (strcmp(a, "-p") == 0)
			pause_ms = atoi(argv[++i]);
		else if (strcmp(a, "-j") == 0)
			jobs = atoi(argv[++i]);
		else if (strcmp(a, "--pre") == 0)
			pre_cmd = argv[++i];
		else if (strcmp(a, "--post") == 0)
			post_cmd = argv[++i];
		else
			usage();
	}
	if (i >= argc || runs < 1 || warmup < 0 || pause_ms < 0 || jobs < 1 ||
	    (jobs > 1 && (pre_cmd || post_cmd || pause_ms)))
		usage();
	cmd = argv + i;
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		die("open /dev/null");
	times = calloc((size_t)runs, sizeof(*times));
	if (times == NULL)
		die("calloc");

	for (i = 0; i < warmup; i++)
		one_run(1000000 + i, null_fd);
	failures = 0;
	first_err[0] = '\0';
	if (jobs > 1) {
		total = parallel_runs(times, null_fd);
	} else {
		double t0 = now_ms();

		for (i = 0; i < runs; i++)
			times[i] = one_run(i, null_fd);
		total = now_ms() - t0;
	}
	for (i = 0; i < runs; i++)
		sum += times[i];
	qsort(times, (size_t)runs, sizeof(*times), cmp_double);
	printf("n=%d fail=%d median_ms=%.3f p10_ms=%.3f p90_ms=%.3f min_ms=%.3f max_ms=%.3f "
	       "mean_ms=%.3f sum_ms=%.1f total_ms=%.1f\n",
	       runs, failures, pct(times, runs, 0.5), pct(times, runs, 0.1), pct(times, runs, 0.9),
	       times[0], times[runs - 1], sum / runs, sum, total);
	if (failures > 0 && first_err[0] != '\0')
		fprintf(stderr, "mdtime: %d of %d runs failed; first: %s\n", failures, runs, first_err);
	return 0;
}
