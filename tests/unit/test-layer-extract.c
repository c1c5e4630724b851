/* Unit tests for daemon/layer-extract.c: each test builds a tar archive
 * with libarchive's writer (pax, optionally gzip/xz/zstd) in a memfd,
 * extracts it into TMP/root, and checks the result with fstatat and
 * readlinkat. TMP/outside is a sentinel beside the target: hostile archives
 * (".." names, absolute names, symlink-then-write, hardlinks out) must be
 * refused and leave it exactly as it was. Device nodes, ownership and
 * trusted.* xattrs need root (CI runs as root); those tests skip otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../common/util.h"
#include "../../daemon/layer-extract.h"
#include "fs-fixture.h"

struct fx {
	char base[64];
	char outside[96];
	int root;    /* TMP/root: the extraction target */
	int out;     /* TMP/outside: must stay as the test left it */
};

/* One archive entry; .type 0 with .link set is a hardlink. */
struct ent {
	const char *name;
	mode_t type;
	mode_t perm;
	const char *data;
	const char *link;
	unsigned maj, min;
	int64_t uid, gid;
};

enum filt { F_NONE, F_GZIP, F_XZ, F_ZSTD };

#define REG(n, d) { .name = (n), .type = AE_IFREG, .perm = 0644, .data = (d) }
#define DIR_(n) { .name = (n), .type = AE_IFDIR, .perm = 0755 }
#define SYM(n, t) { .name = (n), .type = AE_IFLNK, .perm = 0777, .link = (t) }
#define HARD(n, t) { .name = (n), .link = (t) }
#define END { .name = NULL }

static int fx_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	cleanup_free char *r = NULL;

	snprintf(fx->base, sizeof(fx->base), "/tmp/md-layer-XXXXXX");
	assert_non_null(mkdtemp(fx->base));
	snprintf(fx->outside, sizeof(fx->outside), "%s/outside", fx->base);
	r = xasprintf("%s/root", fx->base);
	assert_int_equal(mkdir(r, 0755), 0);
	assert_int_equal(mkdir(fx->outside, 0755), 0);
	fx->root = open(r, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fx->out = open(fx->outside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fx->root >= 0 && fx->out >= 0);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	close(fx->root);
	close(fx->out);
	assert_int_equal(dir_remove_tree(fx->base, &err), 0);
	free(fx);
	return 0;
}

/* Write ents as a pax tar through filter f into a memfd, rewound; -1 when
 * this libarchive cannot write that filter. */
