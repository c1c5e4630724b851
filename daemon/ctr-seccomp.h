/* The default seccomp filter of every container process: the last step
 * before execve, after no_new_privs, the capability drop and the user switch.
 *
 * Shape: allow by default, refuse a named deny-list with EPERM. Docker's
 * profile is the model but is an allow-list (default ERRNO, ~350 names
 * allowed). We invert it because an allow-list must track every syscall a
 * libc or runtime may adopt (clone3, openat2, futex_waitv, ...) and breaks
 * programs in ways that are hard to diagnose, while what we need from seccomp
 * is narrow: the kernel already refuses most of what Docker's list leaves out
 * because our containers have neither CAP_SYS_ADMIN nor most other
 * capabilities, so the filter is defence in depth that keeps those code paths
 * (and a few unprivileged but risky ones) out of reach. The price: a syscall
 * newer than this list is allowed until it is added here. Refused calls get
 * EPERM, never a kill, so programs that probe a feature fall back cleanly;
 * the one exception is clone3, refused with ENOSYS so that glibc falls back
 * to clone, whose flags the filter can inspect (clone3 passes them in memory).
 *
 * | group | syscalls | why refused |
 * | --- | --- | --- |
 * | mounts | mount, umount (i386), umount2, pivot_root, fsopen, fsconfig, fsmount, fspick, move_mount, open_tree, mount_setattr | reshape the file tree; the root was set up by us |
 * | namespaces | unshare (any flags), setns, clone with a CLONE_NEW* flag, clone3 (ENOSYS) | new namespaces (a user namespace above all) reopen kernel attack surface that needs CAP_SYS_ADMIN elsewhere; unshare is refused whatever its flags, as Docker does without CAP_SYS_ADMIN |
 * | kernel code | kexec_load, kexec_file_load, init_module, finit_module, delete_module, create_module, get_kernel_syms, query_module | load or replace kernel code |
 * | eBPF, perf | bpf, perf_event_open | large unprivileged kernel surface, host-wide tracing |
 * | keys | keyctl, add_key, request_key | the keyring is not namespaced |
 * | file handles | open_by_handle_at, name_to_handle_at | open_by_handle_at opens host files by inode (the "shocker" escape); current Docker allows name_to_handle_at, we refuse it too as its only use here is feeding open_by_handle_at |
 * | swap, power | swapon, swapoff, reboot | host-wide |
 * | clock | settimeofday, stime (i386), clock_settime, clock_settime64 (32-bit), clock_adjtime, clock_adjtime64 (32-bit), adjtimex | the clock is not namespaced; Docker allows adjtimex and clock_adjtime because the kernel already needs CAP_SYS_TIME to set anything with them, we refuse them (the read-only status query included) as no container needs it |
 * | raw I/O | iopl, ioperm | direct port access |
 * | terminal | ioctl TIOCSTI, ioctl TIOCLINUX, vhangup | TIOCSTI pushes input into a terminal a shell outside may read (the pty is shared with the client); TIOCLINUX can do the same on a console |
 * | tracing | kcmp, pidfd_getfd, process_madvise | Docker gates them on CAP_SYS_PTRACE, which we drop; ptrace and process_vm_readv/writev stay allowed as Docker allows them on kernels >= 4.8 |
 * | memory policy | get_mempolicy, mbind, set_mempolicy, set_mempolicy_home_node, move_pages, migrate_pages | NUMA placement of host memory; Docker gates them on CAP_SYS_NICE, which we drop |
 * | memory faults | userfaultfd | stalls kernel threads at will, a staple of exploit races |
 * | personality | personality except 0x0, 0x8, 0x20000, 0x20008, 0xffffffff (Docker's values) | READ_IMPLIES_EXEC, MMAP_PAGE_ZERO, ADDR_NO_RANDOMIZE weaken memory protections |
 * | accounting, quota | acct, quotactl, quotactl_fd | host-wide |
 * | host admin | sethostname, setdomainname, syslog, sysfs, ustat, _sysctl, nfsservctl, uselib, lookup_dcookie, fanotify_init | need capabilities we drop or are obsolete; syslog reads the host's kernel log when dmesg_restrict is 0 |
 * | old x86 | vm86, vm86old (i386) | obsolete, with a history of kernel bugs |
 *
 * Considered and left allowed: ptrace, process_vm_readv/writev (as Docker),
 * chroot (we keep CAP_SYS_CHROOT), modify_ldt (as Docker on x86), io_uring
 * (allowed by the Docker profile we follow), socket(AF_VSOCK) (Docker refuses
 * it, but libseccomp turns an argument rule on socket into a rule on every
 * i386 socketcall(SYS_SOCKET), which would refuse all 32-bit sockets).
 *
 * Architectures: the native one plus, as Docker's archMap, its compat ones:
 * x86 and x32 on x86_64, arm on aarch64, s390 on s390x, so 32-bit syscalls
 * are refused by name too. A syscall from an architecture not in the filter
 * kills the process. Names unknown to the installed libseccomp are skipped;
 * names it knows but an architecture lacks are skipped on that architecture.
 * Argument rules use the same argument index on every architecture in the
 * filter (libseccomp does not translate positions): clone's flags are arg0
 * everywhere we add the rule except s390/s390x (arg1); on other natives the
 * clone rule is left out (unshare, setns and mount are still refused).
 * Only x86_64 is tested. */
#ifndef MD_CTR_SECCOMP_H
#define MD_CTR_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

#include "../common/err.h"

/* One unconditionally refused syscall of the deny-list. */
struct seccomp_denied {
	const char *name;
	int errnum;      /* what the call returns: EPERM, or ENOSYS for clone3 */
	unsigned flags;  /* SECCOMP_DENIED_* */
};

/* The name does not exist on x86_64 (i386, or 32-bit time64 variants). */
#define SECCOMP_DENIED_NOT_X86_64 0x1u

/* The unconditional part of the deny-list (for tests and documentation);
 * clone, ioctl and personality are refused by argument on top of it. */
const struct seccomp_denied *seccomp_denied_table(size_t *n);

/* Whether the filter refuses personality(persona): the C twin of the
 * argument rules, so tests can check the rules' construction exhaustively. */
int seccomp_personality_refused(uint64_t persona);

/* Build the default filter without loading it. The caller owns the context
 * (seccomp_release). NULL with err on failure. */
scmp_filter_ctx seccomp_build_default(struct md_err *err);

/* The default filter as the kernel's BPF program, written to fd: built
 * once (by the daemon) instead of in every container process. */
int seccomp_export_default(int fd, struct md_err *err);

/* Load a BPF program seccomp_export_default wrote (len bytes): as
 * seccomp_load_default, without building it. no_new_privs must be set. */
int seccomp_load_prog(const void *prog, size_t len, struct md_err *err);

/* Load the default filter into the calling process: after no_new_privs, as
 * the last step before execve. Returns 0 or -1 with err. */
int seccomp_load_default(struct md_err *err);

#endif
