/* minidocker-monitor: one small process per container (the role of conmon).
 * It starts the container, owns its pty or stdio pipes, writes its output
 * to the log, reaps it, records its exit on disk and only then reports it.
 * It also runs the container's exec sessions. It outlives the daemon: a
 * restarted daemon reconnects through --run/containers/ID/monitor.sock. */
#ifndef MD_MONITOR_H
#define MD_MONITOR_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/buf.h"
#include "../proto/frame.h"
#include "cgroup.h"
#include "ctr-config.h"
#include "ctr-setup.h"

/* Output a connection may have queued before the output of its process is
 * paused for it (an attached client that reads slowly). */
#define MON_CONN_OUT_MAX (1024u * 1024u)
/* Stdin queued for a process before the monitor stops reading its clients. */
#define MON_STDIN_MAX (1024u * 1024u)
/* How long a finished monitor waits for slow clients to take the exit. */
#define MON_DRAIN_MS 5000
/* How long PID 1's exit waits for the daemon to record it before its
 * clients hear of it anyway (and ask the daemon themselves). */
#define MON_EXIT_ACK_MS 5000
/* A pty passes a program's writes on as they come: one printing line by
 * line is read a line or two at a time, and each read costs the monitor a
 * wakeup, a log write and a frame, and the client a wakeup. So when a
 * read shorter than MON_PTY_BATCH_MIN comes within MON_PTY_STREAM_NS of
 * the one before (a stream is running), the pty is not read again for
 * MON_PTY_BATCH_NS: the stream is then read up to the pty's 4 KB at a
 * time (base64's lines: about 660 bytes a read before, 6x fewer reads).
 * A lone write after a quiet moment (an echo), or output that trickles,
 * is read at once and costs no timer. A longer wait would stop the writer
 * once the pty's buffer is full; a pipe's reads are large already. */
#define MON_PTY_BATCH_MIN 2048
#define MON_PTY_BATCH_NS (200LL * 1000)
#define MON_PTY_STREAM_NS (1000LL * 1000)
/* Log size before rotation; one rotated file (container.log.1) is kept. */
#define MON_LOG_MAX_DEFAULT (10u * 1024u * 1024u)

enum mon_conn_flags {
	MON_CONN_CONTROL = 1 << 0, /* a daemon: may stop, signal, attach, exec */
	MON_CONN_OUTPUT = 1 << 1,  /* receives its process's output */
	MON_CONN_INPUT = 1 << 2,   /* its STDIN frames reach its process */
	MON_CONN_PRIMARY = 1 << 3, /* the session's own client (run, exec): may hold
				    * its process back for as long as it likes */
};

/* How long another reader (attach) may hold a process back before it is
 * dropped, so one stalled client cannot stall the others for ever. */
#define MON_CONN_STALL_NS (10LL * 1000000000LL)

#define MON_CONN_FDS_MAX 4

struct mon_proc;

struct mon_conn {
	int fd;
	unsigned flags;
	struct mon_proc *proc;     /* the process it is attached to, or NULL */
	struct buf in;
	struct buf out;
	int fds[MON_CONN_FDS_MAX]; /* fds received with SCM_RIGHTS, in order */
	int nfds;
	bool dead;                 /* drop at the end of this loop turn */
	int64_t full_since_ns;     /* when its queue went over MON_CONN_OUT_MAX, or 0
				    * (time_mono_ns) */
	bool close_when_flushed;
	struct mon_conn *next;
};

/* A process the monitor relays: the container's PID 1, or an exec session. */
struct mon_proc {
	unsigned id;               /* 0 for the container's PID 1 */
	struct ctr_proc proc;
	bool tty;
	bool open_stdin;
	bool logged;               /* output goes to the container log */
	int out_fd[2];             /* stdout (the pty master with tty), stderr */
	int in_fd;                 /* its stdin, -1 once closed */
	struct buf stdin_buf;
	bool stdin_eof;
	bool reaped;
	int wstatus;
	int64_t batch_until_ns;    /* its pty is not read before (time_mono_ns) */
	int64_t last_read_ns;      /* its last read of output (time_mono_ns) */
	struct mon_proc *next;
};

struct monitor {
	struct ctr_config cfg;
	struct ctr_state state;
	const char *dir;      /* --root/containers/ID */
	const char *rundir;   /* --run/containers/ID */
	int listen_fd;
	int signal_fd;
	int log_fd;
	uint64_t log_size;
	uint64_t log_max;
	int init_fd;          /* sealed memfd of minidocker-init, or -1 */
	void *seccomp_prog;   /* the default filter as BPF from the daemon, or NULL */
	size_t seccomp_len;
	struct cgroup_env *cg; /* the host's cgroups, or NULL when unusable */
	bool cg_made;         /* the container's cgroup exists (setup_cgroup) */
	/* Taken from the spare (mon-spare.c): */
	char *spare_cg;       /* the cgroup it waits in, until taken */
	struct cgroup_home *cg_home; /* the monitor's own cgroup, to go back to */
	bool in_ctr_cgroup;   /* the monitor itself is in its (spare) cgroup */
	int netns_fd;         /* a network namespace made while it waited, or -1 */
	pid_t leave_pid;      /* the helper moving it back, while it runs */
	struct mon_proc *main;
	struct mon_proc *procs; /* main first, then exec sessions */
	unsigned next_proc_id;
	int64_t kill_at_ns;   /* SIGKILL deadline of a stop (time_mono_ns), 0 if none */
	struct mon_conn *conns;
	bool exit_ack;        /* the daemon acknowledges exits (MON_EXIT_ACK_ENV) */
	bool exit_recorded;   /* it did, for PID 1's (report_exit) */
};

