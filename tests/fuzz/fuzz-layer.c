/* libFuzzer target for daemon/layer-extract.c: a hostile tar stream (plain
 * or compressed) extracted into a fresh directory, unprivileged (every file
 * owned by 4242:4242), twice per input:
 *  1. overlay mode (whiteouts become 0/0 char devices and the opaque xattr)
 *     into an empty directory, as the image store does;
 *  2. apply mode (whiteouts delete) over a small "lower layer" the harness
 *     plants first, holding symlinks and a hardlink that lead outside the
 *     target, so whiteouts, opaque markers and symlink-then-write entries
 *     meet hostile content already on disk.
 * Besides faults and leaks it checks what the header promises:
 *  - nothing outside the target is written or followed into: SCRATCH/sentinel
 *    stays empty and untouched (its mtime would show even a file made and
 *    removed again), SCRATCH/outside/canary keeps its content, owner and
 *    mode, and SCRATCH holds nothing new;
 *  - an unprivileged extraction makes no device node (but the 0/0 whiteout)
 *    and no set-id bit, and, when it succeeds, everything it made in the
 *    empty directory is owned by the mapped id;
 *  - a failure leaves a one-line message.
 * Then the target is removed fd-relative without following symlinks, so
 * the disk does not fill.
 *
 * Tar headers carry a checksum that almost every mutation breaks, so the
 * harness first rewrites the checksum of each ustar header it can walk to
 * (on a copy; a compressed stream has no "ustar" magic and is untouched).
 * Every input it then extracts is itself a valid input, so a finding
 * reproduces from the saved artifact through this same harness. While
 * extracting, RLIMIT_FSIZE caps any one file at FILE_CAP (a write past it
 * fails with EFBIG, SIGXFSZ ignored), so a decompression bomb or a huge
 * sparse size ends the extraction instead of the disk. The scratch
 * directory is in $TMPDIR, else /dev/shm, else /tmp. Needs root, as the
 * daemon does (fchown to 4242, trusted.* xattrs); unprivileged it still
 * runs, with most extractions failing early. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon/layer-extract.h"
#include "tests/fuzz/fuzz.h"

#define MAP_ID 4242
#define FILE_CAP (8 << 20)
#define CANARY "canary\n"
#define TARGET "t"

static char scratch[PATH_MAX];  /* $TMPDIR/md-fuzz-layer-XXXXXX */
static int scratch_fd = -1;
static int mem_fd = -1;         /* the archive, as layer_extract reads it */
static struct stat sentinel_sb, outside_sb, canary_sb;
static struct rlimit fsize;     /* the limit outside layer_extract */
static bool verbose;            /* FUZZ_LAYER_VERBOSE=1: each outcome on stderr */

static void xcheck(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-layer: %s: %s\n", what, strerror(errno));
		abort();
	}
}

/* ---- removing a tree (and checking it on the way) ---------------------- */

enum walk_check {
	W_NONE,
	W_NO_DEVS,  /* no device node but 0/0 whiteouts, no set-id bit */
	W_OWNED,    /* W_NO_DEVS, and every inode is MAP_ID's */
};

static void inode_check(const struct stat *sb, const char *path, enum walk_check how,
			bool whiteouts_ok)
{
	bool bad = false;

	if (how == W_NONE)
		return;
	if (sb->st_mode & (S_ISUID | S_ISGID))
		bad = true;
	if (S_ISBLK(sb->st_mode))
		bad = true;
	if (S_ISCHR(sb->st_mode) && !(whiteouts_ok && sb->st_rdev == makedev(0, 0)))
		bad = true;
	if (how == W_OWNED && (sb->st_uid != MAP_ID || sb->st_gid != MAP_ID))
		bad = true;
	if (bad) {
		fprintf(stderr, "fuzz-layer: %s/%s: mode 0%o uid %u gid %u rdev %u:%u\n", TARGET,
			path, (unsigned)sb->st_mode, (unsigned)sb->st_uid, (unsigned)sb->st_gid,
			major(sb->st_rdev), minor(sb->st_rdev));
		CHECK(!"an unprivileged extraction makes only the caller's plain files");
	}
}

