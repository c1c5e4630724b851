# shellcheck shell=bash disable=SC2034
# lib.sh: shared helpers of the end-to-end tests. A test sources it with its
# arguments (the bin dir), calls md_setup to get a private daemon of its own
# (private socket, root and run dirs under a fresh temp dir), and asserts with
# the assert_* helpers below. Failed assertions print one clear line and make
# the test exit 1 at the end; md_teardown runs on EXIT: it stops every
# container, kills our daemon by its PID, waits for our monitors to go, checks
# that no mount under the temp dir is left in the host's mount table, and
# removes the temp dir. Nothing here ever kills a process by name.
#
# Exit status of a test: 0 passed, 1 failed, 77 skipped (only outside CI:
# with $CI set, a test that cannot do what it needs fails).

set -u

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PTY=$E2E_DIR/pty.py
PY=/usr/bin/python3

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BIN_DIR" >&2
	exit 2
fi
BIN=$(cd "$1" && pwd)
TEST_NAME=$(basename "$0" .sh)

# An unprivileged user in the socket group (Debian's `users`, gid 100), and
# one in no group at all.
MD_GROUP=users
MD_UID=4242
AS_USER=(setpriv "--reuid=$MD_UID" "--regid=$MD_UID" --groups=100 --inh-caps=-all)
AS_OUTSIDER=(setpriv "--reuid=$MD_UID" "--regid=$MD_UID" --clear-groups --inh-caps=-all)

MD_TMP=
MD_SOCK=
MD_DAEMON_PID=
MD_FAILS=0

# ---- reporting ------------------------------------------------------------

# Record a failed check; the test goes on and exits 1 at the end.
fail() {
	MD_FAILS=$((MD_FAILS + 1))
	printf 'FAIL: %s\n' "$*" >&2
}

# A failure after which the test cannot go on.
die() {
	fail "$@"
	exit 1
}

# Leave the test early as skipped, which is a failure under CI.
skip() {
	if [ -n "${CI:-}" ]; then
		die "cannot run under CI: $*"
	fi
	printf 'SKIP: %s\n' "$*" >&2
	exit 77
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

# need_cmd CMD...: skip (fail under CI) unless each CMD is installed; the
# default image takes its programs from the host, so this covers both.
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c is not installed"
	done
}

# Say what is being checked (goes to the test's log).
step() {
	printf -- '-- %s\n' "$*"
}

# ---- assertions: each prints what it wanted and what it got ----------------

