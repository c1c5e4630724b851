/* logs: replay the container's log file (and its rotated predecessor) to
 * the client, stdout on stdout and stderr on stderr. Reading is paced by
 * the client: a chunk at a time, more only once it has taken what was
 * sent, so a big log or a slow reader never holds up the event loop. With
 * -f it polls for more until the container has exited, and follows the
 * log across a rotation. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"
#include "container.h"
#include "log-record.h"
#include "request.h"
#include "server.h"

#define LOGS_CHUNK (64u * 1024u)
#define LOGS_HIGH (256u * 1024u)  /* stop reading while this much is queued */
#define LOGS_POLL_MS 100
#define LOGS_TAIL_SCAN_MAX (64u * 1024u * 1024u)

struct logs_op {
	int refs;             /* the stream, and the exit waiter while set */
	struct daemon *d;
	struct client *client;
	struct container *ct;
	bool follow, timestamps;
	bool exited;          /* the container is done: drain and end */
	int fd;               /* the file being read */
	bool reading_old;     /* fd is container.log.1 */
	char *path;           /* container.log */
	char *old_path;       /* container.log.1 */
	struct buf line;      /* a record not yet complete */
	bool mid_line[2];     /* a partial record left a stream mid-line */
	struct event *timer;
};

static void logs_pump(void *arg);

static void logs_unref(struct logs_op *op)
{
	if (--op->refs > 0)
		return;
	buf_free(&op->line);
	free(op->path);
	free(op->old_path);
	server_client_unref(op->client);
	ctr_unref(op->ct);
	free(op);
}

/* The stream is over (ended, or the client left): release what it holds.
 * The exit waiter, if still set, keeps the struct until it fires. */
static void logs_stop(struct logs_op *op)
{
	server_client_on_drain(op->client, NULL, op);
	if (op->timer != NULL) {
		event_free(op->timer);
		op->timer = NULL;
	}
	if (op->fd >= 0) {
		close(op->fd);
		op->fd = -1;
	}
	op->follow = false;
	logs_unref(op);
}

static void logs_end(struct logs_op *op)
{
	struct json_object *o = proto_msg_new("end");
	struct client *c = op->client;

	server_reply(c, o);
	json_object_put(o);
	/* Let go of the stream first: request_done may start the client's
	 * next request at once, which may stream too. */
	server_client_ref(c);
	logs_stop(op);
	server_request_done(c);
	server_client_unref(c);
}

static void emit_record(struct logs_op *op, const struct log_record *r)
{
	int s = r->stream == FRAME_STDERR;
	struct buf out = { 0 };

	if (op->timestamps && !op->mid_line[s]) {
		buf_append(&out, r->stamp, r->stamp_len);
		buf_append(&out, " ", 1);
	}
	buf_append(&out, r->text, r->text_len);
	if (!r->partial)
		buf_append(&out, "\n", 1);
	op->mid_line[s] = r->partial;
	server_send_data(op->client, r->stream, buf_head(&out), buf_used(&out));
	buf_free(&out);
}

/* Send every complete record in op->line. */
static void emit_lines(struct logs_op *op)
{
	for (;;) {
		const char *data = (const char *)buf_head(&op->line);
		const char *nl = memchr(data, '\n', buf_used(&op->line));
		struct log_record r;

		if (nl == NULL)
			return;
		if (log_record_parse(data, (size_t)(nl - data), &r) == 0)
			emit_record(op, &r);
		buf_consume(&op->line, (size_t)(nl - data) + 1);
	}
}

static int open_log(const char *path)
{
	return open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
}

/* At the end of the file being read: go on to the current log, or notice
 * that it was rotated away. Returns true when there is a new fd to read. */
static bool next_file(struct logs_op *op)
{
	struct stat cur, now;
	int fd;

	if (op->reading_old) {
		fd = open_log(op->path);
		if (fd < 0)
			return false;
		close(op->fd);
		op->fd = fd;
		op->reading_old = false;
		return true;
	}
	/* Rotated: the name now holds a new file; ours is complete. */
	if (fstat(op->fd, &cur) == 0 && stat(op->path, &now) == 0 && cur.st_ino != now.st_ino) {
		fd = open_log(op->path);
		if (fd < 0)
			return false;
		close(op->fd);
		op->fd = fd;
		return true;
	}
	return false;
}

