/* Unit tests for daemon/image-spec.c: the documents of image archives
 * (docker save's manifest.json, an OCI layout's index.json and manifests,
 * image configs), image references, and USER resolved against an image's
 * passwd and group files. Every input is untrusted: besides the real
 * documents, each parser gets wrong types, truncated and trailing JSON,
 * NUL bytes, hostile paths and bad digests, and must fail with one exact
 * line and nothing left allocated. Inputs are handed over in blocks of
 * exactly their length (no NUL after them), so a read past the end is an
 * AddressSanitizer error in the asan build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../common/util.h"
#include "../../daemon/image-spec.h"

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define HEX_UPPER "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX_49 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_57 "0123456789abcdef0123456789abcdef0123456789abcdef012345678"
#define HEX_63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define DIG_A "sha256:" HEX_A
#define DIG_B "sha256:" HEX_B
#define DIG_C "sha256:" HEX_C

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_TAR "application/vnd.oci.image.layer.v1.tar"
#define MT_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

/* ---- helpers ---- */

/* A copy of the first len bytes of s in a block of exactly len bytes. */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

/* A string of n copies of c (malloc'd, NUL-terminated). */
static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* "[" + n copies of item joined by "," + "]" (malloc'd). */
static char *json_list(const char *item, size_t n)
{
	size_t il = strlen(item), len = 2 + n * (il + 1);
	char *s = malloc(len + 1), *p = s;

	assert_non_null(s);
	*p++ = '[';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		memcpy(p, item, il);
		p += il;
	}
	*p++ = ']';
	*p = '\0';
	return s;
}

static size_t strv_len(char **v)
{
	size_t n = 0;

	assert_non_null(v);
	while (v[n] != NULL)
		n++;
	return n;
}

static void assert_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			fail_msg("byte %zu of the output is not zero after a failure", i);
}

static void cfg_len_ok(const char *json, size_t len, struct image_config *c)
{
	struct md_err err = { 0 };
	char *buf = exact(json, len);
	int r = image_config_parse(buf, len, c, &err);

	free(buf);
	if (r != 0)
		fail_msg("image_config_parse failed: %s", err.msg);
	assert_non_null(c->diff_ids);
}

static void cfg_ok(const char *json, struct image_config *c)
{
	cfg_len_ok(json, strlen(json), c);
}

static void cfg_len_fails(const char *json, size_t len, const char *expected)
{
	struct image_config c;
	struct md_err err = { 0 };
	char *buf = exact(json, len);
	int r;

	memset(&c, 0xa5, sizeof(c));
	r = image_config_parse(buf, len, &c, &err);
	free(buf);
	if (r == 0)
		image_config_free(&c);
	assert_int_equal(r, -1);
	assert_string_equal(err.msg, expected);
	assert_int_equal(err.status, MD_STATUS_FAILED);
	assert_zero(&c, sizeof(c));
}

static void cfg_fails(const char *json, const char *expected)
{
	cfg_len_fails(json, strlen(json), expected);
}

/* The created_ns of {"created": TIME}. */
static int64_t created_of(const char *time)
{
	struct image_config c;
	char *json = xasprintf("{\"created\":\"%s\"}", time);
	int64_t ns;

	cfg_ok(json, &c);
	ns = c.created_ns;
	image_config_free(&c);
	free(json);
	return ns;
}

static struct image_manifest *docker_ok(const char *json, size_t *n)
{
	struct image_manifest *m = NULL;
	struct md_err err = { 0 };
	char *buf = exact(json, strlen(json));
	int r = image_docker_manifest_parse(buf, strlen(json), &m, n, &err);

	free(buf);
	if (r != 0)
		fail_msg("image_docker_manifest_parse failed: %s", err.msg);
	assert_non_null(m);
	assert_true(*n > 0);
	return m;
}

static void docker_len_fails(const char *json, size_t len, const char *expected)
{
	struct image_manifest *m = (struct image_manifest *)1;
	struct md_err err = { 0 };
	size_t n = 99;
	char *buf = exact(json, len);
	int r = image_docker_manifest_parse(buf, len, &m, &n, &err);

	free(buf);
	if (r == 0)
		image_manifests_free(m, n);
	assert_int_equal(r, -1);
	assert_string_equal(err.msg, expected);
	assert_null(m);
	assert_int_equal(n, 0);
}

static void docker_fails(const char *json, const char *expected)
{
	docker_len_fails(json, strlen(json), expected);
}

/* manifest.json with one image whose Config is "HEX_A.json", whose Layers
 * and RepoTags are the given JSON texts. */
static char *docker_doc(const char *layers, const char *tags)
{
	return xasprintf("[{\"Config\":\"" HEX_A ".json\",\"RepoTags\":%s,\"Layers\":%s}]", tags,
			 layers);
}

static struct oci_index_entry *index_ok(const char *json, size_t *n)
{
	struct oci_index_entry *e = NULL;
	struct md_err err = { 0 };
	char *buf = exact(json, strlen(json));
	int r = image_oci_index_parse(buf, strlen(json), &e, n, &err);

	free(buf);
	if (r != 0)
		fail_msg("image_oci_index_parse failed: %s", err.msg);
	assert_non_null(e);
	return e;
}

static void index_fails(const char *json, const char *expected)
{
	struct oci_index_entry *e = (struct oci_index_entry *)1;
	struct md_err err = { 0 };
	size_t n = 99;
	char *buf = exact(json, strlen(json));
	int r = image_oci_index_parse(buf, strlen(json), &e, &n, &err);

	free(buf);
	if (r == 0)
		image_oci_index_free(e, n);
	assert_int_equal(r, -1);
	assert_string_equal(err.msg, expected);
	assert_null(e);
	assert_int_equal(n, 0);
}

/* index.json with one manifest descriptor whose members are the text given. */
static char *index_doc(const char *members)
{
	return xasprintf("{\"schemaVersion\":2,\"manifests\":[{%s}]}", members);
}

/* The names of the one entry of an index whose annotations are ann. */
static void index_names_are(const char *ann, const char *expected)
{
	char *members = xasprintf("\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"" DIG_A
				  "\",\"size\":10,\"annotations\":{%s}",
				  ann);
	char *doc = index_doc(members);
	size_t n;
	struct oci_index_entry *e = index_ok(doc, &n);

	assert_int_equal(n, 1);
	if (expected == NULL) {
		assert_int_equal(strv_len(e[0].names), 0);
	} else {
		assert_int_equal(strv_len(e[0].names), 1);
		assert_string_equal(e[0].names[0], expected);
	}
	image_oci_index_free(e, n);
	free(doc);
	free(members);
}

static void manifest_ok(const char *json, struct image_manifest *m)
{
	struct md_err err = { 0 };
	char *buf = exact(json, strlen(json));
	int r = image_oci_manifest_parse(buf, strlen(json), m, &err);

	free(buf);
	if (r != 0)
		fail_msg("image_oci_manifest_parse failed: %s", err.msg);
	assert_null(m->names);
}

static void manifest_fails(const char *json, const char *expected)
{
	struct image_manifest m;
	struct md_err err = { 0 };
	char *buf = exact(json, strlen(json));
	int r;

	memset(&m, 0xa5, sizeof(m));
	r = image_oci_manifest_parse(buf, strlen(json), &m, &err);
	free(buf);
	if (r == 0)
		image_manifest_free(&m);
	assert_int_equal(r, -1);
	assert_string_equal(err.msg, expected);
	assert_zero(&m, sizeof(m));
}

/* An OCI manifest with the given config descriptor and layers texts. */
static char *manifest_doc(const char *config, const char *layers)
{
	return xasprintf("{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
			 "\",\"config\":%s,\"layers\":%s}",
			 config, layers);
}

#define CONFIG_DESC "{\"mediaType\":\"" MT_CONFIG "\",\"digest\":\"" DIG_C "\",\"size\":7}"

/* A manifest with the standard config and one layer of this media type. */
static void manifest_layer_fails(const char *type, const char *expected)
{
	char *layer =
		xasprintf("[{\"mediaType\":\"%s\",\"digest\":\"" DIG_A "\",\"size\":1}]", type);
	char *doc = manifest_doc(CONFIG_DESC, layer);

	manifest_fails(doc, expected);
	free(doc);
	free(layer);
}

static void ref_ok(const char *ref, const char *name, const char *tag)
{
	struct md_err err = { 0 };
	char *n = NULL, *t = NULL, *full = NULL, *again = NULL;

	if (image_ref_parse(ref, &n, &t, &err) != 0)
		fail_msg("image_ref_parse(%s) failed: %s", ref, err.msg);
	assert_string_equal(n, name);
	assert_string_equal(t, tag);
	/* normalize agrees, and is idempotent. */
	assert_int_equal(image_ref_normalize(ref, &full, &err), 0);
	assert_int_equal(strlen(full), strlen(name) + 1 + strlen(tag));
	assert_memory_equal(full, name, strlen(name));
	assert_string_equal(full + strlen(name) + 1, tag);
	assert_int_equal(image_ref_normalize(full, &again, &err), 0);
	assert_string_equal(again, full);
	free(n);
	free(t);
	free(full);
	free(again);
}

static void ref_fails(const char *ref, const char *expected)
{
	struct md_err err = { 0 };
	char *n = (char *)1, *t = (char *)1, *full = (char *)1;

	assert_int_equal(image_ref_parse(ref, &n, &t, &err), -1);
	assert_string_equal(err.msg, expected);
	assert_null(n);
	assert_null(t);
	memset(&err, 0, sizeof(err));
	assert_int_equal(image_ref_normalize(ref, &full, &err), -1);
	assert_string_equal(err.msg, expected);
	assert_null(full);
}