static int tar_make(const struct ent *ents, enum filt f)
{
	struct archive *a = archive_write_new();
	int fd = memfd_create("tar", MFD_CLOEXEC);
	int r = ARCHIVE_OK;

	assert_non_null(a);
	assert_true(fd >= 0);
	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	if (f == F_GZIP)
		r = archive_write_add_filter_gzip(a);
	else if (f == F_XZ)
		r = archive_write_add_filter_xz(a);
	else if (f == F_ZSTD)
		r = archive_write_add_filter_zstd(a);
	if (r != ARCHIVE_OK) {
		archive_write_free(a);
		close(fd);
		return -1;
	}
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (const struct ent *en = ents; en->name != NULL; en++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = en->data ? strlen(en->data) : 0;

		archive_entry_set_pathname(e, en->name);
		archive_entry_set_uid(e, en->uid);
		archive_entry_set_gid(e, en->gid);
		archive_entry_set_mtime(e, 1000000000, 0);
		if (en->type == 0) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, en->link);
			archive_entry_set_size(e, 0);
		} else {
			archive_entry_set_filetype(e, en->type);
			archive_entry_set_perm(e, en->perm);
			archive_entry_set_size(e, (la_int64_t)len);
			if (en->type == AE_IFLNK)
				archive_entry_set_symlink(e, en->link);
			if (en->type == AE_IFCHR || en->type == AE_IFBLK) {
				archive_entry_set_rdevmajor(e, en->maj);
				archive_entry_set_rdevminor(e, en->min);
			}
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len > 0)
			assert_int_equal(archive_write_data(a, en->data, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static const struct extract_opts OPTS_PRIV = { .privileged = true, .overlay_whiteouts = true };
static const struct extract_opts OPTS_USER = {
	.privileged = false, .map_uid = 4242, .map_gid = 4243, .overlay_whiteouts = true
};
static const struct extract_opts OPTS_APPLY = { .privileged = true, .overlay_whiteouts = false };

static int extract_f(struct fx *fx, const struct ent *ents, enum filt f,
		     const struct extract_opts *o, struct extract_stats *st, struct md_err *err)
{
	int fd = tar_make(ents, f);
	int r;

	assert_true(fd >= 0);
	md_err_clear(err);
	r = layer_extract(fd, fx->root, o, st, err);
	close(fd);
	return r;
}

static int extract(struct fx *fx, const struct ent *ents, const struct extract_opts *o,
		   struct md_err *err)
{
	struct extract_stats st;

	return extract_f(fx, ents, F_NONE, o, &st, err);
}

static size_t dir_count(int dirfd)
{
	DIR *d = fdopendir(fcntl(dirfd, F_DUPFD_CLOEXEC, 3));
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	rewinddir(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void assert_refused(const struct md_err *err, const char *name, const char *why)
{
	cleanup_free char *want = xasprintf("refused archive entry %s: %s", name, why);

	if (strstr(err->msg, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err->msg, want);
}

static void assert_link(int dirfd, const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, path, buf, sizeof(buf) - 1);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, target);
}

static struct stat lst(int dirfd, const char *path)
{
	struct stat sb;

	if (fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		fail_msg("fstatat %s: %s", path, strerror(errno));
	return sb;
}

static bool exists(int dirfd, const char *path)
{
	struct stat sb;

	return fstatat(dirfd, path, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static void skip_unless_root(void)
{
	if (geteuid() != 0) {
		print_message("    (skipped: needs root)\n");
		skip();
	}
}

static const struct ent TREE[] = {
	DIR_("./"),
	DIR_("./etc"),
	REG("./etc/hostname", "box\n"),
	REG("usr//bin/tool", "#!/bin/sh\n"),   /* parents implied, "//" normalised */
	SYM("bin", "usr/bin"),
	SYM("etc/abs", "/usr/bin/tool"),
	HARD("etc/hostname2", "etc/hostname"),
	{ .name = "run/fifo", .type = AE_IFIFO, .perm = 0620 },
	END,
};

static void check_tree(struct fx *fx, const struct extract_stats *st)
{
	struct stat a, b;

	fx_assert_content(fx->root, "etc/hostname", "box\n");
	fx_assert_content(fx->root, "usr/bin/tool", "#!/bin/sh\n");
	assert_true(S_ISDIR(lst(fx->root, "usr").st_mode));
	assert_int_equal(lst(fx->root, "usr").st_mode & 07777, 0755);
	assert_int_equal(lst(fx->root, "etc/hostname").st_mode & 07777, 0644);
	assert_int_equal(lst(fx->root, "etc/hostname").st_mtime, 1000000000);
	assert_link(fx->root, "bin", "usr/bin");
	assert_link(fx->root, "etc/abs", "/usr/bin/tool");
	a = lst(fx->root, "etc/hostname");
	b = lst(fx->root, "etc/hostname2");
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_nlink, 2);
	assert_true(S_ISFIFO(lst(fx->root, "run/fifo").st_mode));
	assert_int_equal(lst(fx->root, "run/fifo").st_mode & 07777, 0620);
	assert_int_equal(st->bytes, strlen("box\n") + strlen("#!/bin/sh\n"));
	assert_int_equal(st->files, 8);
	assert_int_equal(dir_count(fx->out), 0);
}

static void layer_extract__plain_tree__extracted(void **state)
{
	struct fx *fx = *state;
	struct extract_stats st;
	struct md_err err;

	assert_int_equal(extract_f(fx, TREE, F_NONE, &OPTS_PRIV, &st, &err), 0);
	check_tree(fx, &st);
}

static void extract_filtered(struct fx *fx, enum filt f, const char *what)
{
	struct extract_stats st;
	struct md_err err;
	int fd = tar_make(TREE, f);

	if (fd < 0) {
		print_message("    (skipped: this libarchive cannot write %s)\n", what);
		skip();
	}
	md_err_clear(&err);
	assert_int_equal(layer_extract(fd, fx->root, &OPTS_PRIV, &st, &err), 0);
	close(fd);
	check_tree(fx, &st);
}

static void layer_extract__gzip__extracted(void **state)
{
	extract_filtered(*state, F_GZIP, "gzip");
}

static void layer_extract__xz__extracted(void **state)
{
	extract_filtered(*state, F_XZ, "xz");
}

static void layer_extract__zstd__extracted(void **state)
{
	extract_filtered(*state, F_ZSTD, "zstd");
}

static void layer_extract__dotdot_escape__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("../outside/x", "pwn"), REG("../../etc/x", "pwn"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "../outside/x", "\"..\" component");
	assert_int_equal(dir_count(fx->out), 0);
	assert_int_equal(dir_count(fx->root), 0);
}

static void layer_extract__dotdot_deep__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("../../etc/x", "pwn"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "../../etc/x", "\"..\" component");
	assert_int_equal(dir_count(fx->out), 0);
}

static void layer_extract__absolute__refused(void **state)
{
	struct fx *fx = *state;
	char name[160];
	const struct ent ents[] = { REG(name, "pwn"), END };
	struct md_err err;

	/* An absolute name pointing at the sentinel: if followed, it shows. */
	snprintf(name, sizeof(name), "%s/x", fx->outside);
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, name, "absolute path");
	assert_int_equal(dir_count(fx->out), 0);
}

static void layer_extract__dotdot_inside__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { DIR_("a"), REG("a/../../outside/x", "pwn"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "a/../../outside/x", "\"..\" component");
	assert_int_equal(dir_count(fx->out), 0);
}

static void layer_extract__path_too_long__refused(void **state)
{
	struct fx *fx = *state;
	char name[PATH_MAX + 64];
	const struct ent ents[] = { REG(name, "x"), END };
	struct md_err err;
	size_t i;

	for (i = 0; i + 1 < sizeof(name); i++)
		name[i] = (i % 100 == 99) ? '/' : 'a';
	name[i] = '\0';
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_non_null(strstr(err.msg, "path longer than PATH_MAX"));
	assert_int_equal(dir_count(fx->root), 0);
}

/* Entry 1 "evil -> TMP/outside", entry 2 "evil/passwd": the write must not
 * go through the symlink. */
static void layer_extract__symlink_then_write__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { SYM("evil", fx->outside), REG("evil/passwd", "root::0:0"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "evil/passwd", "path component \"evil\" is a symlink or not a directory");
	assert_int_equal(dir_count(fx->out), 0);
	assert_link(fx->root, "evil", fx->outside);
}

/* The same with a relative link and a deeper write. */
static void layer_extract__symlink_dir_then_file__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = {
		DIR_("d"), SYM("d/up", "../../outside"), REG("d/up/sub/x", "pwn"), END,
	};
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "d/up/sub/x", "path component \"up\" is a symlink");
	assert_int_equal(dir_count(fx->out), 0);
}