static void logs_pump(void *arg)
{
	struct logs_op *op = arg;

	if (server_client_gone(op->client)) {
		logs_stop(op);
		return;
	}
	while (server_client_pending(op->client) < LOGS_HIGH) {
		ssize_t n = read(op->fd, buf_reserve(&op->line, LOGS_CHUNK), LOGS_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			buf_commit(&op->line, (size_t)n);
			emit_lines(op);
			continue;
		}
		if (n < 0)
			log_warn("read log of %.12s: %s", op->ct->cfg.id, strerror(errno));
		if (n == 0 && next_file(op))
			continue;
		if (op->follow && !op->exited) {
			struct timeval tv = { 0, LOGS_POLL_MS * 1000 };

			evtimer_add(op->timer, &tv);
			return;
		}
		logs_end(op);
		return;
	}
	/* The client has enough queued; on_drain calls us again. */
}

static void logs_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	logs_pump(arg);
}

static void logs_exited_cb(struct container *ct, void *arg, bool lost)
{
	struct logs_op *op = arg;

	(void)ct;
	(void)lost;
	/* The monitor synced the log before reporting: what is on disk now is
	 * all there will be. The next pump drains it and ends. */
	op->exited = true;
	logs_unref(op);
}

/* Open where --tail N starts: the last N records of the current log, and
 * of the rotated one if the current holds fewer. */
static int open_tail(struct logs_op *op, size_t tail, struct md_err *err)
{
	const char *paths[2] = { op->path, op->old_path };
	size_t want = tail;

	for (int i = 0; i < 2; i++) {
		cleanup_free char *data = NULL;
		size_t len = 0, found = 0, off;
		int fd;

		if (file_read_all(paths[i], LOGS_TAIL_SCAN_MAX, &data, &len, err) < 0) {
			if (err->errnum == ENOENT)
				continue;
			return -1;
		}
		off = log_tail_offset(data, len, want, &found);
		if (found == want || i == 1 || access(op->old_path, R_OK) < 0) {
			fd = open_log(paths[i]);
			if (fd < 0 || lseek(fd, (off_t)off, SEEK_SET) < 0)
				return md_err_set(err, errno, "open %s", paths[i]);
			op->fd = fd;
			op->reading_old = i == 1;
			return 0;
		}
		want -= found;
	}
	op->fd = open_log(op->path);
	return op->fd < 0 ? md_err_set(err, errno, "open %s", op->path) : 0;
}

int req_logs(struct daemon *d, struct client *c, struct json_object *req, struct md_err *err)
{
	const char *name = NULL;
	struct container *ct;
	struct logs_op *op;
	int64_t tail = -1;

	if (proto_req_str(req, "container", true, &name, err) < 0 ||
	    proto_req_int(req, "tail", -1, INT32_MAX, &tail, err) < 0)
		return -1;
	ct = ctr_find(d->ctrs, d->nctrs, name, server_client_uid(c), err);
	if (ct == NULL)
		return -1;
	op = xcalloc(1, sizeof(*op));
	op->refs = 1;
	op->d = d;
	op->client = c;
	op->ct = ct;
	op->fd = -1;
	op->path = xasprintf("%s/%s", ct->dir, CTR_LOG_FILE);
	op->old_path = xasprintf("%s/%s.1", ct->dir, CTR_LOG_FILE);
	server_client_ref(c);
	ctr_ref(ct);
	if (proto_req_bool(req, "follow", &op->follow, err) < 0 ||
	    proto_req_bool(req, "timestamps", &op->timestamps, err) < 0)
		goto fail;
	if (tail >= 0) {
		if (open_tail(op, (size_t)tail, err) < 0)
			goto fail;
	} else if ((op->fd = open_log(op->old_path)) >= 0) {
		op->reading_old = true;
	} else if ((op->fd = open_log(op->path)) < 0 && errno != ENOENT) {
		md_err_set(err, errno, "open log of %s", name);
		goto fail;
	}
	if (op->fd < 0)
		op->fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* nothing logged yet */
	if (tail == 0)
		lseek(op->fd, 0, SEEK_END);
	op->timer = evtimer_new(d->base, logs_timer_cb, op);
	op->exited = ct->state.status != CTR_RUNNING && !ct->starting;
	/* Only a follower waits for the exit; a plain logs reads to the end. */
	if (op->follow && !op->exited) {
		op->refs++;
		ctr_add_waiter(ct, true, logs_exited_cb, op);
	}
	server_client_on_drain(c, logs_pump, op);
	logs_pump(op);
	return REQ_PENDING;
fail:
	logs_stop(op);
	return -1;
}
