#include "image-spec.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/util.h"

#define SPEC_JSON_MAX (4 * 1024 * 1024) /* a larger document is refused unread */
#define SPEC_JSON_DEPTH 32		/* nesting json-c accepts; ours is at most 4 */
#define SPEC_STR_MAX (64 * 1024)	/* one string value */
#define SPEC_ARRAY_MAX 1024		/* entries of any one array */
#define SPEC_PATH_MAX 4096		/* a path inside an archive */
#define TAG_MAX 128
#define SHOW_MAX 64 /* bytes of an untrusted string an error message shows */
#define NS_PER_SEC 1000000000LL

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"

/* Layer media types whose blob is a tar stream layer-extract can read. */
static const char *const layer_types[] = {
	"application/vnd.oci.image.layer.v1.tar",
	"application/vnd.oci.image.layer.v1.tar+gzip",
	"application/vnd.oci.image.layer.v1.tar+zstd",
	"application/vnd.docker.image.rootfs.diff.tar",
	"application/vnd.docker.image.rootfs.diff.tar.gzip",
};

/* An untrusted string fit for an error message: at most SHOW_MAX bytes,
 * anything but printable ASCII shown as '?'. */
struct shown {
	char s[SHOW_MAX + 1];
};

static struct shown show(const char *s)
{
	struct shown r;
	size_t i;

	for (i = 0; i < SHOW_MAX && s[i] != '\0'; i++)
		r.s[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	r.s[i] = '\0';
	return r;
}

/* ---- JSON ---- */

/* Parse the whole of json (len bytes, not NUL-terminated) as one JSON value
 * of the given type, strictly: valid UTF-8, no NUL byte, nothing but white
 * space after it. what names the document in errors. */
static int json_parse(const char *json, size_t len, enum json_type type, const char *what,
		      struct json_object **out, struct md_err *err)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error e;
	size_t end;

	*out = NULL;
	if (json == NULL || len == 0)
		return md_err_set(err, 0, "%s: empty", what);
	if (len > SPEC_JSON_MAX)
		return md_err_set(err, 0, "%s: larger than 4 MiB", what);
	if (memchr(json, '\0', len) != NULL)
		return md_err_set(err, 0, "%s: invalid json: a NUL byte", what);
	tok = json_tokener_new_ex(SPEC_JSON_DEPTH);
	if (tok == NULL)
		return md_err_set(err, ENOMEM, "%s: json_tokener_new", what);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, json, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	/* A JSON null is a NULL object: success tells it from a failure. */
	if (e == json_tokener_continue)
		return md_err_set(err, 0, "%s: truncated json", what);
	if (e != json_tokener_success)
		return md_err_set(err, 0, "%s: invalid json at byte %zu: %s", what, end,
				  json_tokener_error_desc(e));
	while (end < len && json[end] != '\0' && strchr(" \t\r\n", json[end]) != NULL)
		end++;
	if (end != len) {
		json_object_put(o);
		return md_err_set(err, 0, "%s: invalid json: data after the end at byte %zu", what,
				  end);
	}
	if (!json_object_is_type(o, type)) {
		json_object_put(o);
		return md_err_set(err, 0, "%s: not a json %s", what,
				  type == json_type_array ? "array" : "object");
	}
	*out = o;
	return 0;
}

/* o's member key, or NULL when it is absent or null. */
static struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* v, the field what, as a string: without NUL, at most SPEC_STR_MAX bytes. */
static int str_value(struct json_object *v, const char *what, const char **out, struct md_err *err)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return md_err_set(err, 0, "%s: not a string", what);
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (strlen(s) != n)
		return md_err_set(err, 0, "%s: contains a NUL byte", what);
	if (n > SPEC_STR_MAX)
		return md_err_set(err, 0, "%s: longer than 64 KiB", what);
	*out = s;
	return 0;
}

/* o's member key as a string; *out stays NULL when absent or null. */
static int str_member(struct json_object *o, const char *key, const char *what, const char **out,
		      struct md_err *err)
{
	struct json_object *v = member(o, key);

	*out = NULL;
	return v == NULL ? 0 : str_value(v, what, out, err);
}

/* v, the field what, as an array of at most max entries. */
static int array_value(struct json_object *v, const char *what, size_t max, size_t *n,
		       struct md_err *err)
{
	if (!json_object_is_type(v, json_type_array))
		return md_err_set(err, 0, "%s: not an array", what);
	*n = json_object_array_length(v);
	if (*n > max)
		return md_err_set(err, 0, "%s: more than %zu entries", what, max);
	return 0;
}

