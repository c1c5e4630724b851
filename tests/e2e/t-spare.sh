#!/bin/bash
# t-spare: the daemon keeps one monitor started ahead of need, and a run
# hands it its container. A spare monitor waits (comm minidocker-spar),
# named by its command line for a container that does not exist yet,
# holding a network namespace it made for that container (not the host's)
# and, on cgroup v1, inside a cgroup of its own, PARENT/spare-PID.
# `run -d` gets exactly that process as its monitor: the container's ID is
# the one its command line named, PID 1 is in the spare's network namespace,
# the monitor's comm is minidocker-moni again, the spare cgroup became the
# container's (spare-PID is gone), PID 1 is in it, and the monitor goes
# back to the daemon's own cgroup in every hierarchy. A new spare is
# started for the next container. A container with a pids limit of 2 runs
# two processes: its monitor never counted against it. A user's container
# (a user namespace) gets a network namespace of its own instead, where
# its root may bind port 80. A spare killed while it waits is noticed, the
# next run still starts, and the next spare's start removes the dead one's
# cgroup. A daemon stopped with SIGTERM takes its spare with it (spare and
# cgroup gone); a daemon started with --no-spare-monitor keeps none and
# still runs containers. Spares are forked by one spare factory (comm
# minidocker-fact), the daemon's child, whose command line names the
# container 000...0: each waiting spare is its child. A factory killed is
# replaced, runs go on meanwhile, and a monitor it leaves behind comes
# back to the daemon to be reaped. A monitor binary changed on disk
# (touched, as an upgrade would replace it) gets a new factory for the
# next spare; the daemon's SIGTERM ends the factory too, and
# --no-spare-monitor has none.

. "$(dirname "$0")/lib.sh" "$@"
md_setup

# one_monitor COMM: the PID of our one monitor process named COMM, else
# nothing (none, or more than one).
one_monitor() {
	local p found=
	for p in $(_our_monitors); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] || continue
		[ -z "$found" ] || return 1
		found=$p
	done
	[ -n "$found" ] && echo "$found"
}
spare_pid() { one_monitor minidocker-spar; }
has_spare() { [ -n "$(spare_pid)" ]; }
factory_pid() { one_monitor minidocker-fact; }
ppid_of() { awk '{ print $4 }' "/proc/$1/stat" 2>/dev/null; }
no_spare() { [ -z "$(_our_monitors | while read -r p; do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = minidocker-spar ] && echo "$p"; done)" ]; }

# The v1 hierarchies our containers' cgroups live in (none on v2 hosts).
V1_DIRS=()
for h in pids memory cpu,cpuacct cpu; do
	d=/sys/fs/cgroup/$h
	[ -f "$d/cgroup.procs" ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ] && V1_DIRS+=("$d")
done

# in_procs DIR PID: PID is listed in DIR/cgroup.procs.
in_procs() { grep -qx "$2" "$1/cgroup.procs" 2>/dev/null; }

# netns_fds PID: the network namespaces among PID's open fds.
netns_fds() { for f in /proc/"$1"/fd/*; do readlink "$f"; done | grep '^net:'; }

# cg_line PID HIER: the path of PID's cgroup in the v1 hierarchy HIER.
cg_line() { awk -F: -v h="$2" '$2 == h { print $3 }' "/proc/$1/cgroup"; }

step "a spare monitor waits"
wait_until 5 has_spare || die "no spare monitor 5 s after the daemon started"
sp=$(spare_pid)
args=$(tr '\0' ' ' <"/proc/$sp/cmdline")
next_id=$(awk '{ print $2 }' <<<"$args")
next_id=${next_id##*/}
assert_match '^[0-9a-f]{32}$' "$next_id" "the spare's command line names a container ID ($args)"
assert_eq "" "$(ls -d "$(state_dir "$next_id")" 2>/dev/null)" "no container directory for it yet"
for d in "${V1_DIRS[@]}"; do
	assert_eq yes "$(in_procs "$d/$MD_CGROUP_PARENT/spare-$sp" "$sp" && echo yes)" \
		"the spare waits in $d/$MD_CGROUP_PARENT/spare-$sp"
done
sp_net=$(netns_fds "$sp")
assert_match '^net:\[[0-9]+\]$' "$sp_net" "the spare holds one network namespace"
assert_ne "$(readlink /proc/self/ns/net)" "$sp_net" "the spare's network namespace is not the host's"

step "the spare was forked by the spare factory"
fp=$(factory_pid)
assert_match '^[0-9]+$' "$fp" "one spare factory runs"
assert_eq "$MD_DAEMON_PID" "$(ppid_of "$fp")" "the factory is the daemon's child"
assert_match '/containers/0{32} ' "$(tr '\0' ' ' <"/proc/$fp/cmdline")" "its command line names container 000...0"
assert_eq "$fp" "$(ppid_of "$sp")" "the spare is the factory's child"

