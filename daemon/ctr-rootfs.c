#include "ctr-rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/util.h"
#include "ctr-mount.h"

/* Raised whenever what the skeleton holds changes, so that a skeleton an
 * older monitor built is never taken for a new one. */
#define SKELETON_LAYOUT 1

/* Top-level program directories taken from the host. On a merged-/usr host
 * the /bin-style entries are symlinks into /usr and are copied as links. */
static const char *const host_program_dirs[] = {
	"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
};

/* The container's own writable places, each with its mode. */
static const struct {
	const char *path;
	mode_t mode;
} own_dirs[] = {
	{ "etc", 0755 }, { "tmp", 01777 }, { "root", 0700 }, { "var", 0755 },
	{ "var/tmp", 01777 }, { "var/log", 0755 }, { "run", 0755 }, { "proc", 0555 },
	{ "dev", 0755 }, { "sys", 0555 }, { "home", 0755 },
};

/* Harmless host files programs expect in /etc (the loader cache, shell
 * start-up files, the time zone). Nothing that names users or holds keys. */
static const char *const etc_copied[] = {
	"ld.so.cache", "ld.so.conf", "bash.bashrc", "profile", "inputrc",
	"localtime", "os-release", "debian_version", "shells", "login.defs",
};

/* Host /etc directories that hold only public, read-only configuration. */
static const char *const etc_bound[] = {
	"alternatives", "ld.so.conf.d", "profile.d", "terminfo",
};

/* Set a new entry's owner, unless uid is ROOTFS_OWN_AS_CREATED. */
static int own_at(int dirfd, const char *path, uid_t uid, gid_t gid, struct md_err *err)
{
	if (uid == ROOTFS_OWN_AS_CREATED)
		return 0;
	if (fchownat(dirfd, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return md_err_set(err, errno, "chown %s", path);
	return 0;
}

static int write_file_at(int dirfd, const char *path, const char *data, size_t len,
			 mode_t mode, uid_t uid, gid_t gid, struct md_err *err)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0)
		return md_err_set(err, errno, "create %s", path);
	if (write_all(fd, data, len) < 0) {
		md_err_set(err, errno, "write %s", path);
		close(fd);
		return -1;
	}
	if (uid != ROOTFS_OWN_AS_CREATED && fchown(fd, uid, gid) < 0) {
		md_err_set(err, errno, "chown %s", path);
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return md_err_set(err, errno, "close %s", path);
	return 0;
}

/* mkdir with the exact mode (mkdir honours the umask; the sticky /tmp
 * needs its own); an existing directory is kept as it is. */
static int make_dir_at(int dirfd, const char *path, mode_t mode, uid_t uid, gid_t gid,
		       struct md_err *err)
{
	if (mkdirat(dirfd, path, mode) < 0) {
		if (errno == EEXIST)
			return 0;
		return md_err_set(err, errno, "mkdir %s", path);
	}
	if (fchmodat(dirfd, path, mode, 0) < 0)
		return md_err_set(err, errno, "chmod %s", path);
	return own_at(dirfd, path, uid, gid, err);
}

static int symlink_at(const char *target, int dirfd, const char *path, uid_t uid, gid_t gid,
		      struct md_err *err)
{
	if (symlinkat(target, dirfd, path) < 0)
		return md_err_set(err, errno, "symlink %s", path);
	return own_at(dirfd, path, uid, gid, err);
}

/* Copy a host path into the root as what it is: a symlink stays a link,
 * a regular file is copied. Missing host files are skipped, and so is a
 * file the host keeps from other users: the copy is made as host root
 * and may be given to a user's container. */
static int copy_host_entry(int dirfd, const char *host_path, const char *path, uid_t uid,
			   gid_t gid, struct md_err *err)
{
	struct stat st;
	char target[PATH_MAX];
	cleanup_free char *data = NULL;
	size_t len;
	ssize_t n;

	if (lstat(host_path, &st) < 0)
		return errno == ENOENT ? 0 : md_err_set(err, errno, "stat %s", host_path);
	if (S_ISLNK(st.st_mode)) {
		n = readlink(host_path, target, sizeof(target) - 1);
		if (n < 0)
			return md_err_set(err, errno, "readlink %s", host_path);
		target[n] = '\0';
		return symlink_at(target, dirfd, path, uid, gid, err);
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IROTH))
		return 0;
	if (file_read_all(host_path, 16 * 1024 * 1024, &data, &len, err) < 0)
		return -1;
	return write_file_at(dirfd, path, data, len, st.st_mode & 0755, uid, gid, err);
}

