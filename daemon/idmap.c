#include "idmap.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"

/* Split "who:start:count" into its three fields, as shadow's parser does:
 * exactly three, none empty. */
static bool split_range_line(char *line, char **who, char **start, char **count)
{
	char *f[3];
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	for (char *p = line; n < 3; n++) {
		f[n] = p;
		p = strchr(p, ':');
		if (p == NULL) {
			n++;
			break;
		}
		*p++ = '\0';
		if (n == 2)
			return false; /* a fourth field */
	}
	if (n != 3 || *f[0] == '\0' || *f[1] == '\0' || *f[2] == '\0')
		return false;
	*who = f[0];
	*start = f[1];
	*count = f[2];
	return true;
}

bool idmap_find_range(const char *path, const char *name, unsigned long id,
		      unsigned long *start, unsigned long *count)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, idstr[32];
	size_t cap = 0;
	bool found = false;

	if (f == NULL)
		return false;
	snprintf(idstr, sizeof(idstr), "%lu", id);
	/* getline: a line is a line, however long (no tail read as another). */
	while (!found && getline(&line, &cap, f) >= 0) {
		char *who, *s, *n;
		unsigned long long vs, vn;

		if (!split_range_line(line, &who, &s, &n))
			continue;
		if (strcmp(who, idstr) != 0 && (name == NULL || strcmp(who, name) != 0))
			continue;
		/* A range must not reach host id 0 nor wrap. */
		if (parse_uint(s, UINT32_MAX - 1, &vs) < 0 || parse_uint(n, 65536ULL * 65536, &vn) < 0 ||
		    vs == 0 || vn == 0 || vs + vn > UINT32_MAX)
			continue;
		*start = (unsigned long)vs;
		*count = (unsigned long)vn;
		found = true;
	}
	free(line);
	fclose(f);
	return found;
}

/* Root's own subordinate ranges back a --userns=private container. */
static int idmap_for_root(struct ctr_config *c, const char *subuid_path, const char *subgid_path,
			  struct md_err *err)
{
	unsigned long us, uc, gs, gc;

	if (!idmap_find_range(subuid_path, "root", 0, &us, &uc) ||
	    !idmap_find_range(subgid_path, "root", 0, &gs, &gc) || uc < 2 || gc < 2)
		return md_err_set(err, 0, "--userns private needs ranges for root in %s and %s",
				  subuid_path, subgid_path);
	c->userns = true;
	c->map_uid = (uid_t)us;
	c->sub_uid_start = (uid_t)(us + 1);
	c->sub_uid_count = (unsigned)(uc - 1);
	c->map_gid = (gid_t)gs;
	c->sub_gid_start = (gid_t)(gs + 1);
	c->sub_gid_count = (unsigned)(gc - 1);
	return 0;
}

int idmap_for_caller(struct ctr_config *c, const char *subuid_path, const char *subgid_path,
		     struct md_err *err)
{
	struct passwd *pw;
	const char *name;
	unsigned long start, count;

	if (c->owner_uid == 0)
		return idmap_for_root(c, subuid_path, subgid_path, err);
	pw = getpwuid(c->owner_uid);
	name = pw ? pw->pw_name : NULL;
	c->userns = true;
	c->map_uid = c->owner_uid;
	c->map_gid = c->owner_gid;
	c->sub_uid_count = c->sub_gid_count = 0;
	if (idmap_find_range(subuid_path, name, c->owner_uid, &start, &count)) {
		c->sub_uid_start = (uid_t)start;
		c->sub_uid_count = (unsigned)count;
	}
	if (idmap_find_range(subgid_path, name, c->owner_uid, &start, &count)) {
		c->sub_gid_start = (gid_t)start;
		c->sub_gid_count = (unsigned)count;
	}
	return 0;
}
