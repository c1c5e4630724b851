/* Unit tests for daemon/layer-copy.c (the vfs driver): layers built by
 * hand in TMP/l1, TMP/l2 (as layer-extract writes them for overlay: a
 * whiteout is a character device 0/0, an opaque directory has the
 * trusted.overlay.opaque="y" xattr) are copied onto TMP/root, and the
 * result is what overlay would show. TMP/outside is a sentinel beside the
 * target that a lower layer's symlink points at: nothing may ever be
 * written there. Owners, device nodes and trusted.* xattrs need root (CI
 * runs as root); without it every test skips. */
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
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../common/util.h"
#include "../../daemon/layer-copy.h"
#include "fs-fixture.h"

struct fx {
	char base[64];
	char outside[96];
	int root;   /* TMP/root: the copy */
	int l1, l2; /* TMP/l1 (lower), TMP/l2 (upper) */
	int out;    /* TMP/outside: must stay empty */
};

static int fx_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->base, sizeof(fx->base), "/tmp/md-lcopy-XXXXXX");
	assert_non_null(mkdtemp(fx->base));
	snprintf(fx->outside, sizeof(fx->outside), "%s/outside", fx->base);
	fx->root = fx_open_dir(fx->base, "root");
	fx->l1 = fx_open_dir(fx->base, "l1");
	fx->l2 = fx_open_dir(fx->base, "l2");
	fx->out = fx_open_dir(fx->base, "outside");
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	close(fx->root);
	close(fx->l1);
	close(fx->l2);
	close(fx->out);
	assert_int_equal(dir_remove_tree(fx->base, &err), 0);
	free(fx);
	return 0;
}

static void need_root(void)
{
	fx_need_root("owners, device nodes and trusted.* xattrs");
}

/* ---- building layers ---- */

static void put_dir(int dir, const char *path)
{
	assert_int_equal(mkdirat(dir, path, 0755), 0);
}

static void put_whiteout(int dir, const char *path)
{
	assert_int_equal(mknodat(dir, path, S_IFCHR | 0600, makedev(0, 0)), 0);
}

static void put_opaque(int dir, const char *path)
{
	int fd = openat(dir, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0), 0);
	close(fd);
}

/* ---- looking at the copy ---- */

static bool exists(int dir, const char *path)
{
	struct stat st;

	return fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static mode_t type_of(int dir, const char *path)
{
	struct stat st;

	assert_int_equal(fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW), 0);
	return st.st_mode & S_IFMT;
}

static void assert_link(int dir, const char *path, const char *expected)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dir, path, buf, sizeof(buf) - 1);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, expected);
}

