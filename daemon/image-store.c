#include "image-store.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../proto/msg.h"

#define RECORD_MAX (4 * 1024 * 1024)
#define ID_PREFIX "sha256:"
#define ID_PREFIX_MIN 4

void image_free(struct image *img)
{
	if (img == NULL)
		return;
	free(img->id);
	strv_free(img->names);
	strv_free(img->layers);
	image_config_free(&img->config);
	free(img);
}

static char *path_of(const struct image_store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static char *path_of(const struct image_store *s, const char *fmt, ...)
{
	cleanup_free char *rel = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&rel, fmt, ap) < 0)
		abort();
	va_end(ap);
	return xasprintf("%s/%s", s->dir, rel);
}

static const char *id_hex(const struct image *img)
{
	return img->id + strlen(ID_PREFIX);
}

char *image_store_layer_dir(const struct image_store *s, uid_t owner, const char *hex)
{
	return path_of(s, "layers/%u/%s", (unsigned)owner, hex);
}

char *image_store_tmp_dir(const struct image_store *s)
{
	return path_of(s, "tmp");
}

bool image_visible(const struct image *img, uid_t caller)
{
	return caller == 0 || img->owner == caller;
}

/* ---- records ---------------------------------------------------------- */

static char *record_to_json(const struct image *img)
{
	struct json_object *o = json_object_new_object();
	cleanup_free char *config = image_config_to_json(&img->config);
	char *text;

	json_object_object_add(o, "id", json_object_new_string(img->id));
	json_object_object_add(o, "owner", json_object_new_int64(img->owner));
	json_object_object_add(o, "names", proto_strv_to_json((const char *const *)img->names));
	json_object_object_add(o, "layers", proto_strv_to_json((const char *const *)img->layers));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)img->size));
	json_object_object_add(o, "created_ns", json_object_new_int64(img->created_ns));
	json_object_object_add(o, "config", json_object_new_string(config));
	text = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
	return text;
}

static bool hex_valid(const char *s)
{
	size_t n = strlen(s);

	if (n != IMAGE_DIGEST_HEX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int record_fields(struct json_object *o, struct image *img, struct md_err *err)
{
	const char *id = NULL, *config = NULL;
	const char **names = NULL, **layers = NULL;
	size_t nnames = 0, nlayers = 0;
	int64_t owner = -1, size = -1;
	int r = -1;

	img->created_ns = -1;
	if (proto_req_str(o, "id", true, &id, err) < 0 ||
	    proto_req_str(o, "config", true, &config, err) < 0 ||
	    proto_req_int(o, "owner", 0, UINT32_MAX - 1, &owner, err) < 0 ||
	    proto_req_int(o, "size", 0, INT64_MAX, &size, err) < 0 ||
	    proto_req_int(o, "created_ns", 0, INT64_MAX, &img->created_ns, err) < 0 ||
	    proto_req_strv(o, "names", true, &names, &nnames, err) < 0 ||
	    proto_req_strv(o, "layers", true, &layers, &nlayers, err) < 0)
		goto out;
	/* proto_req_int leaves a missing member as it was. */
	if (owner < 0 || size < 0 || img->created_ns < 0) {
		md_err_set(err, 0, "owner, size or created_ns is missing");
		goto out;
	}
	if (!image_digest_valid(id)) {
		md_err_set(err, 0, "invalid id");
		goto out;
	}
	if (nlayers == 0 || nlayers > IMAGE_LAYERS_MAX) {
		md_err_set(err, 0, "invalid layers");
		goto out;
	}
	for (size_t i = 0; i < nlayers; i++)
		if (!hex_valid(layers[i])) {
			md_err_set(err, 0, "invalid layer digest");
			goto out;
		}
	if (image_config_parse(config, strlen(config), &img->config, err) < 0)
		goto out;
	img->id = xstrdup(id);
	img->owner = (uid_t)owner;
	img->size = (uint64_t)size;
	img->names = strv_copy(names, nnames);
	img->layers = strv_copy(layers, nlayers);
	r = 0;
out:
	free(names);
	free(layers);
	return r;
}

static struct image *record_load(const struct image_store *s, const char *file,
				 struct md_err *err)
{
	cleanup_free char *path = path_of(s, "db/%s", file);
	cleanup_free char *text = NULL;
	struct json_object *o;
	struct image *img;

	if (file_read_all(path, RECORD_MAX, &text, NULL, err) < 0)
		return NULL;
	o = json_tokener_parse(text);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		md_err_set(err, 0, "%s: not a JSON object", path);
		return NULL;
	}
	img = xcalloc(1, sizeof(*img));
	if (record_fields(o, img, err) < 0) {
		json_object_put(o);
		image_free(img);
		md_err_prefix(err, "%s", path);
		return NULL;
	}
	json_object_put(o);
	return img;
}

static int record_save(const struct image_store *s, const struct image *img, struct md_err *err)
{
	cleanup_free char *path = path_of(s, "db/%u-%s.json", (unsigned)img->owner, id_hex(img));
	cleanup_free char *text = record_to_json(img);

	return file_write_atomic(path, text, strlen(text), 0600, err);
}

static int record_delete(const struct image_store *s, const struct image *img,
			 struct md_err *err)
{
	cleanup_free char *path = path_of(s, "db/%u-%s.json", (unsigned)img->owner, id_hex(img));

	if (unlink(path) < 0 && errno != ENOENT)
		return md_err_set(err, errno, "remove %s", path);
	return 0;
}

/* ---- opening ---------------------------------------------------------- */

static void load_records(struct image_store *s)
{
	cleanup_free char *db = path_of(s, "db");
	DIR *d = opendir(db);
	struct dirent *e;

	if (d == NULL) {
		log_warn("open %s: %s", db, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		struct md_err err;
		struct image *img;
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		img = record_load(s, e->d_name, &err);
		if (img == NULL) {
			log_warn("image record left out: %s", err.msg);
			continue;
		}
		s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
		s->v[s->n++] = img;
	}
	closedir(d);
}

static bool layer_used(const struct image_store *s, uid_t owner, const char *hex)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i]->owner != owner)
			continue;
		for (char **l = s->v[i]->layers; *l != NULL; l++)
			if (strcmp(*l, hex) == 0)
				return true;
	}
	return false;
}

