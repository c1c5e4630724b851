#!/bin/bash
# t-fds: the container's PID 1 starts with exactly fds 0, 1 and 2 open:
# nothing of the daemon's or the monitor's (sockets, log files, pty masters,
# sync pipes) leaks into the container. PID 1 is a shell whose child `ls -l`
# lists the shell's /proc/$$/fd, with no flags, -i, -t and -it; -t and -it
# from a real terminal, -t also from none. The monitor itself holds PID 1's
# mount and network namespaces while it runs (their teardown then follows
# the exit report instead of delaying it), no other namespace, and not
# the mount namespace of a container with a volume nor the host's network.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
md_setup

# PID 1's fds as `ls -l` shows them, then a marker. ls runs as a child that
# is not the last command (so sh cannot exec it), with no redirection or pipe
# (dash would set those up in PID 1 itself, around the fork): its directory
# fd is its own, not PID 1's.
LIST='ls -l /proc/$$/fd; echo "pid:$$"'

check_fds() { # WHAT OUTPUT
	local fds
	fds=$(tr -d '\r' <<<"$2" | sed -n 's/.* \([0-9][0-9]*\) -> .*/\1/p' | sort -n | tr '\n' ' ')
	assert_eq "0 1 2 " "$fds" "$1: open fds of the container's PID 1 ($(grep -- ' -> ' <<<"$2" | tr -d '\r' | sed 's/.* \([0-9]* -> \)/\1/' | tr '\n' ' '))"
	assert_match "pid:1" "$2" "$1: the shell is PID 1"
}

step "no flags"
capture md run /bin/sh -c "$LIST"
assert_eq 0 "$RC" "run (no flags) exits 0"
check_fds "no flags" "$OUT"

step "-i"
capture_in "" md run -i /bin/sh -c "$LIST"
assert_eq 0 "$RC" "run -i exits 0"
check_fds "-i" "$OUT"

step "-t without a terminal"
capture md run -t /bin/sh -c "$LIST"
assert_eq 0 "$RC" "run -t (no terminal) exits 0"
check_fds "-t without a terminal" "$OUT"

for flags in -t -it; do
	step "$flags from a terminal"
	tr=$MD_TMP/transcript$flags
	printf 'timeout 15\nexpect pid:\\d+\nstatus 0\n' |
		"$PY" "$PTY" --transcript "$tr" -- md run $flags /bin/sh -c "$LIST" ||
		fail "$flags: the session did not end as expected (transcript above)"
	check_fds "$flags from a terminal" "$(cat "$tr")"
done

# held_ns ARGS...: run -d ARGS... /bin/sleep 1000; HELD gets the namespaces
# among its monitor's fds and NS those of its PID 1 (both "mnt:[..] ..."),
# MON the monitor's pid, ID the container.
held_ns() {
	local state pid1 t
	capture md run -d "$@" /bin/sleep 1000
	assert_eq 0 "$RC" "run -d $* sleep exits 0 (stderr: $ERR)"
	ID=$OUT
	state=$(cat "$(state_dir "$ID")/state.json")
	pid1=$(sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p' <<<"$state")
	MON=$(sed -n 's/.*"monitor_pid": *\([0-9][0-9]*\).*/\1/p' <<<"$state")
	if [ -z "$pid1" ] || [ -z "$MON" ]; then
		die "no pid or monitor_pid in state.json: $state"
	fi
	HELD=$(for f in /proc/"$MON"/fd/*; do readlink "$f"; done |
		grep -E '^(mnt|net|pid|ipc|uts|user|cgroup|time):' | sort | tr '\n' ' ')
	NS=
	for t in mnt net; do
		NS="$NS$(readlink /proc/"$pid1"/ns/$t) "
	done
}

step "the monitor holds PID 1's mount and network namespaces, and lets go after the exit"
held_ns
assert_eq "$NS" "$HELD" "namespaces among the monitor's fds"
capture md stop -t 0 "$ID"
assert_eq 0 "$RC" "stop the sleeper"
ns_fds() { for f in /proc/"$MON"/fd/*; do readlink "$f"; done | grep -E '^(mnt|net):'; }
no_ns_fds() { [ -z "$(ns_fds)" ]; }
wait_until 10 no_ns_fds || fail "the monitor $MON holds namespaces after the exit: $(ns_fds)"
capture md rm "$ID"
assert_eq 0 "$RC" "rm the sleeper"

step "with a volume, not the mount namespace; with the host's network, not that"
mkdir -p "$MD_TMP/vol"
held_ns -v "$MD_TMP/vol:/mnt"
assert_eq "${NS#* }" "$HELD" "namespaces the monitor holds with a volume (the network's only)"
capture md rm -f "$ID"
assert_eq 0 "$RC" "rm -f the sleeper with a volume"
held_ns --network host
assert_eq "${NS%% *} " "$HELD" "namespaces the monitor holds with --network host (the mounts' only)"
capture md rm -f "$ID"
assert_eq 0 "$RC" "rm -f the sleeper with the host's network"

md_done
