/* minidocker-init: PID 1 of a container run with --init. It runs the
 * command as its only child, forwards every signal it can catch to it,
 * reaps every zombie that is reparented to it, and exits with the
 * command's status (128+N when a signal N ended it). Statically linked and
 * run from a sealed memfd, so it needs nothing from the container's root. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void run_child(char **argv, const sigset_t *old)
{
	/* A process group of its own, in the terminal's foreground, so that
	 * Ctrl-C reaches the command once, not also through init. */
	setpgid(0, 0);
	if (isatty(STDIN_FILENO)) {
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	}
	sigprocmask(SIG_SETMASK, old, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "minidocker-init: exec %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT || errno == ENOTDIR ? 127 : 126);
}

/* Reap everything that has exited; returns 1 once the command has. */
static int reap(pid_t child, int *status)
{
	int st, done = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == child) {
			*status = st;
			done = 1;
		}
	}
	return done;
}

int main(int argc, char **argv)
{
	sigset_t all, old;
	pid_t child;
	int status = 0;

	if (argc < 3 || strcmp(argv[1], "--") != 0) {
		fprintf(stderr, "usage: minidocker-init -- COMMAND [ARG...]\n");
		return 125;
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "minidocker-init: fork: %s\n", strerror(errno));
		return 125;
	}
	if (child == 0)
		run_child(argv + 2, &old);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			if (reap(child, &status))
				break;
		} else if (sig != SIGTTIN && sig != SIGTTOU && sig != SIGTSTP) {
			kill(child, sig);
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