/* The file type of a host path, 0 if it is missing. */
static mode_t host_type(const char *path)
{
	struct stat st;

	return lstat(path, &st) < 0 ? 0 : st.st_mode & S_IFMT;
}

/* Root's shell in the generated /etc/passwd: bash where the host has it. */
static bool host_has_bash(const char *host_root)
{
	cleanup_free char *bash = xasprintf("%s/bin/bash", host_root);

	return access(bash, X_OK) == 0;
}

/* A mount point for each host program directory, a link for each link. */
static int make_program_dirs(int dirfd, const char *host_root, uid_t uid, gid_t gid,
			     struct md_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_program_dirs); i++) {
		const char *name = host_program_dirs[i];
		cleanup_free char *host = xasprintf("%s/%s", host_root, name);
		mode_t type = host_type(host);
		int r = 0;

		if (type == S_IFLNK)
			r = copy_host_entry(dirfd, host, name, uid, gid, err);
		else if (type == S_IFDIR)
			r = make_dir_at(dirfd, name, 0755, uid, gid, err);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int make_etc(int dirfd, const char *host_root, uid_t uid, gid_t gid, struct md_err *err)
{
	static const char group[] = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";
	static const char nsswitch[] = "passwd: files\ngroup: files\nshadow: files\n"
				       "hosts: files dns\nnetworks: files\n";
	static const char resolv[] = "# minidocker: this container has no network\n";
	const char *shell = host_has_bash(host_root) ? "/bin/bash" : "/bin/sh";
	cleanup_free char *pw = xasprintf("root:x:0:0:root:/root:%s\n"
					  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
					  shell);

	if (write_file_at(dirfd, "etc/passwd", pw, strlen(pw), 0644, uid, gid, err) < 0 ||
	    write_file_at(dirfd, "etc/group", group, sizeof(group) - 1, 0644, uid, gid, err) < 0 ||
	    write_file_at(dirfd, "etc/nsswitch.conf", nsswitch, sizeof(nsswitch) - 1, 0644, uid,
			  gid, err) < 0 ||
	    write_file_at(dirfd, "etc/resolv.conf", resolv, sizeof(resolv) - 1, 0644, uid, gid,
			  err) < 0 ||
	    symlink_at("/proc/self/mounts", dirfd, "etc/mtab", uid, gid, err) < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(etc_copied); i++) {
		cleanup_free char *host = xasprintf("%s/etc/%s", host_root, etc_copied[i]);
		cleanup_free char *path = xasprintf("etc/%s", etc_copied[i]);

		if (copy_host_entry(dirfd, host, path, uid, gid, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(etc_bound); i++) {
		cleanup_free char *host = xasprintf("%s/etc/%s", host_root, etc_bound[i]);
		cleanup_free char *path = xasprintf("etc/%s", etc_bound[i]);

		if (host_type(host) == S_IFDIR && make_dir_at(dirfd, path, 0755, uid, gid, err) < 0)
			return -1;
	}
	return 0;
}

int rootfs_host_skeleton(int dirfd, const char *host_root, uid_t uid, gid_t gid,
			 struct md_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(own_dirs); i++)
		if (make_dir_at(dirfd, own_dirs[i].path, own_dirs[i].mode, uid, gid, err) < 0)
			return md_err_prefix(err, "host image");
	if (make_program_dirs(dirfd, host_root, uid, gid, err) < 0 ||
	    make_etc(dirfd, host_root, uid, gid, err) < 0)
		return md_err_prefix(err, "host image");
	return 0;
}

int rootfs_host_names(int dirfd, const char *hostname, uid_t uid, gid_t gid, struct md_err *err)
{
	cleanup_free char *hosts = xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost\n"
					     "127.0.1.1\t%s\n", hostname);
	cleanup_free char *name = xasprintf("%s\n", hostname);

	if (make_dir_at(dirfd, "etc", 0755, uid, gid, err) < 0 ||
	    write_file_at(dirfd, "etc/hosts", hosts, strlen(hosts), 0644, uid, gid, err) < 0 ||
	    write_file_at(dirfd, "etc/hostname", name, strlen(name), 0644, uid, gid, err) < 0)
		return md_err_prefix(err, "host image");
	return 0;
}

/* Bind the host directory host onto path in the root. Only where the
 * skeleton has a mount point for it: a directory the host gained since
 * the skeleton was found waits for the next container (whose skeleton,
 * by its new key, has one). */
static int bind_host_dir(int rootfd, const char *host, const char *path, struct md_err *err)
{
	struct stat st;

	if (host_type(host) != S_IFDIR)
		return 0;
	if (fstatat(rootfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	return mnt_bind_in_root(rootfd, host, path, 1, 0, err);
}

int rootfs_host_binds(int rootfd, struct md_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_program_dirs); i++) {
		cleanup_free char *host = xasprintf("/%s", host_program_dirs[i]);

		if (bind_host_dir(rootfd, host, host_program_dirs[i], err) < 0)
			return md_err_prefix(err, "host image");
	}
	for (size_t i = 0; i < ARRAY_SIZE(etc_bound); i++) {
		cleanup_free char *host = xasprintf("/etc/%s", etc_bound[i]);
		cleanup_free char *path = xasprintf("etc/%s", etc_bound[i]);

		if (bind_host_dir(rootfd, host, path, err) < 0)
			return md_err_prefix(err, "host image");
	}
	return 0;
}

int rootfs_build_host(int rootfd, const char *hostname, struct md_err *err)
{
	if (rootfs_host_skeleton(rootfd, "", ROOTFS_OWN_AS_CREATED, 0, err) < 0 ||
	    rootfs_host_names(rootfd, hostname, ROOTFS_OWN_AS_CREATED, 0, err) < 0)
		return -1;
	return rootfs_host_binds(rootfd, err);
}

/* FNV-1a: a fingerprint, not a defence (the inputs are the host's own). */
static void key_add(uint64_t *h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		*h ^= p[i];
		*h *= 1099511628211ULL;
	}
}

