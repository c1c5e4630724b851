/* minidockerd: parse options, prepare directories and the socket, adopt the
 * containers on disk, tell systemd we are ready, run the event loop. */
#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "cgroup.h"
#include "container.h"
#include "daemon.h"
#include "mon-link.h"
#include "ctr-seccomp.h"
#include "fd-closer.h"
#include "host-skel.h"
#include "image-store.h"
#include "request.h"
#include "server.h"
#include "spare.h"

#ifndef LIBEXECDIR
#define LIBEXECDIR "/usr/local/libexec/minidocker"
#endif

static void usage(FILE *f)
{
	fprintf(f, "Usage: minidockerd [--socket PATH] [--root DIR] [--run DIR] [--group NAME]\n"
		   "                   [--log-level error|warn|info|debug] [--foreground]\n"
		   "                   [--log-max-size BYTES] [--cgroup-parent PATH] [--log-file PATH]\n"
		   "                   [--max-connections N] [--max-connections-per-user N]\n"
		   "                   [--max-containers-per-user N] [--storage-driver overlay|vfs]\n"
		   "                   [--max-image-size BYTES] [--no-spare-monitor]\n"
		   "\n"
		   "--storage-driver: how a container gets its root: overlay (the default)\n"
		   "mounts its writes over the image's layers (the host image's skeleton);\n"
		   "vfs copies the layers into it, or builds the host image there (slower,\n"
		   "more disk; for a --root where overlay is refused).\n"
		   "--no-spare-monitor: spawn each container's monitor when it starts, instead\n"
		   "of handing the container to one started ahead (the default: faster starts\n"
		   "for one idle process).\n");
}

/* The monitor binary: beside ours (a build tree), else where make install
 * puts it. */
static char *find_monitor(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *p;

		self[n] = '\0';
		p = xasprintf("%s/minidocker-monitor", dirname(self));
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(LIBEXECDIR "/minidocker-monitor");
}

/* Tell systemd we are ready (sd_notify's protocol, without libsystemd). */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const char msg[] = "READY=1";
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* an abstract socket */
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, sizeof(msg) - 1, MSG_NOSIGNAL, (struct sockaddr *)&sa, len) < 0)
		log_warn("notify systemd: %s", strerror(errno));
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	monlink_reap(arg);
}

static void sigterm_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)what;
	/* Containers and their monitors live on; a new daemon adopts them. */
	log_info("signal %d: exiting once replies in flight are out; containers keep running",
		 (int)sig);
	server_shutdown(d);
}

/* Send our log (stderr) to --log-file, appending. */
static int open_log_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);

	if (fd < 0)
		return -1;
	if (dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* SIGHUP: reopen --log-file, for log rotation. */
static void sighup_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;

	(void)sig;
	(void)what;
	if (d->log_file == NULL)
		return;
	if (open_log_file(d->log_file) < 0) {
		log_error("reopen log %s: %s", d->log_file, strerror(errno));
		return;
	}
	log_info("log reopened");
	/* The spare factory writes to the log it was started with. */
	spare_factory_retire(d);
}

/* A positive count for a limit option. */
static unsigned parse_limit(const char *opt, const char *s)
{
	unsigned long long v;

	if (parse_uint(s, 1000000, &v) < 0 || v == 0)
		fatal("invalid %s: %s (a number from 1)", opt, s);
	return (unsigned)v;
}

static void add_signal(struct daemon *d, int sig, event_callback_fn cb)
{
	struct event *ev = evsignal_new(d->base, sig, cb, d);

	if (ev == NULL || event_add(ev, NULL) < 0)
		fatal("cannot handle signal %d", sig);
}

static void prepare_dirs(struct daemon *d)
{
	struct md_err err;

	d->ctr_root = xasprintf("%s/containers", d->root_dir);
	d->ctr_run = xasprintf("%s/containers", d->run_dir);
	if (dir_ensure(d->root_dir, 0700, &err) < 0 || dir_ensure(d->ctr_root, 0700, &err) < 0 ||
	    dir_ensure(d->run_dir, 0711, &err) < 0 || dir_ensure(d->ctr_run, 0700, &err) < 0)
		fatal("%s", err.msg);
	/* Each container creates and removes a dozen inodes. ext4 without a
	 * journal skips every inode freed in the last minute or more when it
	 * looks for a free one (recently_deleted()), so with all containers
	 * in one block group each start scanned past thousands (README,
	 * Performance). Other filesystems refuse the flag: nothing to say. */
	if (dir_spread_subdirs(d->ctr_root, &err) < 0) {
		if (err.errnum == ENOTTY || err.errnum == EOPNOTSUPP)
			log_debug("%s", err.msg);
		else
			log_info("%s", err.msg);
	}
	d->images = xcalloc(1, sizeof(*d->images));
	if (image_store_open(d->images, d->root_dir, &err) < 0)
		fatal("image store: %s", err.msg);
}

