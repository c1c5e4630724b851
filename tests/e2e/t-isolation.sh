#!/bin/bash
# t-isolation: each container gets its own namespaces, asserted in the
# negative. PID: host processes (our daemon's PID among them) are invisible
# and the container's /proc lists only its own couple of processes. Mount: the
# container's mounts do not show in the host's mount table, and the
# container's mount table has none of the host's mount points (the temp dir,
# cgroup mounts, ...) beyond the few it makes itself. UTS: the hostname inside
# is container-host or the -h value, and the host's hostname is unchanged.
# IPC: a message queue made inside one container (ipcmk -Q) is listed neither
# by the host's ipcs -q nor inside another container. Network: only `lo` in
# /sys/class/net, and it is up. Files: one container's /tmp writes are
# invisible to another container and to the host.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd ipcmk ipcs hostname
md_setup

step "PID namespace"
capture md run /bin/sh -c 'ls /proc; echo "self=$$"; kill -0 '"$MD_DAEMON_PID"' 2>/dev/null && echo daemon-visible; true'
assert_eq 0 "$RC" "run ls /proc exits 0"
pids=$(grep -E '^[0-9]+$' <<<"$OUT")
assert_match '^[123]$' "$(wc -l <<<"$pids")" "count of numeric entries in the container's /proc (its own processes only)"
assert_not_contains "daemon-visible" "$OUT" "the daemon (host pid $MD_DAEMON_PID) must not be signalable from the container"
if [ "$MD_DAEMON_PID" -gt 3 ] && grep -qx "$MD_DAEMON_PID" <<<"$pids"; then
	fail "the daemon's pid $MD_DAEMON_PID is in the container's /proc: ${pids//$'\n'/ }"
fi
assert_contains "self=1" "$OUT" "the command is PID 1"

step "mount namespace"
cid=$(md run -d /bin/sleep 60)
assert_match '^[0-9a-f]{32}$' "$cid" "run -d prints an ID"
wait_until 10 is_running "$cid" || fail "container $cid is not running"
host_mi=$(cat /proc/self/mountinfo)
assert_not_contains "$MD_TMP/" "$host_mi" "the host's mountinfo while a container runs (no container mount leaks out)"
assert_not_contains "$cid" "$host_mi" "the host's mountinfo names no container rootfs"
capture md run /bin/cat /proc/self/mountinfo
assert_eq 0 "$RC" "cat /proc/self/mountinfo in a container"
ctr_points=$(awk '{ print $5 }' <<<"$OUT")
assert_not_contains "$MD_TMP" "$ctr_points" "mount points inside the container"
# Every host mount point but the handful a container mounts afresh for itself
# must be absent inside.
while read -r mp; do
	case $mp in
	/ | /proc | /sys | /dev | /dev/pts | /dev/shm | /dev/mqueue) continue ;;
	esac
	if grep -qxF "$mp" <<<"$ctr_points"; then
		fail "the host mount point $mp is visible inside the container"
	fi
done < <(awk '{ print $5 }' /proc/self/mountinfo | sort -u)

step "UTS namespace"
host_before=$(hostname)
capture md run /bin/hostname
assert_eq 0 "$RC" "run /bin/hostname exits 0"
assert_eq container-host "$OUT" "default hostname inside"
capture md run -h box-one /bin/sh -c 'hostname; cat /proc/sys/kernel/hostname'
assert_eq 0 "$RC" "run -h box-one exits 0"
assert_eq "box-one"$'\n'"box-one" "$OUT" "hostname and /proc/sys/kernel/hostname with -h box-one"
assert_eq "$host_before" "$(hostname)" "the host's hostname after containers with their own"

step "IPC namespace"
out=$MD_TMP/ipc.out
md run --name ipc-holder /bin/sh -c 'ipcmk -Q; ipcs -q; echo CREATED; sleep 60' >"$out" 2>&1 &
ipc_client=$!
if wait_until 10 grep -q CREATED "$out"; then
	key=$(awk '$1 ~ /^0x/ { print $1; exit }' "$out")
	assert_match '^0x[0-9a-f]+$' "$key" "ipcs -q inside lists the queue made there (positive control); output: $(cat "$out")"
	if [ -n "$key" ]; then
		if ipcs -q | grep -q "^$key "; then
			fail "the host's ipcs -q lists the container's queue $key: $(ipcs -q)"
		fi
	fi
	capture md run /bin/sh -c 'ipcs -q'
	assert_eq 0 "$RC" "ipcs -q in another container exits 0"
	if grep -q '^0x' <<<"$OUT"; then
		fail "another container's ipcs -q lists a queue: $OUT"
	fi
else
	fail "the IPC container did not report its queue within 10 s: $(cat "$out")"
fi
md stop -t 0 ipc-holder >/dev/null
wait "$ipc_client"

step "network namespace"
capture md run /bin/sh -c 'ls /sys/class/net; cat /sys/class/net/lo/flags'
assert_eq 0 "$RC" "ls /sys/class/net exits 0"
assert_eq lo "$(head -n1 <<<"$OUT")" "the only network interface"
assert_lines 2 "$OUT" "ls /sys/class/net plus lo's flags"
flags=$(tail -n1 <<<"$OUT")
if [[ $flags =~ ^0x[0-9a-f]+$ ]]; then
	assert_eq 1 $((flags & 1)) "lo is up (IFF_UP in flags $flags)"
else
	fail "lo's flags: got '$flags'"
fi

step "private /tmp"
tag=secret-$$-$RANDOM
capture md run /bin/sh -c "echo $tag >/tmp/$tag && cat /tmp/$tag"
assert_eq 0 "$RC" "writing /tmp/$tag in one container"
assert_eq "$tag" "$OUT" "the writer reads its own /tmp file (positive control)"
capture md run /bin/sh -c "ls -A /tmp; test -e /tmp/$tag && echo visible; true"
assert_eq "" "$OUT" "another container's /tmp"
[ ! -e "/tmp/$tag" ] || fail "the container's /tmp/$tag appeared in the host's /tmp"

md_done
