/* minidocker-monitor: one small process per container (the role of conmon).
 * It starts the container, owns its pty or stdio pipes, writes its output
 * to the log, reaps it, records its exit on disk and only then reports it.
 * It outlives the daemon: a restarted daemon reconnects through
 * --run/containers/ID/monitor.sock. */
#ifndef MD_MONITOR_H
#define MD_MONITOR_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../proto/frame.h"
#include "ctr-config.h"
#include "ctr-setup.h"

/* Output a connection may have queued before the container's output is
 * paused for it (an attached client that reads slowly). */
#define MON_CONN_OUT_MAX (1024u * 1024u)
/* Container stdin queued before the monitor stops reading clients. */
#define MON_STDIN_MAX (1024u * 1024u)
/* How long a finished monitor waits for slow clients to take the exit. */
#define MON_DRAIN_MS 5000

enum mon_conn_flags {
	MON_CONN_CONTROL = 1 << 0, /* a daemon: may stop, signal, attach */
	MON_CONN_OUTPUT = 1 << 1,  /* receives the container's output */
	MON_CONN_INPUT = 1 << 2,   /* its STDIN frames reach the container */
};

#define MON_CONN_FDS_MAX 4

struct mon_conn {
	int fd;
	unsigned flags;
	struct buf in;
	struct buf out;
	int fds[MON_CONN_FDS_MAX]; /* fds received with SCM_RIGHTS, in order */
	int nfds;
	bool dead;                 /* drop at the end of this loop turn */
	struct mon_conn *next;
};

struct monitor {
	struct ctr_config cfg;
	struct ctr_state state;
	const char *dir;      /* --root/containers/ID */
	const char *rundir;   /* --run/containers/ID */
	struct ctr_proc proc;
	int listen_fd;
	int signal_fd;
	int log_fd;
	int out_fd[2];        /* stdout (the pty master with tty), stderr */
	int in_fd;            /* the container's stdin, -1 once closed */
	struct buf stdin_buf;
	bool stdin_eof;
	bool reaped;
	int wstatus;
	int64_t kill_at_ns;   /* SIGKILL deadline of a stop, 0 if none */
	struct mon_conn *conns;
};

/* mon-conn.c */
struct mon_conn *mon_conn_add(struct monitor *m, int fd, unsigned flags);
void mon_conn_send(struct mon_conn *c, struct json_object *msg);
void mon_conn_broadcast(struct monitor *m, struct json_object *msg);
void mon_conn_broadcast_data(struct monitor *m, enum frame_type stream, const uint8_t *data,
			     size_t len);
void mon_conn_read(struct monitor *m, struct mon_conn *c);
void mon_conn_write(struct mon_conn *c);
void mon_conn_reap_dead(struct monitor *m);
bool mon_conn_output_blocked(const struct monitor *m);

/* monitor.c: actions requested over a connection */
void monitor_signal(struct monitor *m, int sig);
void monitor_stop(struct monitor *m, int timeout_s);
void monitor_resize(struct monitor *m, unsigned short rows, unsigned short cols);
struct json_object *monitor_state_msg(const struct monitor *m);

#endif