/* mon-conn.c */
struct mon_conn *mon_conn_add(struct monitor *m, int fd, unsigned flags, struct mon_proc *p);
void mon_conn_send(struct mon_conn *c, struct json_object *msg);
/* Send to the control links and to every client attached to p. */
void mon_conn_broadcast(struct monitor *m, struct mon_proc *p, struct json_object *msg);
void mon_conn_broadcast_data(struct monitor *m, struct mon_proc *p, enum frame_type stream,
			     const uint8_t *data, size_t len);
void mon_conn_read(struct monitor *m, struct mon_conn *c);
void mon_conn_write(struct mon_conn *c);
void mon_conn_reap_dead(struct monitor *m);
bool mon_conn_output_blocked(struct monitor *m, const struct mon_proc *p);
void mon_conn_reply_error(struct mon_conn *c, const struct md_err *err);
/* Connections a monitor keeps at most: each attach and exec is one. */
#define MON_CONNS_MAX 256
size_t mon_conn_count(const struct monitor *m);
/* The oldest fd received with this connection's messages, or -1. */
int mon_conn_pop_fd(struct mon_conn *c);

/* mon-proc.c: a relayed process's I/O */
struct mon_proc *mon_proc_new(struct monitor *m, bool tty, bool open_stdin);
/* After ctr_start/ctr_exec: adopt the pty or close the child's pipe ends. */
void mon_proc_started(struct mon_proc *p, int child_fds[3]);
int mon_proc_make_pipes(struct mon_proc *p, int child_fds[3], struct md_err *err);
void mon_proc_read_output(struct monitor *m, struct mon_proc *p, int i);
void mon_proc_write_stdin(struct mon_proc *p);
void mon_proc_signal(struct mon_proc *p, int sig);
void mon_proc_resize(struct mon_proc *p, unsigned short rows, unsigned short cols);
bool mon_proc_done(const struct mon_proc *p);
void mon_proc_free(struct mon_proc *p);

/* monitor.c: actions requested over a connection */
void monitor_stop(struct monitor *m, int timeout_s);
struct json_object *monitor_state_msg(const struct monitor *m);
/* ctr_spec's join_cgroup hook: arg is the monitor. */
int monitor_join_cgroup(void *arg, pid_t pid, struct md_err *err);
/* mon-root.c: the root and mounts a container starts with, made before
 * the clone (see ctr_spec). */
struct mon_root {
	int root_fd;              /* an image's overlay, or -1 */
	struct ctr_mount *mounts; /* volumes (trees) and tmpfs, parents first */
	size_t n;
};
/* Fill r from m's config and the volume fds the daemon passed (which are
 * closed). On failure r holds what to release all the same. */
int mon_root_prepare(struct monitor *m, struct mon_root *r, struct md_err *err);
void mon_root_release(struct mon_root *r);

/* Find the host's cgroups into m->cg (the daemon's --cgroup-parent from
 * the environment), once. */
int mon_cgroup_detect(struct monitor *m, struct md_err *err);

/* mon-spare.c: a monitor started before its container (see there) */
/* Hold the fd slots of mon-fds.h with /dev/null until the take fills them. */
void mon_spare_reserve_fds(void);
/* While it waits: the next container's network namespace (ctr-net.c), and
 * on v1 a spare cgroup of its own. */
void mon_spare_prepare(struct monitor *m);
/* Until the daemon hands over the container of our command line: the fds
 * of mon-fds.h in place. Exits when the daemon goes away instead, or
 * sends something else. -1 (err set): a take that cannot be followed,
 * to report as the container's failed start. */
int mon_spare_wait(struct monitor *m, struct md_err *err);
/* Out of the spare cgroup and remove it, if it is still the spare's. */
void mon_spare_release(struct monitor *m);
/* The spare cgroup becomes the container's (m->cfg.id), with lim. 0: it
 * did and PID 1 is born in it unless m->in_ctr_cgroup is false; 1: no
 * spare cgroup, make one as usual; -1: failed. */
int mon_spare_take_cgroup(struct monitor *m, const struct cgroup_limits *lim,
			  struct md_err *err);
/* PID 1 runs: the monitor goes back to its own cgroup, from a helper. */
void mon_spare_leave(struct monitor *m);
/* Whether pid was that helper (reaped with status). */
bool mon_spare_reaped(struct monitor *m, pid_t pid, int status);
/* Before the container's cgroup is removed: the monitor is out of it. */
void mon_spare_left(struct monitor *m);

/* mon-factory.c: the spare factory (see there). Serves the daemon's
 * requests for spares; returns only in a new spare, argv then naming its
 * container. Exits when the daemon goes away. */
void mon_factory_run(char **argv);

/* mon-exec.c */
void monitor_exec(struct monitor *m, struct mon_conn *control, struct json_object *msg);

#endif