/* Whether a running container's root stands on the skeleton name. */
static bool skeleton_in_use(const struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->nctrs; i++) {
		const struct container *c = d->ctrs[i];

		if (c->link != NULL && c->state.skeleton != NULL &&
		    strcmp(c->state.skeleton, name) == 0)
			return true;
	}
	return false;
}

/* The `host` image's skeletons (host-skel.h) that no running container
 * stands on go to the trash: those built from host files that have
 * changed since, and what a monitor that died left half-built. A container
 * still starting may be building one or about to use any: then all stay,
 * until the next daemon start. */
static void sweep_host_skeletons(struct daemon *d)
{
	cleanup_free char *base = xasprintf("%s/%s", d->root_dir, HOST_SKEL_DIR);
	struct dirent *e;
	struct md_err err;
	DIR *dir;

	for (size_t i = 0; i < d->nctrs; i++)
		if (d->ctrs[i]->starting && d->ctrs[i]->cfg.host_skel != NULL)
			return;
	dir = opendir(base);
	if (dir == NULL) {
		if (errno != ENOENT)
			log_warn("open %s: %s", base, strerror(errno));
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		cleanup_free char *path = NULL;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    skeleton_in_use(d, e->d_name))
			continue;
		path = xasprintf("%s/%s", base, e->d_name);
		if (image_store_discard(d->images, path, &err) < 0)
			log_warn("%s", err.msg);
	}
	closedir(dir);
}

/* The default seccomp filter, built once with libseccomp and kept as BPF
 * in a sealed memfd that every monitor gets: containers then load it as
 * it is. -1 (monitors build it themselves) if it cannot be made. */