/* Check and remove everything in the directory root/path (path "" is root
 * itself), by paths relative to root: no archive name reaches PATH_MAX, so
 * neither does any path in the tree, and one fd at a time keeps clear of
 * the fd limit however deep it is. Nothing here follows a symlink: only
 * what fstatat(NOFOLLOW) shows to be a directory is descended into, and
 * nothing else changes the tree meanwhile. */
static void tree_empty(int root, char *path, size_t len, enum walk_check how, bool whiteouts_ok)
{
	int fd = len ? openat(root, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		     : fcntl(root, F_DUPFD_CLOEXEC, 3);
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	xcheck(fd >= 0, "open a directory to remove");
	d = fdopendir(fd);
	xcheck(d != NULL, "fdopendir");
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof(*names));
			xcheck(names != NULL, "realloc");
		}
		names[n] = strdup(de->d_name);
		xcheck(names[n++] != NULL, "strdup");
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(names[i]), sub = len ? len + 1 + l : l;
		struct stat sb;

		CHECK(sub < PATH_MAX); /* a path no archive name could make */
		if (len)
			path[len] = '/';
		memcpy(path + (len ? len + 1 : 0), names[i], l + 1);
		xcheck(fstatat(root, path, &sb, AT_SYMLINK_NOFOLLOW) == 0, "fstatat");
		inode_check(&sb, path, how, whiteouts_ok);
		if (S_ISDIR(sb.st_mode))
			tree_empty(root, path, sub, how, whiteouts_ok);
		xcheck(unlinkat(root, path, S_ISDIR(sb.st_mode) ? AT_REMOVEDIR : 0) == 0, "unlinkat");
		path[len] = '\0';
		free(names[i]);
	}
	free(names);
}

