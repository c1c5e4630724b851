/* The sync channel between a container process under construction and its
 * parent: a SOCK_SEQPACKET pair, one fixed-size message per handshake
 * point, CLOEXEC so that a successful execve closes it (EOF = exec'd). */
#ifndef MD_CTR_SYNC_H
#define MD_CTR_SYNC_H

#include <sys/types.h>

#include "../common/err.h"
#include "ctr-setup.h"

enum sync_kind {
	SYNC_GO = 1,    /* parent -> child: go on with setup */
	SYNC_PTY = 2,   /* child -> parent: the pty master (fd attached) */
	SYNC_PID = 3,   /* child -> parent: the pid of the process that execs */
	SYNC_ERROR = 4, /* child -> parent: a step failed */
};

struct sync_msg {
	int kind;
	int errnum;
	int status;
	int pid;
	char text[MD_ERR_MSG_MAX];
};

int sync_send(int fd, const struct sync_msg *m, int pass_fd);
/* 1 with a message (a passed fd in *got_fd, else -1), 0 on EOF, -1 on error. */
int sync_recv(int fd, struct sync_msg *m, int *got_fd);

/* In the child: report err to the parent and _exit. Never returns into the
 * caller: a child must not run on in a half-built container. */
__attribute__((noreturn)) void sync_fail(int sync_fd, const struct md_err *err);

/* In the parent: collect PTY and PID messages until EOF (the command was
 * exec'd: 0) or an ERROR (-1, err as the child reported it). */
int sync_wait_exec(int sync_fd, struct ctr_proc *out, pid_t *pid, struct md_err *err);

/* Kill and reap a child whose start failed half-way. */
void sync_abort_child(pid_t pid, int pidfd, struct ctr_proc *out);

#endif