/* Even a symlink that stays inside is not followed for a parent. */
static void layer_extract__symlink_inside_then_file__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { DIR_("real"), SYM("link", "real"), REG("link/x", "x"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "link/x", "path component \"link\" is a symlink");
	assert_int_equal(dir_count(fx->out), 0);
	assert_false(exists(fx->root, "real/x"));
}

/* A file as a later entry's parent. */
static void layer_extract__file_as_parent__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("f", "x"), REG("f/x", "y"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "f/x", "path component \"f\" is a symlink or not a directory");
}

static void layer_extract__hardlink_absolute__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { HARD("shadow", "/etc/shadow"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "shadow", "hardlink target: absolute path");
	assert_false(exists(fx->root, "shadow"));
}

static void layer_extract__hardlink_outside__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { HARD("stolen", "../outside/secret"), END };
	struct md_err err;
	int fd = openat(fx->out, "secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "stolen", "hardlink target: \"..\" component");
	assert_false(exists(fx->root, "stolen"));
	assert_int_equal(lst(fx->out, "secret").st_nlink, 1);
}

/* "s -> TMP/outside/secret", then "h" hardlinked to "s": linking must not
 * follow s to the file outside. */
static void layer_extract__hardlink_to_symlink__refused(void **state)
{
	struct fx *fx = *state;
	char target[160];
	const struct ent ents[] = { SYM("s", target), HARD("h", "s"), END };
	struct md_err err;
	int fd = openat(fx->out, "secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
	snprintf(target, sizeof(target), "%s/secret", fx->outside);
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "h", "hardlink target is not a regular file");
	assert_false(exists(fx->root, "h"));
	assert_int_equal(lst(fx->out, "secret").st_nlink, 1);
}

