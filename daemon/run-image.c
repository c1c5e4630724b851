#include "run-image.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/util.h"
#include "../proto/msg.h"
#include "ctr-config.h"
#include "image-store.h"

/* /etc/passwd is a few KiB; a larger one is not read. */
#define ACCOUNTS_FILE_MAX (1024 * 1024)

/* The file as the container will see it: from the top-most layer that has
 * the name (a whiteout there hides it), resolved inside each layer. NULL
 * when no layer has it as a regular file. */
static char *image_file(char *const *layer_dirs, const char *path)
{
	size_t n = 0;

	while (layer_dirs[n] != NULL)
		n++;
	while (n-- > 0) {
		struct open_how how = {
			/* O_NONBLOCK: a FIFO there must not stop the daemon. */
			.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
		};
		cleanup_close int dir = open(layer_dirs[n], O_PATH | O_DIRECTORY | O_CLOEXEC);
		cleanup_close int fd = -1;
		struct stat st;
		char *text;
		ssize_t len;

		if (dir < 0)
			continue;
		fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
		    st.st_size > ACCOUNTS_FILE_MAX)
			return NULL;
		text = xmalloc((size_t)st.st_size + 1);
		len = read(fd, text, (size_t)st.st_size);
		if (len < 0) {
			free(text);
			return NULL;
		}
		text[len] = '\0';
		return text;
	}
	return NULL;
}

/* Docker resolves a USER name in the image; numbers need no lookup. */
static int resolve_user(struct run_image *ri, const char *user, struct md_err *err)
{
	cleanup_free char *passwd = image_file(ri->layer_dirs, "etc/passwd");
	cleanup_free char *group = image_file(ri->layer_dirs, "etc/group");

	if (image_user_resolve(user, passwd, group, &ri->uid, &ri->gid, err) < 0)
		return -1;
	ri->has_user = true;
	return 0;
}

int run_image_find(struct daemon *d, uid_t caller, struct json_object *req, struct run_image *ri,
		   struct md_err *err)
{
	const char *ref = NULL, *user = NULL;
	struct image *img;
	char **dirs;
	size_t n = 0;

	memset(ri, 0, sizeof(*ri));
	if (proto_req_str(req, "image", false, &ref, err) < 0 ||
	    proto_req_str(req, "user", false, &user, err) < 0)
		return -1;
	if (ref == NULL || strcmp(ref, CTR_DEFAULT_IMAGE) == 0)
		return 0;
	img = image_store_find(d->images, ref, caller, err);
	if (img == NULL)
		return -1;
	while (img->layers[n] != NULL)
		n++;
	dirs = xcalloc(n + 1, sizeof(*dirs));
	for (size_t i = 0; i < n; i++)
		dirs[i] = image_store_layer_dir(d->images, img->owner, img->layers[i]);
	ri->id = img->id;
	ri->layer_dirs = dirs;
	ri->config = &img->config;
	ri->vfs = d->storage_vfs;
	if (user == NULL && img->config.user != NULL && resolve_user(ri, img->config.user, err) < 0) {
		run_image_release(ri);
		return -1;
	}
	return 1;
}

void run_image_release(struct run_image *ri)
{
	char **dirs = (char **)ri->layer_dirs;

	for (size_t i = 0; dirs != NULL && dirs[i] != NULL; i++)
		free(dirs[i]);
	free(dirs);
	memset(ri, 0, sizeof(*ri));
}
