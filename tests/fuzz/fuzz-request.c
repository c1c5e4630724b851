/* libFuzzer target for what the daemon builds from untrusted bytes:
 *  - a `run` request (daemon/run-config.c) from any message a client can
 *    send, for a caller who is not root (uid 1000) and for root;
 *  - config.json and state.json (daemon/ctr-config.c), which a crash or a
 *    full disk may have left truncated, read back at start-up;
 *  - the container log format (daemon/log-record.c), which `logs` reads.
 * All three see the same input. Besides faults and leaks it checks the
 * rules the code states: a caller who is not root never gets more power
 * than the default; every config the daemon accepts it writes out and
 * reads back unchanged; a failure always leaves a message. */
#include <json-c/json.h>
#include <stdbool.h>

#include "common/id.h"
#include "daemon/caps.h"
#include "daemon/ctr-config.h"
#include "daemon/log-record.h"
#include "daemon/run-config.h"
#include "daemon/run-mounts.h"
#include "proto/msg.h"
#include "tests/fuzz/fuzz.h"

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static bool strv_eq(char **a, char **b)
{
	for (; a != NULL && *a != NULL; a++, b++)
		if (b == NULL || *b == NULL || strcmp(*a, *b) != 0)
			return false;
	return b == NULL || *b == NULL;
}

static void check_config_equal(const struct ctr_config *a, const struct ctr_config *b)
{
	CHECK(strcmp(a->id, b->id) == 0);
	CHECK(str_eq(a->name, b->name) && str_eq(a->image, b->image));
	CHECK(str_eq(a->cwd, b->cwd) && str_eq(a->hostname, b->hostname));
	CHECK(strv_eq(a->argv, b->argv) && strv_eq(a->env, b->env));
	CHECK(strv_eq(a->cap_add, b->cap_add) && strv_eq(a->cap_drop, b->cap_drop));
	CHECK(a->created_ns == b->created_ns);
	CHECK(a->owner_uid == b->owner_uid && a->owner_gid == b->owner_gid);
	CHECK(a->uid == b->uid && a->gid == b->gid);
	CHECK(a->tty == b->tty && a->open_stdin == b->open_stdin);
	CHECK(a->auto_remove == b->auto_remove && a->init == b->init);
	CHECK(a->userns == b->userns && a->userns_private == b->userns_private);
	CHECK(a->map_uid == b->map_uid && a->map_gid == b->map_gid);
	CHECK(a->sub_uid_start == b->sub_uid_start && a->sub_uid_count == b->sub_uid_count);
	CHECK(a->sub_gid_start == b->sub_gid_start && a->sub_gid_count == b->sub_gid_count);
	CHECK(a->memory == b->memory && a->nano_cpus == b->nano_cpus);
	CHECK(a->pids_limit == b->pids_limit && a->cap_mask == b->cap_mask);
	CHECK(a->host_network == b->host_network && a->stop_timeout == b->stop_timeout);
	CHECK(a->rows == b->rows && a->cols == b->cols);
	CHECK(a->read_only == b->read_only);
	CHECK(a->nvolumes == b->nvolumes && a->ntmpfs == b->ntmpfs);
	for (size_t i = 0; i < a->nvolumes && i < b->nvolumes; i++) {
		CHECK(str_eq(a->volumes[i].source, b->volumes[i].source));
		CHECK(str_eq(a->volumes[i].target, b->volumes[i].target));
		CHECK(a->volumes[i].readonly == b->volumes[i].readonly);
	}
	for (size_t i = 0; i < a->ntmpfs && i < b->ntmpfs; i++) {
		CHECK(str_eq(a->tmpfs[i].target, b->tmpfs[i].target));
		CHECK(str_eq(a->tmpfs[i].options, b->tmpfs[i].options));
		CHECK(a->tmpfs[i].exec == b->tmpfs[i].exec && a->tmpfs[i].readonly == b->tmpfs[i].readonly);
	}
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcmp(s + n - k, tail) == 0;
}

/* A mount target run-mounts.c accepted: absolute, normalized, not "/",
 * nothing under /proc, /sys or /dev. */
static void check_target(const char *t)
{
	CHECK(t != NULL && t[0] == '/' && t[1] != '\0' && t[strlen(t) - 1] != '/');
	CHECK(strstr(t, "//") == NULL && strstr(t, "/./") == NULL && strstr(t, "/../") == NULL);
	CHECK(!ends_with(t, "/.") && !ends_with(t, "/.."));
	for (const char *d = "/proc\0/sys\0/dev\0"; *d; d += strlen(d) + 1)
		CHECK(strncmp(t, d, strlen(d)) != 0 || (t[strlen(d)] != '\0' && t[strlen(d)] != '/'));
}

/* The mounts of an accepted request: each target checked and used once,
 * each volume's source absolute, tmpfs data only size= and mode=. */
static void check_mounts(const struct ctr_config *c)
{
	CHECK(c->nvolumes <= RUN_VOLUMES_MAX && c->ntmpfs <= RUN_TMPFS_MAX);
	for (size_t i = 0; i < c->nvolumes; i++) {
		check_target(c->volumes[i].target);
		CHECK(c->volumes[i].source != NULL && c->volumes[i].source[0] == '/');
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(c->volumes[i].target, c->volumes[j].target) != 0);
	}
	for (size_t i = 0; i < c->ntmpfs; i++) {
		const char *o = c->tmpfs[i].options;

		check_target(c->tmpfs[i].target);
		for (size_t j = 0; j < c->nvolumes; j++)
			CHECK(strcmp(c->tmpfs[i].target, c->volumes[j].target) != 0);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(c->tmpfs[i].target, c->tmpfs[j].target) != 0);
		CHECK(o != NULL && strspn(o, "sizemod=0123456789,") == strlen(o));
	}
}

