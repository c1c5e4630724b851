/* Extract one image layer (a tar stream, plain or compressed, from a hostile
 * source) into a directory, every write fd-relative and beneath it. */
#ifndef MD_LAYER_EXTRACT_H
#define MD_LAYER_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

/* More entries than this and the archive is refused. */
#define LAYER_EXTRACT_MAX_ENTRIES 1000000

struct extract_opts {
	bool privileged;     /* the caller is root: keep ownership, allow device nodes and set-id bits */
	uid_t map_uid;       /* not privileged: every file is owned by map_uid:map_gid (the caller) */
	gid_t map_gid;
	bool overlay_whiteouts; /* turn .wh.NAME into an overlay whiteout (char dev 0/0) and
				 * .wh..wh..opq into the trusted.overlay.opaque="y" xattr on the
				 * directory; else apply them: delete NAME / empty the dir of what
				 * earlier layers put there (for a flattened root) */
	/* Called with every byte read from fd, in order, up to its end (what
	 * follows the archive is read too): to digest the stream as given. */
	void (*on_read)(void *arg, const void *buf, size_t len);
	void *on_read_arg;
	/* File data written past this (0: no limit) and the archive is
	 * refused: a small compressed archive can unpack to a full disk. */
	uint64_t max_bytes;
};

struct extract_stats {
	uint64_t files;      /* entries written (files, dirs, links, nodes, whiteouts) */
	uint64_t bytes;      /* file data written */
};

/* Extract the tar stream read from fd into the directory dirfd, or fail with
 * one clear line in err ("refused archive entry NAME: REASON" for a hostile
 * or unsupported entry) and leave whatever was written inside dirfd (the
 * caller removes the directory). With overlay_whiteouts dirfd must be empty;
 * without, it may hold the layers below, which the whiteouts then delete
 * from. Nothing outside dirfd is ever written or followed into. Set-id bits
 * are cleared silently when not privileged; extended attributes in the
 * archive are ignored. The process must be root (it links with
 * AT_EMPTY_PATH and sets trusted.* xattrs). */
int layer_extract(int fd, int dirfd, const struct extract_opts *o, struct extract_stats *st,
		  struct md_err *err);

#endif
