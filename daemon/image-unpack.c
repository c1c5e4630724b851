#include "image-unpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "digest.h"
#include "image-spec.h"
#include "layer-extract.h"

/* manifest.json, index.json, configs: small documents. */
#define DOC_MAX (4 * 1024 * 1024)

/* One image found in an archive, verified. */
struct found {
	char id[7 + DIGEST_HEX_LEN + 1];
	char **names;
	size_t nlayers;
	char layers[IMAGE_LAYERS_MAX][DIGEST_HEX_LEN + 1];
	char *blob_paths[IMAGE_LAYERS_MAX]; /* load: where each layer is in the archive */
	char *config;                       /* as image_config_to_json writes it */
};

struct unpack {
	const struct unpack_req *req;
	uint64_t unpacked;    /* file data written so far, against req->max_bytes */
	struct md_err err;
	char *scratch;        /* store/tmp/XXXXXX */
	int scratch_fd;
	struct found *images;
	size_t nimages;
};

static void found_free(struct found *f)
{
	for (char **n = f->names; n != NULL && *n != NULL; n++)
		free(*n);
	free(f->names);
	for (size_t i = 0; i < f->nlayers; i++)
		free(f->blob_paths[i]);
	free(f->config);
}

static struct found *found_add(struct unpack *u)
{
	u->images = xrealloc(u->images, (u->nimages + 1) * sizeof(*u->images));
	memset(&u->images[u->nimages], 0, sizeof(*u->images));
	return &u->images[u->nimages++];
}

char *image_unpack_scratch(const char *store_dir, pid_t worker)
{
	return xasprintf("%s/tmp/unpack-%d", store_dir, (int)worker);
}

static int make_scratch(struct unpack *u)
{
	/* Named by the worker's pid: if it is killed, the daemon knows what
	 * it left (image_unpack_scratch). */
	u->scratch = image_unpack_scratch(u->req->store_dir, getpid());
	if (mkdir(u->scratch, 0700) < 0) {
		free(u->scratch);
		u->scratch = NULL;
		return md_err_set(&u->err, errno, "make scratch directory");
	}
	u->scratch_fd = open(u->scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->scratch_fd < 0)
		return md_err_set(&u->err, errno, "open scratch directory");
	return 0;
}

static void unpack_cleanup(struct unpack *u)
{
	struct md_err e;

	if (u->scratch_fd >= 0)
		close(u->scratch_fd);
	if (u->scratch != NULL)
		dir_remove_tree(u->scratch, &e);
	free(u->scratch);
	for (size_t i = 0; i < u->nimages; i++)
		found_free(&u->images[i]);
	free(u->images);
}

/* A file of the unpacked archive, by a path the archive's documents gave:
 * beneath dirfd, through no symlink, a regular file. */
static int open_beneath(int dirfd, const char *path, struct md_err *err)
{
	struct open_how how = {
		/* O_NONBLOCK: a FIFO in the archive must not hang the worker. */
		.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
			   RESOLVE_NO_XDEV,
	};
	struct stat st;
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	if (fd < 0)
		return md_err_set(err, errno, "%.128s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return md_err_set(err, 0, "%.128s: not a regular file", path);
	}
	if (fd_set_nonblock(fd, false) < 0) {
		close(fd);
		return md_err_set(err, errno, "%.128s", path);
	}
	return fd;
}

static int read_doc(int dirfd, const char *path, char **text, size_t *len, struct md_err *err)
{
	cleanup_close int fd = open_beneath(dirfd, path, err);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return md_err_set(err, errno, "%.128s", path);
	if (st.st_size > DOC_MAX)
		return md_err_set(err, 0, "%.128s: larger than %d bytes", path, DOC_MAX);
	*text = xmalloc((size_t)st.st_size + 1);
	*len = 0;
	while ((n = read(fd, *text + *len, (size_t)st.st_size - *len)) > 0)
		*len += (size_t)n;
	if (n < 0) {
		free(*text);
		return md_err_set(err, errno, "read %.128s", path);
	}
	(*text)[*len] = '\0';
	return 0;
}

/* ---- unpacking layers ------------------------------------------------- */

/* What is left of the job's budget for one more archive. */
static uint64_t budget_left(const struct unpack *u)
{
	return u->req->max_bytes > u->unpacked ? u->req->max_bytes - u->unpacked : 1;
}

static struct extract_opts extract_opts_for(const struct unpack *u)
{
	struct extract_opts o = {
		.privileged = u->req->owner == 0,
		.map_uid = u->req->owner,
		.map_gid = u->req->owner_gid,
		.overlay_whiteouts = true,
		.max_bytes = budget_left(u),
	};