/* A hardlink whose target path goes through a symlink to outside. */
static void layer_extract__hardlink_through_symlink__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { SYM("o", "../outside"), HARD("h", "o/secret"), END };
	struct md_err err;
	int fd = openat(fx->out, "secret", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "h", "path component \"o\" is a symlink");
	assert_int_equal(lst(fx->out, "secret").st_nlink, 1);
}

static void layer_extract__hardlink_missing__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { HARD("h", "nowhere/x"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "h", "hardlink target not extracted");
}

static const struct ent DEVNULL[] = {
	{ .name = "dev/null", .type = AE_IFCHR, .perm = 0666, .maj = 1, .min = 3 },
	END,
};

static void layer_extract__device_unprivileged__refused(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	assert_int_equal(extract(fx, DEVNULL, &OPTS_USER, &err), -1);
	assert_refused(&err, "dev/null", "device node in an unprivileged extraction");
	assert_false(exists(fx->root, "dev/null"));
}

static void layer_extract__device_privileged__created(void **state)
{
	struct fx *fx = *state;
	struct md_err err;
	struct stat sb;

	skip_unless_root();
	assert_int_equal(extract(fx, DEVNULL, &OPTS_PRIV, &err), 0);
	sb = lst(fx->root, "dev/null");
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(major(sb.st_rdev), 1);
	assert_int_equal(minor(sb.st_rdev), 3);
	assert_int_equal(sb.st_mode & 07777, 0666);
}

static const struct ent SETID[] = {
	{ .name = "bin/su", .type = AE_IFREG, .perm = 04755, .data = "su" },
	{ .name = "bin/wall", .type = AE_IFREG, .perm = 02755, .data = "wall" },
	{ .name = "tmp", .type = AE_IFDIR, .perm = 01777 },
	END,
};

static void layer_extract__setid_unprivileged__cleared(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	assert_int_equal(extract(fx, SETID, &OPTS_USER, &err), 0);
	assert_int_equal(lst(fx->root, "bin/su").st_mode & 07777, 0755);
	assert_int_equal(lst(fx->root, "bin/wall").st_mode & 07777, 0755);
	assert_int_equal(lst(fx->root, "tmp").st_mode & 07777, 01777);
}

static void layer_extract__setid_privileged__kept(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	skip_unless_root();
	assert_int_equal(extract(fx, SETID, &OPTS_PRIV, &err), 0);
	assert_int_equal(lst(fx->root, "bin/su").st_mode & 07777, 04755);
	assert_int_equal(lst(fx->root, "bin/wall").st_mode & 07777, 02755);
	assert_int_equal(lst(fx->root, "tmp").st_mode & 07777, 01777);
}

static const struct ent OWNED[] = {
	{ .name = "home/u", .type = AE_IFDIR, .perm = 0700, .uid = 1234, .gid = 1235 },
	{ .name = "home/u/f", .type = AE_IFREG, .perm = 0600, .data = "x", .uid = 1234, .gid = 1235 },
	{ .name = "home/u/l", .type = AE_IFLNK, .perm = 0777, .link = "f", .uid = 1234, .gid = 1235 },
	{ .name = "home/u/p", .type = AE_IFIFO, .perm = 0600, .uid = 1234, .gid = 1235 },
	END,
};

static void layer_extract__owner_privileged__kept(void **state)
{
	struct fx *fx = *state;
	const char *paths[] = { "home/u", "home/u/f", "home/u/l", "home/u/p" };
	struct md_err err;

	skip_unless_root();
	assert_int_equal(extract(fx, OWNED, &OPTS_PRIV, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		assert_int_equal(lst(fx->root, paths[i]).st_uid, 1234);
		assert_int_equal(lst(fx->root, paths[i]).st_gid, 1235);
	}
	/* The implied parent is root's. */
	assert_int_equal(lst(fx->root, "home").st_uid, 0);
}

static void layer_extract__owner_unprivileged__mapped(void **state)
{
	struct fx *fx = *state;
	const char *paths[] = { "home", "home/u", "home/u/f", "home/u/l", "home/u/p" };
	struct md_err err;

	skip_unless_root();
	assert_int_equal(extract(fx, OWNED, &OPTS_USER, &err), 0);
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		assert_int_equal(lst(fx->root, paths[i]).st_uid, 4242);
		assert_int_equal(lst(fx->root, paths[i]).st_gid, 4243);
	}
}

static void layer_extract__uid_minus_one__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = {
		{ .name = "f", .type = AE_IFREG, .perm = 0644, .data = "x", .uid = 4294967295LL },
		END,
	};
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "f", "uid/gid out of range");
}

