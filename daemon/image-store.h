/* The image store under --root/images: which images exist, their names
 * and configs (small JSON records, kept in memory), and where their layers
 * are. Unpacking archives is image-unpack.h's, in a worker process; this
 * module only records what a worker made and removes what is not used.
 *
 *   images/db/UID-HEX.json     one image of one owner (HEX: its config's sha256)
 *   images/layers/UID/HEX/     a layer, unpacked, owned as its owner's files are
 *   images/tmp/                workers' scratch, emptied at start
 *   images/trash/              what is being removed, emptied in the background
 *
 * Images belong to the user who imported or loaded them: a layer unpacked
 * for a user who is not root is owned by that user (the root of their user
 * namespace), so it cannot serve anyone else. Each user sees and names only
 * their own images; root sees everyone's. */
#ifndef MD_IMAGE_STORE_H
#define MD_IMAGE_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"
#include "image-spec.h"

#define IMAGE_STORE_DIR "images"

struct image {
	char *id;             /* "sha256:HEX" of its config */
	uid_t owner;
	char **names;         /* "NAME:TAG", NULL-terminated, may be empty */
	char **layers;        /* layer digests' HEX, bottom first, NULL-terminated */
	uint64_t size;        /* bytes of its unpacked layers */
	int64_t created_ns;   /* when it came into the store */
	struct image_config config;
};

struct image_store {
	char *dir;            /* --root/images */
	struct image **v;
	size_t n;
};

void image_free(struct image *img);

/* Make the directories, empty tmp and trash, read every record (a broken
 * one is logged and left out) and move layers no record uses to the trash. */
int image_store_open(struct image_store *s, const char *root, struct md_err *err);
void image_store_close(struct image_store *s);

/* Find an image by NAME[:TAG] among the caller's own, or by its ID
 * ("sha256:HEX", HEX, or a unique prefix of at least 4 digits) among those
 * the caller may see. NULL with err "no such image: REF" otherwise. */
struct image *image_store_find(struct image_store *s, const char *ref, uid_t caller,
			       struct md_err *err);

/* Whether the caller may see img: its own, or root. */
bool image_visible(const struct image *img, uid_t caller);

/* --root/images/layers/UID/HEX, malloc'd. */
char *image_store_layer_dir(const struct image_store *s, uid_t owner, const char *hex);

/* The scratch directory for workers. */
char *image_store_tmp_dir(const struct image_store *s);

/* Record img (taken): its names move to it from the owner's other images.
 * An image already there (same owner and ID) gains img's names instead.
 * Returns the image as stored. */
struct image *image_store_add(struct image_store *s, struct image *img, struct md_err *err);

/* Take name off img (rmi NAME of an image with other names too). */
int image_store_untag(struct image_store *s, struct image *img, const char *name,
		      struct md_err *err);

/* Remove img's record and move the layers no other image of its owner uses
 * to the trash. */
int image_store_remove(struct image_store *s, struct image *img, struct md_err *err);

/* Move a directory of --root (a removed container's) to the trash, to be
 * deleted in the background: its upper layer may hold gigabytes. */
int image_store_discard(const struct image_store *s, const char *path, struct md_err *err);

/* Whether a dir of the trash is waiting for removal. */
bool image_store_has_trash(const struct image_store *s);

/* Empty the trash (slow: run it outside the event loop). */
void image_store_empty_trash(const char *store_dir);

#endif