/* What the daemon does with a config it holds: save it, load it after a
 * restart, and build the user namespace's maps from it. */
static void check_config_use(const struct ctr_config *c)
{
	struct ctr_config back;
	struct md_err err;
	char map[128];
	char *text = ctr_config_to_json(c);

	fuzz_err_poison(&err);
	if (ctr_config_from_json(text, &back, &err) < 0) {
		fprintf(stderr, "config does not read back: %s\n%s\n", err.msg, text);
		CHECK(!"a saved config reads back");
	}
	check_config_equal(c, &back);
	ctr_config_free(&back);
	free(text);
	ctr_config_id_map(c, true, map, sizeof(map));
	ctr_config_id_map(c, false, map, sizeof(map));
	(void)ctr_config_wants_seccomp(c);
}

static void check_run(struct json_object *req, uid_t uid)
{
	struct ctr_config c;
	struct run_opts opts;
	struct md_err err;

	fuzz_err_poison(&err);
	if (run_config_from_request(req, uid, uid, NULL, &c, &opts, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(c.argv == NULL && c.env == NULL && c.name == NULL); /* freed */
		return;
	}
	CHECK(c.owner_uid == uid && c.owner_gid == uid);
	CHECK(c.argv != NULL && c.argv[0] != NULL && c.argv[0][0] != '\0');
	CHECK(c.env != NULL && c.image != NULL && c.hostname != NULL && c.cwd != NULL);
	CHECK(c.cap_add != NULL && c.cap_drop != NULL);
	CHECK(c.cwd[0] == '/' && run_hostname_valid(c.hostname));
	CHECK(c.name == NULL || name_valid(c.name));
	for (char **e = c.env; *e != NULL; e++)
		CHECK(strchr(*e, '=') != NULL && (*e)[0] != '=');
	CHECK(c.memory == 0 || c.memory >= 6ULL * 1024 * 1024);
	check_mounts(&c);
	if (uid != 0) {
		/* Narrow, never widen. */
		CHECK(!c.host_network && !c.userns_private && c.cap_add[0] == NULL);
		CHECK((c.cap_mask & ~caps_default_mask()) == 0);
	}
	/* The daemon then names it and saves it. */
	memcpy(c.id, "0123456789abcdef0123456789abcdef", ID_LEN + 1);
	CHECK(id_valid(c.id));
	c.created_ns = 1;
	check_config_use(&c);
	ctr_config_free(&c);
}

static void check_files(const char *text)
{
	struct ctr_config c;
	struct ctr_state s, back;
	struct md_err err;

	fuzz_err_poison(&err);
	if (ctr_config_from_json(text, &c, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(c.argv == NULL && c.name == NULL);
	} else {
		CHECK(id_valid(c.id) && c.argv != NULL && c.argv[0] != NULL && c.env != NULL);
		CHECK(c.name != NULL && c.image != NULL && c.cwd != NULL && c.hostname != NULL);
		CHECK(c.cap_add != NULL && c.cap_drop != NULL);
		check_config_use(&c);
		ctr_config_free(&c);
	}

	fuzz_err_poison(&err);
	if (ctr_state_from_json(text, &s, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(s.error == NULL);
		return;
	}
	CHECK(ctr_status_name(s.status) != NULL);
	char *out = ctr_state_to_json(&s);

	fuzz_err_poison(&err);
	CHECK(ctr_state_from_json(out, &back, &err) == 0);
	CHECK(back.status == s.status && back.pid == s.pid && back.monitor_pid == s.monitor_pid);
	CHECK(back.started_ns == s.started_ns && back.finished_ns == s.finished_ns);
	CHECK(back.exit_code == s.exit_code && back.oom_killed == s.oom_killed);
	CHECK((back.error == NULL) == (s.error == NULL) && str_eq(back.error, s.error));
	ctr_state_clear(&back);
	ctr_state_clear(&s);
	free(out);
}

/* Each line of the input in its own block of exactly its size, so a read
 * past the end of a record is caught. */
static void check_log_records(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		char *line = malloc(len ? len : 1);
		struct log_record r;

		CHECK(line != NULL);
		memcpy(line, p, len);
		if (log_record_parse(line, len, &r) == 0) {
			CHECK(r.stamp == line && r.stamp_len > 0 && r.stamp_len < len);
			CHECK(memchr(r.stamp, ' ', r.stamp_len) == NULL);
			CHECK(r.stream == FRAME_STDOUT || r.stream == FRAME_STDERR);
			CHECK(r.text >= line && r.text + r.text_len == line + len);
		}
		free(line);
		p += len + 1;
	}
}

/* log_tail_offset: the offset starts a line, and the last n records (or
 * all of them) follow it. */
static void check_log_tail(const char *data, size_t size)
{
	static const size_t ns[] = { 0, 1, 2, 3, 7, 100, 100000 };

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		size_t found = (size_t)-1, off = log_tail_offset(data, size, ns[i], &found);
		size_t lines = 0, body = size;

		CHECK(off <= size && found <= ns[i]);
		if (off == 0)
			continue;
		CHECK(data[off - 1] == '\n' && found == ns[i]);
		if (body > 0 && data[body - 1] == '\n')
			body--;
		CHECK(off <= body);
		for (size_t k = off; k < body; k++)
			lines += data[k] == '\n';
		CHECK(lines + 1 == ns[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	struct json_object *req = proto_msg_parse(data, size, &why);
	char *text;

	if (req != NULL) {
		check_run(req, 1000);
		check_run(req, 0);
		json_object_put(req);
	}

	text = fuzz_strndup(data, size);
	check_files(text);
	free(text);

	check_log_records(data, size);
	check_log_tail((const char *)data, size);
	return 0;
}