# Show a value on one line, its line breaks visible.
_show() {
	local s=$1
	if [ ${#s} -gt 2000 ]; then
		s="${s:0:2000}...(${#1} chars)"
	fi
	printf '%s' "$s" | sed -e ':a;N;$!ba;s/\n/\\n/g'
}

assert_eq() { # EXPECTED ACTUAL WHAT
	[ "$1" == "$2" ] || fail "$3: expected '$(_show "$1")', got '$(_show "$2")'"
}

assert_ne() { # UNEXPECTED ACTUAL WHAT
	[ "$1" != "$2" ] || fail "$3: expected anything but '$(_show "$1")'"
}

assert_match() { # ERE ACTUAL WHAT
	[[ $2 =~ $1 ]] || fail "$3: expected a match of /$1/, got '$(_show "$2")'"
}

assert_no_match() { # ERE ACTUAL WHAT
	[[ ! $2 =~ $1 ]] || fail "$3: expected no match of /$1/, got '$(_show "$2")'"
}

assert_contains() { # FIXED-STRING ACTUAL WHAT
	[[ $2 == *"$1"* ]] || fail "$3: expected to contain '$(_show "$1")', got '$(_show "$2")'"
}

assert_not_contains() { # FIXED-STRING ACTUAL WHAT
	[[ $2 != *"$1"* ]] || fail "$3: expected not to contain '$(_show "$1")', got '$(_show "$2")'"
}

assert_between() { # LOW HIGH ACTUAL WHAT (numbers, decimals allowed)
	if ! awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN { exit !(v + 0 >= lo + 0 && v + 0 <= hi + 0) }'; then
		fail "$4: expected between $1 and $2, got '$3'"
	fi
}

assert_lines() { # COUNT TEXT WHAT
	local n=0
	[ -n "$2" ] && n=$(printf '%s\n' "$2" | wc -l)
	[ "$n" -eq "$1" ] || fail "$3: expected $1 lines, got $n: '$(_show "$2")'"
}

# ---- running things -------------------------------------------------------

# capture CMD...: run CMD, setting OUT and ERR (trailing newlines stripped)
# and RC. Bounded by $CAPTURE_TIMEOUT seconds (default 60).
capture() {
	local o=$MD_TMP/.out.$$ e=$MD_TMP/.err.$$
	timeout -k 5 "${CAPTURE_TIMEOUT:-60}" "$@" >"$o" 2>"$e" </dev/null
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
	[ "$RC" -ne 124 ] || fail "timed out: $*"
}

# capture_in INPUT CMD...: capture with INPUT on stdin.
capture_in() {
	local in=$1 o=$MD_TMP/.out.$$ e=$MD_TMP/.err.$$
	shift
	printf '%s' "$in" | timeout -k 5 "${CAPTURE_TIMEOUT:-60}" "$@" >"$o" 2>"$e"
	RC=${PIPESTATUS[1]}
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
	[ "$RC" -ne 124 ] || fail "timed out: $*"
}

# The clients against our daemon are small wrappers that md_setup puts first
# on PATH (so that timeout, setpriv, background jobs and pty.py can run them):
#   md ARGS...           the client as root
#   md_user ARGS...      the client as uid 4242 in the socket group
#   md_outsider ARGS...  the client as uid 4242 in no group
_write_wrappers() {
	mkdir -p "$MD_TMP/bin"
	printf '#!/bin/sh\nexec %q --socket %q "$@"\n' "$BIN/minidocker" "$MD_SOCK" >"$MD_TMP/bin/md"
	printf '#!/bin/sh\nexec %s %q --socket %q "$@"\n' "${AS_USER[*]}" "$BIN/minidocker" "$MD_SOCK" \
		>"$MD_TMP/bin/md_user"
	printf '#!/bin/sh\nexec %s %q --socket %q "$@"\n' "${AS_OUTSIDER[*]}" "$BIN/minidocker" \
		"$MD_SOCK" >"$MD_TMP/bin/md_outsider"
	chmod 755 "$MD_TMP/bin" "$MD_TMP/bin/"*
	PATH=$MD_TMP/bin:$PATH
	export PATH MINIDOCKER_SOCKET=$MD_SOCK
}

# wait_until SECS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.1
	done
	return 0
}

# wait_job SECS PID: wait for a background job of ours and set JOB_RC to its
# status. One that outlives SECS is a failure; it is killed (JOB_RC 124).
wait_job() {
	local end=$((SECONDS + $1))
	while kill -0 "$2" 2>/dev/null; do
		if [ $SECONDS -ge $end ]; then
			fail "background job $2 still running after $1 s"
			kill -KILL "$2" 2>/dev/null
			wait "$2" 2>/dev/null
			JOB_RC=124
			return
		fi
		sleep 0.05
	done
	wait "$2"
	JOB_RC=$?
}

# Seconds since the epoch, with nanoseconds.
now() {
	date +%s.%N
}

# elapsed START: seconds since START (from now), to the millisecond.
elapsed() {
	awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'
}

# ps_json_field CONTAINER FIELD [WHO]: a field of `ps -a --format json` for
# the container whose Id or Name is CONTAINER (or whose Id starts with it).
ps_json_field() {
	local who=${3:-md}
	"$who" ps -a --format json | "$PY" -c '
import json, sys
want, field = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    o = json.loads(line)
    if o.get("Name") == want or o.get("Id", "").startswith(want):
        print(o.get(field))
        break
' "$1" "$2"
}

# is_running CONTAINER: its ps State is running.
is_running() {
	[ "$(ps_json_field "$1" State)" = running ]
}

# is_exited CONTAINER: its ps State is exited.
is_exited() {
	[ "$(ps_json_field "$1" State)" = exited ]
}

# state_dir ID: where our daemon keeps the container's state and log.
state_dir() {
	echo "$MD_TMP/root/containers/$1"
}

# ---- the private daemon ----------------------------------------------------

# Extra options for our daemon's command line; a test sets it before
# md_setup, e.g. MD_DAEMON_ARGS=(--log-max-size 4096).
MD_DAEMON_ARGS=()
# A command our daemon runs under, e.g. MD_DAEMON_WRAP=(unshare --mount) for
# a private mount namespace the test may change with nsenter; it must exec
# the daemon, whose pid is then MD_DAEMON_PID.
MD_DAEMON_WRAP=()

md_setup() {
	need_root
	command -v setpriv >/dev/null || skip "setpriv not installed"
	[ -x "$PY" ] || skip "$PY not installed"
	getent group "$MD_GROUP" >/dev/null || skip "group $MD_GROUP does not exist"
	for p in minidockerd minidocker minidocker-monitor; do
		[ -x "$BIN/$p" ] || die "$BIN/$p not built"
	done
	MD_TMP=$(mktemp -d /tmp/mde2e.XXXXXX) || die "mktemp failed"
	chmod 755 "$MD_TMP"
	MD_SOCK=$MD_TMP/sock
	# Our containers' cgroups go under a parent of our own, which the
	# teardown checks is empty and removes.
	MD_CGROUP_PARENT=minidocker-e2e-${MD_TMP##*.}
	MD_DAEMON_ARGS+=(--cgroup-parent "$MD_CGROUP_PARENT")
	trap md_teardown EXIT
	# Killed (e.g. by run-all's timeout): still tear down.
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	_write_wrappers
	"${MD_DAEMON_WRAP[@]}" "$BIN/minidockerd" --foreground --socket "$MD_SOCK" --root "$MD_TMP/root" \
		--run "$MD_TMP/run" --group "$MD_GROUP" "${MD_DAEMON_ARGS[@]}" >"$MD_TMP/daemon.log" 2>&1 </dev/null &
	MD_DAEMON_PID=$!
	local i
	for i in $(seq 100); do
		if [ -S "$MD_SOCK" ] && md version >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$MD_DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/  daemon: /' "$MD_TMP/daemon.log" >&2
	die "the daemon did not come up on $MD_SOCK within 10 s"
}

# shellcheck source=tests/e2e/procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/procs.sh"

# Monitors of our daemon (all, or without its waiting spare).
_our_monitors() { monitors_under "$MD_TMP"; }
container_monitors() { container_monitors_under "$MD_TMP"; }

# The test daemon's cgroup parent in every hierarchy: a container cgroup
# still in it is a leak (each is removed when its container exits).
_remove_cgroup_parent() {
	local d left
	for d in /sys/fs/cgroup/*/"$MD_CGROUP_PARENT" /sys/fs/cgroup/"$MD_CGROUP_PARENT"; do
		[ -d "$d" ] || continue
		left=$(find "$d" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)
		if [ -n "$left" ]; then
			fail "teardown: container cgroups left: $left"
			find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
		fi
		rmdir "$d" 2>/dev/null || fail "teardown: cannot remove cgroup $d"
	done
}

md_teardown() {
	local rc=$? ids p i left mounts
	trap - EXIT
	if [ -n "$MD_TMP" ]; then
		if [ -n "$MD_DAEMON_PID" ] && kill -0 "$MD_DAEMON_PID" 2>/dev/null; then
			ids=$(timeout 20 "$BIN/minidocker" --socket "$MD_SOCK" ps -aq --no-trunc 2>/dev/null)
			if [ -n "$ids" ]; then
				# shellcheck disable=SC2086
				timeout 30 "$BIN/minidocker" --socket "$MD_SOCK" stop -t 0 $ids >/dev/null 2>&1
			fi
			kill -TERM "$MD_DAEMON_PID" 2>/dev/null
			for i in $(seq 50); do
				kill -0 "$MD_DAEMON_PID" 2>/dev/null || break
				sleep 0.1
			done
			if kill -0 "$MD_DAEMON_PID" 2>/dev/null; then
				fail "teardown: the daemon (pid $MD_DAEMON_PID) ignored SIGTERM for 5 s"
				kill -KILL "$MD_DAEMON_PID" 2>/dev/null
			fi
		fi
		[ -n "$MD_DAEMON_PID" ] && wait "$MD_DAEMON_PID" 2>/dev/null
		# Every container was stopped: their monitors must go by themselves.
		for i in $(seq 50); do
			left=$(_our_monitors)
			[ -z "$left" ] && break
			sleep 0.2
		done
		if [ -n "$left" ]; then
			fail "teardown: monitors still running 10 s after every container stopped: ${left//$'\n'/ }"
			local victims=
			for p in $left; do
				victims="$victims $p $(_children "$p")"
			done
			for p in $victims; do
				kill -KILL "$p" 2>/dev/null
			done
			for p in $victims; do
				for i in $(seq 50); do
					[ -e "/proc/$p" ] || break
					sleep 0.1
				done
			done
		fi
		mounts=$(grep -F " $MD_TMP/" /proc/self/mountinfo)
		if [ -n "$mounts" ]; then
			fail "teardown: mounts under $MD_TMP left in the host's mount table: $mounts"
			awk '{ print $5 }' <<<"$mounts" | sort -r | while read -r p; do
				umount -l "$p" 2>/dev/null
			done
		fi
		_remove_cgroup_parent
		if [ "$MD_FAILS" -gt 0 ] || [ "$rc" -ne 0 ]; then
			echo "---- daemon log (last 40 lines) ----" >&2
			tail -n 40 "$MD_TMP/daemon.log" >&2
		fi
		rm -rf "$MD_TMP"
	fi
	if [ "$rc" -eq 77 ]; then
		exit 77
	fi
	if [ "$MD_FAILS" -gt 0 ] || [ "$rc" -ne 0 ]; then
		echo "$TEST_NAME: FAILED ($MD_FAILS failed checks)" >&2
		exit 1
	fi
	echo "$TEST_NAME: ok"
	exit 0
}

# Tests end with md_done: the EXIT trap then sets the status.
md_done() {
	exit 0
}

# ---- the daemon's life (tests that restart it) ------------------------------

# md_daemon_start [ARG...]: start a new daemon of ours on the same socket,
# --root and --run (after the previous one stopped or was killed), with
# MD_DAEMON_ARGS and ARGs; MD_DAEMON_PID becomes its pid (so the teardown
# stops this one). Returns 1 when it does not answer `version` within 10 s.
# shellcheck disable=SC2120 # ARGs are optional
md_daemon_start() {
	"${MD_DAEMON_WRAP[@]}" "$BIN/minidockerd" --foreground --socket "$MD_SOCK" --root "$MD_TMP/root" \
		--run "$MD_TMP/run" --group "$MD_GROUP" "${MD_DAEMON_ARGS[@]}" "$@" \
		>>"$MD_TMP/daemon.log" 2>&1 </dev/null &
	MD_DAEMON_PID=$!
	wait_until 10 md version
}

# daemon_fds: how many fds our daemon has open.
daemon_fds() {
	ls "/proc/$MD_DAEMON_PID/fd" 2>/dev/null | wc -l
}

# daemon_rss_kb: our daemon's resident set, in kB.
daemon_rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$MD_DAEMON_PID/status" 2>/dev/null
}

# daemon_zombies: the PIDs of zombies among our daemon's children and its
# spare factory's (the monitors' parent), empty when none. Orphans of a
# killed daemon belong to PID 1, not to this one.
daemon_zombies() {
	local p parent parents=$MD_DAEMON_PID
	for p in $(_children "$MD_DAEMON_PID"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = minidocker-fact ] && parents="$parents $p"
	done
	for parent in $parents; do
		for p in $(_children "$parent"); do
			[ "$(sed 's/.*) \(.\).*/\1/' "/proc/$p/stat" 2>/dev/null)" = Z ] && echo "$p"
		done
	done
}

# no_daemon_zombies: true when our daemon has no zombie child.
no_daemon_zombies() {
	[ -z "$(daemon_zombies)" ]
}

# rfc3339_secs TIME: an RFC 3339 time as seconds since the epoch, with
# nanoseconds.
rfc3339_secs() {
	date -d "$1" +%s.%N
}

# later_than A B: true when the decimal seconds A are after B.
later_than() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'
}

# cgroup_dirs [ID]: the cgroup directories of container ID (of every
# container, without ID) under our cgroup parent, in every hierarchy; empty
# when none is left. The waiting spare monitor's spare-PID is no container's.
cgroup_dirs() {
	local d
	for d in /sys/fs/cgroup/*/"$MD_CGROUP_PARENT" /sys/fs/cgroup/"$MD_CGROUP_PARENT"; do
		[ -d "$d" ] || continue
		if [ $# -gt 0 ]; then
			[ -d "$d/$1" ] && echo "$d/$1"
		else
			find "$d" -mindepth 1 -maxdepth 1 -type d ! -name 'spare-*'
		fi
	done
	return 0
}
