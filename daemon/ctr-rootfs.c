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

static int write_file_at(int dirfd, const char *path, const char *data, size_t len,
			 mode_t mode, struct md_err *err)
{
	int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0)
		return md_err_set(err, errno, "create %s", path);
	if (write_all(fd, data, len) < 0) {
		md_err_set(err, errno, "write %s", path);
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return md_err_set(err, errno, "close %s", path);
	return 0;
}

/* Copy a host path into the root as what it is: a symlink stays a link,
 * a regular file is copied. Missing host files are skipped. */
static int copy_host_entry(int rootfd, const char *host_path, const char *path,
			   struct md_err *err)
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
		if (symlinkat(target, rootfd, path) < 0)
			return md_err_set(err, errno, "symlink %s", path);
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return 0;
	if (file_read_all(host_path, 16 * 1024 * 1024, &data, &len, err) < 0)
		return -1;
	return write_file_at(rootfd, path, data, len, st.st_mode & 0755, err);
}

static int make_program_dirs(int rootfd, struct md_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_program_dirs); i++) {
		const char *name = host_program_dirs[i];
		cleanup_free char *host = xasprintf("/%s", name);
		struct stat st;

		if (lstat(host, &st) < 0) {
			if (errno == ENOENT)
				continue;
			return md_err_set(err, errno, "stat %s", host);
		}
		if (S_ISLNK(st.st_mode)) {
			if (copy_host_entry(rootfd, host, name, err) < 0)
				return -1;
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (mnt_mkdir_in_root(rootfd, name, 0755, err) < 0 ||
		    mnt_bind_in_root(rootfd, host, name, 1, 0, err) < 0)
			return -1;
	}
	return 0;
}

static int make_etc(int rootfd, const char *hostname, struct md_err *err)
{
	static const char group[] = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n";
	static const char nsswitch[] = "passwd: files\ngroup: files\nshadow: files\n"
				       "hosts: files dns\nnetworks: files\n";
	static const char resolv[] = "# minidocker: this container has no network\n";
	cleanup_free char *hosts = xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost\n"
					     "127.0.1.1\t%s\n", hostname);
	cleanup_free char *name = xasprintf("%s\n", hostname);
	const char *shell = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
	cleanup_free char *pw = xasprintf("root:x:0:0:root:/root:%s\n"
					  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
					  shell);

	if (write_file_at(rootfd, "etc/passwd", pw, strlen(pw), 0644, err) < 0 ||
	    write_file_at(rootfd, "etc/group", group, sizeof(group) - 1, 0644, err) < 0 ||
	    write_file_at(rootfd, "etc/nsswitch.conf", nsswitch, sizeof(nsswitch) - 1, 0644, err) < 0 ||
	    write_file_at(rootfd, "etc/resolv.conf", resolv, sizeof(resolv) - 1, 0644, err) < 0 ||
	    write_file_at(rootfd, "etc/hosts", hosts, strlen(hosts), 0644, err) < 0 ||
	    write_file_at(rootfd, "etc/hostname", name, strlen(name), 0644, err) < 0)
		return -1;
	if (symlinkat("/proc/self/mounts", rootfd, "etc/mtab") < 0)
		return md_err_set(err, errno, "symlink etc/mtab");
	for (size_t i = 0; i < ARRAY_SIZE(etc_copied); i++) {
		cleanup_free char *host = xasprintf("/etc/%s", etc_copied[i]);
		cleanup_free char *path = xasprintf("etc/%s", etc_copied[i]);

		if (copy_host_entry(rootfd, host, path, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(etc_bound); i++) {
		cleanup_free char *host = xasprintf("/etc/%s", etc_bound[i]);
		cleanup_free char *path = xasprintf("etc/%s", etc_bound[i]);
		struct stat st;

		if (lstat(host, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (mnt_mkdir_in_root(rootfd, path, 0755, err) < 0 ||
		    mnt_bind_in_root(rootfd, host, path, 1, 0, err) < 0)
			return -1;
	}
	return 0;
}

int rootfs_build_host(int rootfd, const char *hostname, struct md_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(own_dirs); i++) {
		if (mkdirat(rootfd, own_dirs[i].path, own_dirs[i].mode) < 0 && errno != EEXIST)
			return md_err_set(err, errno, "mkdir %s", own_dirs[i].path);
		/* mkdir honours the umask; the sticky /tmp needs its exact mode. */
		if (fchmodat(rootfd, own_dirs[i].path, own_dirs[i].mode, 0) < 0)
			return md_err_set(err, errno, "chmod %s", own_dirs[i].path);
	}
	if (make_program_dirs(rootfd, err) < 0)
		return md_err_prefix(err, "host image");
	if (make_etc(rootfd, hostname, err) < 0)
		return md_err_prefix(err, "host image");
	return 0;
}
