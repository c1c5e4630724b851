/* Unit tests for daemon/image-store.c: the image store under a mkdtemp
 * root. Lookup by NAME[:TAG] (among the caller's own images only), by full
 * ID, bare hex and a unique prefix of at least 4 digits (among the images
 * the caller may see); names moving between one owner's images, never
 * across owners; untag and remove (a layer another image of the owner
 * still uses stays, the rest goes to the trash); and what open does with
 * what it finds on disk: records come back field for field, a broken
 * record is left out without failing the open, unused layers and the
 * workers' scratch go to the trash. No root needed: no ownership is set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../common/err.h"
#include "../../common/log.h"
#include "../../common/util.h"
#include "../../daemon/image-store.h"

/* Two IDs share the prefix "1234"; C and D are unique from their first digit. */
#define ID_A "1234aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "1234bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define ID_C "cccc0000cccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define ID_D "dddd0000dddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
#define L1 "1111111111111111111111111111111111111111111111111111111111111111"
#define L2 "2222222222222222222222222222222222222222222222222222222222222222"
#define L3 "3333333333333333333333333333333333333333333333333333333333333333"
#define L4 "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

#define USER 4242
#define OTHER 4343

#define V(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

struct fx {
	char base[64];
	char *dir;   /* base/images */
	struct image_store s;
	bool open;
	struct md_err err;
};

/* ---- helpers ---- */

