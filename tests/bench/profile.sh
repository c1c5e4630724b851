#!/bin/bash
# profile.sh BIN_DIR MDTIME OUT_MD: where `minidocker run --rm IMAGE
# /bin/true` spends its time, phase by phase, back to back and after a
# pause (`make bench-profile`, as root, needs perf).
#
# The programs run unmodified: `perf record -a` of a few kernel
# tracepoints (process exec/exit, cgroup attach, and the enter/exit of
# connect, clone3, write, fsync, pivot_root, umount2, filtered to our programs'
# names) while mdtime runs the container PROFILE_RUNS times, then
# tests/bench/phases.py cuts each run into phases and prints the median
# of each. Tracepoints cost microseconds, not the milliseconds of strace.
# Same private daemon and teardown as run.sh (tests/bench/lib.sh).

set -u

if [ $# -ne 3 ] || [ ! -d "$1" ] || [ ! -x "$2" ]; then
	echo "usage: $0 BIN_DIR MDTIME OUT_MD" >&2
	exit 2
fi
BIN=$(cd "$1" && pwd)
MDTIME=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
OUT=$3
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${PROFILE_RUNS:-30}
PAUSE=${BENCH_PAUSE_MS:-100}
IMG=bench-busybox

[ "$(id -u)" = 0 ] || {
	echo "profile: must run as root" >&2
	exit 1
}
command -v perf >/dev/null || {
	echo "profile: perf is needed (Debian: linux-perf)" >&2
	exit 1
}

# shellcheck source=tests/bench/lib.sh
. "$HERE/lib.sh"
bench_setup
bench_daemon_up

mon='comm == "minidocker-moni" || comm == "minidocker-spar" || comm == "minidocker-fact"'
both='comm == "minidockerd" || comm == "minidocker-moni"'
EVENTS=(
	-e sched:sched_process_exec -e sched:sched_process_exit -e sched:sched_process_fork
	-e cgroup:cgroup_attach_task
	-e syscalls:sys_enter_connect --filter 'comm == "minidocker"'
	-e syscalls:sys_enter_clone3 --filter "$both"
	-e syscalls:sys_exit_clone3 --filter "$both"
	-e syscalls:sys_enter_fsync --filter "$both"
	-e syscalls:sys_exit_fsync --filter "$both"
	-e syscalls:sys_enter_write --filter "$mon"
	-e syscalls:sys_exit_write --filter "$mon"
	-e syscalls:sys_enter_pivot_root --filter "$mon"
	-e syscalls:sys_enter_umount --filter "$mon"
	-e syscalls:sys_exit_umount --filter "$mon"
	-e syscalls:sys_exit_recvmsg --filter "$mon"
)

declare -A PH
profile_one() { # KEY PAUSE_MS MDTIME_ARGS...
	local key=$1 p=$2 line k v
	shift 2
	log "profile $key: $RUNS runs (pause $p ms)"
	# Untraced first, for the cost of the tracing itself.
	line=$("$MDTIME" -n "$RUNS" -w 3 -p "$p" -- "$@")
	PH[$key.untraced]=$(sed 's/.*median_ms=\([0-9.]*\).*/\1/' <<<"$line")
	perf record -q -o "$T/perf.$key" -a "${EVENTS[@]}" -- \
		"$MDTIME" -n "$RUNS" -w 3 -p "$p" -- "$@" >"$T/mdtime.$key" 2>/dev/null
	perf script -i "$T/perf.$key" >"$T/script.$key" 2>/dev/null
	while IFS='=' read -r k v; do
		PH[$key.$k]=$v
	done < <("$PY" "$HERE/phases.py" "$T/script.$key" "$BIN/minidocker" "$DPID" "$MDTIME" 3)
}

profile_one busybox 0 "${MD[@]}" run --rm "$IMG" /bin/true
profile_one busybox_p "$PAUSE" "${MD[@]}" run --rm "$IMG" /bin/true
profile_one host 0 "${MD[@]}" run --rm /bin/true
profile_one host_p "$PAUSE" "${MD[@]}" run --rm /bin/true

PHASES=$("$PY" -c '
import sys; sys.path.insert(0, sys.argv[1])
import phases
for k, d in phases.PHASES: print(k + "\t" + d)' "$HERE")

{
	echo "# minidocker start path, phase by phase"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- \`minidocker run --rm IMAGE /bin/true\`, median over $RUNS runs of each phase (ms), cut at kernel tracepoints (tests/bench/phases.py);"
	echo "  \"paused\": ${PAUSE} ms of idle before each run. The phases' medians need not add up to the total's median."
	echo
	echo "| phase | busybox, back to back | busybox, paused | host, back to back | host, paused |"
	echo "| --- | ---: | ---: | ---: | ---: |"
	while IFS=$'\t' read -r k d; do
		printf '| %s | %s | %s | %s | %s |\n' "$d" "${PH[busybox.$k]:-?}" "${PH[busybox_p.$k]:-?}" \
			"${PH[host.$k]:-?}" "${PH[host_p.$k]:-?}"
	done <<<"$PHASES"
	printf '| runs cut | %s | %s | %s | %s |\n' "${PH[busybox.runs]:-?}" "${PH[busybox_p.runs]:-?}" \
		"${PH[host.runs]:-?}" "${PH[host_p.runs]:-?}"
	printf '| (untraced median, mdtime) | %s | %s | %s | %s |\n' "${PH[busybox.untraced]:-?}" \
		"${PH[busybox_p.untraced]:-?}" "${PH[host.untraced]:-?}" "${PH[host_p.untraced]:-?}"
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
echo
cat "$OUT"
