/* The default seccomp filter: a deny-list on an allow-by-default filter,
 * built with libseccomp. The header has the table of what is refused and
 * why; this file is the table and the argument rules. */
#include "ctr-seccomp.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ioctl.h>

#include "../common/util.h"

/* Keep the list in the header's table order. */
static const struct seccomp_denied denied[] = {
	/* mounts */
	{ "mount", EPERM, 0 },
	{ "umount", EPERM, SECCOMP_DENIED_NOT_X86_64 },
	{ "umount2", EPERM, 0 },
	{ "pivot_root", EPERM, 0 },
	{ "fsopen", EPERM, 0 },
	{ "fsconfig", EPERM, 0 },
	{ "fsmount", EPERM, 0 },
	{ "fspick", EPERM, 0 },
	{ "move_mount", EPERM, 0 },
	{ "open_tree", EPERM, 0 },
	{ "mount_setattr", EPERM, 0 },
	/* namespaces; clone is refused by its flags below */
	{ "unshare", EPERM, 0 },
	{ "setns", EPERM, 0 },
	{ "clone3", ENOSYS, 0 },
	/* kernel code */
	{ "kexec_load", EPERM, 0 },
	{ "kexec_file_load", EPERM, 0 },
	{ "init_module", EPERM, 0 },
	{ "finit_module", EPERM, 0 },
	{ "delete_module", EPERM, 0 },
	{ "create_module", EPERM, 0 },
	{ "get_kernel_syms", EPERM, 0 },
	{ "query_module", EPERM, 0 },
	/* eBPF, perf */
	{ "bpf", EPERM, 0 },
	{ "perf_event_open", EPERM, 0 },
	/* keys */
	{ "keyctl", EPERM, 0 },
	{ "add_key", EPERM, 0 },
	{ "request_key", EPERM, 0 },
	/* file handles */
	{ "open_by_handle_at", EPERM, 0 },
	{ "name_to_handle_at", EPERM, 0 },
	/* swap, power */
	{ "swapon", EPERM, 0 },
	{ "swapoff", EPERM, 0 },
	{ "reboot", EPERM, 0 },
	/* clock */
	{ "settimeofday", EPERM, 0 },
	{ "stime", EPERM, SECCOMP_DENIED_NOT_X86_64 },
	{ "clock_settime", EPERM, 0 },
	{ "clock_settime64", EPERM, SECCOMP_DENIED_NOT_X86_64 },
	{ "clock_adjtime", EPERM, 0 },
	{ "clock_adjtime64", EPERM, SECCOMP_DENIED_NOT_X86_64 },
	{ "adjtimex", EPERM, 0 },
	/* raw I/O */
	{ "iopl", EPERM, 0 },
	{ "ioperm", EPERM, 0 },
	/* terminal; ioctl is refused by its request below */
	{ "vhangup", EPERM, 0 },
	/* tracing */
	{ "kcmp", EPERM, 0 },
	{ "pidfd_getfd", EPERM, 0 },
	{ "process_madvise", EPERM, 0 },
	/* memory policy */
	{ "get_mempolicy", EPERM, 0 },
	{ "mbind", EPERM, 0 },
	{ "set_mempolicy", EPERM, 0 },
	{ "set_mempolicy_home_node", EPERM, 0 },
	{ "move_pages", EPERM, 0 },
	{ "migrate_pages", EPERM, 0 },
	/* memory faults */
	{ "userfaultfd", EPERM, 0 },
	/* accounting, quota */
	{ "acct", EPERM, 0 },
	{ "quotactl", EPERM, 0 },
	{ "quotactl_fd", EPERM, 0 },
	/* host admin */
	{ "sethostname", EPERM, 0 },
	{ "setdomainname", EPERM, 0 },
	{ "syslog", EPERM, 0 },
	{ "sysfs", EPERM, 0 },
	{ "ustat", EPERM, 0 },
	{ "_sysctl", EPERM, 0 },
	{ "nfsservctl", EPERM, 0 },
	{ "uselib", EPERM, 0 },
	{ "lookup_dcookie", EPERM, 0 },
	{ "fanotify_init", EPERM, 0 },
	/* old x86 */
	{ "vm86", EPERM, SECCOMP_DENIED_NOT_X86_64 },
	{ "vm86old", EPERM, SECCOMP_DENIED_NOT_X86_64 },
};

/* The namespace flags clone(2) can carry. CLONE_NEWTIME (0x80) is missing on
 * purpose: in clone's flags that bit is part of the exit signal, and a time
 * namespace can only come from unshare or clone3, both refused. */
static const uint64_t clone_ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
};

/* personality(2) values Docker allows: PER_LINUX, PER_LINUX32, UNAME26,
 * UNAME26 | PER_LINUX32, and 0xffffffff, which only queries. */
