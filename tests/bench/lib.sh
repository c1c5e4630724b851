# shellcheck shell=bash
# lib.sh: what the bench scripts (run.sh, profile.sh) share. Sourced after
# BIN (the bin dir) is set; bench_setup makes the temp dir and the busybox
# root (bench_root) and arms the teardown; bench_daemon_up starts the daemon
# and imports the root as IMG; daemon_start and
# daemon_wait_up start our private daemon, as tests/e2e/lib.sh's md_setup
# does: its own --socket and --root under the temp dir, its own --run on a
# tmpfs (as /run is) and its own --cgroup-parent. teardown (on EXIT) removes our containers, kills our
# daemon by its PID, waits for our monitors, deletes the peers'
# containers, removes every cgroup directory we made and the temp dir.
# Nothing is ever killed by name.

log() { printf 'bench: %s\n' "$*" >&2; }

# ---- the private daemon (as tests/e2e/lib.sh's md_setup) --------------------

T=
RUNDIR=
SOCK=
DPID=
CG_PARENT=
CG_PEERS=
MD=()
DWRAP=() # a command the daemon runs under (run.sh: a mount namespace)
CRUN_NS=() # a command crun runs under (run.sh: a mount namespace)

# shellcheck source=tests/e2e/procs.sh
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/procs.sh"

# Monitors of our daemon (all, or without its waiting spare).
_our_monitors() { monitors_under "$T"; }
container_monitors() { container_monitors_under "$T"; }

_peer_cleanup() {
	local rt id
	for rt in crun runc; do
		if [ ! -d "$T/$rt-state" ] || ! command -v "$rt" >/dev/null; then
			continue
		fi
		local ns=()
		[ "$rt" = crun ] && ns=("${CRUN_NS[@]}")
		for id in $("${ns[@]}" "$rt" --root "$T/$rt-state" list -q 2>/dev/null); do
			timeout 20 "${ns[@]}" "$rt" --root "$T/$rt-state" delete -f "$id" >/dev/null 2>&1
		done
	done
}

# What a peer left running in our peers' cgroups, should its delete have
# failed: those cgroups are this run's alone.
_peer_pids() {
	local d
	for d in /sys/fs/cgroup/*/"$CG_PEERS"; do
		[ -d "$d" ] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -u
}

_kill_peer_leftovers() {
	local pids pid
	[ -n "$CG_PEERS" ] || return 0
	pids=$(_peer_pids)
	[ -n "$pids" ] || return 0
	log "teardown: killing what the peers left: $(tr "\n" " " <<<"$pids")"
	for pid in $pids; do
		kill -KILL "$pid" 2>/dev/null
	done
	for _ in $(seq 50); do
		[ -z "$(_peer_pids)" ] && return 0
		sleep 0.1
	done
}

_remove_cgroups() {
	local name d
	_kill_peer_leftovers
	for name in "$CG_PARENT" "$CG_PEERS"; do
		[ -n "$name" ] || continue
		for d in /sys/fs/cgroup/*/"$name" /sys/fs/cgroup/"$name"; do
			[ -d "$d" ] || continue
			find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
			rmdir "$d" 2>/dev/null || log "teardown: cannot remove cgroup $d"
		done
	done
}

# shellcheck disable=SC2120 # run.sh passes --no-spare-monitor
daemon_start() { # [DAEMON ARG...]
	"${DWRAP[@]}" "$BIN/minidockerd" --foreground --socket "$SOCK" --root "${DROOT:-$T/root}" --run "$RUNDIR" \
		--cgroup-parent "$CG_PARENT" "$@" >>"$T/daemon.log" 2>&1 </dev/null &
	DPID=$!
}

# daemon_stop: SIGTERM to our daemon, waited for (its containers live on).
daemon_stop() {
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
}

