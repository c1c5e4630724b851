/* User-namespace id maps for callers who are not root: container root is
 * the caller, and the caller's subordinate ranges from /etc/subuid and
 * /etc/subgid (read with newuidmap's rules: a line names the user or its
 * uid) map container ids 1 and up. */
#ifndef MD_IDMAP_H
#define MD_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "ctr-config.h"

/* The first range for user (by name or numeric id) in a subuid-style file:
 * true with *start and *count set, false if there is none. */
bool idmap_find_range(const char *path, const char *name, unsigned long id,
		      unsigned long *start, unsigned long *count);

/* Fill c's userns members. A caller who is not root: container root is
 * the caller, its subordinate ranges (if any) map 1 and up. Root asking
 * for --userns=private: root's own ranges map everything, from 0; without
 * them that is an error. */
int idmap_for_caller(struct ctr_config *c, const char *subuid_path, const char *subgid_path,
		     struct md_err *err);


#endif