static void layer_extract__whiteout_overlay__char_dev_0_0(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { DIR_("etc"), REG("etc/.wh.motd", ""), END };
	struct md_err err;
	struct stat sb;

	skip_unless_root();
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), 0);
	sb = lst(fx->root, "etc/motd");
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(sb.st_rdev, makedev(0, 0));
	assert_false(exists(fx->root, "etc/.wh.motd"));
}

static void layer_extract__opaque_overlay__xattr(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { DIR_("var"), REG("var/.wh..wh..opq", ""), REG("var/new", "n"), END };
	struct md_err err;
	char v[8];
	ssize_t n;

	skip_unless_root();
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), 0);
	n = getxattr(fx->outside, "trusted.overlay.opaque", v, sizeof(v)); /* sanity: unset outside */
	assert_true(n < 0);
	{
		int d = openat(fx->root, "var", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		assert_true(d >= 0);
		n = fgetxattr(d, "trusted.overlay.opaque", v, sizeof(v));
		close(d);
	}
	assert_int_equal(n, 1);
	assert_memory_equal(v, "y", 1);
	assert_false(exists(fx->root, "var/.wh..wh..opq"));
	fx_assert_content(fx->root, "var/new", "n");
}

static void layer_extract__whiteout_bad_name__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { DIR_("d"), REG("d/.wh..", ""), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "d/.wh..", "whiteout of an invalid name");
}

static void layer_extract__whiteout_empty_name__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG(".wh.", ""), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_APPLY, &err), -1);
	assert_refused(&err, ".wh.", "whiteout of an invalid name");
}

/* Apply mode on a flattened root: layer 1, then layer 2 whiting out a file
 * and a directory tree of layer 1. */
static void layer_extract__whiteout_apply__removed(void **state)
{
	struct fx *fx = *state;
	const struct ent lower[] = {
		REG("etc/motd", "hi"), REG("etc/keep", "k"), REG("opt/x/y/z", "z"), SYM("opt/x/l", "/"),
		END,
	};
	const struct ent upper[] = { REG("etc/.wh.motd", ""), REG(".wh.opt", ""), REG("no/.wh.such", ""),
				     END };
	struct md_err err;

	assert_int_equal(extract(fx, lower, &OPTS_APPLY, &err), 0);
	assert_int_equal(extract(fx, upper, &OPTS_APPLY, &err), 0);
	assert_false(exists(fx->root, "etc/motd"));
	assert_false(exists(fx->root, "etc/.wh.motd"));
	fx_assert_content(fx->root, "etc/keep", "k");
	assert_false(exists(fx->root, "opt"));
	assert_false(exists(fx->root, "no")); /* a whiteout creates nothing */
}

/* The opaque marker hides what layer 1 put in the directory, not what
 * layer 2 itself puts there, before or after the marker. */
static void layer_extract__opaque_apply__emptied(void **state)
{
	struct fx *fx = *state;
	const struct ent lower[] = {
		REG("var/old", "o"), REG("var/sub/old2", "o"), REG("var/sub/keep-name", "lower"),
		REG("other/x", "x"), END,
	};
	const struct ent upper[] = {
		REG("var/-early", "e"), REG("var/sub/keep-name", "upper"), REG("var/.wh..wh..opq", ""),
		REG("var/new", "n"), END,
	};
	struct md_err err;

	assert_int_equal(extract(fx, lower, &OPTS_APPLY, &err), 0);
	assert_int_equal(extract(fx, upper, &OPTS_APPLY, &err), 0);
	assert_false(exists(fx->root, "var/old"));
	assert_false(exists(fx->root, "var/sub/old2"));
	fx_assert_content(fx->root, "var/sub/keep-name", "upper");
	fx_assert_content(fx->root, "var/-early", "e");
	fx_assert_content(fx->root, "var/new", "n");
	fx_assert_content(fx->root, "other/x", "x");
	assert_false(exists(fx->root, "var/.wh..wh..opq"));
}

static void layer_extract__overlay_nonempty_target__fails(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("a", "a"), END };
	struct md_err err;
	int fd = openat(fx->root, "stale", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_string_equal(err.msg, "extract layer: target directory is not empty");
}