static char **strv_dup(const char *const *v)
{
	size_t n = 0;
	char **r;

	while (v[n] != NULL)
		n++;
	r = xcalloc(n + 1, sizeof(*r));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

/* An image as a worker would hand it over: config empty but valid. */
static struct image *img_new(const char *hex, uid_t owner, const char *const *names,
			     const char *const *layers)
{
	struct image *img = xcalloc(1, sizeof(*img));

	img->id = xasprintf("sha256:%s", hex);
	img->owner = owner;
	img->names = strv_dup(names);
	img->layers = strv_dup(layers);
	img->size = 1000;
	img->created_ns = 1700000000000000000LL;
	img->config.diff_ids = xcalloc(1, sizeof(char *));
	return img;
}

static struct image *add(struct fx *fx, struct image *img)
{
	struct image *r;

	md_err_clear(&fx->err);
	r = image_store_add(&fx->s, img, &fx->err);
	if (r == NULL)
		fail_msg("image_store_add: %s", fx->err.msg);
	return r;
}

static struct image *add_new(struct fx *fx, const char *hex, uid_t owner,
			     const char *const *names, const char *const *layers)
{
	return add(fx, img_new(hex, owner, names, layers));
}

static struct image *find(struct fx *fx, const char *ref, uid_t caller)
{
	return image_store_find(&fx->s, ref, caller, &fx->err);
}

static void store_open(struct fx *fx)
{
	assert_false(fx->open);
	md_err_clear(&fx->err);
	if (image_store_open(&fx->s, fx->base, &fx->err) < 0)
		fail_msg("image_store_open: %s", fx->err.msg);
	fx->open = true;
}

static void store_close(struct fx *fx)
{
	assert_true(fx->open);
	image_store_close(&fx->s);
	fx->open = false;
}

static void reopen(struct fx *fx)
{
	store_close(fx);
	store_open(fx);
}

static char *path(struct fx *fx, const char *rel)
{
	return xasprintf("%s/%s", fx->dir, rel);
}

static bool exists(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0;
}

static bool rel_exists(struct fx *fx, const char *rel)
{
	cleanup_free char *p = path(fx, rel);

	return exists(p);
}

static void file_put(const char *p, const char *text)
{
	struct md_err err;

	if (file_write_atomic(p, text, strlen(text), 0600, &err) < 0)
		fail_msg("%s", err.msg);
}

static void mkdir_p(const char *p)
{
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

/* layers/UID/HEX with a marker file m-UID-HEX in it, as a worker leaves a layer. */
static void layer_make(struct fx *fx, uid_t owner, const char *hex)
{
	cleanup_free char *udir = xasprintf("%s/layers/%u", fx->dir, (unsigned)owner);
	cleanup_free char *ldir = xasprintf("%s/%s", udir, hex);
	cleanup_free char *marker = xasprintf("%s/m-%u-%s", ldir, (unsigned)owner, hex);

	mkdir_p(udir);
	mkdir_p(ldir);
	file_put(marker, "layer\n");
}

static bool layer_exists(struct fx *fx, uid_t owner, const char *hex)
{
	cleanup_free char *ldir = image_store_layer_dir(&fx->s, owner, hex);
	cleanup_free char *marker = xasprintf("%s/m-%u-%s", ldir, (unsigned)owner, hex);

	return exists(marker);
}

/* Entries of the trash (names not starting with '.'). */
static size_t trash_count(struct fx *fx)
{
	cleanup_free char *trash = path(fx, "trash");
	DIR *d = opendir(trash);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Whether some trash/ENTRY/rel exists. */
static bool trash_has(struct fx *fx, const char *rel)
{
	cleanup_free char *trash = path(fx, "trash");
	DIR *d = opendir(trash);
	struct dirent *e;
	bool found = false;

	assert_non_null(d);
	while (!found && (e = readdir(d)) != NULL) {
		cleanup_free char *p = NULL;

		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s/%s", trash, e->d_name, rel);
		found = exists(p);
	}
	closedir(d);
	return found;
}

static bool trash_has_layer(struct fx *fx, uid_t owner, const char *hex)
{
	cleanup_free char *marker = xasprintf("m-%u-%s", (unsigned)owner, hex);

	return trash_has(fx, marker);
}

static void assert_strv(char *const *got, const char *const *want)
{
	size_t i;

	assert_non_null(got);
	for (i = 0; want[i] != NULL; i++) {
		if (got[i] == NULL)
			fail_msg("[%zu]: missing, want \"%s\"", i, want[i]);
		if (strcmp(got[i], want[i]) != 0)
			fail_msg("[%zu]: \"%s\", want \"%s\"", i, got[i], want[i]);
	}
	if (got[i] != NULL)
		fail_msg("[%zu]: extra \"%s\"", i, got[i]);
}

static void assert_not_found(struct fx *fx, const char *ref, uid_t caller)
{
	cleanup_free char *want = xasprintf("no such image: %s", ref);

	assert_null(find(fx, ref, caller));
	assert_string_equal(fx->err.msg, want);
}

static void assert_found(struct fx *fx, const char *ref, uid_t caller, const char *hex)
{
	struct image *img = find(fx, ref, caller);

	if (img == NULL)
		fail_msg("find \"%s\" as %u: %s", ref, (unsigned)caller, fx->err.msg);
	assert_string_equal(img->id + strlen("sha256:"), hex);
	assert_string_equal(fx->err.msg, "");
}

/* ---- fixture ---- */

static int fx_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->base, sizeof(fx->base), "/tmp/md-imgstore-XXXXXX");
	assert_non_null(mkdtemp(fx->base));
	fx->dir = xasprintf("%s/images", fx->base);
	store_open(fx);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	if (fx->open)
		image_store_close(&fx->s);
	assert_int_equal(dir_remove_tree(fx->base, &err), 0);
	free(fx->dir);
	free(fx);
	return 0;
}

/* ---- open, paths ---- */

static void image_store_open__empty_root__layout_made(void **state)
{
	struct fx *fx = *state;
	static const char *const subdirs[] = { "db", "layers", "tmp", "trash" };
	struct stat sb;

	assert_string_equal(fx->s.dir, fx->dir);
	assert_int_equal(fx->s.n, 0);
	assert_int_equal(stat(fx->dir, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		cleanup_free char *p = path(fx, subdirs[i]);

		assert_int_equal(stat(p, &sb), 0);
		assert_true(S_ISDIR(sb.st_mode));
		assert_int_equal(sb.st_mode & 07777, 0700);
	}
	assert_null(find(fx, "busybox", 0));
	assert_string_equal(fx->err.msg, "no such image: busybox");
}

static void image_store_paths__layer_and_tmp__under_store(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *layer = image_store_layer_dir(&fx->s, USER, L1);
	cleanup_free char *tmp = image_store_tmp_dir(&fx->s);
	cleanup_free char *want_layer = xasprintf("%s/layers/4242/%s", fx->dir, L1);
	cleanup_free char *want_tmp = xasprintf("%s/tmp", fx->dir);

	assert_string_equal(layer, want_layer);
	assert_string_equal(tmp, want_tmp);
}

static void image_store_open__root_is_a_file__error(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *file = xasprintf("%s/file", fx->base);
	struct image_store s;
	struct md_err err;

	file_put(file, "x");
	md_err_clear(&err);
	assert_int_equal(image_store_open(&s, file, &err), -1);
	assert_non_null(strstr(err.msg, "mkdir "));
	assert_non_null(strstr(err.msg, "/file/images"));
	image_store_close(&s); /* frees what the failed open allocated */
}

/* ---- find ---- */

static void image_store_find__name_tag__found(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, USER, V("busybox:1.36", "busybox:latest"), V(L1));
	add_new(fx, ID_C, USER, V("debian:12"), V(L2));
	assert_found(fx, "busybox:1.36", USER, ID_A);
	assert_found(fx, "busybox:latest", USER, ID_A);
	assert_found(fx, "debian:12", USER, ID_C);
	assert_not_found(fx, "debian:11", USER);
	assert_not_found(fx, "debian", USER); /* debian:latest */
}

static void image_store_find__bare_name__latest(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, USER, V("busybox:latest"), V(L1));
	add_new(fx, ID_C, USER, V("alpine:3"), V(L2));
	assert_found(fx, "busybox", USER, ID_A);
	assert_not_found(fx, "alpine", USER);
}

static void image_store_find__full_id__found(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, USER, NONE, V(L1));
	add_new(fx, ID_B, USER, NONE, V(L2));
	assert_found(fx, "sha256:" ID_A, USER, ID_A);
	assert_found(fx, "sha256:" ID_B, USER, ID_B);
}

static void image_store_find__bare_hex__found(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, USER, NONE, V(L1));
	add_new(fx, ID_B, USER, NONE, V(L2));
	assert_found(fx, ID_A, USER, ID_A);
	assert_found(fx, ID_B, USER, ID_B);
}

static void image_store_find__unique_prefix__found(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, USER, NONE, V(L1));
	add_new(fx, ID_B, USER, NONE, V(L2));
	add_new(fx, ID_C, USER, NONE, V(L3));
	assert_found(fx, "cccc", USER, ID_C);     /* 4 digits: the minimum */
	assert_found(fx, "1234a", USER, ID_A);
	assert_found(fx, "1234bbbbbbbb", USER, ID_B); /* 12: what `images` shows */
	assert_found(fx, "sha256:1234a", USER, ID_A);
}