	return o;
}

/* An empty directory in the scratch space owned as the layer will be. */
static int scratch_dir(struct unpack *u, const char *name, uid_t uid, gid_t gid)
{
	int fd;

	if (mkdirat(u->scratch_fd, name, 0755) < 0)
		return md_err_set(&u->err, errno, "mkdir %s", name);
	fd = openat(u->scratch_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return md_err_set(&u->err, errno, "open %s", name);
	if (fchown(fd, uid, gid) < 0) {
		close(fd);
		return md_err_set(&u->err, errno, "chown %s", name);
	}
	return fd;
}

static char *layer_path(const struct unpack_req *r, const char *hex)
{
	return xasprintf("%s/layers/%u/%s", r->store_dir, (unsigned)r->owner, hex);
}

static bool layer_present(const struct unpack_req *r, const char *hex)
{
	cleanup_free char *path = layer_path(r, hex);

	return access(path, F_OK) == 0;
}

/* Move scratch/L-HEX into the store, unless a layer of that digest is
 * there already (then ours is dropped with the scratch space). */
static int layer_install(struct unpack *u, const char *hex)
{
	cleanup_free char *dir = xasprintf("%s/layers/%u", u->req->store_dir, (unsigned)u->req->owner);
	cleanup_free char *dest = layer_path(u->req, hex);
	cleanup_free char *name = xasprintf("L-%s", hex);

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return md_err_set(&u->err, errno, "mkdir %s", dir);
	if (renameat(u->scratch_fd, name, AT_FDCWD, dest) < 0 && errno != EEXIST &&
	    errno != ENOTEMPTY && errno != ENOENT)
		return md_err_set(&u->err, errno, "move layer into %s", dest);
	return 0;
}

/* Unpack the layer tar read from fd into scratch/L-HEX; with d, everything
 * read from fd is digested too. */
static int layer_unpack(struct unpack *u, int fd, const char *name, struct digest *d)
{
	struct extract_opts o = extract_opts_for(u);
	cleanup_close int dirfd = scratch_dir(u, name, o.privileged ? 0 : o.map_uid,
					      o.privileged ? 0 : o.map_gid);
	struct extract_stats st = { 0 };

	if (dirfd < 0)
		return -1;
	o.on_read = d ? digest_on_read : NULL;
	o.on_read_arg = d;
	if (layer_extract(fd, dirfd, &o, &st, &u->err) < 0)
		return -1;
	u->unpacked += st.bytes;
	return 0;
}

/* Bytes of the files of a layer: the SIZE `images` shows. */
static uint64_t tree_size(int dir)
{
	DIR *d;
	struct dirent *e;
	uint64_t total = 0;
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0) {
				total += tree_size(sub);
				close(sub);
			}
		} else {
			total += (uint64_t)st.st_size;
		}
	}
	closedir(d);
	return total;
}

static uint64_t image_size(const struct unpack_req *r, const struct found *f)
{
	uint64_t total = 0;

	for (size_t i = 0; i < f->nlayers; i++) {
		cleanup_free char *path = layer_path(r, f->layers[i]);
		cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0)
			total += tree_size(fd);
	}
	return total;
}

/* ---- results ---------------------------------------------------------- */

static struct json_object *result_error(struct md_err *err, const char *what)
{
	md_err_prefix(err, "%s", what);
	err->status = MD_STATUS_REFUSED;
	return proto_msg_error(err);
}

static struct json_object *result_images(struct unpack *u)
{
	struct json_object *o = proto_msg_new("unpacked"), *v = json_object_new_array();

	for (size_t i = 0; i < u->nimages; i++) {
		struct found *f = &u->images[i];
		struct json_object *img = json_object_new_object(), *layers = json_object_new_array();

		for (size_t k = 0; k < f->nlayers; k++)
			json_object_array_add(layers, json_object_new_string(f->layers[k]));
		json_object_object_add(img, "id", json_object_new_string(f->id));
		json_object_object_add(img, "names",
				       proto_strv_to_json((const char *const *)f->names));
		json_object_object_add(img, "layers", layers);
		json_object_object_add(img, "size",
				       json_object_new_int64((int64_t)image_size(u->req, f)));
		json_object_object_add(img, "config", json_object_new_string(f->config));
		json_object_array_add(v, img);
	}
	json_object_object_add(o, "images", v);
	return o;
}

/* ---- import ----------------------------------------------------------- */