/* The string at index i of the array v, the field what. */
static int str_at(struct json_object *v, size_t i, const char *what, const char **out,
		  struct md_err *err)
{
	char name[128];

	snprintf(name, sizeof(name), "%s[%zu]", what, i);
	return str_value(json_object_array_get_idx(v, i), name, out, err);
}

/* o's member key as a NULL-terminated copy of an array of strings; *out
 * stays NULL when absent or null. */
static int strv_member(struct json_object *o, const char *key, const char *what, char ***out,
		       struct md_err *err)
{
	struct json_object *v = member(o, key);
	const char *s;
	char **r;
	size_t n;

	*out = NULL;
	if (v == NULL)
		return 0;
	if (array_value(v, what, SPEC_ARRAY_MAX, &n, err) < 0)
		return -1;
	r = xcalloc(n + 1, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		if (str_at(v, i, what, &s, err) < 0) {
			strv_free(r);
			return -1;
		}
		r[i] = xstrdup(s);
	}
	*out = r;
	return 0;
}

/* "schemaVersion", when present, is 2. */
static int schema_check(struct json_object *o, const char *what, struct md_err *err)
{
	struct json_object *v = member(o, "schemaVersion");

	if (v != NULL && (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 2))
		return md_err_set(err, 0, "%s: schemaVersion: not 2", what);
	return 0;
}

/* ---- digests and paths ---- */

static bool hex64(const char *s, size_t n)
{
	if (n != IMAGE_DIGEST_HEX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool image_digest_valid(const char *digest)
{
	return digest != NULL && strncmp(digest, "sha256:", 7) == 0 &&
	       hex64(digest + 7, strlen(digest + 7));
}

/* A path inside an archive: relative, not empty, no ".." component. */
static bool path_valid(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > SPEC_PATH_MAX || p[0] == '/')
		return false;
	while (*p != '\0') {
		size_t c = strcspn(p, "/");

		if (c == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += c;
		if (*p == '/')
			p++;
	}
	return true;
}

/* The content address a path names: "sha256:HEX" for "blobs/sha256/HEX"
 * or, when json_name, "HEX.json" (docker save's config); else NULL. */
static char *path_digest(const char *path, bool json_name)
{
	size_t n = strlen(path);

	if (n == 13 + IMAGE_DIGEST_HEX && strncmp(path, "blobs/sha256/", 13) == 0 &&
	    hex64(path + 13, IMAGE_DIGEST_HEX))
		return xasprintf("sha256:%s", path + 13);
	if (json_name && n == IMAGE_DIGEST_HEX + 5 &&
	    strcmp(path + IMAGE_DIGEST_HEX, ".json") == 0 && hex64(path, IMAGE_DIGEST_HEX))
		return xasprintf("sha256:%.64s", path);
	return NULL;
}

/* ---- references ---- */

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]+ joined by '.', '_', '__' or a run of '-'. */
static bool path_component_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		size_t j = i;

		if (lower_alnum(s[i])) {
			i++;
			continue;
		}
		while (j < n && !lower_alnum(s[j]))
			j++;
		if (j - i == 1 && (s[i] == '.' || s[i] == '_' || s[i] == '-'))
			;
		else if (j - i == 2 && s[i] == '_' && s[i + 1] == '_')
			;
		else if (strspn(s + i, "-") < j - i)
			return false;
		i = j;
	}
	return true;
}

/* A registry: host components [A-Za-z0-9] or [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
 * joined by '.', then an optional ":PORT" of 1 to 5 digits. */
static bool domain_valid(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t host = colon ? (size_t)(colon - s) : n, i = 0;

	if (colon != NULL) {
		size_t port = n - host - 1;

		if (port == 0 || port > 5 || strspn(colon + 1, "0123456789") < port)
			return false;
	}
	while (i < host) {
		size_t c = i;

		while (c < host && s[c] != '.')
			c++;
		if (c == i || !alnum(s[i]) || !alnum(s[c - 1]))
			return false;
		for (size_t k = i; k < c; k++)
			if (!alnum(s[k]) && s[k] != '-')
				return false;
		i = c + 1;
		if (c + 1 == host) /* a trailing '.' */
			return false;
	}
	return host > 0;
}

/* Whether the first component of a name (before its first '/') is a
 * registry host, as Docker decides: it has a '.' or ':', or is localhost. */
static bool is_domain(const char *s, size_t n)
{
	return memchr(s, '.', n) != NULL || memchr(s, ':', n) != NULL ||
	       (n == 9 && memcmp(s, "localhost", 9) == 0);
}

static bool has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			return true;
	return false;
}