static void image_store_find__three_digit_prefix__not_found(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_C, USER, NONE, V(L1));
	assert_not_found(fx, "ccc", USER);
	assert_not_found(fx, "sha256:ccc", USER);
	assert_found(fx, "cccc", USER, ID_C);
}

static void image_store_find__not_hex__not_found(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_C, USER, NONE, V(L1));
	assert_not_found(fx, "CCCC", USER);
	assert_not_found(fx, "cccc0000x", USER);
	assert_not_found(fx, "sha256:" ID_C "0", USER); /* 65 digits */
	assert_not_found(fx, "sha512:cccc", USER);
	assert_not_found(fx, "", USER);
}

static void image_store_find__shared_prefix__ambiguous(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, USER, NONE, V(L1));
	add_new(fx, ID_B, USER, NONE, V(L2));
	assert_null(find(fx, "1234", USER));
	assert_string_equal(fx->err.msg, "image ID 1234 is ambiguous");
	assert_null(find(fx, "sha256:1234", USER));
	assert_string_equal(fx->err.msg, "image ID sha256:1234 is ambiguous");
}

/* A successful find after a failed one reports no stale error. */
static void image_store_find__after_error__err_cleared(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_C, USER, NONE, V(L1));
	assert_null(find(fx, "nope", USER));
	assert_string_not_equal(fx->err.msg, "");
	assert_found(fx, "cccc", USER, ID_C);
}

/* ---- visibility ---- */

static void image_store_find__other_users_image__invisible(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, 0, V("rootimg:1"), V(L1));
	add_new(fx, ID_C, OTHER, V("theirs:1"), V(L2));
	add_new(fx, ID_D, USER, V("mine:1"), V(L3));
	assert_found(fx, "mine:1", USER, ID_D);
	assert_found(fx, "dddd", USER, ID_D);
	assert_not_found(fx, "rootimg:1", USER);
	assert_not_found(fx, "theirs:1", USER);
	assert_not_found(fx, "sha256:" ID_A, USER);
	assert_not_found(fx, ID_C, USER);
	assert_not_found(fx, "cccc", USER);
}

static void image_store_find__root__sees_every_id(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_C, OTHER, V("theirs:1"), V(L1));
	add_new(fx, ID_D, USER, V("mine:1"), V(L2));
	assert_found(fx, "sha256:" ID_C, 0, ID_C);
	assert_found(fx, "dddd", 0, ID_D);
	assert_found(fx, ID_D, 0, ID_D);
}

/* Names are each user's own: root resolves only root's names. */
static void image_store_find__root__names_only_its_own(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_C, USER, V("app:1"), V(L1));
	assert_not_found(fx, "app:1", 0);
	add_new(fx, ID_D, 0, V("app:1"), V(L2));
	assert_found(fx, "app:1", 0, ID_D);
	assert_found(fx, "app:1", USER, ID_C);
}

static void image_visible__owner_or_root__true(void **state)
{
	struct fx *fx = *state;
	struct image *img = add_new(fx, ID_C, USER, NONE, V(L1));

	assert_true(image_visible(img, USER));
	assert_true(image_visible(img, 0));
	assert_false(image_visible(img, OTHER));
	assert_false(image_visible(img, (uid_t)-1));
}

/* A prefix two users' images share is not ambiguous for either user. */
static void image_store_find__prefix_shared_across_users__each_own(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, USER, NONE, V(L1));
	add_new(fx, ID_B, OTHER, NONE, V(L2));
	assert_found(fx, "1234", USER, ID_A);
	assert_found(fx, "1234", OTHER, ID_B);
	/* Root sees both, owns neither. */
	assert_null(find(fx, "1234", 0));
	assert_string_equal(fx->err.msg, "image ID 1234 is ambiguous");
}

/* Root's own image wins a prefix it shares with a user's. */
static void image_store_find__root_prefix_shared__own_wins(void **state)
{
	struct fx *fx = *state;

	add_new(fx, ID_A, 0, NONE, V(L1));
	add_new(fx, ID_B, USER, NONE, V(L2));
	assert_found(fx, "1234", 0, ID_A);
	assert_found(fx, "1234", USER, ID_B);
}

/* One ID loaded by root and by a user: two images; each finds its own. */
static void image_store_find__same_id_two_owners__own_copy(void **state)
{
	struct fx *fx = *state;
	struct image *mine, *roots, *got;

	roots = add_new(fx, ID_C, 0, NONE, V(L1));
	mine = add_new(fx, ID_C, USER, NONE, V(L1));
	assert_int_equal(fx->s.n, 2);
	assert_ptr_not_equal(mine, roots);
	got = find(fx, ID_C, USER);
	assert_ptr_equal(got, mine);
	got = find(fx, "cccc", 0);
	assert_ptr_equal(got, roots);
	assert_int_equal(roots->owner, 0);
	assert_int_equal(mine->owner, USER);
}

/* ---- add ---- */