static void tree_remove(int parent, const char *name, enum walk_check how, bool whiteouts_ok)
{
	static char path[PATH_MAX + NAME_MAX + 2];
	struct stat sb;
	int fd;

	if (fstatat(parent, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		xcheck(errno == ENOENT, "fstatat");
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		xcheck(fd >= 0, "open a directory to remove");
		path[0] = '\0';
		tree_empty(fd, path, 0, how, whiteouts_ok);
		close(fd);
	}
	xcheck(unlinkat(parent, name, S_ISDIR(sb.st_mode) ? AT_REMOVEDIR : 0) == 0, "unlinkat");
}

static void scratch_cleanup(void)
{
	if (scratch_fd < 0)
		return;
	tree_remove(scratch_fd, "sentinel", W_NONE, false);
	tree_remove(scratch_fd, "outside", W_NONE, false);
	tree_remove(scratch_fd, TARGET, W_NONE, false);
	close(scratch_fd);
	scratch_fd = -1;
	(void)rmdir(scratch);
}

/* ---- the scratch directory and what must stay as it is ----------------- */

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	/* tmpfs when there is one: six times the executions of ext4's /tmp. */
	if (tmp == NULL || *tmp == '\0')
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(scratch, sizeof(scratch), "%s/md-fuzz-layer-XXXXXX", tmp);
	xcheck(mkdtemp(scratch) != NULL, "mkdtemp");
	scratch_fd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	xcheck(scratch_fd >= 0, "open scratch");
	atexit(scratch_cleanup);
	xcheck(mkdirat(scratch_fd, "sentinel", 0755) == 0, "mkdir sentinel");
	xcheck(mkdirat(scratch_fd, "outside", 0755) == 0, "mkdir outside");
	fd = openat(scratch_fd, "outside/canary", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	xcheck(fd >= 0 && write(fd, CANARY, strlen(CANARY)) == (ssize_t)strlen(CANARY),
	       "write canary");
	close(fd);
	xcheck(fstatat(scratch_fd, "sentinel", &sentinel_sb, 0) == 0, "stat sentinel");
	xcheck(fstatat(scratch_fd, "outside", &outside_sb, 0) == 0, "stat outside");
	xcheck(fstatat(scratch_fd, "outside/canary", &canary_sb, 0) == 0, "stat canary");
	mem_fd = memfd_create("fuzz-layer", MFD_CLOEXEC);
	xcheck(mem_fd >= 0, "memfd_create");
	xcheck(getrlimit(RLIMIT_FSIZE, &fsize) == 0, "getrlimit");
	/* After libFuzzer's own handler (-handle_xfsz) is in place. */
	signal(SIGXFSZ, SIG_IGN);
	verbose = getenv("FUZZ_LAYER_VERBOSE") != NULL;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_mode == b->st_mode &&
	       a->st_uid == b->st_uid && a->st_gid == b->st_gid && a->st_size == b->st_size &&
	       same_time(&a->st_mtim, &b->st_mtim);
}

/* The directory dir of scratch holds exactly the names in want (NULL
 * ended); anything else is reported by name. */
static void dir_holds(const char *dir, const char *const *want)
{
	int fd = openat(scratch_fd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	size_t n = 0, nwant = 0;
	bool bad = false;

	xcheck(fd >= 0, "open a directory to check");
	d = fdopendir(fd);
	xcheck(d != NULL, "fdopendir");
	while (want[nwant] != NULL)
		nwant++;
	while ((de = readdir(d)) != NULL) {
		size_t i;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (i = 0; i < nwant && strcmp(de->d_name, want[i]) != 0; i++)
			;
		if (i == nwant) {
			fprintf(stderr, "fuzz-layer: outside the target: %s/%s\n", dir, de->d_name);
			bad = true;
		}
		n++;
	}
	closedir(d);
	if (bad || n != nwant)
		fprintf(stderr, "fuzz-layer: %s holds %zu names, not %zu\n", dir, n, nwant);
	CHECK(!bad && n == nwant);
}

/* Nothing outside the target directory changed (which is there or not;
 * the sentinel's mtime shows even what came and went). */
static void outside_check(bool target)
{
	static const char *const none[] = { NULL };
	static const char *const canary[] = { "canary", NULL };
	static const char *const top[] = { "sentinel", "outside", TARGET, NULL };
	static const char *const top_gone[] = { "sentinel", "outside", NULL };
	char buf[sizeof(CANARY) + 8];
	struct stat sb;
	ssize_t got;
	int fd;

	xcheck(fstatat(scratch_fd, "sentinel", &sb, AT_SYMLINK_NOFOLLOW) == 0, "stat sentinel");
	dir_holds("sentinel", none);
	/* Its mtime too: nothing came and went. */
	CHECK(same_inode(&sb, &sentinel_sb) && sb.st_nlink == 2);
	xcheck(fstatat(scratch_fd, "outside", &sb, AT_SYMLINK_NOFOLLOW) == 0, "stat outside");
	dir_holds("outside", canary);
	CHECK(same_inode(&sb, &outside_sb));
	/* Its link count moves with the lower layer's hardlink; nothing else may. */
	xcheck(fstatat(scratch_fd, "outside/canary", &sb, AT_SYMLINK_NOFOLLOW) == 0, "stat canary");
	CHECK(same_inode(&sb, &canary_sb));
	fd = openat(scratch_fd, "outside/canary", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	xcheck(fd >= 0, "open canary");
	got = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK(got == (ssize_t)strlen(CANARY) && memcmp(buf, CANARY, strlen(CANARY)) == 0);
	dir_holds(".", target ? top : top_gone);
}

/* The lower layer for apply mode: what a hostile earlier layer, or the
 * user of the container, could have left in the directory. */
static void lower_plant(int dir)
{
	char abs[PATH_MAX + 16];
	int fd;

	snprintf(abs, sizeof(abs), "%s/outside", scratch);
	xcheck(symlinkat("../outside", dir, "esc") == 0, "symlink esc");
	xcheck(symlinkat(abs, dir, "abs") == 0, "symlink abs");
	xcheck(symlinkat("../sentinel", dir, "sent") == 0, "symlink sent");
	xcheck(linkat(scratch_fd, "outside/canary", dir, "hl", 0) == 0, "link hl");
	xcheck(mkdirat(dir, "d", 0755) == 0, "mkdir d");
	fd = openat(dir, "d/f", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	xcheck(fd >= 0 && write(fd, "lower\n", 6) == 6, "write d/f");
	close(fd);
	xcheck(symlinkat("../../outside", dir, "d/up") == 0, "symlink d/up");
}

/* ---- ustar checksums --------------------------------------------------- */

/* A header's size field: octal, or base-256 (GNU) when the top bit is set. */
static bool tar_size(const uint8_t *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		for (i = 1; i < len; i++) {
			if (v >> 55)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return (f[0] & 0x7f) == 0;
	}
	while (i < len && (f[i] == ' ' || f[i] == '0'))
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	*out = v;
	return true;
}

static void tar_fix_checksums(uint8_t *p, size_t n)
{
	size_t off = 0;

	while (off + 512 <= n) {
		uint8_t *h = p + off;
		unsigned sum = 0;
		uint64_t size;

		if (memcmp(h + 257, "ustar", 5) != 0 || !tar_size(h + 124, 12, &size))
			return;
		memset(h + 148, ' ', 8);
		for (size_t i = 0; i < 512; i++)
			sum += h[i];
		snprintf((char *)h + 148, 8, "%06o", sum & 0777777);
		if (size > n)
			return;
		off += 512 + (size_t)((size + 511) & ~(uint64_t)511);
	}
}

/* ---- the target -------------------------------------------------------- */

static void extract(bool overlay)
{
	struct extract_opts o = {
		.privileged = false,
		.map_uid = MAP_ID,
		.map_gid = MAP_ID,
		.overlay_whiteouts = overlay,
	};
	struct extract_stats st = { 0, 0 };
	struct rlimit cap = { FILE_CAP, fsize.rlim_max };
	struct md_err err;
	int dir, r;

	xcheck(mkdirat(scratch_fd, TARGET, 0755) == 0, "mkdir target");
	dir = openat(scratch_fd, TARGET, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	xcheck(dir >= 0, "open target");
	if (!overlay)
		lower_plant(dir);
	xcheck(lseek(mem_fd, 0, SEEK_SET) == 0, "lseek");
	if (cap.rlim_max != RLIM_INFINITY && cap.rlim_max < cap.rlim_cur)
		cap.rlim_cur = cap.rlim_max;
	xcheck(setrlimit(RLIMIT_FSIZE, &cap) == 0, "setrlimit");
	fuzz_err_poison(&err);
	r = layer_extract(mem_fd, dir, &o, &st, &err);
	xcheck(setrlimit(RLIMIT_FSIZE, &fsize) == 0, "setrlimit");
	if (r < 0)
		fuzz_err_check(&err);
	if (verbose)
		fprintf(stderr, "fuzz-layer: %s: %s\n", overlay ? "overlay" : "apply",
			r == 0 ? "extracted" : err.msg);
	close(dir);
	/* The lower layer is root's; in apply mode only the kinds are checked.
	 * A failed extraction may leave a file it made still 0600 and root's. */
	tree_remove(scratch_fd, TARGET, r == 0 && overlay ? W_OWNED : W_NO_DEVS, overlay);
	outside_check(false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *copy;
	static size_t copy_cap;

	if (scratch_fd < 0)
		setup();
	if (size > copy_cap) {
		free(copy);
		copy_cap = size;
		copy = malloc(copy_cap);
		xcheck(copy != NULL, "malloc");
	}
	if (size > 0)
		memcpy(copy, data, size);
	tar_fix_checksums(copy, size);
	xcheck(ftruncate(mem_fd, 0) == 0, "ftruncate");
	xcheck(pwrite(mem_fd, copy, size, 0) == (ssize_t)size, "pwrite");

	extract(true);
	extract(false);
	return 0;
}
