/* The vfs storage driver: an image container's root as a copy of its
 * layers, for where overlayfs is missing or refused (or asked against
 * with --storage-driver vfs). Layers are applied bottom to top as overlay
 * would show them; every access is fd-relative and no symlink is ever
 * followed, so a layer's `etc -> /` cannot make a later layer's etc/x
 * land outside the copy. */
#ifndef MD_LAYER_COPY_H
#define MD_LAYER_COPY_H

#include "../common/err.h"

/* Deeper trees than this are refused (each level holds two fds). */
#define LAYER_COPY_DEPTH_MAX 1000

/* Copy the layer directory src_dir (as layer-extract wrote it with
 * overlay_whiteouts) over the directory dst_dir: regular files (their
 * data), directories, symlinks, device nodes and FIFOs as they are, with
 * owner, mode and mtime; a character device 0/0 deletes that name from
 * what is below, and a directory marked trusted.overlay.opaque="y" first
 * empties the same directory of what is below. Entries of the same name
 * below are replaced. Both fds are directories (O_RDONLY); the process
 * must be root to keep owners and make device nodes. */
int layer_copy(int src_dir, int dst_dir, struct md_err *err);

/* Apply layers (absolute directories, bottom first, NULL-terminated) one
 * after the other onto the directory dst. */
int layer_copy_all(char *const *layers, const char *dst, struct md_err *err);

#endif