static void image_store_add__new__record_written(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *rec = path(fx, "db/4242-" ID_C ".json");
	struct image *img = img_new(ID_C, USER, V("x:1"), V(L1));
	struct stat sb;

	assert_ptr_equal(add(fx, img), img);
	assert_int_equal(fx->s.n, 1);
	assert_ptr_equal(fx->s.v[0], img);
	assert_int_equal(stat(rec, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
}

/* `docker load` of a name the owner already uses: the name moves. */
static void image_store_add__name_taken_by_own_image__moves(void **state)
{
	struct fx *fx = *state;
	struct image *old = add_new(fx, ID_C, USER, V("app:1", "app:stable"), V(L1));

	add_new(fx, ID_D, USER, V("app:1"), V(L2));
	assert_strv(old->names, V("app:stable"));
	assert_found(fx, "app:1", USER, ID_D);
	assert_found(fx, "app:stable", USER, ID_C);
	/* And on disk. */
	reopen(fx);
	old = find(fx, ID_C, USER);
	assert_non_null(old);
	assert_strv(old->names, V("app:stable"));
	assert_found(fx, "app:1", USER, ID_D);
}

static void image_store_add__only_name_moves__old_untagged(void **state)
{
	struct fx *fx = *state;
	struct image *old = add_new(fx, ID_C, USER, V("app:1"), V(L1));

	add_new(fx, ID_D, USER, V("app:1"), V(L2));
	assert_strv(old->names, NONE);
	assert_found(fx, "cccc", USER, ID_C); /* still there, by ID */
	reopen(fx);
	old = find(fx, "cccc", USER);
	assert_non_null(old);
	assert_strv(old->names, NONE);
}

static void image_store_add__name_of_other_owner__both_keep(void **state)
{
	struct fx *fx = *state;
	struct image *theirs = add_new(fx, ID_C, OTHER, V("app:1"), V(L1));
	struct image *roots = add_new(fx, ID_A, 0, V("app:1"), V(L2));

	add_new(fx, ID_D, USER, V("app:1"), V(L3));
	assert_strv(theirs->names, V("app:1"));
	assert_strv(roots->names, V("app:1"));
	assert_found(fx, "app:1", OTHER, ID_C);
	assert_found(fx, "app:1", 0, ID_A);
	assert_found(fx, "app:1", USER, ID_D);
}

static void image_store_add__same_id_and_owner__names_merged(void **state)
{
	struct fx *fx = *state;
	struct image *first = add_new(fx, ID_C, USER, V("a:1", "b:1"), V(L1));
	struct image *again = add_new(fx, ID_C, USER, V("b:1", "c:1"), V(L1));

	assert_ptr_equal(again, first);
	assert_int_equal(fx->s.n, 1);
	assert_strv(first->names, V("a:1", "b:1", "c:1"));
	reopen(fx);
	assert_int_equal(fx->s.n, 1);
	assert_strv(fx->s.v[0]->names, V("a:1", "b:1", "c:1"));
}

/* Merging a name into an image takes it off the owner's other images. */
static void image_store_add__merge__claims_name_from_other(void **state)
{
	struct fx *fx = *state;
	struct image *c = add_new(fx, ID_C, USER, V("app:1"), V(L1));
	struct image *d = add_new(fx, ID_D, USER, V("app:2"), V(L2));

	add_new(fx, ID_C, USER, V("app:2"), V(L1));
	assert_strv(c->names, V("app:1", "app:2"));
	assert_strv(d->names, NONE);
	assert_found(fx, "app:2", USER, ID_C);
}

/* ---- untag ---- */

static void image_store_untag__one_of_two__other_kept(void **state)
{
	struct fx *fx = *state;
	struct image *img = add_new(fx, ID_C, USER, V("a:1", "b:1", "c:1"), V(L1));

	md_err_clear(&fx->err);
	assert_int_equal(image_store_untag(&fx->s, img, "b:1", &fx->err), 0);
	assert_strv(img->names, V("a:1", "c:1"));
	assert_not_found(fx, "b:1", USER);
	assert_found(fx, "a:1", USER, ID_C);
	reopen(fx);
	assert_int_equal(fx->s.n, 1);
	assert_strv(fx->s.v[0]->names, V("a:1", "c:1"));
}

static void image_store_untag__absent_name__unchanged(void **state)
{
	struct fx *fx = *state;
	struct image *img = add_new(fx, ID_C, USER, V("a:1"), V(L1));

	assert_int_equal(image_store_untag(&fx->s, img, "zz:1", &fx->err), 0);
	assert_strv(img->names, V("a:1"));
}

/* ---- remove, trash ---- */

static void image_store_remove__unshared_layers__trashed(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *rec = path(fx, "db/4242-" ID_C ".json");
	struct image *img;

	image_store_empty_trash(fx->dir);
	assert_int_equal(trash_count(fx), 0);
	layer_make(fx, USER, L1);
	layer_make(fx, USER, L2);
	img = add_new(fx, ID_C, USER, V("app:1"), V(L1, L2));
	assert_true(exists(rec));
	md_err_clear(&fx->err);
	assert_int_equal(image_store_remove(&fx->s, img, &fx->err), 0);
	assert_string_equal(fx->err.msg, "");
	assert_int_equal(fx->s.n, 0);
	assert_false(exists(rec));
	assert_false(layer_exists(fx, USER, L1));
	assert_false(layer_exists(fx, USER, L2));
	assert_int_equal(trash_count(fx), 2);
	assert_true(trash_has_layer(fx, USER, L1));
	assert_true(trash_has_layer(fx, USER, L2));
	assert_not_found(fx, "app:1", USER);
	assert_not_found(fx, "cccc", USER);
}

/* A layer another image of the same owner uses stays; one of another
 * owner's images does not count (it is a different directory). */
static void image_store_remove__shared_layer__kept(void **state)
{
	struct fx *fx = *state;
	struct image *a;

	image_store_empty_trash(fx->dir);
	layer_make(fx, USER, L1);
	layer_make(fx, USER, L2);
	layer_make(fx, USER, L3);
	layer_make(fx, OTHER, L1);
	a = add_new(fx, ID_A, USER, NONE, V(L1, L2));
	add_new(fx, ID_B, USER, NONE, V(L2, L3));
	add_new(fx, ID_C, OTHER, NONE, V(L1));
	assert_int_equal(image_store_remove(&fx->s, a, &fx->err), 0);
	assert_int_equal(fx->s.n, 2);
	assert_false(layer_exists(fx, USER, L1));
	assert_true(layer_exists(fx, USER, L2));
	assert_true(layer_exists(fx, USER, L3));
	assert_true(layer_exists(fx, OTHER, L1));
	assert_int_equal(trash_count(fx), 1);
	assert_true(trash_has_layer(fx, USER, L1));
	/* The survivors are intact and findable; a reopen keeps their layers. */
	assert_found(fx, "1234", USER, ID_B);
	reopen(fx);
	assert_true(layer_exists(fx, USER, L2));
	assert_true(layer_exists(fx, USER, L3));
	assert_true(layer_exists(fx, OTHER, L1));
}

/* Images repeat a layer (empty layers often are identical). */
static void image_store_remove__layer_listed_twice__trashed_once(void **state)
{
	struct fx *fx = *state;
	struct image *img;

	image_store_empty_trash(fx->dir);
	layer_make(fx, USER, L1);
	img = add_new(fx, ID_C, USER, NONE, V(L1, L1, L1));
	md_err_clear(&fx->err);
	assert_int_equal(image_store_remove(&fx->s, img, &fx->err), 0);
	assert_string_equal(fx->err.msg, "");
	assert_false(layer_exists(fx, USER, L1));
	assert_int_equal(trash_count(fx), 1);
}

/* A layer directory already gone is no failure. */
static void image_store_remove__layer_dir_missing__ok(void **state)
{
	struct fx *fx = *state;
	struct image *img = add_new(fx, ID_C, USER, NONE, V(L4));

	image_store_empty_trash(fx->dir);
	assert_int_equal(image_store_remove(&fx->s, img, &fx->err), 0);
	assert_int_equal(fx->s.n, 0);
	assert_int_equal(trash_count(fx), 0);
}

static void image_store_remove__middle_of_many__others_intact(void **state)
{
	struct fx *fx = *state;
	struct image *b;

	add_new(fx, ID_A, USER, V("a:1"), V(L1));
	b = add_new(fx, ID_B, USER, V("b:1"), V(L2));
	add_new(fx, ID_C, USER, V("c:1"), V(L3));
	add_new(fx, ID_D, USER, V("d:1"), V(L4));
	assert_int_equal(image_store_remove(&fx->s, b, &fx->err), 0);
	assert_int_equal(fx->s.n, 3);
	assert_found(fx, "a:1", USER, ID_A);
	assert_found(fx, "c:1", USER, ID_C);
	assert_found(fx, "d:1", USER, ID_D);
	assert_not_found(fx, "b:1", USER);
	/* "1234" is no longer ambiguous. */
	assert_found(fx, "1234", USER, ID_A);
	reopen(fx);
	assert_int_equal(fx->s.n, 3);
	assert_not_found(fx, "b:1", USER);
}

static void image_store_has_trash__emptied__false(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *hidden = path(fx, "trash/.keep");
	struct image *img;

	image_store_empty_trash(fx->dir);
	assert_false(image_store_has_trash(&fx->s));
	assert_int_equal(trash_count(fx), 0);
	/* Dot names are not trash. */
	file_put(hidden, "");
	assert_false(image_store_has_trash(&fx->s));
	layer_make(fx, USER, L1);
	img = add_new(fx, ID_C, USER, NONE, V(L1));
	assert_int_equal(image_store_remove(&fx->s, img, &fx->err), 0);
	assert_true(image_store_has_trash(&fx->s));
	image_store_empty_trash(fx->dir);
	assert_false(image_store_has_trash(&fx->s));
	assert_int_equal(trash_count(fx), 0);
	assert_true(exists(hidden));
	assert_true(rel_exists(fx, "trash"));
}

/* Layers are trees: nested dirs and symlinks inside go too, and a symlink's
 * target outside the trash stays. */
static void image_store_empty_trash__deep_tree__removed(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *sub = path(fx, "trash/t1/a/b");
	cleanup_free char *f = path(fx, "trash/t1/a/b/f");
	cleanup_free char *link = path(fx, "trash/t1/a/link");
	cleanup_free char *a = path(fx, "trash/t1/a");
	cleanup_free char *keep = path(fx, "db/keep");
	cleanup_free char *t1 = path(fx, "trash/t1");

	image_store_empty_trash(fx->dir);
	file_put(keep, "k");
	mkdir_p(t1);
	mkdir_p(a);
	mkdir_p(sub);
	file_put(f, "data");
	assert_int_equal(symlink(keep, link), 0);
	assert_true(image_store_has_trash(&fx->s));
	image_store_empty_trash(fx->dir);
	assert_false(image_store_has_trash(&fx->s));
	assert_int_equal(trash_count(fx), 0);
	assert_true(exists(keep)); /* the symlink's target is not followed */
}

/* ---- reopen ---- */

static void image_store_open__records__come_back_identical(void **state)
{
	struct fx *fx = *state;
	struct image *img = img_new(ID_C, USER, V("app:1", "registry:5000/team/app:v2"),
				    V(L1, L2, L1));
	struct image *b = img_new(ID_D, 0, NONE, V(L3));
	struct image *got;

	img->size = 123456789012ULL;
	img->created_ns = 1700000000123456789LL;
	img->config.env = strv_dup(V("PATH=/usr/bin:/bin", "EMPTY=", "Q=\"quoted\" \\ ü"));
	img->config.cmd = strv_dup(V("/bin/sh", "-c", "echo hi"));
	img->config.entrypoint = strv_dup(V("/init", "--"));
	img->config.workdir = xstrdup("/srv/app");
	img->config.user = xstrdup("1000:1000");
	img->config.created_ns = 1600000000987654321LL;
	free(img->config.diff_ids);
	img->config.diff_ids = strv_dup(V("sha256:" L1, "sha256:" L2, "sha256:" L1));
	layer_make(fx, USER, L1);
	layer_make(fx, USER, L2);
	layer_make(fx, 0, L3);
	add(fx, img);
	add(fx, b);
	reopen(fx);
	assert_int_equal(fx->s.n, 2);
	got = find(fx, "app:1", USER);
	assert_non_null(got);
	assert_string_equal(got->id, "sha256:" ID_C);
	assert_int_equal(got->owner, USER);
	assert_strv(got->names, V("app:1", "registry:5000/team/app:v2"));
	assert_strv(got->layers, V(L1, L2, L1));
	assert_int_equal(got->size, 123456789012ULL);
	assert_int_equal(got->created_ns, 1700000000123456789LL);
	assert_strv(got->config.env, V("PATH=/usr/bin:/bin", "EMPTY=", "Q=\"quoted\" \\ ü"));
	assert_strv(got->config.cmd, V("/bin/sh", "-c", "echo hi"));
	assert_strv(got->config.entrypoint, V("/init", "--"));
	assert_string_equal(got->config.workdir, "/srv/app");
	assert_string_equal(got->config.user, "1000:1000");
	assert_int_equal(got->config.created_ns, 1600000000987654321LL);
	assert_strv(got->config.diff_ids, V("sha256:" L1, "sha256:" L2, "sha256:" L1));
	/* The other, with an empty config and no names. */
	got = find(fx, ID_D, 0);
	assert_non_null(got);
	assert_int_equal(got->owner, 0);
	assert_strv(got->names, NONE);
	assert_strv(got->layers, V(L3));
	assert_int_equal(got->size, 1000);
	assert_int_equal(got->created_ns, 1700000000000000000LL);
	assert_null(got->config.env);
	assert_null(got->config.cmd);
	assert_null(got->config.entrypoint);
	assert_null(got->config.workdir);
	assert_null(got->config.user);
	assert_int_equal(got->config.created_ns, 0);
	assert_strv(got->config.diff_ids, NONE);
	/* Their layers were in use: none went to the trash. */
	assert_true(layer_exists(fx, USER, L1));
	assert_true(layer_exists(fx, USER, L2));
	assert_true(layer_exists(fx, 0, L3));
	assert_false(trash_has_layer(fx, USER, L1));
}

/* A record as record_save writes it, with one field replaceable: the
 * valid template must load (the control), each broken variant must not. */
#define REC_CONFIG                                                 \
	"\"{\\\"config\\\":{\\\"Cmd\\\":[\\\"/bin/sh\\\"]},"                  \
	"\\\"rootfs\\\":{\\\"type\\\":\\\"layers\\\",\\\"diff_ids\\\":[]}}\""
#define REC(id, owner, names, layers, config)                                            \
	"{ \"id\": " id ", \"owner\": " owner ", \"names\": " names ", \"layers\": " layers \
	", \"size\": 5, \"created_ns\": 7, \"config\": " config " }"
#define REC_OK(hex) REC("\"sha256:" hex "\"", "4242", "[\"ok:1\"]", "[\"" L1 "\"]", REC_CONFIG)

/* Write text as db/FILE, reopen, and check that only the good record (ID_D,
 * written beside it) came back and that the open did not fail. */
static void record_left_out(struct fx *fx, const char *file, const char *text)
{
	cleanup_free char *bad = xasprintf("%s/db/%s", fx->dir, file);
	cleanup_free char *good = path(fx, "db/4242-" ID_D ".json");
	struct image *img;

	file_put(bad, text);
	file_put(good, REC_OK(ID_D));
	reopen(fx);
	assert_int_equal(fx->s.n, 1);
	img = find(fx, "ok:1", USER);
	assert_non_null(img);
	assert_string_equal(img->id, "sha256:" ID_D);
	assert_not_found(fx, ID_C, 0);
}

static void image_store_open__template_record__loaded(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *file = path(fx, "db/4242-" ID_C ".json");
	struct image *img;

	file_put(file, REC_OK(ID_C));
	reopen(fx);
	assert_int_equal(fx->s.n, 1);
	img = fx->s.v[0];
	assert_string_equal(img->id, "sha256:" ID_C);
	assert_int_equal(img->owner, USER);
	assert_strv(img->names, V("ok:1"));
	assert_strv(img->layers, V(L1));
	assert_int_equal(img->size, 5);
	assert_int_equal(img->created_ns, 7);
	assert_strv(img->config.cmd, V("/bin/sh"));
	assert_strv(img->config.diff_ids, NONE);
}

static void image_store_open__garbage_record__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json", "this is {not json");
}

static void image_store_open__truncated_record__left_out(void **state)
{
	static const char full[] = REC_OK(ID_C);
	char half[sizeof(full) / 2 + 1];

	memcpy(half, full, sizeof(half) - 1);
	half[sizeof(half) - 1] = '\0';
	record_left_out(*state, "4242-" ID_C ".json", half);
}

static void image_store_open__empty_record__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json", "");
}

static void image_store_open__array_record__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json", "[" REC_OK(ID_C) "]");
}

