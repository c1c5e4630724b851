#include "job.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "fd-closer.h"

/* A result is a few image records: far below this. */
#define JOB_RESULT_MAX (4u * 1024u * 1024u)

struct job {
	struct event *ev;
	struct evbuffer *out;
	job_done_fn done;
	void *done_arg;
	pid_t pid;
};

/* The event and the pipe go before done() runs: it may start the next
 * request, whose new fds may take the same numbers. */
static void job_finish(struct job *j, int fd, struct json_object *result)
{
	job_done_fn done = j->done;
	void *arg = j->done_arg;

	event_free(j->ev);
	close(fd);
	evbuffer_free(j->out);
	free(j);
	done(result, arg);
}

static void job_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *j = arg;
	struct json_object *result;
	size_t len;
	int n;

	(void)what;
	n = evbuffer_read(j->out, fd, 64 * 1024);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	len = evbuffer_get_length(j->out);
	if (n > 0 && len <= JOB_RESULT_MAX)
		return;
	if (n < 0 || len > JOB_RESULT_MAX) {
		log_warn("image worker %d: %s", (int)j->pid, n < 0 ? strerror(errno) : "result too large");
		kill(j->pid, SIGKILL);
		job_finish(j, fd, NULL);
		return;
	}
	/* json_tokener_parse takes a C string: end the bytes with a NUL. */
	result = len && evbuffer_add(j->out, "", 1) == 0
			 ? json_tokener_parse((const char *)evbuffer_pullup(j->out, -1))
			 : NULL;
	if (result == NULL) {
		int status = 0;

		/* Its end says why, if it is over (else the SIGCHLD reaper
		 * takes it): never wait here, in the loop. */
		if (waitpid(j->pid, &status, WNOHANG) == j->pid)
			log_warn("image worker %d ended without a result: %s %d", (int)j->pid,
				 WIFSIGNALED(status) ? "killed by signal" : "exit status",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		else
			log_warn("image worker %d ended without a result", (int)j->pid);
	}
	job_finish(j, fd, result);
}

/* In the worker: a clean signal state, death with the daemon, and of the
 * daemon's fds only the job's (renumbered from 3) and the result pipe. */
static int worker_prepare(int *fds, size_t nfds, int *result_fd, pid_t daemon_pid)
{
	sigset_t none;
	int moved[JOB_FDS_MAX + 1];

	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
	    getppid() != daemon_pid)
		return -1;
	/* Above every target first, so no dup2 below lands on a source. */
	for (size_t i = 0; i <= nfds; i++) {
		moved[i] = fcntl(i < nfds ? fds[i] : *result_fd, F_DUPFD_CLOEXEC, 3 + JOB_FDS_MAX + 1);
		if (moved[i] < 0)
			return -1;
	}
	for (size_t i = 0; i <= nfds; i++) {
		if (dup3(moved[i], 3 + (int)i, O_CLOEXEC) < 0)
			return -1;
		if (i < nfds)
			fds[i] = 3 + (int)i;
	}
	*result_fd = 3 + (int)nfds;
	return close_range(4 + (unsigned)nfds, ~0U, 0);
}

static __attribute__((noreturn)) void worker_main(job_fn fn, void *arg, int *fds, size_t nfds,
						    int result_fd, pid_t daemon_pid)
{
	struct json_object *result;
	const char *text;

	if (worker_prepare(fds, nfds, &result_fd, daemon_pid) < 0)
		_exit(MD_STATUS_FAILED);
	result = fn(arg, fds);
	text = json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN);
	(void)!write_all(result_fd, text, strlen(text));
	_exit(0);
}

pid_t job_start(struct daemon *d, job_fn fn, void *arg, int *fds, size_t nfds, job_done_fn done,
		void *done_arg, struct md_err *err)
{
	struct job *j;
	int p[2];
	pid_t pid = -1, self = getpid();
	sigset_t all, old;

	if (nfds > JOB_FDS_MAX) {
		md_err_set(err, EINVAL, "image worker");
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		md_err_set(err, errno, "pipe");
		goto out;
	}
	/* No signal handler of the daemon's may run in the worker before it
	 * resets them: they would write to the daemon's own signal pipe. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid != 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		md_err_set(err, errno, "fork image worker");
		close(p[0]);
		close(p[1]);
		pid = -1;
		goto out;
	}
	if (pid == 0) {
		close(p[0]);
		worker_main(fn, arg, fds, nfds, p[1], self);
	}
	close(p[1]);
	fd_set_nonblock(p[0], true);
	j = xcalloc(1, sizeof(*j));
	j->pid = pid;
	j->done = done;
	j->done_arg = done_arg;
	j->out = evbuffer_new();
	j->ev = event_new(d->base, p[0], EV_READ | EV_PERSIST, job_read_cb, j);
	if (j->out == NULL || j->ev == NULL || event_add(j->ev, NULL) < 0)
		abort(); /* out of memory, as xmalloc */
out:
	/* The worker has its copies; ours may be a caller's last. */
	closer_close(fds, nfds);
	return pid;
}
