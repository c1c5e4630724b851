/* Unit tests for daemon/ctr-net.c, as root (skipped otherwise): netns_make
 * returns a close-on-exec fd of a network namespace that is not ours,
 * with its loopback up, and leaves us in our own; two calls make two
 * namespaces. netns_loopback_up brings up the loopback of a fresh
 * namespace, which starts down (the control). Every namespace is looked
 * at from a child, which is reaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../daemon/ctr-net.h"

enum { LO_UP, LO_DOWN, LO_UNKNOWN };

/* In the network namespace we are in. */
static int lo_state(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0)
		return LO_UNKNOWN;
	r = ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ? LO_UNKNOWN : (ifr.ifr_flags & IFF_UP) ? LO_UP : LO_DOWN;
	close(s);
	return r;
}

/* The exit status of a child that runs fn (its status is fn's result). */
static int in_child(int (*fn)(int), int arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(fn(arg));
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int lo_state_in(int ns)
{
	return setns(ns, CLONE_NEWNET) < 0 ? LO_UNKNOWN : lo_state();
}

static ino_t ns_of_fd(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static ino_t our_netns(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

static void netns_make__new_namespace__lo_up_and_we_stay_home(void **state)
{
	struct md_err err = { 0 };
	ino_t home;
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	home = our_netns();
	fd = netns_make(&err);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_true(ns_of_fd(fd) != home);
	assert_true(our_netns() == home);
	assert_int_equal(in_child(lo_state_in, fd), LO_UP);
	close(fd);
}

static void netns_make__twice__two_namespaces(void **state)
{
	struct md_err err = { 0 };
	int a, b;

	(void)state;
	if (geteuid() != 0)
		skip();
	a = netns_make(&err);
	b = netns_make(&err);
	assert_true(a >= 0 && b >= 0);
	assert_true(ns_of_fd(a) != ns_of_fd(b));
	close(a);
	close(b);
}

/* A fresh namespace's loopback is down: the call is what brings it up. */
static int fresh_lo_brought_up(int unused)
{
	struct md_err err = { 0 };

	(void)unused;
	if (unshare(CLONE_NEWNET) < 0 || lo_state() != LO_DOWN)
		return 10;
	if (netns_loopback_up(&err) < 0)
		return 11;
	return lo_state();
}

static void netns_loopback_up__fresh_namespace__up(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(in_child(fresh_lo_brought_up, 0), LO_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(netns_make__new_namespace__lo_up_and_we_stay_home),
		cmocka_unit_test(netns_make__twice__two_namespaces),
		cmocka_unit_test(netns_loopback_up__fresh_namespace__up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