static void image_store_open__owner_wrong_type__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "\"4242\"", "[]", "[\"" L1 "\"]", REC_CONFIG));
}

static void image_store_open__owner_negative__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "-1", "[]", "[\"" L1 "\"]", REC_CONFIG));
}

static void image_store_open__id_wrong_type__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("42", "4242", "[]", "[\"" L1 "\"]", REC_CONFIG));
}

static void image_store_open__id_not_digest__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:cccc\"", "4242", "[]", "[\"" L1 "\"]", REC_CONFIG));
}

static void image_store_open__id_path__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"../../etc\"", "4242", "[]", "[\"" L1 "\"]", REC_CONFIG));
}

static void image_store_open__names_wrong_type__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "\"ok:2\"", "[\"" L1 "\"]",
			    REC_CONFIG));
}

static void image_store_open__names_not_strings__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[1, 2]", "[\"" L1 "\"]", REC_CONFIG));
}

static void image_store_open__layer_bad_hex__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[]", "[\"" L1 "\", \"xyz\"]",
			    REC_CONFIG));
}

static void image_store_open__layer_uppercase_hex__left_out(void **state)
{
	record_left_out(
		*state, "4242-" ID_C ".json",
		REC("\"sha256:" ID_C "\"", "4242", "[]",
		    "[\"EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE\"]",
		    REC_CONFIG));
}