static bool tag_valid(const char *s, size_t n)
{
	if (n == 0 || n > TAG_MAX || !(alnum(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!alnum(s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

int image_ref_parse(const char *ref, char **name, char **tag, struct md_err *err)
{
	const char *domain = NULL, *path = ref, *slash, *colon, *t = "latest";
	size_t dlen = 0, plen, tlen = 6;

	*name = NULL;
	*tag = NULL;
	if (ref == NULL || *ref == '\0')
		return md_err_set(err, 0, "invalid reference: empty");
	if (strnlen(ref, IMAGE_REF_MAX + 1) > IMAGE_REF_MAX)
		return md_err_set(err, 0, "invalid reference %.64s...: longer than %d bytes",
				  show(ref).s, IMAGE_REF_MAX);
	if (strchr(ref, '@') != NULL)
		return md_err_set(err, 0,
				  "invalid reference %.64s: digest references are not supported",
				  show(ref).s);
	slash = strchr(ref, '/');
	if (slash != NULL && is_domain(ref, (size_t)(slash - ref))) {
		domain = ref;
		dlen = (size_t)(slash - ref);
		path = slash + 1;
	}
	colon = strchr(path, ':');
	plen = colon ? (size_t)(colon - path) : strlen(path);
	if (colon != NULL) {
		t = colon + 1;
		tlen = strlen(t);
		if (!tag_valid(t, tlen))
			return md_err_set(err, 0, "invalid reference %.64s: invalid tag",
					  show(ref).s);
	}
	if (domain != NULL && !domain_valid(domain, dlen))
		return md_err_set(err, 0, "invalid reference %.64s: invalid registry", show(ref).s);
	for (size_t i = 0, c;; i = c + 1) {
		for (c = i; c < plen && path[c] != '/'; c++)
			;
		if (!path_component_valid(path + i, c - i))
			return md_err_set(err, 0, "invalid reference %.64s: invalid name%s",
					  show(ref).s,
					  has_upper(path, plen) ? " (must be lowercase)" : "");
		if (c == plen)
			break;
	}
	/* Docker's familiar form: Docker Hub's host and its "library/" dropped,
	 * unless the rest would then read as a registry of its own. */
	if (domain != NULL && ((dlen == 9 && memcmp(domain, "docker.io", 9) == 0) ||
			       (dlen == 15 && memcmp(domain, "index.docker.io", 15) == 0))) {
		slash = memchr(path, '/', plen);
		if (slash == NULL || !is_domain(path, (size_t)(slash - path)))
			domain = NULL;
	}
	if (domain == NULL && plen > 8 && memcmp(path, "library/", 8) == 0 &&
	    memchr(path + 8, '/', plen - 8) == NULL) {
		path += 8;
		plen -= 8;
	}
	if ((domain ? dlen + 1 : 0) + plen + 1 + tlen > IMAGE_REF_MAX)
		return md_err_set(err, 0, "invalid reference %.64s: longer than %d bytes",
				  show(ref).s, IMAGE_REF_MAX);
	if (domain != NULL)
		*name = xasprintf("%.*s/%.*s", (int)dlen, domain, (int)plen, path);
	else
		*name = xasprintf("%.*s", (int)plen, path);
	*tag = xasprintf("%.*s", (int)tlen, t);
	return 0;
}

int image_ref_normalize(const char *ref, char **out, struct md_err *err)
{
	cleanup_free char *name = NULL;
	cleanup_free char *tag = NULL;

	*out = NULL;
	if (image_ref_parse(ref, &name, &tag, err) < 0)
		return -1;
	*out = xasprintf("%s:%s", name, tag);
	return 0;
}

/* ---- image config ---- */

static bool parse_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return false;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return true;
}

static bool parse_char(const char **p, const char *set)
{
	if (**p == '\0' || strchr(set, **p) == NULL)
		return false;
	(*p)++;
	return true;
}

static int days_in_month(int year, int mon)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* An RFC 3339 time ("2024-01-02T03:04:05.123456789Z", "...+02:00") as ns
 * since the epoch; -1 if s is not one or falls outside int64 ns. */
static int rfc3339_parse(const char *s, int64_t *ns)
{
	int year, mon, day, hour, min, sec, oh = 0, om = 0, sign = 0;
	int64_t frac = 0, t;
	struct tm tm;
	const char *p = s;

	if (!parse_digits(&p, 4, &year) || !parse_char(&p, "-") || !parse_digits(&p, 2, &mon) ||
	    !parse_char(&p, "-") || !parse_digits(&p, 2, &day) || !parse_char(&p, "Tt") ||
	    !parse_digits(&p, 2, &hour) || !parse_char(&p, ":") || !parse_digits(&p, 2, &min) ||
	    !parse_char(&p, ":") || !parse_digits(&p, 2, &sec))
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
	    min > 59 || sec > 60)
		return -1;
	if (parse_char(&p, ".")) {
		int digits = 0;

		for (; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (!parse_char(&p, "Zz")) {
		sign = *p == '+' ? 1 : -1;
		if (!parse_char(&p, "+-") || !parse_digits(&p, 2, &oh) || !parse_char(&p, ":") ||
		    !parse_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
	}
	if (*p != '\0')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	/* t * 1e9 + frac, each step checked; below 0, from t + 1 so that
	 * the earliest representable instant still is. */
	if (t < 0 && frac > 0) {
		t++;
		frac -= NS_PER_SEC;
	}
	if (__builtin_mul_overflow(t, NS_PER_SEC, &t) || __builtin_add_overflow(t, frac, &t))
		return -1;
	*ns = t;
	return 0;
}

/* ns since the epoch as RFC 3339 in UTC with nine fraction digits. */
static void rfc3339_format(int64_t ns, char *buf, size_t size)
{
	int64_t sec = ns / NS_PER_SEC, frac = ns % NS_PER_SEC;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += NS_PER_SEC;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)frac);
}

void image_config_free(struct image_config *c)
{
	if (c == NULL)
		return;
	strv_free(c->env);
	strv_free(c->cmd);
	strv_free(c->entrypoint);
	free(c->workdir);
	free(c->user);
	strv_free(c->diff_ids);
	memset(c, 0, sizeof(*c));
}

/* The "config" object: what a container takes from the image. */
static int config_fields(struct json_object *o, struct image_config *c, struct md_err *err)
{
	const char *workdir, *user;

	if (!json_object_is_type(o, json_type_object))
		return md_err_set(err, 0, "image config: config: not an object");
#define CFG "image config: config."
	if (strv_member(o, "Env", CFG "Env", &c->env, err) < 0 ||
	    strv_member(o, "Cmd", CFG "Cmd", &c->cmd, err) < 0 ||
	    strv_member(o, "Entrypoint", CFG "Entrypoint", &c->entrypoint, err) < 0 ||
	    str_member(o, "WorkingDir", CFG "WorkingDir", &workdir, err) < 0 ||
	    str_member(o, "User", CFG "User", &user, err) < 0)
		return -1;
#undef CFG
	for (size_t i = 0; c->env != NULL && c->env[i] != NULL; i++) {
		const char *eq = strchr(c->env[i], '=');

		/* As run-config.c: a variable needs a name. */
		if (eq == NULL || eq == c->env[i])
			return md_err_set(err, 0,
					  "image config: config.Env[%zu]: not KEY=VALUE: %.64s", i,
					  show(c->env[i]).s);
	}
	c->workdir = workdir && *workdir ? xstrdup(workdir) : NULL;
	c->user = user && *user ? xstrdup(user) : NULL;
	return 0;
}

/* "rootfs": {"type": "layers", "diff_ids": [...]}. */
static int rootfs_fields(struct json_object *o, struct image_config *c, struct md_err *err)
{
	const char *type;

	if (!json_object_is_type(o, json_type_object))
		return md_err_set(err, 0, "image config: rootfs: not an object");
	if (str_member(o, "type", "image config: rootfs.type", &type, err) < 0)
		return -1;
	if (type != NULL && strcmp(type, "layers") != 0)
		return md_err_set(err, 0, "image config: rootfs.type: unsupported: %.64s",
				  show(type).s);
	if (strv_member(o, "diff_ids", "image config: rootfs.diff_ids", &c->diff_ids, err) < 0)
		return -1;
	for (size_t i = 0; c->diff_ids != NULL && c->diff_ids[i] != NULL; i++) {
		if (i == IMAGE_LAYERS_MAX)
			return md_err_set(err, 0,
					  "image config: rootfs.diff_ids: more than %d layers",
					  IMAGE_LAYERS_MAX);
		if (!image_digest_valid(c->diff_ids[i]))
			return md_err_set(
				err, 0, "image config: rootfs.diff_ids[%zu]: invalid digest: %.64s",
				i, show(c->diff_ids[i]).s);
	}
	return 0;
}

int image_config_parse(const char *json, size_t len, struct image_config *c, struct md_err *err)
{
	struct json_object *root, *v;
	const char *created;
	int r = -1;

	memset(c, 0, sizeof(*c));
	if (json_parse(json, len, json_type_object, "image config", &root, err) < 0)
		return -1;
	if (str_member(root, "created", "image config: created", &created, err) < 0)
		goto out;
	if (created != NULL && rfc3339_parse(created, &c->created_ns) < 0)
		c->created_ns = 0;
	if ((v = member(root, "config")) != NULL && config_fields(v, c, err) < 0)
		goto out;
	if ((v = member(root, "rootfs")) != NULL && rootfs_fields(v, c, err) < 0)
		goto out;
	if (c->diff_ids == NULL)
		c->diff_ids = xcalloc(1, sizeof(*c->diff_ids));
	r = 0;
out:
	json_object_put(root);
	if (r < 0)
		image_config_free(c);
	return r;
}

static void add_strv(struct json_object *o, const char *key, char **v)
{
	struct json_object *a;

	if (v == NULL)
		return;
	a = json_object_new_array();
	for (; *v != NULL; v++)
		json_object_array_add(a, json_object_new_string(*v));
	json_object_object_add(o, key, a);
}

char *image_config_to_json(const struct image_config *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *cfg = json_object_new_object();
	struct json_object *rootfs = json_object_new_object();
	char *text;
	char created[64];

	if (c->created_ns != 0) {
		rfc3339_format(c->created_ns, created, sizeof(created));
		json_object_object_add(o, "created", json_object_new_string(created));
	}
	add_strv(cfg, "Env", c->env);
	add_strv(cfg, "Cmd", c->cmd);
	add_strv(cfg, "Entrypoint", c->entrypoint);
	if (c->workdir != NULL && *c->workdir != '\0')
		json_object_object_add(cfg, "WorkingDir", json_object_new_string(c->workdir));
	if (c->user != NULL && *c->user != '\0')
		json_object_object_add(cfg, "User", json_object_new_string(c->user));
	json_object_object_add(o, "config", cfg);
	json_object_object_add(rootfs, "type", json_object_new_string("layers"));
	if (c->diff_ids != NULL)
		add_strv(rootfs, "diff_ids", c->diff_ids);
	else
		json_object_object_add(rootfs, "diff_ids", json_object_new_array());
	json_object_object_add(o, "rootfs", rootfs);
	text = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

/* ---- manifests ---- */

void image_manifest_free(struct image_manifest *m)
{
	if (m == NULL)
		return;
	free(m->config_path);
	free(m->config_digest);
	for (size_t i = 0; i < m->nlayers; i++) {
		free(m->layer_paths ? m->layer_paths[i] : NULL);
		free(m->layer_digests ? m->layer_digests[i] : NULL);
	}
	free(m->layer_paths);
	free(m->layer_digests);
	strv_free(m->names);
	memset(m, 0, sizeof(*m));
}

void image_manifests_free(struct image_manifest *m, size_t n)
{
	for (size_t i = 0; m != NULL && i < n; i++)
		image_manifest_free(&m[i]);
	free(m);
}

/* Append the normalized ref to names (k of them so far) unless it is
 * there already; returns the new count. */
static size_t names_add(char **names, size_t k, char *ref)
{
	for (size_t i = 0; i < k; i++) {
		if (strcmp(names[i], ref) == 0) {
			free(ref);
			return k;
		}
	}
	names[k] = ref;
	return k + 1;
}

/* One entry of docker save's manifest.json. what: "manifest.json: image N". */
static int docker_entry(struct json_object *o, const char *what, struct image_manifest *m,
			struct md_err *err)
{
	struct json_object *layers, *tags;
	const char *s;
	char field[96];
	size_t n = 0, k = 0;

	if (!json_object_is_type(o, json_type_object))
		return md_err_set(err, 0, "%s: not an object", what);
	snprintf(field, sizeof(field), "%s: Config", what);
	if (member(o, "Config") == NULL)
		return md_err_set(err, 0, "%s: missing", field);
	if (str_member(o, "Config", field, &s, err) < 0)
		return -1;
	if (!path_valid(s))
		return md_err_set(err, 0, "%s: invalid path: %.64s", field, show(s).s);
	m->config_path = xstrdup(s);
	m->config_digest = path_digest(s, true);

	snprintf(field, sizeof(field), "%s: Layers", what);
	layers = member(o, "Layers");
	if (layers != NULL && array_value(layers, field, IMAGE_LAYERS_MAX, &n, err) < 0)
		return -1;
	m->layer_paths = xcalloc(n + 1, sizeof(*m->layer_paths));
	m->layer_digests = xcalloc(n + 1, sizeof(*m->layer_digests));
	for (size_t i = 0; i < n; i++) {
		if (str_at(layers, i, field, &s, err) < 0)
			return -1;
		if (!path_valid(s))
			return md_err_set(err, 0, "%s[%zu]: invalid path: %.64s", field, i,
					  show(s).s);
		m->layer_paths[i] = xstrdup(s);
		m->layer_digests[i] = path_digest(s, false);
		m->nlayers = i + 1;
	}

	snprintf(field, sizeof(field), "%s: RepoTags", what);
	tags = member(o, "RepoTags");
	n = 0;
	if (tags != NULL && array_value(tags, field, IMAGE_NAMES_MAX, &n, err) < 0)
		return -1;
	m->names = xcalloc(n + 1, sizeof(*m->names));
	for (size_t i = 0; i < n; i++) {
		char *ref;

		if (str_at(tags, i, field, &s, err) < 0)
			return -1;
		if (image_ref_normalize(s, &ref, err) < 0)
			return md_err_prefix(err, "%s[%zu]", field, i);
		k = names_add(m->names, k, ref);
	}
	return 0;
}

int image_docker_manifest_parse(const char *json, size_t len, struct image_manifest **out,
				size_t *n, struct md_err *err)
{
	struct json_object *root;
	struct image_manifest *ms;
	size_t count;
	char what[48];

	*out = NULL;
	*n = 0;
	if (json_parse(json, len, json_type_array, "manifest.json", &root, err) < 0)
		return -1;
	count = json_object_array_length(root);
	if (count == 0 || count > SPEC_ARRAY_MAX) {
		json_object_put(root);
		if (count == 0)
			return md_err_set(err, 0, "no image in manifest.json");
		return md_err_set(err, 0, "manifest.json: more than %d images", SPEC_ARRAY_MAX);
	}
	ms = xcalloc(count, sizeof(*ms));
	for (size_t i = 0; i < count; i++) {
		snprintf(what, sizeof(what), "manifest.json: image %zu", i);
		if (docker_entry(json_object_array_get_idx(root, i), what, &ms[i], err) < 0) {
			image_manifests_free(ms, count);
			json_object_put(root);
			return -1;
		}
	}
	json_object_put(root);
	*out = ms;
	*n = count;
	return 0;
}

/* A manifest's media type (NULL when absent): an image manifest's, or an
 * error; an index's has its own. */
static int manifest_type_check(const char *type, const char *what, struct md_err *err)
{
	if (type == NULL || strcmp(type, MT_OCI_MANIFEST) == 0 ||
	    strcmp(type, MT_DOCKER_MANIFEST) == 0)
		return 0;
	if (strcmp(type, MT_OCI_INDEX) == 0 || strcmp(type, MT_DOCKER_LIST) == 0)
		return md_err_set(err, 0, "nested image index is not supported");
	return md_err_set(err, 0, "%s: unsupported media type: %.64s", what, show(type).s);
}

/* A descriptor's digest (required, valid) and size (optional: a
 * non-negative integer). what names the descriptor. */
static int descriptor_digest(struct json_object *d, const char *what, const char **digest,
			     struct md_err *err)
{
	struct json_object *size = member(d, "size");
	char field[96];

	snprintf(field, sizeof(field), "%s.digest", what);
	if (str_member(d, "digest", field, digest, err) < 0)
		return -1;
	if (*digest == NULL)
		return md_err_set(err, 0, "%s: missing", field);
	if (!image_digest_valid(*digest))
		return md_err_set(err, 0, "%s: invalid digest: %.64s", field, show(*digest).s);
	if (size != NULL &&
	    (!json_object_is_type(size, json_type_int) || json_object_get_int64(size) < 0))
		return md_err_set(err, 0, "%s.size: not a non-negative integer", what);
	return 0;
}

/* An index entry's name from its annotations: containerd's full name, else
 * a ref.name that is a reference rather than only a tag. A name that is no
 * NAME[:TAG] reference (containerd's NAME@DIGEST) is skipped, not an error. */
static int index_names(struct json_object *ann, const char *what, char ***out, struct md_err *err)
{
	static const char *const keys[] = { "io.containerd.image.name",
					    "org.opencontainers.image.ref.name" };
	char field[128];
	struct md_err ignored;

	*out = xcalloc(2, sizeof(**out));
	if (ann == NULL)
		return 0;
	if (!json_object_is_type(ann, json_type_object))
		return md_err_set(err, 0, "%s.annotations: not an object", what);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *s;

		snprintf(field, sizeof(field), "%s.annotations.%s", what, keys[i]);
		if (str_member(ann, keys[i], field, &s, err) < 0)
			return -1;
		if (s == NULL || (i == 1 && strpbrk(s, ":/") == NULL))
			continue;
		if ((*out)[0] == NULL)
			(void)image_ref_normalize(s, &(*out)[0], &ignored);
	}
	return 0;
}

void image_oci_index_free(struct oci_index_entry *e, size_t n)
{
	for (size_t i = 0; e != NULL && i < n; i++) {
		free(e[i].digest);
		strv_free(e[i].names);
	}
	free(e);
}

static int index_entry(struct json_object *d, const char *what, struct oci_index_entry *e,
		       struct md_err *err)
{
	const char *type, *digest;
	char field[96];

	if (!json_object_is_type(d, json_type_object))
		return md_err_set(err, 0, "%s: not an object", what);
	snprintf(field, sizeof(field), "%s.mediaType", what);
	if (str_member(d, "mediaType", field, &type, err) < 0 ||
	    manifest_type_check(type, what, err) < 0 ||
	    descriptor_digest(d, what, &digest, err) < 0)
		return -1;
	e->digest = xstrdup(digest);
	return index_names(member(d, "annotations"), what, &e->names, err);
}

int image_oci_index_parse(const char *json, size_t len, struct oci_index_entry **out, size_t *n,
			  struct md_err *err)
{
	struct json_object *root, *list;
	struct oci_index_entry *es = NULL;
	size_t count = 0;
	char what[48];
	int r = -1;

	*out = NULL;
	*n = 0;
	if (json_parse(json, len, json_type_object, "index.json", &root, err) < 0)
		return -1;
	if (schema_check(root, "index.json", err) < 0)
		goto out;
	list = member(root, "manifests");
	if (list == NULL) {
		md_err_set(err, 0, "no image in index.json");
		goto out;
	}
	if (array_value(list, "index.json: manifests", SPEC_ARRAY_MAX, &count, err) < 0)
		goto out;
	if (count == 0) {
		md_err_set(err, 0, "no image in index.json");
		goto out;
	}
	es = xcalloc(count, sizeof(*es));
	for (size_t i = 0; i < count; i++) {
		snprintf(what, sizeof(what), "index.json: manifests[%zu]", i);
		if (index_entry(json_object_array_get_idx(list, i), what, &es[i], err) < 0)
			goto out;
	}
	*out = steal_ptr(&es);
	*n = count;
	r = 0;
out:
	image_oci_index_free(es, count);
	json_object_put(root);
	return r;
}

/* The config descriptor of an image manifest. */
static int manifest_config(struct json_object *d, struct image_manifest *m, struct md_err *err)
{
	const char *type, *digest;

	if (d == NULL)
		return md_err_set(err, 0, "image manifest: config: missing");
	if (!json_object_is_type(d, json_type_object))
		return md_err_set(err, 0, "image manifest: config: not an object");
	if (str_member(d, "mediaType", "image manifest: config.mediaType", &type, err) < 0 ||
	    descriptor_digest(d, "image manifest: config", &digest, err) < 0)
		return -1;
	if (type != NULL && strcmp(type, MT_OCI_CONFIG) != 0 && strcmp(type, MT_DOCKER_CONFIG) != 0)
		return md_err_set(err, 0, "image manifest: config: unsupported media type: %.64s",
				  show(type).s);
	m->config_digest = xstrdup(digest);
	m->config_path = xasprintf("blobs/sha256/%s", digest + 7);
	return 0;
}

/* One layer descriptor: a tar stream's media type and its digest. */
static int manifest_layer(struct json_object *d, size_t i, struct image_manifest *m,
			  struct md_err *err)
{
	const char *type, *digest;
	char what[48], field[64];
	size_t k;

	snprintf(what, sizeof(what), "image manifest: layers[%zu]", i);
	snprintf(field, sizeof(field), "%s.mediaType", what);
	if (!json_object_is_type(d, json_type_object))
		return md_err_set(err, 0, "%s: not an object", what);
	if (str_member(d, "mediaType", field, &type, err) < 0 ||
	    descriptor_digest(d, what, &digest, err) < 0)
		return -1;
	if (type == NULL)
		return md_err_set(err, 0, "%s: missing", field);
	for (k = 0; k < ARRAY_SIZE(layer_types); k++)
		if (strcmp(type, layer_types[k]) == 0)
			break;
	if (k == ARRAY_SIZE(layer_types))
		return md_err_set(err, 0, "%s: unsupported layer media type: %.64s", what,
				  show(type).s);
	m->layer_digests[i] = xstrdup(digest);
	m->layer_paths[i] = xasprintf("blobs/sha256/%s", digest + 7);
	m->nlayers = i + 1;
	return 0;
}

int image_oci_manifest_parse(const char *json, size_t len, struct image_manifest *m,
			     struct md_err *err)
{
	struct json_object *root, *layers;
	const char *type;
	size_t n;
	int r = -1;

	memset(m, 0, sizeof(*m));
	if (json_parse(json, len, json_type_object, "image manifest", &root, err) < 0)
		return -1;
	if (schema_check(root, "image manifest", err) < 0 ||
	    str_member(root, "mediaType", "image manifest: mediaType", &type, err) < 0 ||
	    manifest_type_check(type, "image manifest", err) < 0 ||
	    manifest_config(member(root, "config"), m, err) < 0)
		goto out;
	layers = member(root, "layers");
	if (layers == NULL) {
		md_err_set(err, 0, "image manifest: layers: missing");
		goto out;
	}
	if (array_value(layers, "image manifest: layers", IMAGE_LAYERS_MAX, &n, err) < 0)
		goto out;
	m->layer_paths = xcalloc(n + 1, sizeof(*m->layer_paths));
	m->layer_digests = xcalloc(n + 1, sizeof(*m->layer_digests));
	for (size_t i = 0; i < n; i++)
		if (manifest_layer(json_object_array_get_idx(layers, i), i, m, err) < 0)
			goto out;
	r = 0;
out:
	json_object_put(root);
	if (r < 0)
		image_manifest_free(m);
	return r;
}

/* ---- users ---- */

struct db_entry {
	unsigned long long id;	/* uid (passwd) or gid (group) */
	unsigned long long gid; /* passwd only */
};

/* A decimal id field of a passwd or group line, at most 4294967294. */
static bool field_id(const char *s, size_t n, unsigned long long *out)
{
	unsigned long long v = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > UINT32_MAX - 1)
		return false;
	*out = v;
	return true;
}

/* Find in an /etc/passwd text ("name:x:uid:gid:...") or /etc/group text
 * ("name:x:gid:...") the first entry named name or, name NULL, the first
 * with that id. Comments, NIS lines ("+", "-"), and lines with too few
 * fields or bad numbers are skipped; a CR before the newline is dropped. */
static bool db_find(const char *text, bool passwd, const char *name, unsigned long long id,
		    struct db_entry *e)
{
	size_t nfields = passwd ? 4 : 3;

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line), k = 0, at = 0;
		const char *f[4];
		size_t fl[4];

		if (len > 0 && line[len - 1] == '\r')
			len--;
		while (k < nfields && at <= len) {
			const char *c = memchr(line + at, ':', len - at);
			size_t end = c ? (size_t)(c - line) : len;

			f[k] = line + at;
			fl[k++] = end - at;
			at = end + 1;
		}
		if (k == nfields && len > 0 && strchr("#+-", line[0]) == NULL && fl[0] > 0 &&
		    field_id(f[2], fl[2], &e->id) && (!passwd || field_id(f[3], fl[3], &e->gid))) {
			if (name != NULL ? fl[0] == strlen(name) && memcmp(f[0], name, fl[0]) == 0
					 : e->id == id)
				return true;
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	return false;
}

static bool all_digits(const char *s)
{
	return *s != '\0' && s[strspn(s, "0123456789")] == '\0';
}

int image_user_resolve(const char *user, const char *passwd, const char *group, uid_t *uid,
		       gid_t *gid, struct md_err *err)
{
	cleanup_free char *u = NULL;
	const char *g = NULL;
	unsigned long long id, gv = 0;
	struct db_entry e;
	char *colon;

	if (user == NULL || *user == '\0') {
		*uid = 0;
		*gid = 0;
		return 0;
	}
	u = xstrdup(user);
	colon = strchr(u, ':');
	if (colon != NULL) {
		*colon = '\0';
		g = colon + 1;
	}
	if (*u == '\0' || (g != NULL && *g == '\0'))
		return md_err_set(err, 0, "invalid user: %.64s", show(user).s);
	if (all_digits(u)) {
		if (parse_uint(u, UINT32_MAX - 1, &id) < 0)
			return md_err_set(err, 0, "invalid user %.64s: uid out of range",
					  show(user).s);
		if (db_find(passwd, true, NULL, id, &e))
			gv = e.gid;
	} else {
		if (!db_find(passwd, true, u, 0, &e))
			return md_err_set(err, 0, "no such user in the image: %.64s", show(u).s);
		id = e.id;
		gv = e.gid;
	}
	if (g != NULL && all_digits(g)) {
		if (parse_uint(g, UINT32_MAX - 1, &gv) < 0)
			return md_err_set(err, 0, "invalid user %.64s: gid out of range",
					  show(user).s);
	} else if (g != NULL) {
		if (!db_find(group, false, g, 0, &e))
			return md_err_set(err, 0, "no such group in the image: %.64s", show(g).s);
		gv = e.id;
	}
	*uid = (uid_t)id;
	*gid = (gid_t)gv;
	return 0;
}
