#!/bin/bash
# t-seccomp: every container process runs under the default seccomp filter
# (daemon/ctr-seccomp.c) with no_new_privs: /proc/self/status shows
# "Seccomp: 2" and "NoNewPrivs: 1", in `run` and in `exec`. Asserted in the
# negative with calls the kernel alone would allow a container's root (no
# CAP_SYS_ADMIN needed), so only the filter can refuse them: unshare of a
# user namespace, clone with CLONE_NEWUSER, keyctl on the session keyring,
# TIOCSTI on the caller's own controlling terminal (also with bit 32 of the
# request set, which the kernel ignores), personality(READ_IMPLIES_EXEC),
# all EPERM; clone3 is ENOSYS (unfiltered: EINVAL). mount and
# unshare(CLONE_NEWNS) are EPERM too (unfiltered, the kernel refuses them
# anyway, with ENOENT or EPERM). Positive controls: personality's query, a
# thread (glibc falls back from clone3 to clone), fork, and `unshare -U true`
# printing "Operation not permitted" while plain `true` runs. The probes are
# python3 (the host's, which the default image shares) through ctypes, with
# x86_64 syscall numbers.

. "$(dirname "$0")/lib.sh" "$@"
need_cmd unshare
[ "$(uname -m)" = x86_64 ] || skip "the probes use x86_64 syscall numbers"
md_setup

# One line per probe: NAME RESULT, RESULT "ok" or the errno's name.
PROBE=$(
	cat <<'EOF'
import ctypes, errno, fcntl, os, termios, threading
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_ioctl, SYS_clone, SYS_keyctl, SYS_clone3 = 16, 56, 250, 435
CLONE_NEWNS, CLONE_NEWUSER, SIGCHLD = 0x20000, 0x10000000, 17

def res(r):
    if r >= 0:
        return "ok"
    e = ctypes.get_errno()
    return errno.errorcode.get(e, str(e))

def out(name, r):
    print(name, r, flush=True)

def in_child(fn):
    # fn runs in a forked child (a session of its own); its errno comes back
    # as the exit status.
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(fn())
        except BaseException:
            os._exit(250)
    st = os.waitpid(pid, 0)[1]
    if not os.WIFEXITED(st):
        return "killed"
    c = os.WEXITSTATUS(st)
    return "ok" if c == 0 else errno.errorcode.get(c, str(c))

def tiocsti(high):
    def fn():
        os.setsid()
        m, s = os.openpty()
        fcntl.ioctl(s, termios.TIOCSCTTY, 0)
        req = termios.TIOCSTI | ((1 << 32) if high else 0)
        r = libc.syscall(SYS_ioctl, s, ctypes.c_ulong(req), ctypes.c_char_p(b"x"))
        return 0 if r == 0 else ctypes.get_errno()
    return fn

def clone_newuser():
    r = libc.syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, None, None, None, None)
    if r == 0:
        os._exit(0)
    if r > 0:
        os.waitpid(r, 0)
        return 0
    return ctypes.get_errno()

for line in open("/proc/self/status"):
    if line.startswith(("Seccomp:", "NoNewPrivs:")):
        k, v = line.split(":")
        out(k, v.strip())
out("mount", res(libc.mount(b"none", b"/mnt", b"tmpfs", 0, None)))
out("unshare_newns", res(libc.unshare(CLONE_NEWNS)))
out("unshare_newuser", res(libc.unshare(CLONE_NEWUSER)))
out("clone_newuser", in_child(clone_newuser))
out("clone3", res(libc.syscall(SYS_clone3, None, 0)))
out("keyctl", res(libc.syscall(SYS_keyctl, 0, -3, 0)))
out("tiocsti", in_child(tiocsti(False)))
out("tiocsti_high", in_child(tiocsti(True)))
out("personality_rie", res(libc.personality(0x0400000)))
out("personality_query", res(libc.personality(0xffffffff)))
t = threading.Thread(target=lambda: None)
t.start()
t.join()
out("thread", "ok")
out("fork", in_child(lambda: 0))
EOF
)

EXPECTED="Seccomp 2
NoNewPrivs 1
mount EPERM
unshare_newns EPERM
unshare_newuser EPERM
clone_newuser EPERM
clone3 ENOSYS
keyctl EPERM
tiocsti EPERM
tiocsti_high EPERM
personality_rie EPERM
personality_query ok
thread ok
fork ok"

check_probe() { # WHAT OUTPUT
	local name want got
	while read -r name want; do
		got=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$2")
		assert_eq "$want" "$got" "$1: $name"
	done <<<"$EXPECTED"
}

step "run: status and refused calls"
capture md run /usr/bin/python3 -c "$PROBE"
assert_eq 0 "$RC" "run python3 probe exits 0 (stderr: $ERR)"
check_probe "run" "$OUT"

step "run as a non-root user"
capture md run -u 1000:1000 /usr/bin/python3 -c "$PROBE"
assert_eq 0 "$RC" "run -u 1000 python3 probe exits 0 (stderr: $ERR)"
check_probe "run -u 1000" "$OUT"

step "run: util-linux unshare"
capture md run /bin/sh -c 'unshare -U true; echo "rc=$?"; true && echo plain-ok'
assert_contains "Operation not permitted" "$ERR$OUT" "unshare -U true in a container"
assert_contains "rc=1" "$OUT" "unshare -U true fails"
assert_contains "plain-ok" "$OUT" "plain true runs (positive control)"

step "exec: status and refused calls"
capture md run -d --name sc-box /bin/sleep 60
assert_eq 0 "$RC" "run -d sc-box exits 0"
wait_until 10 is_running sc-box || fail "sc-box is not running"
capture md exec sc-box /usr/bin/python3 -c "$PROBE"
assert_eq 0 "$RC" "exec python3 probe exits 0 (stderr: $ERR)"
check_probe "exec" "$OUT"
md stop -t 0 sc-box >/dev/null

md_done