static void image_store_open__layer_dotdot__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[]", "[\"../x\"]", REC_CONFIG));
}

static void image_store_open__layer_with_prefix__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[]", "[\"sha256:" L1 "\"]",
			    REC_CONFIG));
}

static void image_store_open__no_layers__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[]", "[]", REC_CONFIG));
}

static void image_store_open__config_not_json__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[]", "[\"" L1 "\"]", "\"{\""));
}

static void image_store_open__config_object__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[]", "[\"" L1 "\"]",
			    "{\"rootfs\": {}}"));
}

static void image_store_open__config_bad_env__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			REC("\"sha256:" ID_C "\"", "4242", "[]", "[\"" L1 "\"]",
			    "\"{\\\"config\\\":{\\\"Env\\\":[\\\"NOEQUALS\\\"]}}\""));
}

static void image_store_open__size_wrong_type__left_out(void **state)
{
	record_left_out(*state, "4242-" ID_C ".json",
			"{ \"id\": \"sha256:" ID_C "\", \"owner\": 4242, \"names\": [], "
			"\"layers\": [\"" L1 "\"], \"size\": \"big\", \"created_ns\": 7, "
			"\"config\": " REC_CONFIG " }");
}

/* A directory named like a record, and files not named *.json, are not records. */
static void image_store_open__not_records__ignored(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *dir = path(fx, "db/4242-" ID_C ".json");
	cleanup_free char *other = path(fx, "db/README");
	cleanup_free char *tmp = path(fx, "db/.4242-" ID_A ".json.tmp");

	mkdir_p(dir);
	file_put(other, REC_OK(ID_A));
	file_put(tmp, REC_OK(ID_B));
	record_left_out(fx, ".json", "{}");
	assert_not_found(fx, "1234", 0);
}