static int seccomp_memfd(void)
{
	struct md_err err;
	int fd = memfd_create("minidocker-seccomp", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0 || seccomp_export_default(fd, &err) < 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
		log_warn("seccomp filter not prebuilt: each container builds it");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Every connection may hold passed fds: take all the fds the hard limit
 * allows, as the systemd unit does (a shell's soft limit is often 1024). */
static void raise_fd_limit(struct daemon *d)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	/* Containers keep the limit we were given, not ours. */
	d->nofile_soft = rl.rlim_cur;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("raise the fd limit: %s", strerror(errno));
	}
}

/* Without --foreground: fork, and let the parent exit once the child is
 * listening, so `minidockerd && minidocker ...` just works. */
static int daemonize(void)
{
	int p[2];
	char ok;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		fatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fatal("fork: %s", strerror(errno));
	if (pid > 0) {
		close(p[1]);
		exit(read(p[0], &ok, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		fatal("setsid: %s", strerror(errno));
	return p[1];
}

/* The monitor's spawn dup2s onto fds 3 and up; in the spawn's child a
 * dup2 closes what was there, and the daemon waits meanwhile. Taking the
 * free ones now, before any socket, means none is ever a caller's file,
 * whose close could block (a systemd socket on 3 stays as it is). */
static void reserve_low_fds(void)
{
	for (int fd = 3; fd < MON_RESERVED_FDS; fd++) {
		int null;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0)
			fatal("open /dev/null: %s", strerror(errno));
		if (null != fd && (dup3(null, fd, O_CLOEXEC) < 0 || close(null) < 0))
			fatal("reserve fd %d: %s", fd, strerror(errno));
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "run", required_argument, NULL, 'R' },
		{ "group", required_argument, NULL, 'g' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "log-max-size", required_argument, NULL, 'm' },
		{ "cgroup-parent", required_argument, NULL, 'c' },
		{ "log-file", required_argument, NULL, 'L' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "max-connections-per-user", required_argument, NULL, 'U' },
		{ "max-containers-per-user", required_argument, NULL, 'P' },
		{ "max-image-size", required_argument, NULL, 'I' },
		{ "storage-driver", required_argument, NULL, 'S' },
		{ "no-spare-monitor", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = {
		.socket_path = "/run/minidocker/minidocker.sock",
		.root_dir = "/var/lib/minidocker",
		.run_dir = "/run/minidocker",
		.group = "minidocker",
		.listen_fd = -1,
		.seccomp_fd = -1,
		.log_max = 10ULL * 1024 * 1024,
		.limits = { .connections = 1024, .connections_per_user = 64,
			    .containers_per_user = 256,
			    .image_bytes = 32ULL << 30 },
	};
	enum log_level level = LOG_INFO;
	bool foreground = false;
	struct md_err err;
	int ready_fd = -1, c;

	log_init("minidockerd", level);
	reserve_low_fds();
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': d.socket_path = optarg; break;
		case 'r': d.root_dir = optarg; break;
		case 'R': d.run_dir = optarg; break;
		case 'g': d.group = optarg; break;
		case 'f': foreground = true; break;
		case 'c': d.cgroup_parent = optarg; break;
		case 'L': d.log_file = optarg; break;
		case 'N': d.no_spare = true; break;
		case 'S':
			if (strcmp(optarg, "overlay") != 0 && strcmp(optarg, "vfs") != 0)
				fatal("invalid --storage-driver: %s (overlay or vfs)", optarg);
			d.storage_vfs = strcmp(optarg, "vfs") == 0;
			break;
		case 'C': d.limits.connections = parse_limit("--max-connections", optarg); break;
		case 'U':
			d.limits.connections_per_user = parse_limit("--max-connections-per-user", optarg);
			break;
		case 'P':
			d.limits.containers_per_user = parse_limit("--max-containers-per-user", optarg);
			break;
		case 'I':
			if (parse_uint(optarg, UINT64_MAX / 2, &d.limits.image_bytes) < 0 ||
			    d.limits.image_bytes == 0)
				fatal("invalid --max-image-size: %s (bytes, more than 0)", optarg);
			break;
		case 'm':
			if (parse_uint(optarg, UINT64_MAX / 2, &d.log_max) < 0)
				fatal("invalid --log-max-size: %s (bytes, 0 for no rotation)", optarg);
			break;
		case 'l':
			if (log_parse_level(optarg, &level) < 0)
				fatal("invalid log level: %s", optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("minidockerd", level);
	if (geteuid() != 0)
		fatal("must run as root");
	if (d.root_dir[0] != '/' || d.run_dir[0] != '/' || d.socket_path[0] != '/')
		fatal("--root, --run and --socket must be absolute paths");
	umask(022);
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	signal(SIGPIPE, SIG_IGN);
	d.monitor_path = find_monitor();
	if (access(d.monitor_path, X_OK) < 0)
		fatal("monitor %s: %s", d.monitor_path, strerror(errno));
	prepare_dirs(&d);
	if (cgroup_env_detect("/proc/self/mountinfo", "/proc/self/cgroup", NULL, d.cgroup_parent,
			      &d.cg, &err) < 0) {
		log_warn("cgroups unusable: %s", err.msg);
		d.cg = NULL;
	}
	if (d.log_file != NULL && open_log_file(d.log_file) < 0)
		fatal("open log %s: %s", d.log_file, strerror(errno));
	if (!foreground)
		ready_fd = daemonize();

	if (closer_start(&err) < 0)
		fatal("%s", err.msg);
	raise_fd_limit(&d);
	d.seccomp_fd = seccomp_memfd();
	d.base = event_base_new();
	if (d.base == NULL)
		fatal("cannot create the event loop");
	add_signal(&d, SIGCHLD, sigchld_cb);
	/* Monitors are the spare factory's children (mon-factory.c): should
	 * it die before them, they come to us to be reaped, not to init. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		log_warn("set child subreaper: %s", strerror(errno));
	add_signal(&d, SIGTERM, sigterm_cb);
	add_signal(&d, SIGINT, sigterm_cb);
	add_signal(&d, SIGHUP, sighup_cb);
	if (server_listen(&d, &err) < 0)
		fatal("%s", err.msg);
	ctr_load_all(&d);
	sweep_host_skeletons(&d);
	image_trash_collect(&d);
	d.spare_sweep = true; /* an earlier daemon's spare may have died */
	spare_refill(&d);
	log_info("ready (root %s, run %s)", d.root_dir, d.run_dir);
	notify_ready();
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "1", 1);
		close(ready_fd);
	}
	event_base_dispatch(d.base);
	return 0;
}