static int import_config(struct found *f, const char *hex)
{
	struct image_config c = { 0 };
	char idhex[DIGEST_HEX_LEN + 1];

	c.created_ns = time_now_ns();
	c.diff_ids = xcalloc(2, sizeof(char *));
	c.diff_ids[0] = xasprintf("sha256:%s", hex);
	f->config = image_config_to_json(&c);
	image_config_free(&c);
	digest_buf(f->config, strlen(f->config), idhex);
	snprintf(f->id, sizeof(f->id), "sha256:%s", idhex);
	return 0;
}

struct json_object *image_unpack_import(void *arg, const int *fds)
{
	struct unpack u = { .req = arg, .scratch_fd = -1 };
	struct digest *d = digest_new();
	struct found *f;
	char hex[DIGEST_HEX_LEN + 1];
	struct json_object *result;
	int r;

	md_err_clear(&u.err);
	if (make_scratch(&u) < 0) {
		digest_finish(d, hex);
		goto fail;
	}
	/* The layer is named by the digest of the stream as given, known
	 * only at its end: unpack under a temporary name first. */
	r = layer_unpack(&u, fds[0], "import", d);
	digest_finish(d, hex);
	if (r < 0)
		goto fail;
	if (!layer_present(u.req, hex)) {
		cleanup_free char *name = xasprintf("L-%s", hex);

		if (renameat(u.scratch_fd, "import", u.scratch_fd, name) < 0) {
			md_err_set(&u.err, errno, "rename layer");
			goto fail;
		}
		if (layer_install(&u, hex) < 0)
			goto fail;
	}
	f = found_add(&u);
	f->nlayers = 1;
	memcpy(f->layers[0], hex, sizeof(hex));
	f->names = xcalloc(2, sizeof(char *));
	f->names[0] = xstrdup(u.req->name);
	import_config(f, hex);
	result = result_images(&u);
	unpack_cleanup(&u);
	return result;
fail:
	result = result_error(&u.err, "cannot import");
	unpack_cleanup(&u);
	return result;
}

/* ---- load ------------------------------------------------------------- */

/* The manifests of an archive: docker save's manifest.json, else an OCI
 * layout's index.json and the manifests it points to. */
static int archive_manifests(struct unpack *u, int arch, struct image_manifest **out, size_t *n)
{
	cleanup_free char *text = NULL;
	struct oci_index_entry *idx = NULL;
	size_t len, nidx = 0;

	if (read_doc(arch, "manifest.json", &text, &len, &u->err) == 0)
		return image_docker_manifest_parse(text, len, out, n, &u->err);
	if (u->err.errnum != ENOENT)
		return -1;
	if (read_doc(arch, "index.json", &text, &len, &u->err) < 0) {
		if (u->err.errnum == ENOENT)
			md_err_set(&u->err, 0, "not an image archive: no manifest.json (docker save) "
				   "or index.json (OCI layout)");
		return -1;
	}
	if (image_oci_index_parse(text, len, &idx, &nidx, &u->err) < 0)
		return -1;
	*out = xcalloc(nidx, sizeof(**out));
	*n = 0;
	for (size_t i = 0; i < nidx; i++, (*n)++) {
		cleanup_free char *path = xasprintf("blobs/sha256/%s", idx[i].digest + 7);
		cleanup_free char *doc = NULL;
		char hex[DIGEST_HEX_LEN + 1];
		size_t dlen;

		if (read_doc(arch, path, &doc, &dlen, &u->err) < 0)
			goto fail;
		digest_buf(doc, dlen, hex);
		if (strcmp(hex, idx[i].digest + 7) != 0) {
			md_err_set(&u->err, 0, "manifest %.80s: digest mismatch", idx[i].digest);
			goto fail;
		}
		if (image_oci_manifest_parse(doc, dlen, &(*out)[i], &u->err) < 0)
			goto fail;
		(*out)[i].names = idx[i].names;
		idx[i].names = NULL;
	}
	image_oci_index_free(idx, nidx);
	return 0;
fail:
	(*n)++; /* the one that failed is freed with the rest */
	image_oci_index_free(idx, nidx);
	image_manifests_free(*out, *n);
	*out = NULL;
	return -1;
}

static int verify_blob(struct unpack *u, int arch, const char *path, const char *want, char *hex)
{
	cleanup_close int fd = open_beneath(arch, path, &u->err);

	if (fd < 0 || digest_fd(fd, hex, &u->err) < 0)
		return md_err_prefix(&u->err, "layer");
	if (want == NULL)
		return md_err_set(&u->err, 0, "layer %.128s: no digest to verify it against", path);
	if (strcmp(want + 7, hex) != 0)
		return md_err_set(&u->err, 0, "layer %.128s: digest mismatch: the archive says %.80s, "
				  "its content is sha256:%s", path, want, hex);
	return 0;
}

