/* The documents of image formats, read from untrusted archives: a
 * `docker save` manifest.json, an OCI image layout's index.json and
 * manifests, an image config, and the names and digests in them. Pure
 * parsing: no files, no store, so every function is unit-tested and fuzzed. */
#ifndef MD_IMAGE_SPEC_H
#define MD_IMAGE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

#define IMAGE_DIGEST_HEX 64          /* sha256, lowercase hex */
#define IMAGE_LAYERS_MAX 64          /* more layers and an image is refused */
#define IMAGE_NAMES_MAX 64           /* names (RepoTags) one image may carry */
#define IMAGE_REF_MAX 255            /* a NAME[:TAG] reference, as Docker's limit */

/* What of an image's config a container takes: Docker's and OCI's
 * `config` object. Every array is NULL-terminated; NULL when unset. */
struct image_config {
	char **env;        /* KEY=VALUE */
	char **cmd;
	char **entrypoint;
	char *workdir;     /* NULL when unset or "" */
	char *user;        /* NULL when unset or "": as given, "name", "uid", "uid:gid", ... */
	int64_t created_ns; /* the config's "created", 0 when absent or unparsable */
	char **diff_ids;   /* rootfs.diff_ids as "sha256:HEX", NULL-terminated (may be empty) */
};

void image_config_free(struct image_config *c);

/* Parse an image config JSON (Docker's or OCI's; both keep the same
 * field names under "config"). Unknown fields are ignored; a known field
 * of the wrong type, a string with a NUL or over 64 KiB, an env entry
 * without '=', over 1024 entries in an array, or a bad diff_id is an
 * error naming the field. */
int image_config_parse(const char *json, size_t len, struct image_config *c, struct md_err *err);

/* The config as this module stores it with an image (the same field names,
 * so image_config_parse reads it back): a malloc'd JSON text. */
char *image_config_to_json(const struct image_config *c);

/* One image to load from an archive: where its config and layers are. */
struct image_manifest {
	char *config_path;     /* path inside the archive ("blobs/sha256/HEX", "HEX.json") */
	char *config_digest;   /* "sha256:HEX" the config must hash to, or NULL (docker save) */
	size_t nlayers;
	char **layer_paths;    /* bottom layer first */
	char **layer_digests;  /* "sha256:HEX" each layer blob must hash to; NULL entries
				* (docker save) are checked against the config's diff_ids */
	char **names;          /* NULL-terminated "NAME:TAG" references, normalized */
};

void image_manifest_free(struct image_manifest *m);
void image_manifests_free(struct image_manifest *m, size_t n);

/* docker save's manifest.json: an array of {"Config", "RepoTags", "Layers"}.
 * Paths must be relative, without "..", and are returned as given. */
int image_docker_manifest_parse(const char *json, size_t len, struct image_manifest **out,
				size_t *n, struct md_err *err);

/* An OCI layout's index.json: the manifests it lists (mediaType
 * application/vnd.oci.image.manifest.v1+json or Docker's v2 manifest),
 * each with the digest of its blob and its names from the
 * "io.containerd.image.name" or "org.opencontainers.image.ref.name"
 * annotation (a ref.name that is only a tag, like "latest", gets no
 * name). Nested indexes are refused with a clear error. */
struct oci_index_entry {
	char *digest;          /* "sha256:HEX" */
	char **names;          /* NULL-terminated, normalized "NAME:TAG" */
};
int image_oci_index_parse(const char *json, size_t len, struct oci_index_entry **out, size_t *n,
			  struct md_err *err);
void image_oci_index_free(struct oci_index_entry *e, size_t n);

/* An OCI (or Docker v2) image manifest: config and layer descriptors.
 * Fills m's config_path/config_digest and layer_paths/layer_digests with
 * "blobs/sha256/HEX" paths; names is left NULL. Layer media types other
 * than tar, tar+gzip, tar+zstd (and Docker's rootfs.diff.tar[.gzip]) are
 * refused (e.g. non-distributable or encrypted layers). */
int image_oci_manifest_parse(const char *json, size_t len, struct image_manifest *m,
			     struct md_err *err);

/* "sha256:" and 64 lowercase hex digits. */
bool image_digest_valid(const char *digest);

/* Split and normalize a reference as Docker does: "busybox" is
 * "busybox:latest", "debian:12" keeps its tag, "host:5000/x" has no tag
 * (the colon is in the registry part) and gets "latest". The name is
 * lowercase path components [a-z0-9]+ joined by '.', '_', '__' or '-'
 * runs, separated by '/', optionally after a registry host[:port]; the
 * tag is [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. A digest reference
 * (NAME@sha256:...) is refused. On success *name and *tag are malloc'd. */
int image_ref_parse(const char *ref, char **name, char **tag, struct md_err *err);

/* The same, into one malloc'd "NAME:TAG" string. */
int image_ref_normalize(const char *ref, char **out, struct md_err *err);

/* Resolve an image's or a user's USER ("name", "uid", "name:group",
 * "uid:gid", ...) against the image's /etc/passwd and /etc/group texts
 * (either may be NULL when the image has none). Numbers are taken as they
 * are; a name needs a passwd entry, a group name a group entry. Without a
 * group, the user's passwd gid is used (0 for a bare uid not in passwd,
 * as Docker does). Errors say which name was not found. */
int image_user_resolve(const char *user, const char *passwd, const char *group, uid_t *uid,
		       gid_t *gid, struct md_err *err);

#endif
