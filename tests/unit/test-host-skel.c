/* Unit tests for the `host` image's skeleton: daemon/ctr-rootfs.c (what a
 * skeleton holds, the names, the fingerprint of the host it is built
 * from), against a fake host tree in TMP/host, and daemon/host-skel.c
 * (built once per owner and key, then reused), which reads the real host
 * read-only and writes only under TMP/base. Owners need root (CI runs as
 * root); without it every test skips. */
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/util.h"
#include "../../daemon/ctr-rootfs.h"
#include "../../daemon/host-skel.h"
#include "fs-fixture.h"

struct fx {
	char base[64];
	char *host; /* TMP/host: the fake host's root */
	int hostfd;
	int out; /* TMP/out: where a skeleton is built */
};

/* A file replaced as package managers do: a new one renamed over it. */
static void replace_file(int dir, const char *path, const char *data)
{
	fx_put_file(dir, "new.tmp", data);
	assert_int_equal(renameat(dir, "new.tmp", dir, path), 0);
}

static struct stat stat_at(int dir, const char *path)
{
	struct stat st;

	if (fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	return st;
}

/* A small merged-/usr host: /usr, /bin -> usr/bin, a copied file, a
 * copied link, and one of the public /etc directories. */
static int fx_setup(void **state)
{
	struct fx *fx = xcalloc(1, sizeof(*fx));
	int etc;

	snprintf(fx->base, sizeof(fx->base), "/tmp/test-host-skel.XXXXXX");
	assert_non_null(mkdtemp(fx->base));
	fx->hostfd = fx_open_dir(fx->base, "host");
	fx->host = xasprintf("%s/host", fx->base);
	fx->out = fx_open_dir(fx->base, "out");
	assert_int_equal(mkdirat(fx->hostfd, "usr", 0755), 0);
	assert_int_equal(mkdirat(fx->hostfd, "usr/bin", 0755), 0);
	assert_int_equal(symlinkat("usr/bin", fx->hostfd, "bin"), 0);
	assert_int_equal(mkdirat(fx->hostfd, "etc", 0755), 0);
	etc = openat(fx->hostfd, "etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(etc >= 0);
	fx_put_file(etc, "profile", "PS1=fake\n");
	fx_put_file(etc, "shadow", "root:secret\n");
	/* Of the copied list, but kept from other users on this host. */
	fx_put_file(etc, "login.defs", "PASS_MAX_DAYS 1\n");
	assert_int_equal(fchmodat(etc, "login.defs", 0600, 0), 0);
	assert_int_equal(symlinkat("/usr/share/zoneinfo/UTC", etc, "localtime"), 0);
	assert_int_equal(mkdirat(etc, "profile.d", 0755), 0);
	close(etc);
	*state = fx;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *fx = *state;
	struct md_err err;

	close(fx->hostfd);
	close(fx->out);
	assert_int_equal(dir_remove_tree(fx->base, &err), 0);
	free(fx->host);
	free(fx);
	return 0;
}

static void need_root(void)
{
	fx_need_root("owners");
}

static void rootfs_host_skeleton__fake_host__holds_what_the_host_gives(void **state)
{
	struct fx *fx = *state;
	struct md_err err;
	char target[64];
	ssize_t n;

	need_root();
	assert_int_equal(rootfs_host_skeleton(fx->out, fx->host, 4242, 4243, &err), 0);
	/* The container's own directories, with their exact modes. */
	assert_int_equal(stat_at(fx->out, "tmp").st_mode & 07777, 01777);
	assert_int_equal(stat_at(fx->out, "root").st_mode & 07777, 0700);
	assert_int_equal(stat_at(fx->out, "var/tmp").st_mode & 07777, 01777);
	/* A mount point for /usr, the host's link copied, no /lib: the host
	 * has none. */
	assert_true(S_ISDIR(stat_at(fx->out, "usr").st_mode));
	n = readlinkat(fx->out, "bin", target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "usr/bin");
	assert_int_equal(faccessat(fx->out, "lib", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	/* The generated /etc: the copied file and link, a mount point for the
	 * public directory, root's shell sh (the fake host has no bash), and
	 * nothing the list does not name (shadow) nor the names. */
	fx_assert_content(fx->out, "etc/profile", "PS1=fake\n");
	n = readlinkat(fx->out, "etc/localtime", target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "/usr/share/zoneinfo/UTC");
	assert_true(S_ISDIR(stat_at(fx->out, "etc/profile.d").st_mode));
	fx_assert_content(fx->out, "etc/passwd",
		       "root:x:0:0:root:/root:/bin/sh\n"
		       "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	assert_int_equal(faccessat(fx->out, "etc/shadow", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(faccessat(fx->out, "etc/login.defs", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(faccessat(fx->out, "etc/hostname", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	/* Everything is container root's, links included. */
	for (const char *const *p = (const char *const[]){ "tmp", "usr", "bin", "etc",
							   "etc/profile", "etc/localtime",
							   "etc/mtab", NULL };
	     *p != NULL; p++) {
		struct stat st = stat_at(fx->out, *p);

		if (st.st_uid != 4242 || st.st_gid != 4243)
			fail_msg("%s is %u:%u, not 4242:4243", *p, (unsigned)st.st_uid,
				 (unsigned)st.st_gid);
	}
}

static void rootfs_host_names__upper__etc_made_with_the_names(void **state)
{
	struct fx *fx = *state;
	struct md_err err;
	struct stat st;

	need_root();
	assert_int_equal(rootfs_host_names(fx->out, "box", 4242, 4243, &err), 0);
	st = stat_at(fx->out, "etc");
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(st.st_uid, 4242);
	fx_assert_content(fx->out, "etc/hostname", "box\n");
	fx_assert_content(fx->out, "etc/hosts",
		       "127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\tbox\n");
	assert_int_equal(stat_at(fx->out, "etc/hosts").st_gid, 4243);
}

static void rootfs_host_key__host_changes__key_follows(void **state)
{
	struct fx *fx = *state;
	int etc = openat(fx->hostfd, "etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint64_t k0 = rootfs_host_key(fx->host), k;

	assert_true(etc >= 0);
	/* Stable while nothing changes; the private files are not in it. */
	assert_true(rootfs_host_key(fx->host) == k0);
	replace_file(etc, "shadow", "root:other\n");
	assert_true(rootfs_host_key(fx->host) == k0);
	/* A copied file replaced. */
	replace_file(etc, "profile", "PS1=new\n");
	k = rootfs_host_key(fx->host);
	assert_true(k != k0);
	/* A copied file appears. */
	fx_put_file(etc, "inputrc", "set bell-style none\n");
	assert_true(rootfs_host_key(fx->host) != k);
	k = rootfs_host_key(fx->host);
	/* A public /etc directory appears (a new mount point). */
	assert_int_equal(mkdirat(etc, "terminfo", 0755), 0);
	assert_true(rootfs_host_key(fx->host) != k);
	k = rootfs_host_key(fx->host);
	/* A program directory appears. */
	assert_int_equal(mkdirat(fx->hostfd, "lib64", 0755), 0);
	assert_true(rootfs_host_key(fx->host) != k);
	k = rootfs_host_key(fx->host);
	/* A copied link pointed elsewhere. */
	assert_int_equal(unlinkat(etc, "localtime", 0), 0);
	assert_int_equal(symlinkat("/usr/share/zoneinfo/Europe/Paris", etc, "localtime"), 0);
	assert_true(rootfs_host_key(fx->host) != k);
	close(etc);
}

static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void host_skel_get__twice__built_once_per_owner(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *base = xasprintf("%s/base", fx->base);
	cleanup_free char *a = NULL, *b = NULL, *c = NULL;
	cleanup_free char *stale = NULL;
	struct md_err err;
	struct stat sa, sb, sc;

	need_root();
	/* A build directory a dead monitor with our pid left: replaced. */
	assert_int_equal(mkdir(base, 0700), 0);
	stale = xasprintf("%s/.build-%d", base, (int)getpid());
	assert_int_equal(mkdir(stale, 0755), 0);
	assert_int_equal(host_skel_get(base, 0, 0, &a, &err), 0);
	assert_int_equal(host_skel_get(base, 0, 0, &b, &err), 0);
	assert_string_equal(a, b);
	assert_int_equal(stat(a, &sa), 0);
	assert_int_equal(stat(b, &sb), 0);
	assert_true(sa.st_ino == sb.st_ino);
	assert_int_equal(sa.st_uid, 0);
	/* Another owner has its own, owned by it. */
	assert_int_equal(host_skel_get(base, 4242, 4242, &c, &err), 0);
	assert_string_not_equal(a, c);
	assert_int_equal(stat(c, &sc), 0);
	assert_int_equal(sc.st_uid, 4242);
	assert_int_equal(stat_at(AT_FDCWD, c).st_mode & 07777, 0755);
	/* Only the two skeletons, nothing left of the builds. */
	assert_int_equal(count_entries(base, "0.0-"), 1);
	assert_int_equal(count_entries(base, "4242.4242-"), 1);
	assert_int_equal(count_entries(base, ".build-"), 0);
}

/* Monitors that start at once race to build the same skeleton: one wins
 * the rename, the others use it, and no build directory is left. */
static void host_skel_get__concurrent__one_skeleton(void **state)
{
	struct fx *fx = *state;
	cleanup_free char *base = xasprintf("%s/base", fx->base);
	pid_t pids[8];

	need_root();
	for (size_t i = 0; i < ARRAY_SIZE(pids); i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct md_err err;
			char *p = NULL;

			_exit(host_skel_get(base, 0, 0, &p, &err) == 0 && access(p, F_OK) == 0 ? 0 : 1);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(pids); i++) {
		int st;

		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(count_entries(base, "0.0-"), 1);
	assert_int_equal(count_entries(base, ".build-"), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(rootfs_host_skeleton__fake_host__holds_what_the_host_gives),
		T(rootfs_host_names__upper__etc_made_with_the_names),
		T(rootfs_host_key__host_changes__key_follows),
		T(host_skel_get__twice__built_once_per_owner),
		T(host_skel_get__concurrent__one_skeleton),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