/* Check one manifest's config and layers against their digests. */
static int verify_image(struct unpack *u, int arch, struct image_manifest *m)
{
	cleanup_free char *text = NULL;
	struct image_config c = { 0 };
	struct found *f;
	char hex[DIGEST_HEX_LEN + 1];
	size_t len, ndiff = 0;
	int r = -1;

	if (read_doc(arch, m->config_path, &text, &len, &u->err) < 0)
		return md_err_prefix(&u->err, "config");
	digest_buf(text, len, hex);
	if (m->config_digest != NULL && strcmp(m->config_digest + 7, hex) != 0)
		return md_err_set(&u->err, 0, "config %.128s: digest mismatch", m->config_path);
	if (image_config_parse(text, len, &c, &u->err) < 0)
		return md_err_prefix(&u->err, "config %.128s", m->config_path);
	while (c.diff_ids[ndiff] != NULL)
		ndiff++;
	if (m->nlayers == 0 || (ndiff != 0 && ndiff != m->nlayers)) {
		md_err_set(&u->err, 0, "config %.128s: %zu layers in its rootfs, %zu in the manifest",
			   m->config_path, ndiff, m->nlayers);
		goto out;
	}
	f = found_add(u);
	snprintf(f->id, sizeof(f->id), "sha256:%s", hex);
	f->names = m->names;
	m->names = NULL;
	if (f->names == NULL)
		f->names = xcalloc(1, sizeof(char *));
	f->config = image_config_to_json(&c);
	for (size_t i = 0; i < m->nlayers; i++, f->nlayers++) {
		const char *want = m->layer_digests[i] ? m->layer_digests[i]
						       : (ndiff ? c.diff_ids[i] : NULL);

		f->blob_paths[i] = xstrdup(m->layer_paths[i]);
		if (verify_blob(u, arch, m->layer_paths[i], want, f->layers[i]) < 0) {
			f->nlayers++;
			goto out;
		}
	}
	r = 0;
out:
	image_config_free(&c);
	return r;
}

/* Unpack each layer not in the store yet (once, if images share it). */
static int unpack_new_layers(struct unpack *u, int arch)
{
	for (size_t i = 0; i < u->nimages; i++) {
		struct found *f = &u->images[i];

		for (size_t k = 0; k < f->nlayers; k++) {
			cleanup_free char *name = xasprintf("L-%s", f->layers[k]);
			cleanup_close int fd = -1;
			struct stat st;

			if (layer_present(u->req, f->layers[k]) ||
			    fstatat(u->scratch_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
				continue;
			fd = open_beneath(arch, f->blob_paths[k], &u->err);
			if (fd < 0 || layer_unpack(u, fd, name, NULL) < 0)
				return md_err_prefix(&u->err, "layer %.128s", f->blob_paths[k]);
		}
	}
	for (size_t i = 0; i < u->nimages; i++)
		for (size_t k = 0; k < u->images[i].nlayers; k++)
			if (layer_install(u, u->images[i].layers[k]) < 0)
				return -1;
	return 0;
}

struct json_object *image_unpack_load(void *arg, const int *fds)
{
	struct unpack u = { .req = arg, .scratch_fd = -1 };
	/* The outer archive holds only documents and blobs: unpacked as
	 * plain files of root's, no devices, no set-id bits. */
	struct extract_opts outer = { .privileged = false, .max_bytes = u.req->max_bytes };
	struct extract_stats outer_st = { 0 };
	struct image_manifest *m = NULL;
	struct json_object *result;
	cleanup_close int arch = -1;
	size_t n = 0;

	md_err_clear(&u.err);
	if (make_scratch(&u) < 0 || (arch = scratch_dir(&u, "archive", 0, 0)) < 0 ||
	    layer_extract(fds[0], arch, &outer, &outer_st, &u.err) < 0)
		goto fail;
	/* The unpacked archive is on disk until the end too: one budget. */
	u.unpacked = outer_st.bytes;
	if (archive_manifests(&u, arch, &m, &n) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (verify_image(&u, arch, &m[i]) < 0)
			goto fail;
	/* Every digest checked: only now does anything reach the store. */
	if (unpack_new_layers(&u, arch) < 0)
		goto fail;
	image_manifests_free(m, n);
	result = result_images(&u);
	unpack_cleanup(&u);
	return result;
fail:
	image_manifests_free(m, n);
	result = result_error(&u.err, "cannot load");
	unpack_cleanup(&u);
	return result;
}
