/* libFuzzer target for daemon/image-spec.c, the documents of an image
 * archive someone hands to `load`. Every input goes to every parser:
 *  - as an image config, docker save's manifest.json, an OCI index.json
 *    and an OCI image manifest (the bytes as they are, no NUL after them);
 *  - as image references (the whole input and each of its first lines);
 *  - as USER, /etc/passwd and /etc/group (split at NUL bytes, or else the
 *    first line and the whole text).
 * Besides faults and leaks it checks the rules the header states: paths
 * are relative without "..", digests are "sha256:" and 64 lowercase hex,
 * names are normalized (normalizing them again changes nothing), limits
 * hold, a config reads back from what image_config_to_json writes, and a
 * failure leaves a message and nothing allocated. */
#include <stdbool.h>

#include "common/util.h"
#include "daemon/image-spec.h"
#include "tests/fuzz/fuzz.h"

static bool str_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool strv_eq(char **a, char **b)
{
	if (a == NULL || b == NULL)
		return a == b;
	for (; *a != NULL; a++, b++)
		if (*b == NULL || strcmp(*a, *b) != 0)
			return false;
	return *b == NULL;
}

static size_t strv_len(char **v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

/* What path_valid in image-spec.c promises, checked independently. */
static void check_path(const char *p)
{
	size_t n = strlen(p);

	CHECK(n > 0 && n <= 4096 && p[0] != '/');
	CHECK(strcmp(p, "..") != 0 && strncmp(p, "../", 3) != 0);
	CHECK(strstr(p, "/../") == NULL);
	CHECK(n < 3 || strcmp(p + n - 3, "/..") != 0);
}

/* A name as the module returns it: normalized, so normalizing it again
 * gives it back. */
static void check_name(const char *name)
{
	struct md_err err;
	char *again = NULL;

	CHECK(strlen(name) <= IMAGE_REF_MAX && strchr(name, ':') != NULL);
	fuzz_err_poison(&err);
	CHECK(image_ref_normalize(name, &again, &err) == 0);
	CHECK(strcmp(again, name) == 0);
	free(again);
}

/* "blobs/sha256/HEX" for the digest "sha256:HEX". */
static void check_blob(const char *path, const char *digest)
{
	CHECK(image_digest_valid(digest));
	CHECK(strncmp(path, "blobs/sha256/", 13) == 0 && strcmp(path + 13, digest + 7) == 0);
}

static void check_config(const uint8_t *data, size_t size)
{
	struct image_config c, back;
	struct md_err err;
	char *text, *again;

	fuzz_err_poison(&err);
	if (image_config_parse((const char *)data, size, &c, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(c.env == NULL && c.cmd == NULL && c.diff_ids == NULL && c.user == NULL);
		return;
	}
	CHECK(c.diff_ids != NULL && strv_len(c.diff_ids) <= IMAGE_LAYERS_MAX);
	for (char **d = c.diff_ids; *d != NULL; d++)
		CHECK(image_digest_valid(*d));
	for (char **e = c.env; e != NULL && *e != NULL; e++)
		CHECK(strchr(*e, '=') != NULL && (*e)[0] != '=');
	CHECK(c.workdir == NULL || c.workdir[0] != '\0');
	CHECK(c.user == NULL || c.user[0] != '\0');

	/* Stored with the image, read back the same. */
	text = image_config_to_json(&c);
	fuzz_err_poison(&err);
	if (image_config_parse(text, strlen(text), &back, &err) < 0) {
		fprintf(stderr, "config does not read back: %s\n%s\n", err.msg, text);
		CHECK(!"a stored config reads back");
	}
	CHECK(strv_eq(c.env, back.env) && strv_eq(c.cmd, back.cmd));
	CHECK(strv_eq(c.entrypoint, back.entrypoint) && strv_eq(c.diff_ids, back.diff_ids));
	CHECK(str_eq(c.workdir, back.workdir) && str_eq(c.user, back.user));
	CHECK(c.created_ns == back.created_ns);
	again = image_config_to_json(&back);
	CHECK(strcmp(text, again) == 0);
	free(again);
	free(text);
	image_config_free(&back);
	image_config_free(&c);
	CHECK(c.env == NULL && c.diff_ids == NULL);
}

static void check_docker(const uint8_t *data, size_t size)
{
	struct image_manifest *ms = (struct image_manifest *)data;
	struct md_err err;
	size_t n = 7;

	fuzz_err_poison(&err);
	if (image_docker_manifest_parse((const char *)data, size, &ms, &n, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(ms == NULL && n == 0);
		return;
	}
	CHECK(ms != NULL && n > 0);
	for (size_t i = 0; i < n; i++) {
		const struct image_manifest *m = &ms[i];

		check_path(m->config_path);
		CHECK(m->config_digest == NULL || image_digest_valid(m->config_digest));
		CHECK(m->nlayers <= IMAGE_LAYERS_MAX);
		CHECK(m->layer_paths != NULL && m->layer_digests != NULL);
		CHECK(m->layer_paths[m->nlayers] == NULL);
		for (size_t k = 0; k < m->nlayers; k++) {
			check_path(m->layer_paths[k]);
			if (m->layer_digests[k] != NULL)
				check_blob(m->layer_paths[k], m->layer_digests[k]);
		}
		CHECK(m->names != NULL && strv_len(m->names) <= IMAGE_NAMES_MAX);
		for (char **p = m->names; *p != NULL; p++) {
			check_name(*p);
			for (char **q = m->names; q < p; q++)
				CHECK(strcmp(*p, *q) != 0);
		}
	}
	image_manifests_free(ms, n);
}

static void check_index(const uint8_t *data, size_t size)
{
	struct oci_index_entry *es = (struct oci_index_entry *)data;
	struct md_err err;
	size_t n = 7;

	fuzz_err_poison(&err);
	if (image_oci_index_parse((const char *)data, size, &es, &n, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(es == NULL && n == 0);
		return;
	}
	CHECK(es != NULL && n > 0);
	for (size_t i = 0; i < n; i++) {
		CHECK(image_digest_valid(es[i].digest));
		CHECK(es[i].names != NULL && strv_len(es[i].names) <= 1);
		for (char **p = es[i].names; *p != NULL; p++)
			check_name(*p);
	}
	image_oci_index_free(es, n);
}

static void check_manifest(const uint8_t *data, size_t size)
{
	struct image_manifest m;
	struct md_err err;

	fuzz_err_poison(&err);
	if (image_oci_manifest_parse((const char *)data, size, &m, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(m.config_path == NULL && m.layer_paths == NULL && m.nlayers == 0);
		return;
	}
	check_blob(m.config_path, m.config_digest);
	CHECK(m.names == NULL && m.nlayers <= IMAGE_LAYERS_MAX);
	CHECK(m.layer_paths[m.nlayers] == NULL);
	for (size_t k = 0; k < m.nlayers; k++)
		check_blob(m.layer_paths[k], m.layer_digests[k]);
	image_manifest_free(&m);
}

static void check_ref(const char *ref)
{
	struct md_err err;
	char *name = (char *)ref, *tag = (char *)ref, *full = (char *)ref;

	fuzz_err_poison(&err);
	if (image_ref_parse(ref, &name, &tag, &err) < 0) {
		fuzz_err_check(&err);
		CHECK(name == NULL && tag == NULL);
		fuzz_err_poison(&err);
		CHECK(image_ref_normalize(ref, &full, &err) < 0 && full == NULL);
		fuzz_err_check(&err);
		return;
	}
	CHECK(name[0] != '\0' && tag[0] != '\0' && strlen(tag) <= 128);
	CHECK(strchr(name, '@') == NULL && strchr(tag, ':') == NULL && strchr(tag, '/') == NULL);
	fuzz_err_poison(&err);
	CHECK(image_ref_normalize(ref, &full, &err) == 0);
	CHECK(strlen(full) == strlen(name) + 1 + strlen(tag));
	CHECK(strncmp(full, name, strlen(name)) == 0 && strcmp(full + strlen(name) + 1, tag) == 0);
	check_name(full);
	free(full);
	free(name);
	free(tag);
}

static void check_refs(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), *line = text;

	check_ref(text);
	for (int i = 0; i < 8 && line != NULL; i++) {
		char *nl = strchr(line, '\n');

		if (nl != NULL)
			*nl = '\0';
		check_ref(line);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
}

static void check_user(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	char *user = text, *passwd, *group, *nul = memchr(text, '\0', size);
	struct md_err err;
	uid_t uid = 0;
	gid_t gid = 0;
	unsigned long long num;

	if (nul != NULL) {
		/* USER \0 PASSWD [\0 GROUP] */
		passwd = nul + 1;
		nul = memchr(passwd, '\0', size - (size_t)(passwd - text));
		group = nul != NULL ? nul + 1 : NULL;
	} else {
		char *nl = strchr(text, '\n');

		passwd = group = nl != NULL ? nl + 1 : text;
		if (nl != NULL)
			*nl = '\0';
	}
	fuzz_err_poison(&err);
	if (image_user_resolve(user, passwd, group, &uid, &gid, &err) < 0) {
		fuzz_err_check(&err);
	} else if (parse_uint(user, UINT32_MAX - 1, &num) == 0) {
		CHECK(uid == num); /* numbers are taken as they are */
	}
	/* Without the image's files only numbers resolve. */
	fuzz_err_poison(&err);
	if (image_user_resolve(user, NULL, NULL, &uid, &gid, &err) < 0)
		fuzz_err_check(&err);
	else
		CHECK(user[0] == '\0' || (user[0] >= '0' && user[0] <= '9'));
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_config(data, size);
	check_docker(data, size);
	check_index(data, size);
	check_manifest(data, size);
	check_refs(data, size);
	check_user(data, size);
	return 0;
}
