/* Unit tests for daemon/ctr-overlay.c: an overlay root built as a
 * detached mount over layers made by hand in a temp dir (a whiteout is a
 * character device 0/0, an opaque directory has trusted.overlay.opaque),
 * looked at through the mount's fd alone: a detached mount is in no mount
 * table, so nothing of the host's changes. Needs root (CI runs as root);
 * skipped otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../common/util.h"
#include "../../daemon/ctr-overlay.h"
#include "fs-fixture.h"

#define NLAYERS_MAX 48

struct fx {
	char base[64];
	char *layers[NLAYERS_MAX + 1];
	int layer[NLAYERS_MAX];
	size_t nlayers;
	char *upper, *work;
	int up;
	int mnt;
};

static char *make_dir(struct fx *fx, const char *name, mode_t mode)
{
	char *p = xasprintf("%s/%s", fx->base, name);

	assert_int_equal(mkdir(p, mode), 0);
	return p;
}

static void add_layers(struct fx *fx, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "l%zu", fx->nlayers);
		fx->layers[fx->nlayers] = make_dir(fx, name, 0755);
		fx->layer[fx->nlayers] = open(fx->layers[fx->nlayers], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(fx->layer[fx->nlayers] >= 0);
		fx->nlayers++;
	}
	fx->layers[fx->nlayers] = NULL;
}

static int fx_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));

	snprintf(fx->base, sizeof(fx->base), "/tmp/md-ovl-XXXXXX");
	assert_non_null(mkdtemp(fx->base));
	fx->upper = make_dir(fx, "upper", 0755);
	fx->work = make_dir(fx, "work", 0700);
	fx->up = open(fx->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fx->mnt = -1;
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	if (fx->mnt >= 0)
		close(fx->mnt);
	for (size_t i = 0; i < fx->nlayers; i++) {
		close(fx->layer[i]);
		free(fx->layers[i]);
	}
	close(fx->up);
	/* work/ holds overlay's own work/work, mode 000: removed all the same. */
	assert_int_equal(dir_remove_tree(fx->base, &err), 0);
	free(fx->upper);
	free(fx->work);
	free(fx);
	return 0;
}

static void need_root(void)
{
	fx_need_root("overlay mounts");
}

