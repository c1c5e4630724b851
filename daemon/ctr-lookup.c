/* Container lookup by ID, prefix or name: pure logic over the table, kept
 * apart from the event loop so the unit tests can drive it. */
#include <string.h>

#include "../common/id.h"
#include "container.h"

bool ctr_visible(const struct container *c, uid_t uid)
{
	return uid == 0 || c->cfg.owner_uid == uid;
}

struct container *ctr_find_name(struct container *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i]->cfg.name, name) == 0)
			return v[i];
	return NULL;
}

struct container *ctr_find(struct container *const *v, size_t n, const char *query, uid_t uid,
			   struct md_err *err)
{
	struct container *match = NULL;
	size_t len = strlen(query), hits = 0;

	struct container *named = NULL;

	/* Docker's order: full ID, then name, then unique prefix. One
	 * exception, for callers who see other users' containers (root): a
	 * name on someone else's container that is also the prefix of another
	 * container's ID is ambiguous, or a user could name a container after
	 * the short ID of root's and have root's commands land in it. A
	 * caller's own names always win, as in Docker. */
	for (size_t i = 0; i < n; i++)
		if (ctr_visible(v[i], uid) && strcmp(v[i]->cfg.id, query) == 0)
			return v[i];
	for (size_t i = 0; i < n; i++)
		if (ctr_visible(v[i], uid) && strcmp(v[i]->cfg.name, query) == 0)
			named = v[i];
	if (id_prefix_valid(query)) {
		for (size_t i = 0; i < n; i++) {
			if (ctr_visible(v[i], uid) && v[i] != named &&
			    strncmp(v[i]->cfg.id, query, len) == 0) {
				match = v[i];
				hits++;
			}
		}
	}
	if (named != NULL && (hits == 0 || named->cfg.owner_uid == uid))
		return named;
	if (named != NULL) {
		md_err_setst(err, MD_STATUS_REFUSED, 0,
			     "ambiguous: %s is a container name and an ID prefix", query);
		return NULL;
	}
	if (hits == 1)
		return match;
	if (hits > 1)
		md_err_setst(err, MD_STATUS_REFUSED, 0, "ambiguous container ID prefix: %s", query);
	else
		md_err_setst(err, MD_STATUS_REFUSED, 0, "no such container: %s", query);
	return NULL;
}