/* ---- what open sweeps ---- */

static void image_store_open__unused_layer__trashed(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *junk = path(fx, "layers/not-a-uid");
	cleanup_free char *hidden = xasprintf("%s/layers/%u/.partial", fx->dir, USER);

	add_new(fx, ID_C, USER, V("app:1"), V(L1, L2));
	layer_make(fx, USER, L1);
	layer_make(fx, USER, L2);
	layer_make(fx, USER, L3);  /* no record uses it */
	layer_make(fx, OTHER, L1); /* the user's image does not make it OTHER's */
	mkdir_p(junk);
	mkdir_p(hidden);
	store_close(fx);
	{
		/* Opened on a clean trash, to count what this open adds. */
		cleanup_free char *trash = path(fx, "trash");
		struct md_err err;

		assert_int_equal(dir_remove_tree(trash, &err), 0);
	}
	store_open(fx);
	assert_int_equal(fx->s.n, 1);
	assert_true(layer_exists(fx, USER, L1));
	assert_true(layer_exists(fx, USER, L2));
	assert_false(layer_exists(fx, USER, L3));
	assert_false(layer_exists(fx, OTHER, L1));
	assert_true(trash_has_layer(fx, USER, L3));
	assert_true(trash_has_layer(fx, OTHER, L1));
	assert_false(trash_has_layer(fx, USER, L1));
	assert_int_equal(trash_count(fx), 3); /* two layers and the old tmp */
	assert_true(exists(junk));
	assert_true(exists(hidden));
}