/* A copied file: any change to it (a new inode by rename, or a write)
 * moves one of these. A missing file counts as its errno. */
static void key_add_file(uint64_t *h, const char *path)
{
	struct stat st;
	int64_t v[9] = { 0 };

	if (lstat(path, &st) < 0) {
		v[0] = errno;
	} else {
		v[0] = (int64_t)st.st_dev;
		v[1] = (int64_t)st.st_ino;
		v[2] = st.st_mode;
		v[3] = st.st_size;
		v[4] = st.st_mtim.tv_sec;
		v[5] = st.st_mtim.tv_nsec;
		v[6] = st.st_ctim.tv_sec;
		v[7] = st.st_ctim.tv_nsec;
		v[8] = 1;
	}
	key_add(h, v, sizeof(v));
}

/* A directory that is bound, or a link that is copied: only its type
 * shapes the skeleton (a copied link's target is in its ctime). */
static void key_add_type(uint64_t *h, const char *path)
{
	mode_t type = host_type(path);

	if (type == S_IFLNK)
		key_add_file(h, path);
	else
		key_add(h, &type, sizeof(type));
}

uint64_t rootfs_host_key(const char *host_root)
{
	uint64_t h = 14695981039346656037ULL;
	int layout = SKELETON_LAYOUT, bash = host_has_bash(host_root);

	key_add(&h, &layout, sizeof(layout));
	key_add(&h, &bash, sizeof(bash));
	for (size_t i = 0; i < ARRAY_SIZE(host_program_dirs); i++) {
		cleanup_free char *host = xasprintf("%s/%s", host_root, host_program_dirs[i]);

		key_add_type(&h, host);
	}
	for (size_t i = 0; i < ARRAY_SIZE(etc_copied); i++) {
		cleanup_free char *host = xasprintf("%s/etc/%s", host_root, etc_copied[i]);

		key_add_file(&h, host);
	}
	for (size_t i = 0; i < ARRAY_SIZE(etc_bound); i++) {
		cleanup_free char *host = xasprintf("%s/etc/%s", host_root, etc_bound[i]);

		key_add_type(&h, host);
	}
	return h;
}