/* Tars may list a name twice: the later entry wins, whatever its type. */
static void layer_extract__later_entry__replaces_earlier(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = {
		REG("f", "old"), REG("f", "new"),
		SYM("l", "x"), REG("l", "now a file"),
		REG("d", "file first"), DIR_("d"), REG("d/in", "in"),
		DIR_("d"),               /* a directory over a directory: kept */
		REG("h", "target"), REG("h2", "other"), HARD("h2", "h"),
		HARD("h", "h"),          /* a hardlink to itself: a no-op */
		END,
	};
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), 0);
	fx_assert_content(fx->root, "f", "new");
	fx_assert_content(fx->root, "l", "now a file");
	fx_assert_content(fx->root, "d/in", "in");
	assert_int_equal(lst(fx->root, "h").st_ino, lst(fx->root, "h2").st_ino);
	fx_assert_content(fx->root, "h2", "target");
}

static void layer_extract__file_over_nonempty_dir__refused(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("d/in", "in"), REG("d", "file"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "d", "replaces a non-empty directory");
}

static void layer_extract__garbage__clear_error(void **state)
{
	struct fx *fx = *state;
	struct md_err err;
	int fd = memfd_create("garbage", MFD_CLOEXEC);
	char junk[4096];

	assert_true(fd >= 0);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)("this is not a tar archive\n"[i % 26]);
	assert_int_equal(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	md_err_clear(&err);
	assert_int_equal(layer_extract(fd, fx->root, &OPTS_PRIV, NULL, &err), -1);
	close(fd);
	assert_non_null(strstr(err.msg, "read archive: "));
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(dir_count(fx->root), 0);
}

static void layer_extract__truncated_gzip__clear_error(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("f", "some data that is long enough to matter here"), END };
	struct md_err err;
	int fd = tar_make(ents, F_GZIP);
	struct stat sb;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_int_equal(ftruncate(fd, sb.st_size / 2), 0);
	md_err_clear(&err);
	assert_int_equal(layer_extract(fd, fx->root, &OPTS_PRIV, NULL, &err), -1);
	close(fd);
	assert_true(strncmp(err.msg, "read archive", 12) == 0);
}

static void layer_extract__empty_stream__empty_layer(void **state)
{
	struct fx *fx = *state;
	struct extract_stats st = { 1, 1 };
	struct md_err err;
	int fd = memfd_create("empty", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(layer_extract(fd, fx->root, &OPTS_PRIV, &st, &err), 0);
	close(fd);
	assert_int_equal(st.files, 0);
	assert_int_equal(dir_count(fx->root), 0);
}

/* A control character in a hostile name must not break the one-line error. */
static void layer_extract__newline_in_name__escaped(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("/x\nfake line", "x"), END };
	struct md_err err;

	assert_int_equal(extract(fx, ents, &OPTS_PRIV, &err), -1);
	assert_refused(&err, "/x\\x0afake line", "absolute path");
}

/* ---- on_read: the stream as given, for its digest ---- */

/* What on_read saw, concatenated. */
struct sink {
	char *data;
	size_t len;
	size_t calls;
};

static void sink_on_read(void *arg, const void *buf, size_t len)
{
	struct sink *k = arg;

	assert_true(len > 0);
	k->data = xrealloc(k->data, k->len + len);
	memcpy(k->data + k->len, buf, len);
	k->len += len;
	k->calls++;
}

/* The whole of what fd holds, from 0. */
static char *fd_slurp(int fd, size_t *len)
{
	struct stat sb;
	char *data;

	assert_int_equal(fstat(fd, &sb), 0);
	data = xmalloc((size_t)sb.st_size + 1);
	assert_int_equal(pread(fd, data, (size_t)sb.st_size, 0), sb.st_size);
	*len = (size_t)sb.st_size;
	return data;
}

/* Archive ents through filter f, followed by trailer bytes; extract it with
 * on_read and check that on_read saw exactly every byte of the input, in
 * order, and that the extraction itself still worked. Returns on_read's
 * number of calls. */