#define PERSONA_FREE_A 3u  /* PER_LINUX32 = 1 << 3 */
#define PERSONA_FREE_B 17u /* UNAME26 = 1 << 17 */

struct masked {
	uint32_t mask, datum;
};

/* The personality deny rules, as masked equalities on the low 32 bits.
 *
 * libseccomp refuses two comparisons on one argument in a rule, and an
 * allow-by-default filter cannot add ALLOW exceptions, so "refuse unless the
 * value is one of five" must be a union of single comparisons. Refused is:
 * some bit other than the free bits 3 and 17 is set, and not all 32 bits
 * are. Walk upward (cyclically) from such a bit to the first 0 bit j; the
 * bit below it, i, ends a run of 1s. If i is not free, "bit i = 1, bit j = 0"
 * matches. If i is free, the run holds a non-free bit so has length >= 2, and
 * "bits i-1 and i = 1, bit j = 0" matches. None of the 32 patterns matches an
 * allowed value: 0 and 0xffffffff have no 1->0 step, and 0x8, 0x20000 and
 * 0x20008 only steps from isolated free bits. Only the low 32 bits are
 * compared because the kernel takes an unsigned int and ignores the rest
 * (Docker compares all 64 and so also refuses values the kernel would read
 * as allowed ones; we need not). */
static size_t personality_patterns(struct masked out[32])
{
	for (unsigned i = 0; i < 32; i++) {
		uint32_t bit = 1u << i, next = 1u << ((i + 1) % 32), prev = 1u << ((i + 31) % 32);

		if (i == PERSONA_FREE_A || i == PERSONA_FREE_B)
			out[i] = (struct masked){ prev | bit | next, prev | bit };
		else
			out[i] = (struct masked){ bit | next, bit };
	}
	return 32;
}

const struct seccomp_denied *seccomp_denied_table(size_t *n)
{
	*n = ARRAY_SIZE(denied);
	return denied;
}

int seccomp_personality_refused(uint64_t persona)
{
	struct masked p[32];
	size_t n = personality_patterns(p);

	for (size_t i = 0; i < n; i++)
		if (((uint32_t)persona & p[i].mask) == p[i].datum)
			return 1;
	return 0;
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}
#define cleanup_seccomp __attribute__((cleanup(ctx_releasep)))

/* Add one rule for the syscall called name on every architecture of ctx.
 * A name the installed libseccomp does not know is skipped (the kernel may
 * be newer than its tables); any other failure is an error. A name known but
 * absent on some architecture (umount on x86_64) resolves to a pseudo number
 * that libseccomp skips on that architecture by itself. */
static int add_rule(scmp_filter_ctx ctx, const char *name, uint32_t action, unsigned n,
		    const struct scmp_arg_cmp *cmp, struct md_err *err)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (rc < 0)
		return md_err_set(err, -rc, "seccomp rule for %s", name);
	return 0;
}

/* The compat architectures of the native one (Docker's archMap), and the
 * argument index of clone's flags on this family, -1 when we do not know it. */
static int add_arches(scmp_filter_ctx ctx, int *clone_flags_arg, struct md_err *err)
{
	uint32_t extra[2] = { 0, 0 };
	uint32_t native = seccomp_arch_native();

	switch (native) {
	case SCMP_ARCH_X86_64:
		extra[0] = SCMP_ARCH_X86;
		extra[1] = SCMP_ARCH_X32;
		*clone_flags_arg = 0;
		break;
	case SCMP_ARCH_AARCH64:
		extra[0] = SCMP_ARCH_ARM;
		*clone_flags_arg = 0;
		break;
	case SCMP_ARCH_S390X:
		extra[0] = SCMP_ARCH_S390;
		*clone_flags_arg = 1;
		break;
	case SCMP_ARCH_S390:
		*clone_flags_arg = 1;
		break;
	case SCMP_ARCH_X86:
	case SCMP_ARCH_X32:
	case SCMP_ARCH_ARM:
	case SCMP_ARCH_RISCV64:
	case SCMP_ARCH_PPC:
	case SCMP_ARCH_PPC64:
	case SCMP_ARCH_PPC64LE:
		*clone_flags_arg = 0;
		break;
	default:
		*clone_flags_arg = -1;
		break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(extra) && extra[i] != 0; i++) {
		int rc = seccomp_arch_add(ctx, extra[i]);

		if (rc < 0 && rc != -EEXIST)
			return md_err_set(err, -rc, "seccomp add architecture 0x%x", extra[i]);
	}
	return 0;
}

/* Refuse clone with any namespace flag: one masked rule per flag, as a rule
 * cannot compare one argument twice. The kernel reads only the low 32 bits
 * of the flags, and so does the mask. */