static bool exists(int dir, const char *path)
{
	struct stat st;

	return fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void mount_as(struct fx *fx, bool disposable)
{
	struct md_err err = { 0 };
	bool refused = true;

	fx->mnt = overlay_mount_root(fx->layers, fx->upper, fx->work, disposable, &refused, &err);
	if (fx->mnt < 0)
		fail_msg("overlay_mount_root failed: %s", err.msg);
	assert_false(refused);
}

static void mount_ok(struct fx *fx)
{
	mount_as(fx, false);
}

static void put_opaque(int dir, const char *path)
{
	int d = openat(dir, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(d >= 0);
	assert_int_equal(fsetxattr(d, "trusted.overlay.opaque", "y", 1, 0), 0);
	close(d);
}

/* Two layers: l0 (bottom) has a, b/, d/x; l1 has a whiteout of b, an
 * opaque d/ with y, and a new a. */
static void two_layers(struct fx *fx)
{
	add_layers(fx, 2);
	fx_put_file(fx->layer[0], "a", "lower");
	fx_put_file(fx->layer[0], "keep", "kept");
	assert_int_equal(mkdirat(fx->layer[0], "b", 0755), 0);
	fx_put_file(fx->layer[0], "b/inner", "i");
	assert_int_equal(mkdirat(fx->layer[0], "d", 0755), 0);
	fx_put_file(fx->layer[0], "d/x", "x");
	fx_put_file(fx->layer[1], "a", "upper");
	assert_int_equal(mknodat(fx->layer[1], "b", S_IFCHR | 0600, makedev(0, 0)), 0);
	assert_int_equal(mkdirat(fx->layer[1], "d", 0755), 0);
	fx_put_file(fx->layer[1], "d/y", "y");
	put_opaque(fx->layer[1], "d");
}

static void overlay_mount_root__layers__merged_as_overlay_shows(void **state)
{
	struct fx *fx = *state;

	need_root();
	two_layers(fx);
	mount_ok(fx);
	fx_assert_content(fx->mnt, "a", "upper");
	fx_assert_content(fx->mnt, "keep", "kept");
	assert_false(exists(fx->mnt, "b"));
	assert_false(exists(fx->mnt, "d/x"));
	fx_assert_content(fx->mnt, "d/y", "y");
}

static void overlay_mount_root__writes__go_to_upper_only(void **state)
{
	struct fx *fx = *state;
	struct stat st;

	need_root();
	two_layers(fx);
	mount_ok(fx);
	fx_put_file(fx->mnt, "new", "n");
	fx_put_file(fx->mnt, "keep", "changed");
	assert_int_equal(unlinkat(fx->mnt, "a", 0), 0);
	fx_assert_content(fx->up, "new", "n");
	fx_assert_content(fx->up, "keep", "changed");
	fx_assert_content(fx->layer[0], "keep", "kept");
	fx_assert_content(fx->layer[1], "a", "upper");
	/* The deletion is overlay's own whiteout in upper. */
	assert_int_equal(fstatat(fx->up, "a", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0));
}

/* statvfs flags are the mount's: set-id files and device nodes of an
 * image are inert in it. */
static void overlay_mount_root__nosuid_nodev__set(void **state)
{
	struct fx *fx = *state;
	struct statvfs sv;

	need_root();
	add_layers(fx, 1);
	mount_ok(fx);
	assert_int_equal(fstatvfs(fx->mnt, &sv), 0);
	assert_true(sv.f_flag & ST_NOSUID);
	assert_true(sv.f_flag & ST_NODEV);
	assert_false(sv.f_flag & ST_RDONLY);
}

/* A disposable (--rm) container's overlay is volatile: overlayfs marks
 * that in its work directory (work/incompat/volatile), and only then;
 * files still go to upper as before. */
static void overlay_mount_root__disposable__volatile(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *mark = NULL;
	struct stat st;

	need_root();
	add_layers(fx, 1);
	mount_as(fx, true);
	mark = xasprintf("%s/work/incompat/volatile", fx->work);
	assert_int_equal(stat(mark, &st), 0);
	fx_put_file(fx->mnt, "new", "n");
	fx_assert_content(fx->up, "new", "n");
}

static void overlay_mount_root__kept__not_volatile(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *mark = NULL;
	struct stat st;

	need_root();
	add_layers(fx, 1);
	mount_ok(fx);
	mark = xasprintf("%s/work/incompat/volatile", fx->work);
	assert_int_equal(stat(mark, &st), -1);
	assert_int_equal(errno, ENOENT);
}

static void overlay_mount_root__many_layers__top_first(void **state)
{
	struct fx *fx = *state;

	need_root();
	add_layers(fx, 40);
	for (size_t i = 0; i < fx->nlayers; i++) {
		char name[32], data[32];

		snprintf(name, sizeof(name), "only%zu", i);
		snprintf(data, sizeof(data), "%zu", i);
		fx_put_file(fx->layer[i], name, data);
		fx_put_file(fx->layer[i], "top", data);
	}
	mount_ok(fx);
	fx_assert_content(fx->mnt, "top", "39");
	fx_assert_content(fx->mnt, "only0", "0");
	fx_assert_content(fx->mnt, "only39", "39");
}

static void overlay_mount_root__missing_layer__fails_not_refused(void **state)
{
	struct fx *fx = *state;
	char *layers[] = { (char *)"/nonexistent/md-layer", NULL };
	struct md_err err = { 0 };
	bool refused = true;

	need_root();
	assert_int_equal(overlay_mount_root(layers, fx->upper, fx->work, false, &refused, &err), -1);
	assert_false(refused);
	assert_string_equal(err.msg, "mount overlay root: layer /nonexistent/md-layer: "
			    "No such file or directory");
}

/* A work dir on another mount than upper: overlay refuses the pair, and
 * the caller may copy the layers instead. */
static void overlay_mount_root__work_on_other_mount__refused(void **state)
{
	struct fx *fx = *state;
	char shm[] = "/dev/shm/md-ovl-work-XXXXXX";
	struct md_err err = { 0 };
	bool refused = false;
	int r;

	need_root();
	if (mkdtemp(shm) == NULL) {
		print_message("no /dev/shm: %s\n", strerror(errno));
		skip();
	}
	add_layers(fx, 1);
	r = overlay_mount_root(fx->layers, fx->upper, shm, false, &refused, &err);
	rmdir(shm);
	assert_int_equal(r, -1);
	assert_true(refused);
	assert_non_null(strstr(err.msg, "mount overlay root"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(overlay_mount_root__layers__merged_as_overlay_shows),
		T(overlay_mount_root__writes__go_to_upper_only),
		T(overlay_mount_root__nosuid_nodev__set),
		T(overlay_mount_root__disposable__volatile),
		T(overlay_mount_root__kept__not_volatile),
		T(overlay_mount_root__many_layers__top_first),
		T(overlay_mount_root__missing_layer__fails_not_refused),
		T(overlay_mount_root__work_on_other_mount__refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