static size_t on_read_check(struct fx *fx, const struct ent *ents, enum filt f,
			    const void *trailer, size_t trailer_len, const char *what)
{
	struct extract_opts o = OPTS_PRIV;
	struct sink k = { 0 };
	struct extract_stats st;
	struct md_err err;
	size_t tar_len;
	int tar = tar_make(ents, f);
	char *input;
	int fd;

	if (tar < 0) {
		print_message("    (skipped: this libarchive cannot write %s)\n", what);
		skip();
	}
	input = fd_slurp(tar, &tar_len);
	close(tar);
	input = xrealloc(input, tar_len + trailer_len + 1);
	if (trailer_len > 0)
		memcpy(input + tar_len, trailer, trailer_len);
	fd = memfd_create("input", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, input, tar_len + trailer_len), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	o.on_read = sink_on_read;
	o.on_read_arg = &k;
	md_err_clear(&err);
	if (layer_extract(fd, fx->root, &o, &st, &err) < 0)
		fail_msg("layer_extract: %s", err.msg);
	/* Nothing left unread. */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t)(tar_len + trailer_len));
	close(fd);
	assert_int_equal(k.len, tar_len + trailer_len);
	assert_memory_equal(k.data, input, tar_len + trailer_len);
	free(k.data);
	free(input);
	return k.calls;
}

static void layer_extract__on_read_plain__every_byte(void **state)
{
	struct fx *fx = *state;

	on_read_check(fx, TREE, F_NONE, NULL, 0, "tar");
	fx_assert_content(fx->root, "etc/hostname", "box\n");
}

/* Zero blocks past the end-of-archive marker, then bytes that are not tar. */
static void layer_extract__on_read_plain_trailing_data__every_byte(void **state)
{
	struct fx *fx = *state;
	size_t n = 200 * 1024 + 100; /* more than one 64 KiB read past the end */
	char *trailer = xcalloc(1, n);

	memcpy(trailer + n - 17, "trailing garbage", 17);
	on_read_check(fx, TREE, F_NONE, trailer, n, "tar");
	free(trailer);
	check_tree(fx, &(struct extract_stats){ .files = 8, .bytes = 14 });
}

static void layer_extract__on_read_gzip__every_byte(void **state)
{
	struct fx *fx = *state;

	on_read_check(fx, TREE, F_GZIP, NULL, 0, "gzip");
	fx_assert_content(fx->root, "usr/bin/tool", "#!/bin/sh\n");
}

/* Some tools pad a compressed layer to a block size with zeros. */
static void layer_extract__on_read_gzip_zero_padding__every_byte(void **state)
{
	struct fx *fx = *state;
	char *zeros = xcalloc(1, 4096);

	on_read_check(fx, TREE, F_GZIP, zeros, 4096, "gzip");
	free(zeros);
	fx_assert_content(fx->root, "usr/bin/tool", "#!/bin/sh\n");
}

static void layer_extract__on_read_gzip_trailing_garbage__every_byte(void **state)
{
	struct fx *fx = *state;
	static const char junk[] = "not a second gzip member, just bytes after the first";

	on_read_check(fx, TREE, F_GZIP, junk, sizeof(junk) - 1, "gzip");
	fx_assert_content(fx->root, "etc/hostname", "box\n");
}

/* Garbage longer than a read: what libarchive never asked for is drained. */
static void layer_extract__on_read_gzip_long_garbage__every_byte(void **state)
{
	struct fx *fx = *state;
	size_t n = 150 * 1024 + 11;
	char *junk = xmalloc(n);

	for (size_t i = 0; i < n; i++)
		junk[i] = (char)(0x80 | (i % 97));
	on_read_check(fx, TREE, F_GZIP, junk, n, "gzip");
	free(junk);
	fx_assert_content(fx->root, "etc/hostname", "box\n");
}

/* (No trailer here: libarchive's zstd filter, like the zstd tool, refuses
 * bytes after the last frame that are not a frame.) */
static void layer_extract__on_read_zstd__every_byte(void **state)
{
	struct fx *fx = *state;

	on_read_check(fx, TREE, F_ZSTD, NULL, 0, "zstd");
	fx_assert_content(fx->root, "etc/hostname", "box\n");
}