static int add_clone_rules(scmp_filter_ctx ctx, int flags_arg, struct md_err *err)
{
	if (flags_arg < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(clone_ns_flags); i++) {
		struct scmp_arg_cmp cmp = {
			.arg = (unsigned)flags_arg,
			.op = SCMP_CMP_MASKED_EQ,
			.datum_a = clone_ns_flags[i],
			.datum_b = clone_ns_flags[i],
		};

		if (add_rule(ctx, "clone", SCMP_ACT_ERRNO(EPERM), 1, &cmp, err) < 0)
			return -1;
	}
	return 0;
}

/* Refuse ioctl TIOCSTI and TIOCLINUX. The request is an unsigned int to the
 * kernel: compare only its low 32 bits, or setting a high bit would slip a
 * TIOCSTI past a 64-bit comparison while the kernel still runs it. The
 * values are the native architecture's, which its compat ones share on
 * x86_64, aarch64 and s390x. */
static int add_ioctl_rules(scmp_filter_ctx ctx, struct md_err *err)
{
	static const uint32_t requests[] = { TIOCSTI, TIOCLINUX };

	for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
		struct scmp_arg_cmp cmp = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, requests[i]);

		if (add_rule(ctx, "ioctl", SCMP_ACT_ERRNO(EPERM), 1, &cmp, err) < 0)
			return -1;
	}
	return 0;
}

static int add_personality_rules(scmp_filter_ctx ctx, struct md_err *err)
{
	struct masked p[32];
	size_t n = personality_patterns(p);

	for (size_t i = 0; i < n; i++) {
		struct scmp_arg_cmp cmp = SCMP_A0(SCMP_CMP_MASKED_EQ, p[i].mask, p[i].datum);

		if (add_rule(ctx, "personality", SCMP_ACT_ERRNO(EPERM), 1, &cmp, err) < 0)
			return -1;
	}
	return 0;
}

scmp_filter_ctx seccomp_build_default(struct md_err *err)
{
	cleanup_seccomp scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int clone_flags_arg, rc;

	if (ctx == NULL) {
		md_err_set(err, ENOMEM, "seccomp_init");
		return NULL;
	}
	/* A syscall of an architecture the filter does not know cannot be
	 * checked by name: kill rather than allow it. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc < 0) {
		md_err_set(err, -rc, "seccomp bad-arch action");
		return NULL;
	}
	/* Have seccomp_load report the kernel's errno, not -ECANCELED. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1);
	if (rc < 0) {
		md_err_set(err, -rc, "seccomp raw return codes");
		return NULL;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0) {
		md_err_set(err, -rc, "seccomp optimize");
		return NULL;
	}
	/* SCMP_FLTATR_CTL_NNP keeps libseccomp's default (on): our caller has
	 * already set no_new_privs, setting it again is a no-op, and a caller
	 * that forgot still cannot load a filter that a set-id program escapes. */
	if (add_arches(ctx, &clone_flags_arg, err) < 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(denied); i++)
		if (add_rule(ctx, denied[i].name, SCMP_ACT_ERRNO((uint32_t)denied[i].errnum), 0, NULL,
			     err) < 0)
			return NULL;
	if (add_clone_rules(ctx, clone_flags_arg, err) < 0 || add_ioctl_rules(ctx, err) < 0 ||
	    add_personality_rules(ctx, err) < 0)
		return NULL;
	return steal_ptr(&ctx);
}

int seccomp_export_default(int fd, struct md_err *err)
{
	cleanup_seccomp scmp_filter_ctx ctx = seccomp_build_default(err);
	int rc;

	if (ctx == NULL)
		return md_err_prefix(err, "seccomp filter");
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return md_err_set(err, -rc, "export seccomp filter");
	return 0;
}

int seccomp_load_prog(const void *prog, size_t len, struct md_err *err)
{
	struct sock_fprog fprog = {
		.len = (unsigned short)(len / sizeof(struct sock_filter)),
		.filter = (struct sock_filter *)prog,
	};

	if (len == 0 || len % sizeof(struct sock_filter) != 0 ||
	    len / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return md_err_set(err, EINVAL, "load seccomp filter");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		return md_err_set(err, errno, "load seccomp filter");
	return 0;
}

int seccomp_load_default(struct md_err *err)
{
	cleanup_seccomp scmp_filter_ctx ctx = seccomp_build_default(err);
	int rc;

	if (ctx == NULL)
		return md_err_prefix(err, "seccomp filter");
	rc = seccomp_load(ctx);
	if (rc < 0)
		return md_err_set(err, -rc, "load seccomp filter");
	return 0;
}