/* Move a directory to the trash under a unique name. */
static int to_trash(const struct image_store *s, const char *path, struct md_err *err)
{
	static unsigned seq;
	cleanup_free char *dest = path_of(s, "trash/%d-%u-%lld", (int)getpid(), seq++,
					  (long long)time_now_ns());

	if (rename(path, dest) < 0 && errno != ENOENT)
		return md_err_set(err, errno, "move %s to the trash", path);
	return 0;
}

/* Layers left by a worker whose image was never recorded (the daemon
 * stopped in between), or by a failed removal. */
static void drop_unused_layers(struct image_store *s)
{
	cleanup_free char *layers = path_of(s, "layers");
	DIR *d = opendir(layers), *ud;
	struct dirent *e, *l;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		unsigned long long uid;
		cleanup_free char *udir = NULL;

		if (parse_uint(e->d_name, UINT32_MAX - 1, &uid) < 0)
			continue;
		udir = xasprintf("%s/%s", layers, e->d_name);
		ud = opendir(udir);
		if (ud == NULL)
			continue;
		while ((l = readdir(ud)) != NULL) {
			cleanup_free char *path = NULL;
			struct md_err err;

			if (l->d_name[0] == '.' || layer_used(s, (uid_t)uid, l->d_name))
				continue;
			path = xasprintf("%s/%s", udir, l->d_name);
			log_info("removing unused layer %s", path);
			if (to_trash(s, path, &err) < 0)
				log_warn("%s", err.msg);
		}
		closedir(ud);
	}
	closedir(d);
}