/* The layers of a record left out are unused, like any other. */
static void image_store_open__broken_record_layers__trashed(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *rec = path(fx, "db/4242-" ID_C ".json");

	layer_make(fx, USER, L4);
	file_put(rec, "{");
	reopen(fx);
	assert_int_equal(fx->s.n, 0);
	assert_false(layer_exists(fx, USER, L4));
	assert_true(trash_has_layer(fx, USER, L4));
}

static void image_store_open__tmp__emptied(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *w = path(fx, "tmp/worker-1");
	cleanup_free char *f = path(fx, "tmp/worker-1/layer.tar");
	cleanup_free char *tmp = path(fx, "tmp");
	DIR *d;
	struct dirent *e;
	size_t n = 0;
	struct stat sb;

	mkdir_p(w);
	file_put(f, "partial");
	reopen(fx);
	assert_int_equal(stat(tmp, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	d = opendir(tmp);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	assert_int_equal(n, 0);
	assert_true(trash_has(fx, "worker-1/layer.tar"));
	image_store_empty_trash(fx->dir);
	assert_false(image_store_has_trash(&fx->s));
}

/* A store left by an earlier daemon keeps its images across many opens. */
static void image_store_open__twice__stable(void **state)
{
	struct fx *fx = *state;

	layer_make(fx, USER, L1);
	add_new(fx, ID_C, USER, V("app:1"), V(L1));
	reopen(fx);
	reopen(fx);
	assert_int_equal(fx->s.n, 1);
	assert_found(fx, "app:1", USER, ID_C);
	assert_true(layer_exists(fx, USER, L1));
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(image_store_open__empty_root__layout_made),
		T(image_store_paths__layer_and_tmp__under_store),
		T(image_store_open__root_is_a_file__error),
		T(image_store_find__name_tag__found),
		T(image_store_find__bare_name__latest),
		T(image_store_find__full_id__found),
		T(image_store_find__bare_hex__found),
		T(image_store_find__unique_prefix__found),
		T(image_store_find__three_digit_prefix__not_found),
		T(image_store_find__not_hex__not_found),
		T(image_store_find__shared_prefix__ambiguous),
		T(image_store_find__after_error__err_cleared),
		T(image_store_find__other_users_image__invisible),
		T(image_store_find__root__sees_every_id),
		T(image_store_find__root__names_only_its_own),
		T(image_visible__owner_or_root__true),
		T(image_store_find__prefix_shared_across_users__each_own),
		T(image_store_find__root_prefix_shared__own_wins),
		T(image_store_find__same_id_two_owners__own_copy),
		T(image_store_add__new__record_written),
		T(image_store_add__name_taken_by_own_image__moves),
		T(image_store_add__only_name_moves__old_untagged),
		T(image_store_add__name_of_other_owner__both_keep),
		T(image_store_add__same_id_and_owner__names_merged),
		T(image_store_add__merge__claims_name_from_other),
		T(image_store_untag__one_of_two__other_kept),
		T(image_store_untag__absent_name__unchanged),
		T(image_store_remove__unshared_layers__trashed),
		T(image_store_remove__shared_layer__kept),
		T(image_store_remove__layer_listed_twice__trashed_once),
		T(image_store_remove__layer_dir_missing__ok),
		T(image_store_remove__middle_of_many__others_intact),
		T(image_store_has_trash__emptied__false),
		T(image_store_empty_trash__deep_tree__removed),
		T(image_store_open__records__come_back_identical),
		T(image_store_open__template_record__loaded),
		T(image_store_open__garbage_record__left_out),
		T(image_store_open__truncated_record__left_out),
		T(image_store_open__empty_record__left_out),
		T(image_store_open__array_record__left_out),
		T(image_store_open__owner_wrong_type__left_out),
		T(image_store_open__owner_negative__left_out),
		T(image_store_open__id_wrong_type__left_out),
		T(image_store_open__id_not_digest__left_out),
		T(image_store_open__id_path__left_out),
		T(image_store_open__names_wrong_type__left_out),
		T(image_store_open__names_not_strings__left_out),
		T(image_store_open__layer_bad_hex__left_out),
		T(image_store_open__layer_uppercase_hex__left_out),
		T(image_store_open__layer_dotdot__left_out),
		T(image_store_open__layer_with_prefix__left_out),
		T(image_store_open__no_layers__left_out),
		T(image_store_open__config_not_json__left_out),
		T(image_store_open__config_object__left_out),
		T(image_store_open__config_bad_env__left_out),
		T(image_store_open__size_wrong_type__left_out),
		T(image_store_open__not_records__ignored),
		T(image_store_open__unused_layer__trashed),
		T(image_store_open__broken_record_layers__trashed),
		T(image_store_open__tmp__emptied),
		T(image_store_open__twice__stable),
	};

	/* Left-out records and swept layers are logged as warnings: not here. */
	log_init("test-image-store", LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
