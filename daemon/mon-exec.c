/* exec sessions in the monitor: the daemon forwards a checked request with
 * the client's socket; the monitor starts the process inside the container
 * (ctr_exec) and relays it to that client like the container's own. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "monitor.h"

struct exec_req {
	const char **argv;
	const char **env;
	const char *cwd;
	int64_t uid, gid, rows, cols;
	bool tty, open_stdin, detach;
};

static int parse_exec(struct json_object *msg, struct exec_req *r, struct md_err *err)
{
	memset(r, 0, sizeof(*r));
	r->cwd = "/";
	if (proto_req_strv(msg, "argv", true, &r->argv, NULL, err) < 0 ||
	    proto_req_strv(msg, "env", true, &r->env, NULL, err) < 0 ||
	    proto_req_str(msg, "cwd", true, &r->cwd, err) < 0 ||
	    proto_req_int(msg, "uid", 0, UINT32_MAX - 1, &r->uid, err) < 0 ||
	    proto_req_int(msg, "gid", 0, UINT32_MAX - 1, &r->gid, err) < 0 ||
	    proto_req_int(msg, "rows", 0, 65535, &r->rows, err) < 0 ||
	    proto_req_int(msg, "cols", 0, 65535, &r->cols, err) < 0 ||
	    proto_req_bool(msg, "tty", &r->tty, err) < 0 ||
	    proto_req_bool(msg, "stdin", &r->open_stdin, err) < 0 ||
	    proto_req_bool(msg, "detach", &r->detach, err) < 0)
		return -1;
	if (r->argv[0] == NULL)
		return md_err_set(err, 0, "no command given");
	return 0;
}

static struct json_object *started_msg(const struct monitor *m, const struct mon_proc *p)
{
	struct json_object *o = proto_msg_new("started");

	json_object_object_add(o, "id", json_object_new_string(m->cfg.id));
	json_object_object_add(o, "pid", json_object_new_int(p->proc.pid));
	return o;
}

/* Start the session; -1 with err (and no process left) on failure. */
static struct mon_proc *start_exec(struct monitor *m, const struct exec_req *r, struct md_err *err)
{
	struct mon_proc *p;
	int child_fds[3] = { -1, -1, -1 };
	struct ctr_spec spec = {
		.argv = (char *const *)r->argv,
		.envp = (char *const *)r->env,
		.cwd = r->cwd,
		.uid = (uid_t)r->uid,
		.gid = (gid_t)r->gid,
		.tty = r->tty,
		.rows = (unsigned short)r->rows,
		.cols = (unsigned short)r->cols,
		.init_fd = -1,
		.cap_mask = m->cfg.cap_mask,
		.seccomp = ctr_config_wants_seccomp(&m->cfg),
		.seccomp_prog = m->seccomp_prog,
		.seccomp_prog_len = m->seccomp_len,
		.join_cgroup = m->cg ? monitor_join_cgroup : NULL,
		.join_cgroup_arg = m,
		.cgroup_fd = -1,
		.userns = m->cfg.userns,
		.setgroups_deny = m->cfg.userns && m->cfg.sub_gid_count == 0,
		.host_network = m->cfg.host_network,
		.netns_fd = -1, /* it joins PID 1's */
	};

	if (m->main == NULL || m->main->reaped) {
		md_err_setst(err, MD_STATUS_FAILED, 0, "container %s is not running", m->cfg.name);
		return NULL;
	}
	p = mon_proc_new(m, r->tty, r->open_stdin && !r->detach);
	if (mon_proc_make_pipes(p, child_fds, err) == 0) {
		/* Stdin without -i is the host's /dev/null, opened here: the
		 * container's own /dev is the container's to replace (a FIFO
		 * would block us, a link to /proc/self/fd could reopen our fds). */
		if (!r->tty && child_fds[0] < 0 &&
		    (child_fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
			md_err_set(err, errno, "open /dev/null");
			goto fail;
		}
		memcpy(spec.stdio, child_fds, sizeof(spec.stdio));
		if (ctr_exec(m->main->proc.pidfd, &spec, &p->proc, err) == 0) {
			mon_proc_started(p, child_fds);
			return p;
		}
	}
fail:
	for (int i = 0; i < 3; i++)
		if (child_fds[i] >= 0)
			close(child_fds[i]);
	p->reaped = true; /* nothing ran: dropped on the next turn */
	return NULL;
}

void monitor_exec(struct monitor *m, struct mon_conn *control, struct json_object *msg)
{
	struct exec_req r;
	struct md_err err;
	struct mon_proc *p;
	struct mon_conn *client;
	struct json_object *o;
	int fd;

	md_err_clear(&err);
	if (control->nfds == 0) {
		log_warn("exec without a client fd"); /* lost: out of fds */
		return;
	}
	fd = mon_conn_pop_fd(control);
	if (mon_conn_count(m) >= MON_CONNS_MAX) {
		log_warn("too many connections: exec refused");
		close(fd);
		return;
	}
	client = mon_conn_add(m, fd, MON_CONN_OUTPUT | MON_CONN_PRIMARY, NULL);
	if (parse_exec(msg, &r, &err) < 0 || (p = start_exec(m, &r, &err)) == NULL) {
		md_err_prefix(&err, "cannot exec in container");
		mon_conn_reply_error(client, &err);
		client->close_when_flushed = true;
		free(r.argv);
		free(r.env);
		return;
	}
	free(r.argv);
	free(r.env);
	o = started_msg(m, p);
	mon_conn_send(client, o);
	json_object_put(o);
	if (r.detach) {
		client->close_when_flushed = true;
		client->flags = 0;
		return;
	}
	client->proc = p;
	if (p->in_fd >= 0)
		client->flags |= MON_CONN_INPUT;
}