int image_store_open(struct image_store *s, const char *root, struct md_err *err)
{
	static const char *const subdirs[] = { "db", "layers", "tmp", "trash" };

	memset(s, 0, sizeof(*s));
	s->dir = xasprintf("%s/%s", root, IMAGE_STORE_DIR);
	if (dir_ensure(s->dir, 0700, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		cleanup_free char *p = path_of(s, "%s", subdirs[i]);

		if (dir_ensure(p, 0700, err) < 0)
			return -1;
	}
	/* A worker's scratch outlives only a crash: nothing there is wanted. */
	{
		cleanup_free char *tmp = path_of(s, "tmp");

		if (to_trash(s, tmp, err) < 0 || dir_ensure(tmp, 0700, err) < 0)
			return -1;
	}
	load_records(s);
	drop_unused_layers(s);
	return 0;
}

void image_store_close(struct image_store *s)
{
	for (size_t i = 0; i < s->n; i++)
		image_free(s->v[i]);
	free(s->v);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

/* ---- lookup ----------------------------------------------------------- */

static bool has_name(const struct image *img, const char *name)
{
	for (char **n = img->names; *n != NULL; n++)
		if (strcmp(*n, name) == 0)
			return true;
	return false;
}

/* Root may see one ID twice (loaded by two users): its own wins. */
static struct image *find_by_id(struct image_store *s, const char *ref, uid_t caller,
				struct md_err *err)
{
	const char *hex = strncmp(ref, ID_PREFIX, strlen(ID_PREFIX)) == 0 ? ref + strlen(ID_PREFIX)
									     : ref;
	size_t len = strlen(hex), nall = 0, nown = 0;
	struct image *any = NULL, *own = NULL;

	if (len < ID_PREFIX_MIN || len > IMAGE_DIGEST_HEX)
		return NULL;
	for (size_t i = 0; i < len; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
			return NULL;
	for (size_t i = 0; i < s->n; i++) {
		struct image *img = s->v[i];

		if (!image_visible(img, caller) || strncmp(id_hex(img), hex, len) != 0)
			continue;
		nall++;
		any = img;
		if (img->owner == caller) {
			nown++;
			own = img;
		}
	}
	if (nall == 1)
		return any;
	if (nown == 1)
		return own;
	if (nall > 1)
		md_err_set(err, 0, "image ID %.64s is ambiguous", ref);
	return NULL;
}

struct image *image_store_find(struct image_store *s, const char *ref, uid_t caller,
			       struct md_err *err)
{
	cleanup_free char *name = NULL;
	struct image *img;
	struct md_err why;

	md_err_clear(err);
	if (image_ref_normalize(ref, &name, &why) == 0) {
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i]->owner == caller && has_name(s->v[i], name))
				return s->v[i];
	}
	img = find_by_id(s, ref, caller, err);
	if (img == NULL && err->msg[0] == '\0')
		md_err_set(err, 0, "no such image: %.128s", ref);
	return img;
}

/* ---- changes ---------------------------------------------------------- */

static void names_remove(struct image *img, const char *name)
{
	size_t k = 0;

	for (size_t i = 0; img->names[i] != NULL; i++) {
		if (strcmp(img->names[i], name) == 0)
			free(img->names[i]);
		else
			img->names[k++] = img->names[i];
	}
	img->names[k] = NULL;
}

static void names_add(struct image *img, const char *name)
{
	size_t n = strv_count(img->names);

	if (has_name(img, name))
		return;
	img->names = xrealloc(img->names, (n + 2) * sizeof(char *));
	img->names[n] = xstrdup(name);
	img->names[n + 1] = NULL;
}

/* Take img's names off the owner's other images, as a new `docker load`
 * or `import` of a name leaves the old image untagged. */
static int names_claim(struct image_store *s, const struct image *img, struct md_err *err)
{
	for (size_t i = 0; i < s->n; i++) {
		struct image *o = s->v[i];
		bool changed = false;

		if (o == img || o->owner != img->owner)
			continue;
		for (char **n = img->names; *n != NULL; n++) {
			if (has_name(o, *n)) {
				names_remove(o, *n);
				changed = true;
			}
		}
		if (changed && record_save(s, o, err) < 0)
			return -1;
	}
	return 0;
}

struct image *image_store_add(struct image_store *s, struct image *img, struct md_err *err)
{
	struct image *have = NULL;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->owner == img->owner && strcmp(s->v[i]->id, img->id) == 0)
			have = s->v[i];
	if (have != NULL) {
		for (char **n = img->names; *n != NULL; n++)
			names_add(have, *n);
		image_free(img);
		img = have;
	} else {
		s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
		s->v[s->n++] = img;
	}
	if (names_claim(s, img, err) < 0 || record_save(s, img, err) < 0)
		return NULL;
	return img;
}

int image_store_untag(struct image_store *s, struct image *img, const char *name,
		      struct md_err *err)
{
	names_remove(img, name);
	return record_save(s, img, err);
}

int image_store_remove(struct image_store *s, struct image *img, struct md_err *err)
{
	size_t i;

	if (record_delete(s, img, err) < 0)
		return -1;
	for (i = 0; i < s->n && s->v[i] != img; i++)
		;
	if (i < s->n)
		s->v[i] = s->v[--s->n];
	for (char **l = img->layers; *l != NULL; l++) {
		cleanup_free char *dir = NULL;

		if (layer_used(s, img->owner, *l))
			continue;
		dir = image_store_layer_dir(s, img->owner, *l);
		if (to_trash(s, dir, err) < 0)
			log_warn("%s", err->msg);
	}
	image_free(img);
	md_err_clear(err);
	return 0;
}

int image_store_discard(const struct image_store *s, const char *path, struct md_err *err)
{
	return to_trash(s, path, err);
}

bool image_store_has_trash(const struct image_store *s)
{
	cleanup_free char *trash = path_of(s, "trash");
	DIR *d = opendir(trash);
	struct dirent *e;
	bool any = false;

	if (d == NULL)
		return false;
	while (!any && (e = readdir(d)) != NULL)
		any = e->d_name[0] != '.';
	closedir(d);
	return any;
}

void image_store_empty_trash(const char *store_dir)
{
	cleanup_free char *trash = xasprintf("%s/trash", store_dir);
	DIR *d = opendir(trash);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *path = NULL;
		struct md_err err;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", trash, e->d_name);
		if (dir_remove_tree(path, &err) < 0)
			log_warn("%s", err.msg);
	}
	closedir(d);
}