static const char PASSWD[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment:x:5:5\n"
			     "garbage line without fields\n"
			     "\n"
			     "daemon:x:1:1::/:/sbin/nologin\n"
			     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
			     "user:x:1000:100:User:/home/user:/bin/sh\n"
			     "dup:x:1000:999::/:\n"
			     "crlf:x:3000:3001\r\n"
			     "broken:x:abc:1::/:\n"
			     "big:x:4294967295:1::/:\n"
			     "nogid:x:4000:\n"
			     "short:x:4001\n"
			     ":x:4002:4002::/:\n"
			     "+nis:x:4003:4003::/:\n"
			     "max:x:4294967294:4294967294::/:\n"
			     "last:x:2000:2001::/:/bin/sh";
static const char GROUP[] = "root:x:0:\n"
			    "bad:x:notanumber:\n"
			    "nogroup:x:65534:\n"
			    "users:x:100:user,other\n"
			    "crlfgrp:x:3333:\r\n"
			    "lastgrp:x:777";

static void user_is(const char *user, uid_t uid, gid_t gid)
{
	struct md_err err = { 0 };
	uid_t u = 12345;
	gid_t g = 12345;

	if (image_user_resolve(user, PASSWD, GROUP, &u, &g, &err) != 0)
		fail_msg("image_user_resolve(%s) failed: %s", user, err.msg);
	assert_int_equal(u, uid);
	assert_int_equal(g, gid);
}

static void user_fails_with(const char *user, const char *passwd, const char *group,
			    const char *expected)
{
	struct md_err err = { 0 };
	uid_t u = 12345;
	gid_t g = 12345;

	assert_int_equal(image_user_resolve(user, passwd, group, &u, &g, &err), -1);
	assert_string_equal(err.msg, expected);
	/* Untouched on failure. */
	assert_int_equal(u, 12345);
	assert_int_equal(g, 12345);
}

static void user_fails(const char *user, const char *expected)
{
	user_fails_with(user, PASSWD, GROUP, expected);
}

/* ---- image_digest_valid ---- */

static void image_digest_valid__sha256_lowercase__true(void **state)
{
	(void)state;
	assert_true(image_digest_valid(DIG_B));
	assert_true(image_digest_valid(DIG_A));
}

static void image_digest_valid__malformed__false(void **state)
{
	(void)state;
	assert_false(image_digest_valid(NULL));
	assert_false(image_digest_valid(""));
	assert_false(image_digest_valid("sha256:"));
	assert_false(image_digest_valid(HEX_B));
	assert_false(image_digest_valid("sha256:" HEX_UPPER));
	assert_false(image_digest_valid("sha256:" HEX_63));
	assert_false(image_digest_valid("sha256:" HEX_B "0"));
	assert_false(image_digest_valid("sha512:" HEX_B));
	assert_false(image_digest_valid("SHA256:" HEX_B));
	assert_false(image_digest_valid("sha256:" HEX_63 "g"));
	assert_false(image_digest_valid(" sha256:" HEX_B));
	assert_false(image_digest_valid("sha256:" HEX_B "\n"));
}

/* ---- image_ref_parse / image_ref_normalize ---- */

static void image_ref_parse__name_only__latest(void **state)
{
	(void)state;
	ref_ok("busybox", "busybox", "latest");
}

static void image_ref_parse__name_tag__kept(void **state)
{
	(void)state;
	ref_ok("debian:12", "debian", "12");
	ref_ok("debian:12.5-slim_x", "debian", "12.5-slim_x");
	ref_ok("a:_", "a", "_");
}

static void image_ref_parse__registry_port__latest(void **state)
{
	(void)state;
	ref_ok("localhost:5000/foo/bar", "localhost:5000/foo/bar", "latest");
	ref_ok("localhost:5000/foo:v1", "localhost:5000/foo", "v1");
	ref_ok("localhost/foo", "localhost/foo", "latest");
	ref_ok("registry.example.com/team/app:1.0", "registry.example.com/team/app", "1.0");
	ref_ok("Registry.Example.COM/app", "Registry.Example.COM/app", "latest");
	ref_ok("my-reg.io:443/a/b/c", "my-reg.io:443/a/b/c", "latest");
}

static void image_ref_parse__no_slash_host_port__port_is_tag(void **state)
{
	(void)state;
	/* As Docker: without a '/', there is no registry part. */
	ref_ok("localhost:5000", "localhost", "5000");
}

static void image_ref_parse__docker_hub__familiar(void **state)
{
	(void)state;
	ref_ok("docker.io/library/busybox:latest", "busybox", "latest");
	ref_ok("docker.io/library/busybox:1.36", "busybox", "1.36");
	ref_ok("index.docker.io/library/busybox", "busybox", "latest");
	ref_ok("docker.io/busybox", "busybox", "latest");
	ref_ok("library/busybox", "busybox", "latest");
	ref_ok("docker.io/foo/bar:v2", "foo/bar", "v2");
	ref_ok("docker.io/library/foo/bar", "library/foo/bar", "latest");
	ref_ok("library/foo/bar", "library/foo/bar", "latest");
}

static void image_ref_parse__docker_hub_path_like_host__host_kept(void **state)
{
	(void)state;
	/* Dropping docker.io would make foo.bar the registry. */
	ref_ok("docker.io/foo.bar/x", "docker.io/foo.bar/x", "latest");
	ref_ok("docker.io/localhost/x", "docker.io/localhost/x", "latest");
	ref_ok("docker.io/foo.bar", "foo.bar", "latest");
	ref_ok("quay.io/library/busybox", "quay.io/library/busybox", "latest");
}

static void image_ref_parse__separators__ok(void **state)
{
	(void)state;
	ref_ok("foo__bar", "foo__bar", "latest");
	ref_ok("foo_bar", "foo_bar", "latest");
	ref_ok("foo.bar", "foo.bar", "latest");
	ref_ok("foo-bar", "foo-bar", "latest");
	ref_ok("foo---bar", "foo---bar", "latest");
	ref_ok("a0/b1.c2-d3__e4", "a0/b1.c2-d3__e4", "latest");
	ref_ok("0", "0", "latest");
}

static void image_ref_parse__tag_128__ok(void **state)
{
	char *tag = repeat('t', 128);
	char *ref = xasprintf("x:%s", tag);

	(void)state;
	ref_ok(ref, "x", tag);
	free(ref);
	free(tag);
}

static void image_ref_parse__longest__ok(void **state)
{
	char *name = repeat('n', IMAGE_REF_MAX - 2);
	char *ref = xasprintf("%s:t", name);

	(void)state;
	assert_int_equal(strlen(ref), IMAGE_REF_MAX);
	ref_ok(ref, name, "t");
	free(ref);
	free(name);
}

static void image_ref_parse__empty__fails(void **state)
{
	(void)state;
	ref_fails("", "invalid reference: empty");
	ref_fails(NULL, "invalid reference: empty");
}

static void image_ref_parse__uppercase__fails(void **state)
{
	(void)state;
	ref_fails("Busybox", "invalid reference Busybox: invalid name (must be lowercase)");
	ref_fails("quay.io/Org/app",
		  "invalid reference quay.io/Org/app: invalid name (must be lowercase)");
}

static void image_ref_parse__two_colons__fails(void **state)
{
	(void)state;
	ref_fails("a:b:c", "invalid reference a:b:c: invalid tag");
}

static void image_ref_parse__empty_tag__fails(void **state)
{
	(void)state;
	ref_fails("foo:", "invalid reference foo:: invalid tag");
}

static void image_ref_parse__empty_name__fails(void **state)
{
	(void)state;
	ref_fails(":tag", "invalid reference :tag: invalid name");
	ref_fails("localhost:5000/:tag", "invalid reference localhost:5000/:tag: invalid name");
	ref_fails("localhost:5000/", "invalid reference localhost:5000/: invalid name");
}

static void image_ref_parse__dotdot__fails(void **state)
{
	(void)state;
	ref_fails("foo/../bar", "invalid reference foo/../bar: invalid name");
	ref_fails("foo..bar", "invalid reference foo..bar: invalid name");
}

static void image_ref_parse__bad_separators__fail(void **state)
{
	(void)state;
	ref_fails("foo___bar", "invalid reference foo___bar: invalid name");
	ref_fails("foo-", "invalid reference foo-: invalid name");
	ref_fails("-foo", "invalid reference -foo: invalid name");
	ref_fails(".foo", "invalid reference .foo: invalid name");
	ref_fails("foo.", "invalid reference foo.: invalid name");
	ref_fails("foo._bar", "invalid reference foo._bar: invalid name");
	ref_fails("foo_-bar", "invalid reference foo_-bar: invalid name");
	ref_fails("foo//bar", "invalid reference foo//bar: invalid name");
	ref_fails("foo/", "invalid reference foo/: invalid name");
	ref_fails("/foo", "invalid reference /foo: invalid name");
	ref_fails("a b", "invalid reference a b: invalid name");
	ref_fails("a\nb", "invalid reference a?b: invalid name");
	ref_fails("caf\xc3\xa9", "invalid reference caf??: invalid name");
}

static void image_ref_parse__digest__fails(void **state)
{
	(void)state;
	/* The reference shown is cut at 64 bytes. */
	ref_fails("busybox@" DIG_A, "invalid reference busybox@sha256:" HEX_49
				    ": digest references are not supported");
	ref_fails("@", "invalid reference @: digest references are not supported");
}

static void image_ref_parse__bad_tag__fails(void **state)
{
	char *tag = repeat('t', 129);
	char *ref = xasprintf("x:%s", tag);
	struct md_err err = { 0 };
	char *n, *t;

	(void)state;
	assert_int_equal(image_ref_parse(ref, &n, &t, &err), -1);
	assert_string_equal(err.msg,
			    "invalid reference "
			    "x:tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt: "
			    "invalid tag");
	free(ref);
	free(tag);
	ref_fails("x:.v1", "invalid reference x:.v1: invalid tag");
	ref_fails("x:-v1", "invalid reference x:-v1: invalid tag");
	/* With a '/', "x:v" is a registry. */
	ref_fails("x:v/1", "invalid reference x:v/1: invalid registry");
	ref_fails("foo/bar:v1/baz", "invalid reference foo/bar:v1/baz: invalid tag");
}

static void image_ref_parse__bad_registry__fails(void **state)
{
	(void)state;
	ref_fails("localhost:abc/foo", "invalid reference localhost:abc/foo: invalid registry");
	ref_fails("localhost:123456/foo",
		  "invalid reference localhost:123456/foo: invalid registry");
	ref_fails("localhost:/foo", "invalid reference localhost:/foo: invalid registry");
	ref_fails("exa_mple.com/foo", "invalid reference exa_mple.com/foo: invalid registry");
	ref_fails("-a.com/foo", "invalid reference -a.com/foo: invalid registry");
	ref_fails("a-.com/foo", "invalid reference a-.com/foo: invalid registry");
	ref_fails("a..com/foo", "invalid reference a..com/foo: invalid registry");
	ref_fails("a.com./foo", "invalid reference a.com./foo: invalid registry");
	ref_fails(".a.com/foo", "invalid reference .a.com/foo: invalid registry");
	ref_fails("a:1:2/foo", "invalid reference a:1:2/foo: invalid registry");
}

static void image_ref_parse__too_long__fails(void **state)
{
	char *name = repeat('n', IMAGE_REF_MAX + 1);
	char *shorter = repeat('n', IMAGE_REF_MAX - 3);
	char *msg = xasprintf("invalid reference %.64s...: longer than 255 bytes", name);
	char *msg2 = xasprintf("invalid reference %.64s: longer than 255 bytes", shorter);

	(void)state;
	ref_fails(name, msg);
	/* Short enough as given, but not with ":latest" added. */
	ref_fails(shorter, msg2);
	free(name);
	free(shorter);
	free(msg);
	free(msg2);
}

/* ---- image_config_parse ---- */

static const char FULL_CONFIG[] =
	"{\"architecture\":\"amd64\",\"os\":\"linux\","
	"\"created\":\"2024-01-02T03:04:05.123456789Z\","
	"\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/"
	"bin\","
	"\"LANG=C.UTF-8\",\"EMPTY=\"],"
	"\"Cmd\":[\"sh\",\"-c\",\"echo \\\"hi\\\"\"],\"Entrypoint\":[\"/init\"],"
	"\"WorkingDir\":\"/x\",\"User\":\"1000:1000\",\"Labels\":{\"a\":\"b\"},"
	"\"ExposedPorts\":{\"80/tcp\":{}}},"
	"\"history\":[{\"created_by\":\"/bin/sh -c #(nop) ADD file:abc in /\"}],"
	"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DIG_A "\",\"" DIG_B "\"]}}\n";

static void image_config_parse__full__all_fields(void **state)
{
	struct image_config c;

	(void)state;
	cfg_ok(FULL_CONFIG, &c);
	assert_int_equal(strv_len(c.env), 3);
	assert_string_equal(c.env[0],
			    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(c.env[1], "LANG=C.UTF-8");
	assert_string_equal(c.env[2], "EMPTY=");
	assert_int_equal(strv_len(c.cmd), 3);
	assert_string_equal(c.cmd[0], "sh");
	assert_string_equal(c.cmd[1], "-c");
	assert_string_equal(c.cmd[2], "echo \"hi\"");
	assert_int_equal(strv_len(c.entrypoint), 1);
	assert_string_equal(c.entrypoint[0], "/init");
	assert_string_equal(c.workdir, "/x");
	assert_string_equal(c.user, "1000:1000");
	assert_int_equal(c.created_ns, 1704164645LL * 1000000000LL + 123456789);
	assert_int_equal(strv_len(c.diff_ids), 2);
	assert_string_equal(c.diff_ids[0], DIG_A);
	assert_string_equal(c.diff_ids[1], DIG_B);
	image_config_free(&c);
	assert_null(c.env);
	assert_null(c.diff_ids);
}

static void image_config_parse__no_config__all_unset(void **state)
{
	struct image_config c;

	(void)state;
	cfg_ok("{}", &c);
	assert_null(c.env);
	assert_null(c.cmd);
	assert_null(c.entrypoint);
	assert_null(c.workdir);
	assert_null(c.user);
	assert_int_equal(c.created_ns, 0);
	assert_int_equal(strv_len(c.diff_ids), 0);
	image_config_free(&c);
}

static void image_config_parse__nulls__all_unset(void **state)
{
	struct image_config c;

	(void)state;
	cfg_ok("{\"created\":null,\"config\":null,\"rootfs\":null}", &c);
	assert_null(c.env);
	assert_int_equal(c.created_ns, 0);
	assert_int_equal(strv_len(c.diff_ids), 0);
	image_config_free(&c);
	cfg_ok("{\"config\":{\"Env\":null,\"Cmd\":null,\"Entrypoint\":null,\"WorkingDir\":null,"
	       "\"User\":null},\"rootfs\":{\"type\":null,\"diff_ids\":null}}",
	       &c);
	assert_null(c.env);
	assert_null(c.cmd);
	assert_null(c.entrypoint);
	assert_null(c.workdir);
	assert_null(c.user);
	assert_int_equal(strv_len(c.diff_ids), 0);
	image_config_free(&c);
}

static void image_config_parse__empty_strings_arrays__unset_and_empty(void **state)
{
	struct image_config c;

	(void)state;
	cfg_ok("{\"config\":{\"Env\":[],\"Cmd\":[],\"WorkingDir\":\"\",\"User\":\"\"}}", &c);
	assert_int_equal(strv_len(c.env), 0);
	assert_int_equal(strv_len(c.cmd), 0);
	assert_null(c.entrypoint);
	assert_null(c.workdir);
	assert_null(c.user);
	image_config_free(&c);
}

static void image_config_parse__created_forms__ns(void **state)
{
	const int64_t base = 1704164645LL * 1000000000LL;

	(void)state;
	assert_int_equal(created_of("2024-01-02T03:04:05Z"), base);
	assert_int_equal(created_of("2024-01-02t03:04:05z"), base);
	assert_int_equal(created_of("2024-01-02T03:04:05.5Z"), base + 500000000);
	assert_int_equal(created_of("2024-01-02T03:04:05.000000001Z"), base + 1);
	/* Beyond nanoseconds: truncated. */
	assert_int_equal(created_of("2024-01-02T03:04:05.123456789999Z"), base + 123456789);
	assert_int_equal(created_of("2024-01-02T03:04:05+02:00"), base - 7200LL * 1000000000LL);
	assert_int_equal(created_of("2024-01-02T03:04:05.25-05:30"),
			 base + 19800LL * 1000000000LL + 250000000);
	assert_int_equal(created_of("2024-02-29T00:00:00Z"), 1709164800LL * 1000000000LL);
	assert_int_equal(created_of("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(created_of("1969-12-31T23:59:59.5Z"), -500000000);
	/* A leap second is the next one. */
	assert_int_equal(created_of("2016-12-31T23:59:60Z"), 1483228800LL * 1000000000LL);
}

static void image_config_parse__created_limits__int64(void **state)
{
	(void)state;
	assert_int_equal(created_of("2262-04-11T23:47:16.854775807Z"), INT64_MAX);
	assert_int_equal(created_of("2262-04-11T23:47:16.854775808Z"), 0);
	assert_int_equal(created_of("1677-09-21T00:12:43.145224192Z"), INT64_MIN);
	assert_int_equal(created_of("1677-09-21T00:12:43.145224191Z"), 0);
	assert_int_equal(created_of("9999-12-31T23:59:59Z"), 0);
	assert_int_equal(created_of("0000-01-01T00:00:00Z"), 0);
}

static void image_config_parse__created_unparsable__zero(void **state)
{
	static const char *const bad[] = {
		"",
		"yesterday",
		"2024-01-02T03:04:05",
		"2024-01-02T03:04:05.Z",
		"2024-01-02 03:04:05Z",
		"2024-01-02T03:04:05Zjunk",
		"2024-13-02T03:04:05Z",
		"2024-00-02T03:04:05Z",
		"2023-02-29T03:04:05Z",
		"2024-04-31T03:04:05Z",
		"2024-01-00T03:04:05Z",
		"2024-01-02T24:04:05Z",
		"2024-01-02T03:60:05Z",
		"2024-01-02T03:04:61Z",
		"2024-01-02T03:04:05+2:00",
		"2024-01-02T03:04:05+24:00",
		"2024-01-02T03:04:05+02:60",
		"2024-01-02T03:04:05+0200",
		"24-01-02T03:04:05Z",
		"2024-1-02T03:04:05Z",
		"+024-01-02T03:04:05Z",
		"2024-01-02T03:04",
		"2024",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (created_of(bad[i]) != 0)
			fail_msg("created %s parsed", bad[i]);
}

static void image_config_parse__created_wrong_type__fails(void **state)
{
	(void)state;
	cfg_fails("{\"created\":1704164645}", "image config: created: not a string");
	cfg_fails("{\"created\":[]}", "image config: created: not a string");
}

static void image_config_parse__config_wrong_type__fails(void **state)
{
	(void)state;
	cfg_fails("{\"config\":[]}", "image config: config: not an object");
	cfg_fails("{\"config\":\"x\"}", "image config: config: not an object");
	cfg_fails("{\"config\":{\"Env\":\"A=1\"}}", "image config: config.Env: not an array");
	cfg_fails("{\"config\":{\"Env\":{}}}", "image config: config.Env: not an array");
	cfg_fails("{\"config\":{\"Cmd\":\"sh\"}}", "image config: config.Cmd: not an array");
	cfg_fails("{\"config\":{\"Entrypoint\":true}}",
		  "image config: config.Entrypoint: not an array");
	cfg_fails("{\"config\":{\"Cmd\":[\"sh\",1]}}", "image config: config.Cmd[1]: not a string");
	cfg_fails("{\"config\":{\"Cmd\":[\"sh\",null]}}",
		  "image config: config.Cmd[1]: not a string");
	cfg_fails("{\"config\":{\"Cmd\":[[\"sh\"]]}}", "image config: config.Cmd[0]: not a string");
	cfg_fails("{\"config\":{\"WorkingDir\":1}}",
		  "image config: config.WorkingDir: not a string");
	cfg_fails("{\"config\":{\"User\":1000}}", "image config: config.User: not a string");
	cfg_fails("{\"config\":{\"User\":false}}", "image config: config.User: not a string");
}

static void image_config_parse__env_without_equals__fails(void **state)
{
	(void)state;
	cfg_fails("{\"config\":{\"Env\":[\"A=1\",\"NOVALUE\"]}}",
		  "image config: config.Env[1]: not KEY=VALUE: NOVALUE");
	cfg_fails("{\"config\":{\"Env\":[\"=x\"]}}",
		  "image config: config.Env[0]: not KEY=VALUE: =x");
	cfg_fails("{\"config\":{\"Env\":[\"\"]}}", "image config: config.Env[0]: not KEY=VALUE: ");
}

static void image_config_parse__nul_in_string__fails(void **state)
{
	(void)state;
	cfg_fails("{\"config\":{\"Env\":[\"A=1\\u0000B=2\"]}}",
		  "image config: config.Env[0]: contains a NUL byte");
	cfg_fails("{\"config\":{\"User\":\"root\\u0000\"}}",
		  "image config: config.User: contains a NUL byte");
	cfg_fails("{\"config\":{\"WorkingDir\":\"\\u0000\"}}",
		  "image config: config.WorkingDir: contains a NUL byte");
}

static void image_config_parse__long_string__fails(void **state)
{
	char *big = repeat('a', 64 * 1024 + 1);
	char *json = xasprintf("{\"config\":{\"Cmd\":[\"%s\"]}}", big);
	char *ok = xasprintf("{\"config\":{\"Cmd\":[\"%s\"]}}", big + 1);
	struct image_config c;

	(void)state;
	cfg_fails(json, "image config: config.Cmd[0]: longer than 64 KiB");
	cfg_ok(ok, &c);
	assert_int_equal(strlen(c.cmd[0]), 64 * 1024);
	image_config_free(&c);
	free(ok);
	free(json);
	free(big);
}

static void image_config_parse__array_1025__fails(void **state)
{
	char *list = json_list("\"A=1\"", 1025);
	char *json = xasprintf("{\"config\":{\"Env\":%s}}", list);
	char *list_ok = json_list("\"A=1\"", 1024);
	char *json_ok = xasprintf("{\"config\":{\"Env\":%s}}", list_ok);
	struct image_config c;

	(void)state;
	cfg_fails(json, "image config: config.Env: more than 1024 entries");
	cfg_ok(json_ok, &c);
	assert_int_equal(strv_len(c.env), 1024);
	image_config_free(&c);
	free(json_ok);
	free(list_ok);
	free(json);
	free(list);
}

static void image_config_parse__bad_diff_id__fails(void **state)
{
	(void)state;
	cfg_fails("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DIG_A "\",\"sha256:" HEX_UPPER
		  "\"]}}",
		  "image config: rootfs.diff_ids[1]: invalid digest: "
		  "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef012345678");
	cfg_fails("{\"rootfs\":{\"diff_ids\":[\"sha256:" HEX_63 "\"]}}",
		  "image config: rootfs.diff_ids[0]: invalid digest: sha256:" HEX_57);
	cfg_fails("{\"rootfs\":{\"diff_ids\":[\"" HEX_A "\"]}}",
		  "image config: rootfs.diff_ids[0]: invalid digest: " HEX_A);
	cfg_fails("{\"rootfs\":{\"diff_ids\":[7]}}",
		  "image config: rootfs.diff_ids[0]: not a string");
	cfg_fails("{\"rootfs\":{\"diff_ids\":\"" DIG_A "\"}}",
		  "image config: rootfs.diff_ids: not an array");
}

static void image_config_parse__diff_ids_65__fails(void **state)
{
	char *list = json_list("\"" DIG_A "\"", IMAGE_LAYERS_MAX + 1);
	char *json = xasprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":%s}}", list);
	char *list_ok = json_list("\"" DIG_A "\"", IMAGE_LAYERS_MAX);
	char *json_ok = xasprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":%s}}", list_ok);
	struct image_config c;

	(void)state;
	cfg_fails(json, "image config: rootfs.diff_ids: more than 64 layers");
	cfg_ok(json_ok, &c);
	assert_int_equal(strv_len(c.diff_ids), IMAGE_LAYERS_MAX);
	image_config_free(&c);
	free(json_ok);
	free(list_ok);
	free(json);
	free(list);
}

static void image_config_parse__rootfs_wrong__fails(void **state)
{
	(void)state;
	cfg_fails("{\"rootfs\":[]}", "image config: rootfs: not an object");
	cfg_fails("{\"rootfs\":{\"type\":\"squashfs\"}}",
		  "image config: rootfs.type: unsupported: squashfs");
	cfg_fails("{\"rootfs\":{\"type\":1}}", "image config: rootfs.type: not a string");
}

static void image_config_parse__not_object__fails(void **state)
{
	(void)state;
	cfg_fails("[]", "image config: not a json object");
	cfg_fails("\"config\"", "image config: not a json object");
	cfg_fails("null ", "image config: not a json object");
	cfg_fails("1 ", "image config: not a json object");
	/* A bare literal may go on: without a delimiter it is not complete. */
	cfg_fails("null", "image config: truncated json");
}

static void image_config_parse__truncated__fails(void **state)
{
	(void)state;
	cfg_fails("{\"config\":{\"Env\":[\"A=1\"", "image config: truncated json");
	cfg_fails("{", "image config: truncated json");
	/* Each prefix of a real config fails, and cleanly (asan, leaks). */
	for (size_t n = 1; n + 2 < sizeof(FULL_CONFIG); n++) {
		struct image_config c;
		struct md_err err = { 0 };
		char *buf = exact(FULL_CONFIG, n);

		assert_int_equal(image_config_parse(buf, n, &c, &err), -1);
		assert_null(c.env);
		assert_null(c.diff_ids);
		free(buf);
	}
}

static void image_config_parse__trailing_garbage__fails(void **state)
{
	(void)state;
	cfg_fails("{} x", "image config: invalid json at byte 3: unexpected character");
	cfg_fails("{}{}", "image config: invalid json at byte 2: unexpected character");
	cfg_fails("{},", "image config: invalid json at byte 2: unexpected character");
}

static void image_config_parse__trailing_whitespace__ok(void **state)
{
	struct image_config c;

	(void)state;
	cfg_ok("{} \n\t\r\n", &c);
	image_config_free(&c);
	cfg_ok("\n {}", &c);
	image_config_free(&c);
}

static void image_config_parse__nul_byte__fails(void **state)
{
	(void)state;
	cfg_len_fails("{}\0", 3, "image config: invalid json: a NUL byte");
	cfg_len_fails("{\"a\":\"\0\"}", 8, "image config: invalid json: a NUL byte");
}

static void image_config_parse__explicit_length__honored(void **state)
{
	struct image_config c;

	(void)state;
	/* Only the first len bytes are the document. */
	cfg_len_ok("{\"config\":{\"User\":\"bob\"}}garbage", 25, &c);
	assert_string_equal(c.user, "bob");
	image_config_free(&c);
	cfg_len_fails("{\"config\":{\"User\":\"bob\"}}", 24, "image config: truncated json");
}

static void image_config_parse__empty__fails(void **state)
{
	struct image_config c;
	struct md_err err = { 0 };

	(void)state;
	cfg_len_fails("", 0, "image config: empty");
	cfg_fails("  ", "image config: truncated json");
	assert_int_equal(image_config_parse(NULL, 0, &c, &err), -1);
	assert_string_equal(err.msg, "image config: empty");
}

static void image_config_parse__too_large__fails(void **state)
{
	size_t len = 4 * 1024 * 1024 + 1;
	char *big = repeat(' ', len);

	(void)state;
	big[0] = '{';
	big[len - 1] = '}';
	cfg_len_fails(big, len, "image config: larger than 4 MiB");
	big[len - 2] = '}';
	{
		struct image_config c;

		cfg_len_ok(big, len - 1, &c);
		image_config_free(&c);
	}
	free(big);
}

static void image_config_parse__not_json__fails(void **state)
{
	(void)state;
	cfg_fails("{a:1}",
		  "image config: invalid json at byte 1: quoted object property name expected");
	cfg_fails("{\"a\":1,}", "image config: invalid json at byte 7: unexpected character");
	cfg_fails("{\"a\":\"\xff\"}", "image config: invalid json at byte 6: invalid utf-8 string");
	cfg_fails("{\"a\" 1}", "image config: invalid json at byte 5: object property name "
			       "separator ':' expected");
}

static void image_config_parse__deep_nesting__fails(void **state)
{
	char *open = repeat('[', 100), *close = repeat(']', 100);
	char *json = xasprintf("{\"x\":%s%s}", open, close);
	struct image_config c;
	struct md_err err = { 0 };

	(void)state;
	assert_int_equal(image_config_parse(json, strlen(json), &c, &err), -1);
	assert_non_null(strstr(err.msg, "image config: invalid json at byte"));
	assert_non_null(strstr(err.msg, "nesting too deep"));
	free(json);
	free(open);
	free(close);
}

static void image_config_parse__unknown_fields__ignored(void **state)
{
	struct image_config c;

	(void)state;
	cfg_ok("{\"container_config\":{\"Env\":7},\"config\":{\"Healthcheck\":{\"Test\":[]},"
	       "\"User\":\"u\"},\"extra\":[1,2,{\"a\":null}]}",
	       &c);
	assert_string_equal(c.user, "u");
	assert_null(c.env);
	image_config_free(&c);
}

static void image_config_parse__duplicate_key__last_wins(void **state)
{
	struct image_config c;

	(void)state;
	cfg_ok("{\"config\":{\"User\":\"a\",\"User\":\"b\"}}", &c);
	assert_string_equal(c.user, "b");
	image_config_free(&c);
}

/* ---- image_config_to_json ---- */

static void config_equal(const struct image_config *a, const struct image_config *b)
{
	char **va[] = { a->env, a->cmd, a->entrypoint, a->diff_ids };
	char **vb[] = { b->env, b->cmd, b->entrypoint, b->diff_ids };

	for (size_t k = 0; k < 4; k++) {
		if (va[k] == NULL || vb[k] == NULL) {
			assert_ptr_equal(va[k], vb[k]);
			continue;
		}
		assert_int_equal(strv_len(va[k]), strv_len(vb[k]));
		for (size_t i = 0; va[k][i] != NULL; i++)
			assert_string_equal(va[k][i], vb[k][i]);
	}
	if (a->workdir == NULL || b->workdir == NULL)
		assert_ptr_equal(a->workdir, b->workdir);
	else
		assert_string_equal(a->workdir, b->workdir);
	if (a->user == NULL || b->user == NULL)
		assert_ptr_equal(a->user, b->user);
	else
		assert_string_equal(a->user, b->user);
	assert_int_equal(a->created_ns, b->created_ns);
}

/* Parse, write, parse: the same config, and writing it again the same text. */
static void round_trip(const char *json)
{
	struct image_config a, b, d;
	char *text, *again;

	cfg_ok(json, &a);
	text = image_config_to_json(&a);
	cfg_ok(text, &b);
	config_equal(&a, &b);
	again = image_config_to_json(&b);
	assert_string_equal(again, text);
	cfg_ok(again, &d);
	config_equal(&a, &d);
	image_config_free(&a);
	image_config_free(&b);
	image_config_free(&d);
	free(text);
	free(again);
}

static void image_config_to_json__full__round_trip(void **state)
{
	(void)state;
	round_trip(FULL_CONFIG);
	round_trip("{}");
	round_trip("{\"config\":{\"Env\":[],\"Cmd\":[],\"Entrypoint\":[]},\"rootfs\":{}}");
	round_trip("{\"config\":{\"Cmd\":[\"\\\"\\\\\\/"
		   "\\b\\f\\n\\r\\t\\u0001\\u001f\",\"\\u00e9\\u4e2d"
		   "\\ud83d\\ude00\",\"\x7f\"]}}");
	round_trip("{\"created\":\"1969-12-31T23:59:59.999999999Z\"}");
	round_trip("{\"created\":\"2024-01-02T03:04:05.5+02:00\"}");
	round_trip("{\"created\":\"1677-09-21T00:12:43.145224192Z\"}");
	round_trip("{\"created\":\"2262-04-11T23:47:16.854775807Z\"}");
}

static void image_config_to_json__fields__written(void **state)
{
	struct image_config c;
	char *text;

	(void)state;
	cfg_ok(FULL_CONFIG, &c);
	text = image_config_to_json(&c);
	assert_non_null(strstr(text, "\"created\":\"2024-01-02T03:04:05.123456789Z\""));
	assert_non_null(strstr(text, "\"Cmd\":[\"sh\",\"-c\",\"echo \\\"hi\\\"\"]"));
	assert_non_null(strstr(text, "\"Entrypoint\":[\"/init\"]"));
	assert_non_null(strstr(text, "\"WorkingDir\":\"/x\""));
	assert_non_null(strstr(text, "\"User\":\"1000:1000\""));
	assert_non_null(strstr(text, "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DIG_A
				     "\",\"" DIG_B "\"]}"));
	/* What a container does not take is not kept. */
	assert_null(strstr(text, "history"));
	assert_null(strstr(text, "Labels"));
	free(text);
	image_config_free(&c);
}

static void image_config_to_json__unset__omitted(void **state)
{
	struct image_config c;
	char *text;

	(void)state;
	memset(&c, 0, sizeof(c));
	text = image_config_to_json(&c);
	assert_string_equal(text,
			    "{\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
	free(text);
	/* "" is written as unset. */
	c.workdir = (char *)"";
	c.user = (char *)"";
	text = image_config_to_json(&c);
	assert_string_equal(text,
			    "{\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
	free(text);
}

static void image_config_to_json__any_time__round_trip(void **state)
{
	static const int64_t times[] = { 1,
					 -1,
					 999999999,
					 -999999999,
					 1000000000,
					 -1000000000,
					 1704164645123456789LL,
					 INT64_MAX,
					 INT64_MIN,
					 INT64_MIN + 1,
					 INT64_MAX - 1 };

	(void)state;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		struct image_config c, back;
		char *text;

		memset(&c, 0, sizeof(c));
		c.created_ns = times[i];
		text = image_config_to_json(&c);
		cfg_ok(text, &back);
		if (back.created_ns != times[i])
			fail_msg("%lld written as %s read back as %lld", (long long)times[i], text,
				 (long long)back.created_ns);
		image_config_free(&back);
		free(text);
	}
}

static void image_config_to_json__minus_one_ns__text(void **state)
{
	struct image_config c;
	char *text;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.created_ns = -1;
	text = image_config_to_json(&c);
	assert_non_null(strstr(text, "\"created\":\"1969-12-31T23:59:59.999999999Z\""));
	free(text);
}

/* ---- image_docker_manifest_parse ---- */

static void image_docker_manifest_parse__classic__paths_and_tags(void **state)
{
	size_t n;
	struct image_manifest *m =
		docker_ok("[{\"Config\":\"" HEX_A ".json\",\"RepoTags\":[\"busybox:latest\"],"
			  "\"Layers\":[\"" HEX_B "/layer.tar\",\"" HEX_C "/layer.tar\"]}]\n",
			  &n);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(m[0].config_path, HEX_A ".json");
	assert_string_equal(m[0].config_digest, DIG_A);
	assert_int_equal(m[0].nlayers, 2);
	assert_string_equal(m[0].layer_paths[0], HEX_B "/layer.tar");
	assert_string_equal(m[0].layer_paths[1], HEX_C "/layer.tar");
	assert_null(m[0].layer_digests[0]);
	assert_null(m[0].layer_digests[1]);
	assert_int_equal(strv_len(m[0].names), 1);
	assert_string_equal(m[0].names[0], "busybox:latest");
	image_manifests_free(m, n);
}

static void image_docker_manifest_parse__blobs_layout__digests(void **state)
{
	size_t n;
	struct image_manifest *m =
		docker_ok("[{\"Config\":\"blobs/sha256/" HEX_A
			  "\",\"RepoTags\":[\"docker.io/library/busybox:1.36\","
			  "\"localhost:5000/app\"],\"Layers\":[\"blobs/sha256/" HEX_B "\"],"
			  "\"LayerSources\":{}}]",
			  &n);

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(m[0].config_path, "blobs/sha256/" HEX_A);
	assert_string_equal(m[0].config_digest, DIG_A);
	assert_int_equal(m[0].nlayers, 1);
	assert_string_equal(m[0].layer_paths[0], "blobs/sha256/" HEX_B);
	assert_string_equal(m[0].layer_digests[0], DIG_B);
	assert_int_equal(strv_len(m[0].names), 2);
	assert_string_equal(m[0].names[0], "busybox:1.36");
	assert_string_equal(m[0].names[1], "localhost:5000/app:latest");
	image_manifests_free(m, n);
}

static void image_docker_manifest_parse__not_content_address__no_digest(void **state)
{
	size_t n;
	struct image_manifest *m = docker_ok(
		"[{\"Config\":\"" HEX_UPPER ".json\",\"Layers\":[\"blobs/sha256/" HEX_UPPER "\","
		"\"blobs/sha256/" HEX_63 "\",\"blobs/sha512/" HEX_A "\",\"x/blobs/sha256/" HEX_A
		"\","
		"\"blobs/sha256/" HEX_A ".json\",\"./blobs/sha256/" HEX_A "\"]},"
		"{\"Config\":\"blobs/sha256/" HEX_A "/x\"},{\"Config\":\"" HEX_63 ".json\"},"
		"{\"Config\":\"" HEX_A ".jso\"},{\"Config\":\"" HEX_A "\"}]",
		&n);

	(void)state;
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		assert_null(m[i].config_digest);
	assert_int_equal(m[0].nlayers, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_non_null(m[0].layer_paths[i]);
		assert_null(m[0].layer_digests[i]);
	}
	assert_string_equal(m[0].layer_paths[5], "./blobs/sha256/" HEX_A);
	image_manifests_free(m, n);
}

static void image_docker_manifest_parse__no_tags__no_names(void **state)
{
	size_t n;
	struct image_manifest *m =
		docker_ok("[{\"Config\":\"c.json\",\"RepoTags\":null,\"Layers\":[\"l/layer.tar\"]},"
			  "{\"Config\":\"d.json\",\"Layers\":[]},{\"Config\":\"e.json\"}]",
			  &n);

	(void)state;
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(strv_len(m[i].names), 0);
	assert_int_equal(m[0].nlayers, 1);
	assert_int_equal(m[1].nlayers, 0);
	assert_int_equal(m[2].nlayers, 0);
	assert_non_null(m[1].layer_paths);
	assert_null(m[1].layer_paths[0]);
	assert_string_equal(m[2].config_path, "e.json");
	image_manifests_free(m, n);
}

static void image_docker_manifest_parse__tags__normalized_once(void **state)
{
	size_t n;
	struct image_manifest *m = docker_ok(
		"[{\"Config\":\"c.json\",\"RepoTags\":[\"busybox\",\"busybox:latest\","
		"\"docker.io/library/busybox:latest\",\"library/busybox:1\",\"busybox:1\"]}]",
		&n);

	(void)state;
	assert_int_equal(strv_len(m[0].names), 2);
	assert_string_equal(m[0].names[0], "busybox:latest");
	assert_string_equal(m[0].names[1], "busybox:1");
	image_manifests_free(m, n);
}

static void image_docker_manifest_parse__invalid_tag__fails(void **state)
{
	char *doc = docker_doc("[]", "[\"ok:1\",\"Busybox:latest\"]");

	(void)state;
	docker_fails(doc, "manifest.json: image 0: RepoTags[1]: invalid reference Busybox:latest: "
			  "invalid name (must be lowercase)");
	free(doc);
	doc = docker_doc("[]", "[\"busybox@" DIG_A "\"]");
	docker_fails(doc,
		     "manifest.json: image 0: RepoTags[0]: invalid reference busybox@sha256:" HEX_49
		     ": digest references are not supported");
	free(doc);
	doc = docker_doc("[]", "[\"\"]");
	docker_fails(doc, "manifest.json: image 0: RepoTags[0]: invalid reference: empty");
	free(doc);
	doc = docker_doc("[]", "[5]");
	docker_fails(doc, "manifest.json: image 0: RepoTags[0]: not a string");
	free(doc);
	doc = docker_doc("[]", "\"busybox\"");
	docker_fails(doc, "manifest.json: image 0: RepoTags: not an array");
	free(doc);
}

static void image_docker_manifest_parse__many_tags__fails(void **state)
{
	char *tags = json_list("\"a:1\"", IMAGE_NAMES_MAX + 1);
	char *doc = docker_doc("[]", tags);
	char *tags_ok = json_list("\"a:1\"", IMAGE_NAMES_MAX);
	char *doc_ok = docker_doc("[]", tags_ok);
	size_t n;
	struct image_manifest *m;

	(void)state;
	docker_fails(doc, "manifest.json: image 0: RepoTags: more than 64 entries");
	m = docker_ok(doc_ok, &n);
	assert_int_equal(strv_len(m[0].names), 1);
	image_manifests_free(m, n);
	free(doc_ok);
	free(tags_ok);
	free(doc);
	free(tags);
}

static void image_docker_manifest_parse__empty_array__fails(void **state)
{
	(void)state;
	docker_fails("[]", "no image in manifest.json");
	docker_fails(" [ ] \n", "no image in manifest.json");
}

static void image_docker_manifest_parse__not_array__fails(void **state)
{
	(void)state;
	docker_fails("{\"Config\":\"c.json\"}", "manifest.json: not a json array");
	docker_fails("[1]", "manifest.json: image 0: not an object");
	docker_fails("[{\"Config\":\"c.json\"},null]", "manifest.json: image 1: not an object");
	docker_fails("[[]]", "manifest.json: image 0: not an object");
}

static void image_docker_manifest_parse__config_missing__fails(void **state)
{
	(void)state;
	docker_fails("[{\"Layers\":[]}]", "manifest.json: image 0: Config: missing");
	docker_fails("[{\"Config\":null}]", "manifest.json: image 0: Config: missing");
	docker_fails("[{\"Config\":1}]", "manifest.json: image 0: Config: not a string");
	docker_fails("[{\"Config\":[\"c.json\"]}]", "manifest.json: image 0: Config: not a string");
}

static void image_docker_manifest_parse__bad_paths__fail(void **state)
{
	static const struct {
		const char *path, *shown;
	} bad[] = {
		{ "", "" },
		{ "/etc/passwd", "/etc/passwd" },
		{ "..", ".." },
		{ "../x.json", "../x.json" },
		{ "a/../b", "a/../b" },
		{ "a/..", "a/.." },
		{ "a/../../../../etc/shadow", "a/../../../../etc/shadow" },
		{ "//x", "//x" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *cfg = xasprintf("[{\"Config\":\"%s\"}]", bad[i].path);
		char *lay =
			xasprintf("[{\"Config\":\"c.json\",\"Layers\":[\"ok/layer.tar\",\"%s\"]}]",
				  bad[i].path);
		char *m1 =
			xasprintf("manifest.json: image 0: Config: invalid path: %s", bad[i].shown);
		char *m2 = xasprintf("manifest.json: image 0: Layers[1]: invalid path: %s",
				     bad[i].shown);

		docker_fails(cfg, m1);
		docker_fails(lay, m2);
		free(cfg);
		free(lay);
		free(m1);
		free(m2);
	}
}

static void image_docker_manifest_parse__dotted_names__ok(void **state)
{
	size_t n;
	struct image_manifest *m = docker_ok(
		"[{\"Config\":\"..c.json\",\"Layers\":[\"a/..b/layer.tar\",\"./x\",\"x..\","
		"\".../layer.tar\",\"a/./b\"]}]",
		&n);

	(void)state;
	assert_string_equal(m[0].config_path, "..c.json");
	assert_int_equal(m[0].nlayers, 5);
	assert_string_equal(m[0].layer_paths[3], ".../layer.tar");
	image_manifests_free(m, n);
}

static void image_docker_manifest_parse__long_path__fails(void **state)
{
	char *p = repeat('p', 4097);
	char *doc = xasprintf("[{\"Config\":\"%s\"}]", p);
	char *msg = xasprintf("manifest.json: image 0: Config: invalid path: %.64s", p);
	char *doc_ok = xasprintf("[{\"Config\":\"%s\"}]", p + 1);
	size_t n;
	struct image_manifest *m;

	(void)state;
	docker_fails(doc, msg);
	m = docker_ok(doc_ok, &n);
	assert_int_equal(strlen(m[0].config_path), 4096);
	image_manifests_free(m, n);
	free(doc_ok);
	free(msg);
	free(doc);
	free(p);
}

static void image_docker_manifest_parse__nul_in_path__fails(void **state)
{
	(void)state;
	docker_fails("[{\"Config\":\"c.json\\u0000../../x\"}]",
		     "manifest.json: image 0: Config: contains a NUL byte");
	docker_fails("[{\"Config\":\"c.json\",\"Layers\":[\"a\\u0000\"]}]",
		     "manifest.json: image 0: Layers[0]: contains a NUL byte");
}

static void image_docker_manifest_parse__layers_wrong__fails(void **state)
{
	(void)state;
	docker_fails("[{\"Config\":\"c.json\",\"Layers\":\"l.tar\"}]",
		     "manifest.json: image 0: Layers: not an array");
	docker_fails("[{\"Config\":\"c.json\",\"Layers\":[{}]}]",
		     "manifest.json: image 0: Layers[0]: not a string");
	docker_fails("[{\"Config\":\"c.json\"},{\"Config\":\"d.json\",\"Layers\":[\"a\",null]}]",
		     "manifest.json: image 1: Layers[1]: not a string");
}

static void image_docker_manifest_parse__65_layers__fails(void **state)
{
	char *layers = json_list("\"l/layer.tar\"", IMAGE_LAYERS_MAX + 1);
	char *doc = docker_doc(layers, "null");
	char *layers_ok = json_list("\"l/layer.tar\"", IMAGE_LAYERS_MAX);
	char *doc_ok = docker_doc(layers_ok, "null");
	size_t n;
	struct image_manifest *m;

	(void)state;
	docker_fails(doc, "manifest.json: image 0: Layers: more than 64 entries");
	m = docker_ok(doc_ok, &n);
	assert_int_equal(m[0].nlayers, IMAGE_LAYERS_MAX);
	assert_null(m[0].layer_paths[IMAGE_LAYERS_MAX]);
	image_manifests_free(m, n);
	free(doc_ok);
	free(layers_ok);
	free(doc);
	free(layers);
}

static void image_docker_manifest_parse__hostile_json__fails(void **state)
{
	(void)state;
	docker_fails("", "manifest.json: empty");
	docker_fails("[{\"Config\":\"c.json\"}", "manifest.json: truncated json");
	docker_fails("[{\"Config\":\"c.json\"}]]",
		     "manifest.json: invalid json at byte 21: unexpected character");
	docker_len_fails("[{\"Config\":\"c.json\"}]\0", 22,
			 "manifest.json: invalid json: a NUL byte");
	docker_fails("[{\"Config\":\"c.json\"}] x",
		     "manifest.json: invalid json at byte 22: unexpected character");
}

static void image_docker_manifest_parse__many_images__fails(void **state)
{
	char *list = json_list("{\"Config\":\"c.json\"}", 1025);

	(void)state;
	docker_fails(list, "manifest.json: more than 1024 images");
	free(list);
}

/* ---- image_oci_index_parse ---- */

static void image_oci_index_parse__containerd__name(void **state)
{
	size_t n;
	struct oci_index_entry *e = index_ok(
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		"\"manifests\":[{\"mediaType\":\"" MT_MANIFEST "\",\"digest\":\"" DIG_A
		"\",\"size\":1234,\"annotations\":{\"io.containerd.image.name\":"
		"\"docker.io/library/"
		"busybox:1.36\",\"org.opencontainers.image.ref.name\":\"1.36\"},"
		"\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
		"{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		"\"digest\":\"" DIG_B "\",\"size\":5}]}\n",
		&n);

	(void)state;
	assert_int_equal(n, 2);
	assert_string_equal(e[0].digest, DIG_A);
	assert_int_equal(strv_len(e[0].names), 1);
	assert_string_equal(e[0].names[0], "busybox:1.36");
	assert_string_equal(e[1].digest, DIG_B);
	assert_int_equal(strv_len(e[1].names), 0);
	image_oci_index_free(e, n);
}

static void image_oci_index_parse__ref_name_full__name(void **state)
{
	(void)state;
	index_names_are("\"org.opencontainers.image.ref.name\":\"busybox:1.36\"", "busybox:1.36");
	index_names_are("\"org.opencontainers.image.ref.name\":\"localhost:5000/foo\"",
			"localhost:5000/foo:latest");
	index_names_are("\"org.opencontainers.image.ref.name\":\"quay.io/a/b:v1\"",
			"quay.io/a/b:v1");
	index_names_are("\"org.opencontainers.image.ref.name\":\"foo/bar\"", "foo/bar:latest");
}

static void image_oci_index_parse__ref_name_tag__no_name(void **state)
{
	(void)state;
	index_names_are("\"org.opencontainers.image.ref.name\":\"latest\"", NULL);
	index_names_are("\"org.opencontainers.image.ref.name\":\"1.36\"", NULL);
	index_names_are("\"org.opencontainers.image.ref.name\":\"busybox\"", NULL);
	index_names_are("", NULL);
	index_names_are("\"other\":\"busybox:1\"", NULL);
}

static void image_oci_index_parse__containerd_preferred__name(void **state)
{
	(void)state;
	index_names_are("\"org.opencontainers.image.ref.name\":\"other:2\","
			"\"io.containerd.image.name\":\"docker.io/library/busybox:latest\"",
			"busybox:latest");
}

static void image_oci_index_parse__invalid_names__skipped(void **state)
{
	(void)state;
	/* containerd names an image pulled by digest NAME@DIGEST. */
	index_names_are("\"io.containerd.image.name\":\"docker.io/library/busybox@" DIG_A "\","
			"\"org.opencontainers.image.ref.name\":\"latest\"",
			NULL);
	index_names_are("\"io.containerd.image.name\":\"docker.io/library/busybox@" DIG_A "\","
			"\"org.opencontainers.image.ref.name\":\"busybox:1.36\"",
			"busybox:1.36");
	index_names_are("\"org.opencontainers.image.ref.name\":\"Bad:Name\"", NULL);
	index_names_are("\"io.containerd.image.name\":\"\"", NULL);
}

static void image_oci_index_parse__no_media_type__manifest(void **state)
{
	char *doc = index_doc("\"digest\":\"" DIG_C "\"");
	size_t n;
	struct oci_index_entry *e;

	(void)state;
	e = index_ok(doc, &n);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].digest, DIG_C);
	assert_int_equal(strv_len(e[0].names), 0);
	image_oci_index_free(e, n);
	free(doc);
	/* schemaVersion is optional here. */
	e = index_ok("{\"manifests\":[{\"digest\":\"" DIG_C "\"}]}", &n);
	assert_int_equal(n, 1);
	image_oci_index_free(e, n);
}

static void image_oci_index_parse__nested_index__fails(void **state)
{
	char *a = index_doc(
		"\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" DIG_A
		"\"");
	char *b = index_doc(
		"\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\","
		"\"digest\":\"" DIG_A "\"");

	(void)state;
	index_fails(a, "nested image index is not supported");
	index_fails(b, "nested image index is not supported");
	free(a);
	free(b);
}

static void image_oci_index_parse__other_media_type__fails(void **state)
{
	char *a = index_doc("\"mediaType\":\"application/vnd.in-toto+json\",\"digest\":\"" DIG_A
			    "\"");
	char *b = index_doc("\"mediaType\":5,\"digest\":\"" DIG_A "\"");

	(void)state;
	index_fails(
		a,
		"index.json: manifests[0]: unsupported media type: application/vnd.in-toto+json");
	index_fails(b, "index.json: manifests[0].mediaType: not a string");
	free(a);
	free(b);
}

static void image_oci_index_parse__bad_digest__fails(void **state)
{
	static const struct {
		const char *members, *msg;
	} bad[] = {
		{ "\"size\":1", "index.json: manifests[0].digest: missing" },
		{ "\"digest\":null", "index.json: manifests[0].digest: missing" },
		{ "\"digest\":1", "index.json: manifests[0].digest: not a string" },
		{ "\"digest\":\"sha256:" HEX_UPPER "\"",
		  "index.json: manifests[0].digest: invalid digest: "
		  "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef012345678" },
		{ "\"digest\":\"sha256:" HEX_63 "\"",
		  "index.json: manifests[0].digest: invalid digest: sha256:" HEX_57 },
		{ "\"digest\":\"sha256:../../../etc\"",
		  "index.json: manifests[0].digest: invalid digest: sha256:../../../etc" },
		{ "\"digest\":\"" DIG_A "\",\"size\":-1",
		  "index.json: manifests[0].size: not a non-negative integer" },
		{ "\"digest\":\"" DIG_A "\",\"size\":\"1\"",
		  "index.json: manifests[0].size: not a non-negative integer" },
		{ "\"digest\":\"" DIG_A "\",\"size\":1.5",
		  "index.json: manifests[0].size: not a non-negative integer" },
		{ "\"digest\":\"" DIG_A "\",\"annotations\":[]",
		  "index.json: manifests[0].annotations: not an object" },
		{ "\"digest\":\"" DIG_A "\",\"annotations\":{\"io.containerd.image.name\":1}",
		  "index.json: manifests[0].annotations.io.containerd.image.name: not a string" },
		{ "\"digest\":\"" DIG_A
		  "\",\"annotations\":{\"org.opencontainers.image.ref.name\":[]}",
		  "index.json: manifests[0].annotations.org.opencontainers.image.ref.name: not a "
		  "string" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *doc = index_doc(bad[i].members);

		index_fails(doc, bad[i].msg);
		free(doc);
	}
}

static void image_oci_index_parse__no_manifests__fails(void **state)
{
	(void)state;
	index_fails("{\"schemaVersion\":2}", "no image in index.json");
	index_fails("{\"schemaVersion\":2,\"manifests\":[]}", "no image in index.json");
	index_fails("{\"schemaVersion\":2,\"manifests\":null}", "no image in index.json");
	index_fails("{\"schemaVersion\":2,\"manifests\":{}}",
		    "index.json: manifests: not an array");
	index_fails("{\"manifests\":[7]}", "index.json: manifests[0]: not an object");
	index_fails("[]", "index.json: not a json object");
}

static void image_oci_index_parse__schema_version__fails(void **state)
{
	(void)state;
	index_fails("{\"schemaVersion\":1,\"manifests\":[{\"digest\":\"" DIG_A "\"}]}",
		    "index.json: schemaVersion: not 2");
	index_fails("{\"schemaVersion\":\"2\",\"manifests\":[{\"digest\":\"" DIG_A "\"}]}",
		    "index.json: schemaVersion: not 2");
	index_fails("{\"schemaVersion\":2.0,\"manifests\":[{\"digest\":\"" DIG_A "\"}]}",
		    "index.json: schemaVersion: not 2");
}

static void image_oci_index_parse__second_bad__fails_clean(void **state)
{
	(void)state;
	index_fails("{\"manifests\":[{\"digest\":\"" DIG_A "\",\"annotations\":{"
		    "\"io.containerd.image.name\":\"busybox:1\"}},{\"digest\":\"x\"}]}",
		    "index.json: manifests[1].digest: invalid digest: x");
}

static void image_oci_index_parse__hostile_json__fails(void **state)
{
	(void)state;
	index_fails("{\"manifests\":[", "index.json: truncated json");
	index_fails("{\"manifests\":[]} {}",
		    "index.json: invalid json at byte 17: unexpected character");
}

/* ---- image_oci_manifest_parse ---- */

static void image_oci_manifest_parse__oci__blobs(void **state)
{
	struct image_manifest m;
	char *doc = manifest_doc(
		CONFIG_DESC,
		"[{\"mediaType\":\"" MT_GZIP "\",\"digest\":\"" DIG_A "\",\"size\":100},"
		"{\"mediaType\":\"" MT_ZSTD "\",\"digest\":\"" DIG_B "\",\"size\":200},"
		"{\"mediaType\":\"" MT_TAR "\",\"digest\":\"" DIG_A "\",\"size\":300,"
		"\"annotations\":{\"x\":\"y\"}}]");

	(void)state;
	manifest_ok(doc, &m);
	assert_string_equal(m.config_path, "blobs/sha256/" HEX_C);
	assert_string_equal(m.config_digest, DIG_C);
	assert_int_equal(m.nlayers, 3);
	assert_string_equal(m.layer_paths[0], "blobs/sha256/" HEX_A);
	assert_string_equal(m.layer_digests[0], DIG_A);
	assert_string_equal(m.layer_paths[1], "blobs/sha256/" HEX_B);
	assert_string_equal(m.layer_digests[1], DIG_B);
	assert_string_equal(m.layer_paths[2], "blobs/sha256/" HEX_A);
	assert_null(m.layer_paths[3]);
	image_manifest_free(&m);
	assert_null(m.config_path);
	free(doc);
}

static void image_oci_manifest_parse__docker_v2__blobs(void **state)
{
	struct image_manifest m;

	(void)state;
	manifest_ok(
		"{\"schemaVersion\":2,\"mediaType\":"
		"\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{"
		"\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1469,"
		"\"digest\":\"" DIG_A "\"},\"layers\":[{\"mediaType\":"
		"\"application/"
		"vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":2,\"digest\":\"" DIG_B
		"\"},{\"mediaType\":\"application/"
		"vnd.docker.image.rootfs.diff.tar\",\"digest\":\"" DIG_C "\"}]}",
		&m);
	assert_string_equal(m.config_digest, DIG_A);
	assert_int_equal(m.nlayers, 2);
	assert_string_equal(m.layer_digests[0], DIG_B);
	assert_string_equal(m.layer_paths[1], "blobs/sha256/" HEX_C);
	image_manifest_free(&m);
}

static void image_oci_manifest_parse__no_media_types__ok(void **state)
{
	struct image_manifest m;

	(void)state;
	manifest_ok("{\"config\":{\"digest\":\"" DIG_A "\"},\"layers\":[]}", &m);
	assert_string_equal(m.config_path, "blobs/sha256/" HEX_A);
	assert_int_equal(m.nlayers, 0);
	assert_non_null(m.layer_paths);
	image_manifest_free(&m);
}

static void image_oci_manifest_parse__bad_layer_type__fails(void **state)
{
	(void)state;
	manifest_layer_fails("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
			     "image manifest: layers[0]: unsupported layer media type: "
			     "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");
	manifest_layer_fails("application/vnd.oci.image.layer.v1.tar+gzip+encrypted",
			     "image manifest: layers[0]: unsupported layer media type: "
			     "application/vnd.oci.image.layer.v1.tar+gzip+encrypted");
	manifest_layer_fails("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
			     "image manifest: layers[0]: unsupported layer media type: "
			     "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
	manifest_layer_fails("application/vnd.oci.image.layer.v1.tar ",
			     "image manifest: layers[0]: unsupported layer media type: "
			     "application/vnd.oci.image.layer.v1.tar ");
	manifest_layer_fails("", "image manifest: layers[0]: unsupported layer media type: ");
}

static void image_oci_manifest_parse__long_layer_type__bounded(void **state)
{
	char *type = repeat('x', 500);
	char *msg =
		xasprintf("image manifest: layers[0]: unsupported layer media type: %.64s", type);

	(void)state;
	manifest_layer_fails(type, msg);
	free(msg);
	free(type);
}

static void image_oci_manifest_parse__layer_wrong__fails(void **state)
{
	char *a = manifest_doc(CONFIG_DESC, "[{\"digest\":\"" DIG_A "\"}]");
	char *b = manifest_doc(CONFIG_DESC, "[{\"mediaType\":\"" MT_TAR "\"}]");
	char *c = manifest_doc(CONFIG_DESC,
			       "[{\"mediaType\":\"" MT_TAR "\",\"digest\":\"" DIG_A "\"},\"x\"]");
	char *d = manifest_doc(CONFIG_DESC, "{}");
	char *e = manifest_doc(CONFIG_DESC, "[{\"mediaType\":\"" MT_TAR
					    "\",\"digest\":\"sha256:" HEX_UPPER "\"}]");

	(void)state;
	manifest_fails(a, "image manifest: layers[0].mediaType: missing");
	manifest_fails(b, "image manifest: layers[0].digest: missing");
	manifest_fails(c, "image manifest: layers[1]: not an object");
	manifest_fails(d, "image manifest: layers: not an array");
	manifest_fails(e, "image manifest: layers[0].digest: invalid digest: "
			  "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef012345678");
	manifest_fails("{\"config\":" CONFIG_DESC "}", "image manifest: layers: missing");
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);
}

static void image_oci_manifest_parse__65_layers__fails(void **state)
{
	char *layers = json_list("{\"mediaType\":\"" MT_TAR "\",\"digest\":\"" DIG_A "\"}",
				 IMAGE_LAYERS_MAX + 1);
	char *doc = manifest_doc(CONFIG_DESC, layers);
	char *layers_ok = json_list("{\"mediaType\":\"" MT_TAR "\",\"digest\":\"" DIG_A "\"}",
				    IMAGE_LAYERS_MAX);
	char *doc_ok = manifest_doc(CONFIG_DESC, layers_ok);
	struct image_manifest m;

	(void)state;
	manifest_fails(doc, "image manifest: layers: more than 64 entries");
	manifest_ok(doc_ok, &m);
	assert_int_equal(m.nlayers, IMAGE_LAYERS_MAX);
	image_manifest_free(&m);
	free(doc_ok);
	free(layers_ok);
	free(doc);
	free(layers);
}

static void image_oci_manifest_parse__bad_config__fails(void **state)
{
	(void)state;
	manifest_fails("{\"layers\":[]}", "image manifest: config: missing");
	manifest_fails("{\"config\":[],\"layers\":[]}", "image manifest: config: not an object");
	manifest_fails("{\"config\":{},\"layers\":[]}", "image manifest: config.digest: missing");
	manifest_fails("{\"config\":{\"digest\":\"sha256:" HEX_63 "\"},\"layers\":[]}",
		       "image manifest: config.digest: invalid digest: sha256:" HEX_57);
	manifest_fails("{\"config\":{\"mediaType\":\"application/vnd.cncf.helm.config.v1+json\","
		       "\"digest\":\"" DIG_A "\"},\"layers\":[]}",
		       "image manifest: config: unsupported media type: "
		       "application/vnd.cncf.helm.config.v1+json");
	manifest_fails("{\"config\":{\"mediaType\":[],\"digest\":\"" DIG_A "\"},\"layers\":[]}",
		       "image manifest: config.mediaType: not a string");
	manifest_fails("{\"config\":{\"digest\":\"" DIG_A "\",\"size\":-5},\"layers\":[]}",
		       "image manifest: config.size: not a non-negative integer");
}

static void image_oci_manifest_parse__index_media_type__fails(void **state)
{
	(void)state;
	manifest_fails(
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
		"\"manifests\":[]}",
		"nested image index is not supported");
	manifest_fails(
		"{\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\"}",
		"nested image index is not supported");
	manifest_fails("{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\"}",
		       "image manifest: unsupported media type: "
		       "application/vnd.docker.distribution.manifest.v1+json");
	manifest_fails("{\"mediaType\":1}", "image manifest: mediaType: not a string");
	manifest_fails("{\"schemaVersion\":1}", "image manifest: schemaVersion: not 2");
}

static void image_oci_manifest_parse__hostile_json__fails(void **state)
{
	(void)state;
	manifest_fails("", "image manifest: empty");
	manifest_fails("[]", "image manifest: not a json object");
	manifest_fails("{\"config\":", "image manifest: truncated json");
	manifest_fails("{}x", "image manifest: invalid json at byte 2: unexpected character");
}

/* ---- image_user_resolve ---- */

static void image_user_resolve__empty__root(void **state)
{
	(void)state;
	user_is("", 0, 0);
	user_is(NULL, 0, 0);
}

static void image_user_resolve__numbers__as_given(void **state)
{
	(void)state;
	user_is("0", 0, 0);
	user_is("0:0", 0, 0);
	user_is("1234:5678", 1234, 5678);
	user_is("4294967294:4294967294", 4294967294U, 4294967294U);
	user_is("007", 7, 0);
}

static void image_user_resolve__uid_in_passwd__its_gid(void **state)
{
	(void)state;
	/* The first entry with that uid. */
	user_is("1000", 1000, 100);
	user_is("65534", 65534, 65534);
	user_is("3000", 3000, 3001);
}

static void image_user_resolve__uid_not_in_passwd__gid_0(void **state)
{
	(void)state;
	user_is("1234", 1234, 0);
	user_is("4000", 4000, 0); /* its line has an empty gid: skipped */
}

static void image_user_resolve__name__from_passwd(void **state)
{
	(void)state;
	user_is("nobody", 65534, 65534);
	user_is("root", 0, 0);
	user_is("daemon", 1, 1);
	user_is("dup", 1000, 999);
	user_is("crlf", 3000, 3001);
	user_is("last", 2000, 2001);
	user_is("max", 4294967294U, 4294967294U);
}

static void image_user_resolve__name_group__both_looked_up(void **state)
{
	(void)state;
	user_is("nobody:nogroup", 65534, 65534);
	user_is("root:users", 0, 100);
	user_is("1000:nogroup", 1000, 65534);
	user_is("nobody:50", 65534, 50);
	user_is("user:root", 1000, 0);
	user_is("0:crlfgrp", 0, 3333);
	user_is("0:lastgrp", 0, 777);
}

static void image_user_resolve__no_such_user__fails(void **state)
{
	(void)state;
	user_fails("ghost", "no such user in the image: ghost");
	user_fails("roo", "no such user in the image: roo");
	user_fails("rootx", "no such user in the image: rootx");
	user_fails("broken", "no such user in the image: broken");
	user_fails("big", "no such user in the image: big");
	user_fails("nogid", "no such user in the image: nogid");
	user_fails("short", "no such user in the image: short");
	user_fails("+nis", "no such user in the image: +nis");
	user_fails("# a comment", "no such user in the image: # a comment");
	user_fails("ghost:root", "no such user in the image: ghost");
	user_fails("x:ghostgrp", "no such user in the image: x");
}

static void image_user_resolve__no_such_group__fails(void **state)
{
	(void)state;
	user_fails("nobody:ghostgrp", "no such group in the image: ghostgrp");
	user_fails("0:bad", "no such group in the image: bad");
	user_fails("root:a:b", "no such group in the image: a:b");
	user_fails("0:user", "no such group in the image: user");
}

static void image_user_resolve__no_files__numbers_only(void **state)
{
	struct md_err err = { 0 };
	uid_t u;
	gid_t g;

	(void)state;
	assert_int_equal(image_user_resolve("1000", NULL, NULL, &u, &g, &err), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 0);
	assert_int_equal(image_user_resolve("1000:42", NULL, NULL, &u, &g, &err), 0);
	assert_int_equal(u, 1000);
	assert_int_equal(g, 42);
	user_fails_with("nobody", NULL, GROUP, "no such user in the image: nobody");
	user_fails_with("0:nogroup", PASSWD, NULL, "no such group in the image: nogroup");
	user_fails_with("root", "", "", "no such user in the image: root");
}

static void image_user_resolve__bad_syntax__fails(void **state)
{
	(void)state;
	user_fails(":100", "invalid user: :100");
	user_fails("100:", "invalid user: 100:");
	user_fails(":", "invalid user: :");
	user_fails("4294967295", "invalid user 4294967295: uid out of range");
	user_fails("99999999999999999999999",
		   "invalid user 99999999999999999999999: uid out of range");
	user_fails("0:4294967295", "invalid user 0:4294967295: gid out of range");
}

static void image_user_resolve__hostile_name__bounded(void **state)
{
	char *name = repeat('n', 1000);
	char *msg = xasprintf("no such user in the image: %.64s", name);

	(void)state;
	user_fails(name, msg);
	user_fails("gh\nost\x1b[31m", "no such user in the image: gh?ost?[31m");
	free(msg);
	free(name);
}

static void image_user_resolve__garbage_files__skipped(void **state)
{
	static const char passwd[] = "::::::\n:\n\n\n#\nx\nroot:x:0\nroot::1:2\n"
				     "root:x:3:4:5:6:7:8:9\n";
	struct md_err err = { 0 };
	uid_t u;
	gid_t g;

	(void)state;
	assert_int_equal(image_user_resolve("root", passwd, "::\n:::\ng:x:5", &u, &g, &err), 0);
	assert_int_equal(u, 1);
	assert_int_equal(g, 2);
	assert_int_equal(image_user_resolve("root:g", passwd, "::\n:::\ng:x:5", &u, &g, &err), 0);
	assert_int_equal(g, 5);
	assert_int_equal(image_user_resolve("2", passwd, "", &u, &g, &err), 0);
	assert_int_equal(g, 0);
	/* A CR alone is not a line end. */
	user_fails_with("a", "a:x:1:1\rb:x:2:2\n", "", "no such user in the image: a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(image_digest_valid__sha256_lowercase__true),
		cmocka_unit_test(image_digest_valid__malformed__false),
		cmocka_unit_test(image_ref_parse__name_only__latest),
		cmocka_unit_test(image_ref_parse__name_tag__kept),
		cmocka_unit_test(image_ref_parse__registry_port__latest),
		cmocka_unit_test(image_ref_parse__no_slash_host_port__port_is_tag),
		cmocka_unit_test(image_ref_parse__docker_hub__familiar),
		cmocka_unit_test(image_ref_parse__docker_hub_path_like_host__host_kept),
		cmocka_unit_test(image_ref_parse__separators__ok),
		cmocka_unit_test(image_ref_parse__tag_128__ok),
		cmocka_unit_test(image_ref_parse__longest__ok),
		cmocka_unit_test(image_ref_parse__empty__fails),
		cmocka_unit_test(image_ref_parse__uppercase__fails),
		cmocka_unit_test(image_ref_parse__two_colons__fails),
		cmocka_unit_test(image_ref_parse__empty_tag__fails),
		cmocka_unit_test(image_ref_parse__empty_name__fails),
		cmocka_unit_test(image_ref_parse__dotdot__fails),
		cmocka_unit_test(image_ref_parse__bad_separators__fail),
		cmocka_unit_test(image_ref_parse__digest__fails),
		cmocka_unit_test(image_ref_parse__bad_tag__fails),
		cmocka_unit_test(image_ref_parse__bad_registry__fails),
		cmocka_unit_test(image_ref_parse__too_long__fails),
		cmocka_unit_test(image_config_parse__full__all_fields),
		cmocka_unit_test(image_config_parse__no_config__all_unset),
		cmocka_unit_test(image_config_parse__nulls__all_unset),
		cmocka_unit_test(image_config_parse__empty_strings_arrays__unset_and_empty),
		cmocka_unit_test(image_config_parse__created_forms__ns),
		cmocka_unit_test(image_config_parse__created_limits__int64),
		cmocka_unit_test(image_config_parse__created_unparsable__zero),
		cmocka_unit_test(image_config_parse__created_wrong_type__fails),
		cmocka_unit_test(image_config_parse__config_wrong_type__fails),
		cmocka_unit_test(image_config_parse__env_without_equals__fails),
		cmocka_unit_test(image_config_parse__nul_in_string__fails),
		cmocka_unit_test(image_config_parse__long_string__fails),
		cmocka_unit_test(image_config_parse__array_1025__fails),
		cmocka_unit_test(image_config_parse__bad_diff_id__fails),
		cmocka_unit_test(image_config_parse__diff_ids_65__fails),
		cmocka_unit_test(image_config_parse__rootfs_wrong__fails),
		cmocka_unit_test(image_config_parse__not_object__fails),
		cmocka_unit_test(image_config_parse__truncated__fails),
		cmocka_unit_test(image_config_parse__trailing_garbage__fails),
		cmocka_unit_test(image_config_parse__trailing_whitespace__ok),
		cmocka_unit_test(image_config_parse__nul_byte__fails),
		cmocka_unit_test(image_config_parse__explicit_length__honored),
		cmocka_unit_test(image_config_parse__empty__fails),
		cmocka_unit_test(image_config_parse__too_large__fails),
		cmocka_unit_test(image_config_parse__not_json__fails),
		cmocka_unit_test(image_config_parse__deep_nesting__fails),
		cmocka_unit_test(image_config_parse__unknown_fields__ignored),
		cmocka_unit_test(image_config_parse__duplicate_key__last_wins),
		cmocka_unit_test(image_config_to_json__full__round_trip),
		cmocka_unit_test(image_config_to_json__fields__written),
		cmocka_unit_test(image_config_to_json__unset__omitted),
		cmocka_unit_test(image_config_to_json__any_time__round_trip),
		cmocka_unit_test(image_config_to_json__minus_one_ns__text),
		cmocka_unit_test(image_docker_manifest_parse__classic__paths_and_tags),
		cmocka_unit_test(image_docker_manifest_parse__blobs_layout__digests),
		cmocka_unit_test(image_docker_manifest_parse__not_content_address__no_digest),
		cmocka_unit_test(image_docker_manifest_parse__no_tags__no_names),
		cmocka_unit_test(image_docker_manifest_parse__tags__normalized_once),
		cmocka_unit_test(image_docker_manifest_parse__invalid_tag__fails),
		cmocka_unit_test(image_docker_manifest_parse__many_tags__fails),
		cmocka_unit_test(image_docker_manifest_parse__empty_array__fails),
		cmocka_unit_test(image_docker_manifest_parse__not_array__fails),
		cmocka_unit_test(image_docker_manifest_parse__config_missing__fails),
		cmocka_unit_test(image_docker_manifest_parse__bad_paths__fail),
		cmocka_unit_test(image_docker_manifest_parse__dotted_names__ok),
		cmocka_unit_test(image_docker_manifest_parse__long_path__fails),
		cmocka_unit_test(image_docker_manifest_parse__nul_in_path__fails),
		cmocka_unit_test(image_docker_manifest_parse__layers_wrong__fails),
		cmocka_unit_test(image_docker_manifest_parse__65_layers__fails),
		cmocka_unit_test(image_docker_manifest_parse__hostile_json__fails),
		cmocka_unit_test(image_docker_manifest_parse__many_images__fails),
		cmocka_unit_test(image_oci_index_parse__containerd__name),
		cmocka_unit_test(image_oci_index_parse__ref_name_full__name),
		cmocka_unit_test(image_oci_index_parse__ref_name_tag__no_name),
		cmocka_unit_test(image_oci_index_parse__containerd_preferred__name),
		cmocka_unit_test(image_oci_index_parse__invalid_names__skipped),
		cmocka_unit_test(image_oci_index_parse__no_media_type__manifest),
		cmocka_unit_test(image_oci_index_parse__nested_index__fails),
		cmocka_unit_test(image_oci_index_parse__other_media_type__fails),
		cmocka_unit_test(image_oci_index_parse__bad_digest__fails),
		cmocka_unit_test(image_oci_index_parse__no_manifests__fails),
		cmocka_unit_test(image_oci_index_parse__schema_version__fails),
		cmocka_unit_test(image_oci_index_parse__second_bad__fails_clean),
		cmocka_unit_test(image_oci_index_parse__hostile_json__fails),
		cmocka_unit_test(image_oci_manifest_parse__oci__blobs),
		cmocka_unit_test(image_oci_manifest_parse__docker_v2__blobs),
		cmocka_unit_test(image_oci_manifest_parse__no_media_types__ok),
		cmocka_unit_test(image_oci_manifest_parse__bad_layer_type__fails),
		cmocka_unit_test(image_oci_manifest_parse__long_layer_type__bounded),
		cmocka_unit_test(image_oci_manifest_parse__layer_wrong__fails),
		cmocka_unit_test(image_oci_manifest_parse__65_layers__fails),
		cmocka_unit_test(image_oci_manifest_parse__bad_config__fails),
		cmocka_unit_test(image_oci_manifest_parse__index_media_type__fails),
		cmocka_unit_test(image_oci_manifest_parse__hostile_json__fails),
		cmocka_unit_test(image_user_resolve__empty__root),
		cmocka_unit_test(image_user_resolve__numbers__as_given),
		cmocka_unit_test(image_user_resolve__uid_in_passwd__its_gid),
		cmocka_unit_test(image_user_resolve__uid_not_in_passwd__gid_0),
		cmocka_unit_test(image_user_resolve__name__from_passwd),
		cmocka_unit_test(image_user_resolve__name_group__both_looked_up),
		cmocka_unit_test(image_user_resolve__no_such_user__fails),
		cmocka_unit_test(image_user_resolve__no_such_group__fails),
		cmocka_unit_test(image_user_resolve__no_files__numbers_only),
		cmocka_unit_test(image_user_resolve__bad_syntax__fails),
		cmocka_unit_test(image_user_resolve__hostile_name__bounded),
		cmocka_unit_test(image_user_resolve__garbage_files__skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