# daemon_wait_up_quiet: whether the daemon answers (within 10 s).
daemon_wait_up_quiet() {
	for _ in $(seq 200); do
		[ -S "$SOCK" ] && "${MD[@]}" version >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

daemon_wait_up() {
	daemon_wait_up_quiet && return 0
	sed 's/^/  daemon: /' "$T/daemon.log" >&2
	log "the daemon did not come up on $SOCK"
	exit 1
}

# loop_released IMAGE: wait (5 s at most) until no loop device is backed by
# IMAGE; whether none is.
loop_released() {
	for _ in $(seq 50); do
		[ -z "$(losetup -j "$1" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	return 1
}

teardown() {
	local rc=$? ids left p victims
	trap - EXIT
	[ -n "$T" ] || exit "$rc"
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		ids=$(timeout 30 "${MD[@]}" ps -aq --no-trunc 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$ids" ] && timeout 120 "${MD[@]}" rm -f $ids >/dev/null 2>&1
		kill -TERM "$DPID" 2>/dev/null
		for _ in $(seq 50); do
			kill -0 "$DPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$DPID" 2>/dev/null && kill -KILL "$DPID" 2>/dev/null
	fi
	[ -n "$DPID" ] && wait "$DPID" 2>/dev/null
	for _ in $(seq 50); do
		left=$(_our_monitors)
		[ -z "$left" ] && break
		sleep 0.2
	done
	if [ -n "$left" ]; then
		log "teardown: monitors still running, killing them and their containers: ${left//$'\n'/ }"
		victims=
		for p in $left; do
			victims="$victims $p $(_children "$p")"
		done
		for p in $victims; do
			kill -KILL "$p" 2>/dev/null
		done
		sleep 0.5
	fi
	_peer_cleanup
	# run.sh's ext4 is mounted in the daemon's namespace, gone with it;
	# should its loop device outlive it, it goes here.
	if [ -f "$T/ext4.img" ] && ! loop_released "$T/ext4.img"; then
		losetup -j "$T/ext4.img" | cut -d: -f1 | while read -r dev; do
			losetup -d "$dev" || log "teardown: cannot detach $dev"
		done
	fi
	grep -F " $T/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r | while read -r p; do
		umount -l "$p" 2>/dev/null
	done
	_remove_cgroups
	[ "$rc" -ne 0 ] && [ -f "$T/daemon.log" ] && tail -n 20 "$T/daemon.log" | sed 's/^/  daemon: /' >&2
	rm -rf "$T"
	[ -n "$RUNDIR" ] && rm -rf "$RUNDIR"
	exit "$rc"
}

bench_setup() {
	T=$(mktemp -d /tmp/mdbench.XXXXXX) || exit 1
	chmod 755 "$T"
	# --run on a tmpfs, as the default /run/minidocker is; --root on the
	# disk, as /var/lib/minidocker is.
	RUNDIR=$(mktemp -d /dev/shm/mdbench-run.XXXXXX 2>/dev/null) || RUNDIR=$T/run
	SOCK=$T/sock
	CG_PARENT=minidocker-bench-${T##*.}
	CG_PEERS=minidocker-bench-${T##*.}-peers
	MD=("$BIN/minidocker" --socket "$SOCK")
	# shellcheck disable=SC2034 # for the scripts' shell snippets
	MDQ=$(printf '%q --socket %q' "$BIN/minidocker" "$SOCK")
	trap teardown EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	bench_root
}

# ---- the busybox root ----------------------------------------------------------

# bench_root: ROOT, a busybox root (the host's static busybox and a link
# for each applet, /etc/passwd and /etc/group), and $T/busybox.tar of it.
bench_root() {
	BUSYBOX=$(readlink -f "$(command -v busybox 2>/dev/null)" 2>/dev/null)
	if [ -z "$BUSYBOX" ] || ! file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked'; then
		# `file` may be missing: look for PT_INTERP ourselves.
		if [ -z "$BUSYBOX" ] || ! "$PY" - "$BUSYBOX" <<'PY'; then
import struct, sys
with open(sys.argv[1], "rb") as f:
    h = f.read(64)
    if h[:4] != b"\x7fELF" or h[4] != 2:
        sys.exit(1)
    phoff, = struct.unpack("<Q", h[32:40])
    phentsize, phnum = struct.unpack("<HH", h[54:58])
    for i in range(phnum):
        f.seek(phoff + i * phentsize)
        if struct.unpack("<I", f.read(4))[0] == 3:
            sys.exit(1)
PY
			log "a static busybox is needed (Debian's busybox-static)"
			exit 1
		fi
	fi

	ROOT=$T/bbroot
	mkdir -p "$ROOT"/{bin,etc,proc,dev,sys,tmp,root,run,var}
	chmod 1777 "$ROOT/tmp"
	chmod 700 "$ROOT/root"
	cp "$BUSYBOX" "$ROOT/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$ROOT/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$ROOT/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$ROOT" -cf "$T/busybox.tar" . || exit 1
}

# bench_daemon_up: our daemon, answering, with ROOT imported as IMG.
bench_daemon_up() {
	log "private daemon in $T (cgroup parent $CG_PARENT)"
	daemon_start
	daemon_wait_up
	"${MD[@]}" import "$T/busybox.tar" "$IMG" >/dev/null || {
		log "import of the busybox root failed"
		exit 1
	}
	"${MD[@]}" run --rm "$IMG" /bin/true || {
		log "a busybox container does not run"
		exit 1
	}
}