step "run -d hands the spare its container"
capture md run -d --name taken /bin/sleep 300
assert_eq 0 "$RC" "run -d (stderr: $ERR)"
id=$OUT
assert_eq "$next_id" "$id" "the container has the ID the spare was started for"
pid1=$(ps_json_field taken Pid)
assert_match '^[1-9][0-9]*$' "$pid1" "PID 1 of taken"
assert_eq "$sp" "$(ppid_of "$pid1")" "the spare is PID 1's parent: its monitor"
assert_eq "$sp_net" "$(readlink "/proc/$pid1/ns/net")" "PID 1 is in the network namespace the spare made"
assert_eq minidocker-moni "$(cat "/proc/$sp/comm")" "the taken spare's name"
for d in "${V1_DIRS[@]}"; do
	assert_eq "" "$(ls -d "$d/$MD_CGROUP_PARENT/spare-$sp" 2>/dev/null)" "spare-$sp is gone from $d"
	assert_eq yes "$(in_procs "$d/$MD_CGROUP_PARENT/$id" "$pid1" && echo yes)" \
		"PID 1 is in the container's cgroup of $d"
done
if [ ${#V1_DIRS[@]} -gt 0 ]; then
	# shellcheck disable=SC2016 # expanded by eval, at each try
	wait_until 5 eval '! in_procs "${V1_DIRS[0]}/$MD_CGROUP_PARENT/$id" "$sp"' ||
		fail "the monitor is still in its container's cgroup 5 s after the start"
	for h in pids memory cpu,cpuacct cpu; do
		want=$(cg_line "$MD_DAEMON_PID" "$h")
		[ -n "$want" ] || continue
		assert_eq "$want" "$(cg_line "$sp" "$h")" "the monitor is back in the daemon's $h cgroup"
	done
fi

step "a new spare for the next container"
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '[ -n "$(spare_pid)" ] && [ "$(spare_pid)" != "$sp" ]' ||
	fail "no new spare 5 s after the last one was taken"

step "a pids limit counts the container's processes only"
capture md run -d --name limited --pids-limit 2 /bin/sh -c 'sleep 300 & exec sleep 301'
assert_eq 0 "$RC" "run --pids-limit 2 (stderr: $ERR)"
lid=$OUT
# shellcheck disable=SC2034 # read by the eval below
lpid=$(ps_json_field limited Pid)
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '[ "$(pgrep -P "$lpid" -x sleep)" != "" ]' ||
	fail "the background sleep never started under --pids-limit 2 (logs: $(md logs limited 2>&1))"
assert_not_contains "fork" "$(md logs limited 2>&1)" "no failed fork in the limited container"
for d in "${V1_DIRS[@]}"; do
	case $d in */pids) assert_eq 2 "$(cat "$d/$MD_CGROUP_PARENT/$lid/pids.current")" "pids.current" ;; esac
done

step "a user namespace gets a network namespace of its own"
wait_until 5 has_spare || fail "no spare before the user's run"
sp=$(spare_pid)
sp_net=$(netns_fds "$sp")
assert_match '^net:\[[0-9]+\]$' "$sp_net" "the spare holds one network namespace"
capture md_user run --rm /bin/sh -c 'readlink /proc/self/ns/net
"$0" -c "import socket; socket.socket().bind((\"127.0.0.1\", 80)); print(\"bound\")"' "$PY"
assert_eq 0 "$RC" "the user's run (stderr: $ERR)"
assert_ne minidocker-spar "$(cat "/proc/$sp/comm" 2>/dev/null)" "the spare took the user's run"
assert_ne "$sp_net" "$(head -n 1 <<<"$OUT")" "not the namespace the spare made as root"
assert_eq bound "$(tail -n 1 <<<"$OUT")" "its root binds port 80 in it"

step "a spare killed while it waits"
sp=$(spare_pid)
kill -KILL "$sp"
capture md run --rm /bin/echo after
assert_eq 0 "$RC" "run --rm after the spare died (stderr: $ERR)"
assert_eq after "$OUT" "its output"
wait_until 5 has_spare || fail "no spare again after the last one died"
# The next spare's start sweeps what a dead one left.
for d in "${V1_DIRS[@]}"; do
	assert_eq "" "$(ls -d "$d/$MD_CGROUP_PARENT/spare-$sp" 2>/dev/null)" \
		"the dead spare's cgroup in $d, once the next spare started"
done

step "a spare factory killed is replaced"
wait_until 5 has_spare || fail "no spare before the factory is killed"
fp=$(factory_pid)
orphan=$(spare_pid)
assert_eq "$fp" "$(ppid_of "$orphan")" "the waiting spare is the factory's child"
kill -KILL "$fp"
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '[ "$(ppid_of "$orphan")" = "$MD_DAEMON_PID" ]' ||
	fail "the spare of the killed factory is not the daemon's child 5 s later"
capture md run -d --name orphaned /bin/sleep 300
assert_eq 0 "$RC" "run -d with the factory gone (stderr: $ERR)"
assert_eq "$orphan" "$(ppid_of "$(ps_json_field orphaned Pid)")" "its monitor is the spare the dead factory made"
for i in 1 2; do
	capture md run --rm /bin/echo "run $i"
	assert_eq 0 "$RC" "run --rm $i after the factory died (stderr: $ERR)"
	assert_eq "run $i" "$OUT" "its output"
done
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '[ -n "$(factory_pid)" ] && [ "$(factory_pid)" != "$fp" ] && has_spare &&
	[ "$(ppid_of "$(spare_pid)")" = "$(factory_pid)" ]' ||
	fail "no new factory with a spare of its own 5 s after the old one was killed"
capture md rm -f orphaned
assert_eq 0 "$RC" "rm -f orphaned (stderr: $ERR)"
wait_until 5 eval '[ ! -e /proc/$orphan ]' || fail "the orphaned monitor $orphan was not reaped"

step "a monitor binary changed on disk gets a new factory"
wait_until 5 has_spare || fail "no spare before the binary changes"
fp=$(factory_pid)
touch "$BIN/minidocker-monitor"
capture md run --rm /bin/echo upgraded
assert_eq 0 "$RC" "run --rm after the binary changed (stderr: $ERR)"
assert_eq upgraded "$OUT" "its output"
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '[ -n "$(factory_pid)" ] && [ "$(factory_pid)" != "$fp" ] && has_spare &&
	[ "$(ppid_of "$(spare_pid)")" = "$(factory_pid)" ]' ||
	fail "no new factory 5 s after the monitor binary changed"

step "a spare factory that does not answer is given up after a second"
wait_until 5 has_spare || fail "no spare before the factory is stopped"
fp=$(factory_pid)
[ -n "$fp" ] || die "no spare factory to stop"
kill -STOP "$fp"
# Asking the stopped factory for a spare (the next one, or the one whose
# answer the stop caught) times out in 1 s; the daemon kills it and
# spawns that spare.
for i in 1 2; do
	capture md run --rm /bin/echo "stopped $i"
	assert_eq 0 "$RC" "run --rm $i with the factory stopped (stderr: $ERR)"
	assert_eq "stopped $i" "$OUT" "its output"
done
wait_until 5 eval "[ ! -e /proc/$fp ] || grep -q '^State:.*Z' /proc/$fp/status" ||
	{ kill -KILL "$fp"; fail "the stopped factory $fp still exists 5 s later"; }
assert_match 'spare factory: no answer in 1000 ms' "$(cat "$MD_TMP/daemon.log")" \
	"the daemon says why it gave the factory up"
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '[ -n "$(factory_pid)" ] && [ "$(factory_pid)" != "$fp" ] && has_spare' ||
	fail "no new factory with a spare 5 s after the stopped one was given up"

step "the daemon stops: its spare goes with it"
sp=$(spare_pid)
fp=$(factory_pid)
kill -TERM "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID" 2>/dev/null
wait_until 5 eval "[ ! -e /proc/$sp ] || grep -q '^State:.*Z' /proc/$sp/status" ||
	fail "the spare $sp still runs 5 s after its daemon stopped"
wait_until 5 eval "[ ! -e /proc/$fp ] || grep -q '^State:.*Z' /proc/$fp/status" ||
	fail "the spare factory $fp still runs 5 s after its daemon stopped"
for d in "${V1_DIRS[@]}"; do
	assert_eq "" "$(ls -d "$d/$MD_CGROUP_PARENT/spare-$sp" 2>/dev/null)" "its cgroup in $d"
done
assert_eq true "$(is_running taken 2>/dev/null; [ -e "/proc/$pid1" ] && echo true)" \
	"taken's PID 1 outlives the daemon"

step "--no-spare-monitor keeps none"
md_daemon_start --no-spare-monitor || die "the daemon did not restart"
sleep 0.5
no_spare || fail "a spare monitor runs with --no-spare-monitor: $(spare_pid)"
assert_eq "" "$(factory_pid)" "no spare factory with --no-spare-monitor"
capture md run --rm /bin/echo cold
assert_eq 0 "$RC" "run --rm without a spare (stderr: $ERR)"
assert_eq cold "$OUT" "its output"
no_spare || fail "a spare monitor runs after a run with --no-spare-monitor"
capture md rm -f taken limited
assert_eq 0 "$RC" "rm -f (stderr: $ERR)"

md_done