/* More than one read buffer: many calls, still every byte in order. */
static void layer_extract__on_read_large__many_calls_in_order(void **state)
{
	struct fx *fx = *state;
	size_t n = 300 * 1024 + 3;
	char *big = xmalloc(n + 1);
	struct ent ents[] = { REG("big", NULL), END };
	char trailer[1000];
	struct stat sb;
	size_t calls;

	for (size_t i = 0; i < n; i++)
		big[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	big[n] = '\0';
	ents[0].data = big;
	for (size_t i = 0; i < sizeof(trailer); i++)
		trailer[i] = (char)i;
	calls = on_read_check(fx, ents, F_NONE, trailer, sizeof(trailer), "tar");
	assert_true(calls >= 5); /* 64 KiB reads */
	assert_int_equal(fstatat(fx->root, "big", &sb, 0), 0);
	assert_int_equal(sb.st_size, (off_t)n);
	free(big);
}

static void layer_extract__on_read_empty_stream__nothing(void **state)
{
	struct fx *fx = *state;
	struct extract_opts o = OPTS_PRIV;
	struct sink k = { 0 };
	struct md_err err;
	int fd = memfd_create("empty", MFD_CLOEXEC);

	assert_true(fd >= 0);
	o.on_read = sink_on_read;
	o.on_read_arg = &k;
	assert_int_equal(layer_extract(fd, fx->root, &o, NULL, &err), 0);
	close(fd);
	assert_int_equal(k.len, 0);
	assert_int_equal(k.calls, 0);
	free(k.data);
}

/* On a refused archive what was read so far is still given in order: a
 * prefix of the input. */
static void layer_extract__on_read_refused__prefix_of_input(void **state)
{
	struct fx *fx = *state;
	const struct ent ents[] = { REG("ok", "fine"), REG("../outside/x", "pwn"), END };
	struct extract_opts o = OPTS_PRIV;
	struct sink k = { 0 };
	struct md_err err;
	size_t len;
	int fd = tar_make(ents, F_NONE);
	char *input = fd_slurp(fd, &len);

	o.on_read = sink_on_read;
	o.on_read_arg = &k;
	md_err_clear(&err);
	assert_int_equal(layer_extract(fd, fx->root, &o, NULL, &err), -1);
	close(fd);
	assert_refused(&err, "../outside/x", "\"..\" component");
	assert_true(k.len > 0 && k.len <= len);
	assert_memory_equal(k.data, input, k.len);
	free(k.data);
	free(input);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(layer_extract__plain_tree__extracted),
		T(layer_extract__gzip__extracted),
		T(layer_extract__xz__extracted),
		T(layer_extract__zstd__extracted),
		T(layer_extract__dotdot_escape__refused),
		T(layer_extract__dotdot_deep__refused),
		T(layer_extract__absolute__refused),
		T(layer_extract__dotdot_inside__refused),
		T(layer_extract__path_too_long__refused),
		T(layer_extract__symlink_then_write__refused),
		T(layer_extract__symlink_dir_then_file__refused),
		T(layer_extract__symlink_inside_then_file__refused),
		T(layer_extract__file_as_parent__refused),
		T(layer_extract__hardlink_absolute__refused),
		T(layer_extract__hardlink_outside__refused),
		T(layer_extract__hardlink_to_symlink__refused),
		T(layer_extract__hardlink_through_symlink__refused),
		T(layer_extract__hardlink_missing__refused),
		T(layer_extract__device_unprivileged__refused),
		T(layer_extract__device_privileged__created),
		T(layer_extract__setid_unprivileged__cleared),
		T(layer_extract__setid_privileged__kept),
		T(layer_extract__owner_privileged__kept),
		T(layer_extract__owner_unprivileged__mapped),
		T(layer_extract__uid_minus_one__refused),
		T(layer_extract__whiteout_overlay__char_dev_0_0),
		T(layer_extract__opaque_overlay__xattr),
		T(layer_extract__whiteout_bad_name__refused),
		T(layer_extract__whiteout_empty_name__refused),
		T(layer_extract__whiteout_apply__removed),
		T(layer_extract__opaque_apply__emptied),
		T(layer_extract__overlay_nonempty_target__fails),
		T(layer_extract__later_entry__replaces_earlier),
		T(layer_extract__file_over_nonempty_dir__refused),
		T(layer_extract__garbage__clear_error),
		T(layer_extract__truncated_gzip__clear_error),
		T(layer_extract__empty_stream__empty_layer),
		T(layer_extract__newline_in_name__escaped),
		T(layer_extract__on_read_plain__every_byte),
		T(layer_extract__on_read_plain_trailing_data__every_byte),
		T(layer_extract__on_read_gzip__every_byte),
		T(layer_extract__on_read_gzip_zero_padding__every_byte),
		T(layer_extract__on_read_gzip_trailing_garbage__every_byte),
		T(layer_extract__on_read_gzip_long_garbage__every_byte),
		T(layer_extract__on_read_zstd__every_byte),
		T(layer_extract__on_read_large__many_calls_in_order),
		T(layer_extract__on_read_empty_stream__nothing),
		T(layer_extract__on_read_refused__prefix_of_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