static size_t count_entries(int dir)
{
	int fd = dup(dir);
	DIR *d = fdopendir(fd);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	rewinddir(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void copy_ok(struct fx *fx, int layer)
{
	struct md_err err = { 0 };

	if (layer_copy(layer, fx->root, &err) != 0)
		fail_msg("layer_copy failed: %s", err.msg);
}

static void copy_both(struct fx *fx)
{
	copy_ok(fx, fx->l1);
	copy_ok(fx, fx->l2);
	assert_int_equal(count_entries(fx->out), 0);
}

/* ---- tests ---- */

static void layer_copy__files_dirs_links__copied(void **state)
{
	struct fx *fx = *state;

	need_root();
	put_dir(fx->l1, "etc");
	fx_put_file(fx->l1, "etc/hostname", "box\n");
	assert_int_equal(symlinkat("/etc/passwd", fx->l1, "abs"), 0);
	assert_int_equal(symlinkat("../../../x", fx->l1, "rel"), 0);
	copy_ok(fx, fx->l1);
	fx_assert_content(fx->root, "etc/hostname", "box\n");
	assert_link(fx->root, "abs", "/etc/passwd");
	assert_link(fx->root, "rel", "../../../x");
}

static void layer_copy__whiteout__deletes_file_and_tree_below(void **state)
{
	struct fx *fx = *state;

	need_root();
	put_dir(fx->l1, "a");
	fx_put_file(fx->l1, "a/f", "f");
	fx_put_file(fx->l1, "a/g", "g");
	put_dir(fx->l1, "b");
	put_dir(fx->l1, "b/deep");
	fx_put_file(fx->l1, "b/deep/h", "h");
	put_dir(fx->l2, "a");
	put_whiteout(fx->l2, "a/f");
	put_whiteout(fx->l2, "b");
	put_whiteout(fx->l2, "never-was");
	copy_both(fx);
	assert_false(exists(fx->root, "a/f"));
	fx_assert_content(fx->root, "a/g", "g");
	assert_false(exists(fx->root, "b"));
	assert_false(exists(fx->root, "never-was"));
}

static void layer_copy__opaque_dir__hides_what_is_below(void **state)
{
	struct fx *fx = *state;

	need_root();
	put_dir(fx->l1, "d");
	fx_put_file(fx->l1, "d/x", "x");
	put_dir(fx->l1, "d/sub");
	fx_put_file(fx->l1, "d/sub/y", "y");
	fx_put_file(fx->l1, "keep", "k");
	put_dir(fx->l2, "d");
	fx_put_file(fx->l2, "d/z", "z");
	put_opaque(fx->l2, "d");
	copy_both(fx);
	assert_false(exists(fx->root, "d/x"));
	assert_false(exists(fx->root, "d/sub"));
	fx_assert_content(fx->root, "d/z", "z");
	fx_assert_content(fx->root, "keep", "k");
}

static void layer_copy__opaque_xattr__not_copied(void **state)
{
	struct fx *fx = *state;
	char v[4];
	int d;

	need_root();
	put_dir(fx->l2, "d");
	put_opaque(fx->l2, "d");
	copy_ok(fx, fx->l2);
	d = openat(fx->root, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(d >= 0);
	assert_int_equal(fgetxattr(d, "trusted.overlay.opaque", v, sizeof(v)), -1);
	close(d);
}

/* A lower layer's etc -> TMP/outside (absolute), up -> ../outside
 * (relative): the upper layer's etc/x and up/y land in directories of the
 * copy that replace the links, never through them. */
static void layer_copy__symlink_dir_below__replaced_not_followed(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *up = xasprintf("../%s", "outside");

	need_root();
	assert_int_equal(symlinkat(fx->outside, fx->l1, "etc"), 0);
	assert_int_equal(symlinkat(up, fx->l1, "up"), 0);
	assert_int_equal(symlinkat("/", fx->l1, "slash"), 0);
	put_dir(fx->l2, "etc");
	fx_put_file(fx->l2, "etc/x", "x");
	put_dir(fx->l2, "up");
	fx_put_file(fx->l2, "up/y", "y");
	put_dir(fx->l2, "slash");
	fx_put_file(fx->l2, "slash/md-layer-copy-must-not-exist", "z");
	copy_both(fx);
	assert_int_equal(type_of(fx->root, "etc"), S_IFDIR);
	fx_assert_content(fx->root, "etc/x", "x");
	assert_int_equal(type_of(fx->root, "up"), S_IFDIR);
	fx_assert_content(fx->root, "up/y", "y");
	assert_int_equal(type_of(fx->root, "slash"), S_IFDIR);
	assert_false(exists(AT_FDCWD, "/md-layer-copy-must-not-exist"));
}

/* A file in the upper layer over a lower symlink to outside: the link
 * is replaced, the file outside never written. */
static void layer_copy__file_over_symlink__replaces_link(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *target = xasprintf("%s/victim", fx->outside);

	need_root();
	assert_int_equal(symlinkat(target, fx->l1, "f"), 0);
	fx_put_file(fx->l2, "f", "new");
	copy_both(fx);
	assert_int_equal(type_of(fx->root, "f"), S_IFREG);
	fx_assert_content(fx->root, "f", "new");
}

static void layer_copy__file_over_dir__replaces_tree(void **state)
{
	struct fx *fx = *state;

	need_root();
	put_dir(fx->l1, "p");
	fx_put_file(fx->l1, "p/inner", "i");
	fx_put_file(fx->l1, "q", "q");
	fx_put_file(fx->l2, "p", "file");
	put_dir(fx->l2, "q");
	fx_put_file(fx->l2, "q/r", "r");
	copy_both(fx);
	fx_assert_content(fx->root, "p", "file");
	assert_int_equal(type_of(fx->root, "q"), S_IFDIR);
	fx_assert_content(fx->root, "q/r", "r");
}

static void layer_copy__owner_mode_mtime__kept(void **state)
{
	struct fx *fx = *state;
	struct timespec t[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1234567890, .tv_nsec = 5 } };
	struct stat st;

	need_root();
	put_dir(fx->l1, "d");
	fx_put_file(fx->l1, "d/suid", "s");
	assert_int_equal(fchownat(fx->l1, "d/suid", 1234, 5678, 0), 0);
	assert_int_equal(fchmodat(fx->l1, "d/suid", 04750, 0), 0);
	assert_int_equal(utimensat(fx->l1, "d/suid", t, 0), 0);
	assert_int_equal(fchownat(fx->l1, "d", 42, 43, 0), 0);
	assert_int_equal(fchmodat(fx->l1, "d", 0711, 0), 0);
	assert_int_equal(utimensat(fx->l1, "d", t, 0), 0);
	assert_int_equal(symlinkat("target", fx->l1, "lnk"), 0);
	assert_int_equal(fchownat(fx->l1, "lnk", 7, 8, AT_SYMLINK_NOFOLLOW), 0);
	copy_ok(fx, fx->l1);
	assert_int_equal(fstatat(fx->root, "d/suid", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 5678);
	assert_int_equal(st.st_mode & 07777, 04750);
	assert_int_equal(st.st_mtim.tv_sec, 1234567890);
	assert_int_equal(st.st_mtim.tv_nsec, 5);
	assert_int_equal(fstatat(fx->root, "d", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_uid, 42);
	assert_int_equal(st.st_mode & 07777, 0711);
	assert_int_equal(st.st_mtim.tv_sec, 1234567890);
	assert_int_equal(fstatat(fx->root, "lnk", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_gid, 8);
}

static void layer_copy__devices_and_fifo__made_as_they_are(void **state)
{
	struct fx *fx = *state;
	struct stat st;

	need_root();
	assert_int_equal(mknodat(fx->l1, "null", S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(fchmodat(fx->l1, "null", 0666, 0), 0); /* past the umask */
	assert_int_equal(mknodat(fx->l1, "fifo", S_IFIFO | 0640, 0), 0);
	copy_ok(fx, fx->l1);
	assert_int_equal(fstatat(fx->root, "null", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	assert_int_equal(st.st_mode & 07777, 0666);
	assert_int_equal(type_of(fx->root, "fifo"), S_IFIFO);
}

static void layer_copy__large_file__data_whole(void **state)
{
	struct fx *fx = *state;
	size_t n = 3 * 1024 * 1024 + 17;
	char *data = xmalloc(n), *back = xmalloc(n);
	int fd;

	need_root();
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 7 + i / 4096);
	fd = openat(fx->l1, "big", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, data, n), 0);
	close(fd);
	copy_ok(fx, fx->l1);
	fd = openat(fx->root, "big", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, back, n + 1), (ssize_t)n);
	close(fd);
	assert_memory_equal(data, back, n);
	free(data);
	free(back);
}

static void layer_copy_all__layers__applied_bottom_first(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *l1 = xasprintf("%s/l1", fx->base);
	cleanup_free char *l2 = xasprintf("%s/l2", fx->base);
	cleanup_free char *root = xasprintf("%s/root", fx->base);
	char *layers[] = { l1, l2, NULL };
	struct md_err err = { 0 };

	need_root();
	fx_put_file(fx->l1, "f", "lower");
	fx_put_file(fx->l1, "g", "lower");
	fx_put_file(fx->l2, "f", "upper");
	put_whiteout(fx->l2, "g");
	if (layer_copy_all(layers, root, &err) != 0)
		fail_msg("layer_copy_all failed: %s", err.msg);
	fx_assert_content(fx->root, "f", "upper");
	assert_false(exists(fx->root, "g"));
}

static void layer_copy_all__missing_layer__fails(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *root = xasprintf("%s/root", fx->base);
	char *layers[] = { (char *)"/nonexistent/md-layer", NULL };
	struct md_err err = { 0 };

	(void)fx;
	assert_int_equal(layer_copy_all(layers, root, &err), -1);
	assert_string_equal(err.msg, "open layer /nonexistent/md-layer: No such file or directory");
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(layer_copy__files_dirs_links__copied),
		T(layer_copy__whiteout__deletes_file_and_tree_below),
		T(layer_copy__opaque_dir__hides_what_is_below),
		T(layer_copy__opaque_xattr__not_copied),
		T(layer_copy__symlink_dir_below__replaced_not_followed),
		T(layer_copy__file_over_symlink__replaces_link),
		T(layer_copy__file_over_dir__replaces_tree),
		T(layer_copy__owner_mode_mtime__kept),
		T(layer_copy__devices_and_fifo__made_as_they_are),
		T(layer_copy__large_file__data_whole),
		T(layer_copy_all__layers__applied_bottom_first),
		T(layer_copy_all__missing_layer__fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
