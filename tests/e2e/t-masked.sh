#!/bin/bash
# t-masked: the kernel interfaces Docker hides are hidden in a container,
# for root's containers and for the unprivileged user's alike. Each of
# /proc/kcore, /proc/keys, /proc/timer_list, /proc/timer_stats,
# /proc/sched_debug and /proc/latency_stats that exists on this host reads
# as empty inside, being /dev/null (char device 1:3) mounted over it, while
# the host's reads non-empty (the positive control). Each of /proc/acpi,
# /proc/asound, /proc/scsi, /sys/firmware and /sys/devices/virtual/powercap
# that exists on the host is an empty tmpfs inside (on the host it is not
# tmpfs). /proc/sys is read-only: opening /proc/sys/kernel/hostname or
# core_pattern for writing fails with "Read-only file system" inside,
# while the host can write them (access(2) only: the host's values are
# never touched) and core_pattern is unchanged afterwards;
# /proc/sysrq-trigger, when the kernel has it, is not writable either
# (opened for writing without writing a byte). /sys is read-only: a
# writable sysfs attribute of the host and creating a file in /sys both
# fail with "Read-only file system" inside, and the container's mount
# table shows /proc/sys and /sys ro.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd stat
md_setup

MASKED=(/proc/kcore /proc/keys /proc/timer_list /proc/timer_stats /proc/sched_debug
	/proc/latency_stats /proc/acpi /proc/asound /proc/scsi /sys/firmware
	/sys/devices/virtual/powercap)

# One line per path: "PATH absent", "PATH file BYTES MAJOR:MINOR" (bytes
# read, at most 4096) or "PATH dir ENTRIES FSTYPE".
PROBE='for p in '"${MASKED[*]}"'; do
	if [ -d "$p" ]; then
		echo "$p dir $(ls -A "$p" | wc -l) $(stat -f -c %T "$p")"
	elif [ -e "$p" ]; then
		echo "$p file $(head -c 4096 "$p" 2>/dev/null | wc -c) $(stat -c %t:%T "$p")"
	else
		echo "$p absent"
	fi
done'

HOST=$(sh -c "$PROBE")

# A sysfs attribute the host's root may write, to show /sys is read-only
# inside; opened for writing only, never written.
SYS_ATTR=
for f in /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/uevent_helper \
	/sys/kernel/profiling /sys/power/state /sys/module/printk/parameters/time; do
	if [ -f "$f" ] && [ -w "$f" ]; then
		SYS_ATTR=$f
		break
	fi
done
[ -n "$SYS_ATTR" ] || fail "no writable sysfs attribute found on the host for the /sys check"
SYSRQ=
[ -e /proc/sysrq-trigger ] && SYSRQ=/proc/sysrq-trigger

step "positive controls on the host"
n_files=0 n_dirs=0
while read -r p kind n extra; do
	case $kind in
	file)
		n_files=$((n_files + 1))
		assert_ne 0 "$n" "host: $p reads non-empty"
		assert_ne "1:3" "$extra" "host: $p is not /dev/null"
		;;
	dir)
		n_dirs=$((n_dirs + 1))
		assert_ne tmpfs "$extra" "host: $p is not a tmpfs"
		[ "$n" -gt 0 ] || step "host: $p is empty here too (its tmpfs type still tells)"
		;;
	esac
done <<<"$HOST"
step "host has $n_files of the masked files and $n_dirs of the masked directories"
[ "$n_files" -gt 0 ] || fail "none of the masked files exists on the host: the test proves nothing"
[ "$n_dirs" -gt 0 ] || fail "none of the masked directories exists on the host: the test proves nothing"
for p in /proc/sys/kernel/hostname /proc/sys/kernel/core_pattern $SYS_ATTR $SYSRQ; do
	[ -w "$p" ] || fail "host: $p is not writable by root: the check inside proves nothing"
done
[ -n "$SYSRQ" ] || step "no /proc/sysrq-trigger on this kernel: not checked"
CORE_PATTERN=$(cat /proc/sys/kernel/core_pattern)

# What a container must refuse: each line "PATH: ERROR", from opening the
# path for writing (no byte is written), then the /proc and /sys mounts.
WRITES='for p in /proc/sys/kernel/hostname /proc/sys/kernel/core_pattern '"$SYS_ATTR $SYSRQ"' /sys/md-e2e-new; do
	if ( : >"$p" ) 2>/dev/null; then
		echo "$p: WRITABLE"
	else
		err=$( ( : >"$p" ) 2>&1 )
		echo "$p: ${err##*: }"
	fi
done
awk '\''$5 == "/proc/sys" || $5 == "/sys" { split($6, o, ","); print "mount " $5 " " o[1] }'\'' /proc/self/mountinfo'

for who in md md_user; do
	step "$who: masked paths inside"
	capture "$who" run /bin/sh -c "$PROBE"
	assert_eq 0 "$RC" "$who: probe exits 0 (stderr: $ERR)"
	while read -r p kind _ _; do
		inside=$(awk -v p="$p" '$1 == p' <<<"$OUT")
		case $kind in
		file) assert_eq "$p file 0 1:3" "$inside" "$who: $p inside" ;;
		dir) assert_eq "$p dir 0 tmpfs" "$inside" "$who: $p inside" ;;
		esac
	done <<<"$HOST"

	step "$who: /proc/sys, /sys and sysrq-trigger are read-only"
	capture "$who" run /bin/sh -c "$WRITES"
	assert_eq 0 "$RC" "$who: write probe exits 0 (stderr: $ERR)"
	for p in /proc/sys/kernel/hostname /proc/sys/kernel/core_pattern $SYS_ATTR /sys/md-e2e-new; do
		assert_eq "$p: Read-only file system" "$(grep -F "$p: " <<<"$OUT")" "$who: open $p for writing"
	done
	if [ -n "$SYSRQ" ]; then
		assert_not_contains "$SYSRQ: WRITABLE" "$OUT" "$who: open $SYSRQ for writing"
		assert_contains "$SYSRQ: " "$OUT" "$who: $SYSRQ probed"
	fi
	assert_contains "mount /proc/sys ro" "$OUT" "$who: /proc/sys mount options"
	assert_contains "mount /sys ro" "$OUT" "$who: /sys mount options"
done
assert_eq "$CORE_PATTERN" "$(cat /proc/sys/kernel/core_pattern)" "the host's core_pattern is unchanged"
[ ! -e /sys/md-e2e-new ] || fail "/sys/md-e2e-new was created on the host"

md_done
