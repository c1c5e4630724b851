#!/bin/bash
# run.sh BIN_DIR MDTIME RESULTS_MD: the benchmark of issue 7 (`make bench`).
#
# As root: builds a busybox root from the host's static busybox, starts a
# private daemon (own --socket/--root/--run in a temp dir and its own
# --cgroup-parent, as tests/e2e/lib.sh's md_setup does), imports the root as
# an image, and measures, in one run on this machine, against the peers on
# the same root:
#   - start-to-exit latency of a container running /bin/true, back to back
#     and with a pause before each run, with --root on the disk, on a tmpfs
#     and on a journalled ext4 in a loop file;
#   - density: N detached sleep containers started one after another and 4
#     at a time, and the host memory each costs beyond its own process;
#   - relay throughput through a pty (-t) and through pipes;
#   - control latency (ps with 0 and N containers, stop);
#   - adoption of N running containers by a restarted daemon after kill -9.
# Prints one Markdown table (also written to RESULTS_MD). Every figure is
# the median of many runs (after warm-up runs), timed by MDTIME
# (tests/bench/mdtime.c: posix_spawn + waitpid, CLOCK_MONOTONIC).
#
# Tunables (environment): BENCH_RUNS (timed runs per latency figure, 50),
# BENCH_WARMUP (5), BENCH_PAUSE_MS (100), BENCH_DENSITY (100 containers),
# BENCH_RELAY_MB (256), BENCH_RELAY_RUNS (3), BENCH_STOP_RUNS (20).
#
# Teardown (on every exit): our containers stopped, our daemon killed by
# its PID, our monitors waited for, the peers' containers deleted, every
# cgroup directory we made removed, the temp dir removed. Nothing is ever
# killed by name.

set -u

if [ $# -ne 3 ] || [ ! -d "$1" ] || [ ! -x "$2" ]; then
	echo "usage: $0 BIN_DIR MDTIME RESULTS_MD" >&2
	exit 2
fi
BIN=$(cd "$1" && pwd)
MDTIME=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
RESULTS=$3
PY=/usr/bin/python3

RUNS=${BENCH_RUNS:-50}
WARM=${BENCH_WARMUP:-5}
PAUSE=${BENCH_PAUSE_MS:-100}
NDENS=${BENCH_DENSITY:-100}
RELAY_MB=${BENCH_RELAY_MB:-256}
RELAY_RUNS=${BENCH_RELAY_RUNS:-3}
STOP_RUNS=${BENCH_STOP_RUNS:-20}
IMG=bench-busybox
CONMON_PSS_KB=350 # published reference (issue 7), not measured here

if [ "$(id -u)" != 0 ]; then
	echo "bench: must run as root (it starts a daemon and containers)" >&2
	exit 1
fi
for p in minidockerd minidocker minidocker-monitor; do
	[ -x "$BIN/$p" ] || {
		echo "bench: $BIN/$p not built" >&2
		exit 1
	}
done
[ -x "$PY" ] || {
	echo "bench: $PY is needed" >&2
	exit 1
}

# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
bench_setup

# ---- results ---------------------------------------------------------------

declare -A MED P10 P90 FAIL TOTAL
ROWS=()

# A command mdtime itself runs under: crun's mount namespace (see the peers).
MT_NS=()

# measure KEY [MDTIME OPTIONS] -- CMD...: run mdtime and keep its figures.
measure() {
	local key=$1 out
	shift
	out=$("${MT_NS[@]}" "$MDTIME" "$@" 2>"$T/mdtime.err")
	if [ -s "$T/mdtime.err" ]; then
		sed "s/^/  [$key] /" "$T/mdtime.err" >&2
	fi
	if [ -z "$out" ]; then
		log "$key: no result"
		return 1
	fi
	# shellcheck disable=SC2034 # set by the eval, not all used
	local n fail median_ms p10_ms p90_ms min_ms max_ms mean_ms sum_ms total_ms
	eval "$out"
	MED[$key]=$median_ms
	P10[$key]=$p10_ms
	P90[$key]=$p90_ms
	FAIL[$key]=$fail
	TOTAL[$key]=$total_ms
	log "$(printf '%-22s median %9s ms  p10 %9s  p90 %9s  total %9s ms  fail %s' \
		"$key" "$median_ms" "$p10_ms" "$p90_ms" "$total_ms" "$fail")"
}

have() { command -v "$1" >/dev/null 2>&1; }

# calc EXPR: awk arithmetic, printed with up to 6 significant digits.
calc() { awk "BEGIN { printf \"%.6g\", $1 }"; }

fmt() { # VALUE DECIMALS
	awk -v v="$1" -v d="$2" 'BEGIN { if (v == "" || v == "n/a") print "n/a"; else printf "%.*f", d, v }'
}

# row WHAT VALUE UNIT SPREAD BASELINE RATIO TARGET
row() {
	ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |")
}

# ratio A B: A/B to 2 decimals, or n/a.
ratio() {
	if [ -z "$1" ] || [ -z "$2" ] || [ "$1" = n/a ] || [ "$2" = n/a ]; then
		echo n/a
		return
	fi
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "n/a"; else printf "%.2fx", a / b }'
}

# verdict A B OP LIMIT: PASS/MISS of A/B against LIMIT (OP: le, lt, ge),
# on the unrounded ratio; n/a when either is missing.
verdict() {
	if [ -z "$1" ] || [ -z "$2" ] || [ "$1" = n/a ] || [ "$2" = n/a ]; then
		echo n/a
		return
	fi
	awk -v a="$1" -v b="$2" -v op="$3" -v l="$4" 'BEGIN {
		if (b + 0 == 0) { print "n/a"; exit }
		r = a / b
		ok = (op == "le" && r <= l) || (op == "lt" && r < l) || (op == "ge" && r >= l)
		print (ok ? "PASS" : "MISS") }'
}

# ---- the peers -----------------------------------------------------------------

# OCI bundles for crun and runc: the same root (read-only, shared), the
# same namespaces as minidocker (pid, mount, uts, ipc, network, cgroup), a
# cgroup of their own under our peers' parent, no terminal.
make_bundle() { # RUNTIME DIR CGROUP ARG...
	local rt=$1 dir=$2 cg=$3
	shift 3
	mkdir -p "$dir"
	(cd "$dir" && "$rt" spec >/dev/null 2>&1) || return 1
	"$PY" - "$dir/config.json" "$ROOT" "/$CG_PEERS/$cg" "$@" <<'PY'
import json, sys
path, root, cg, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
c = json.load(open(path))
c["root"] = {"path": root, "readonly": True}
c["process"]["args"] = args
c["process"]["terminal"] = False
c["hostname"] = "container-host"
c["linux"]["namespaces"] = [{"type": t} for t in
                            ("pid", "mount", "uts", "ipc", "network", "cgroup")]
c["linux"]["cgroupsPath"] = cg
json.dump(c, open(path, "w"), indent=1)
PY
}

HAVE_CRUN=0 HAVE_RUNC=0 HAVE_BWRAP=0 HAVE_UNSHARE=0 HAVE_SCRIPT=0
have unshare && have chroot && HAVE_UNSHARE=1
have bwrap && HAVE_BWRAP=1
have script && HAVE_SCRIPT=1
CRUN_NOTE=  # how crun ran, when not as on any host
CRUN_SHORT= # the same, in a few words
CRUN_WHY=
if have crun && make_bundle crun "$T/b-crun" lat /bin/true; then
	mkdir -p "$T/crun-state"
	CRUN=(crun --root "$T/crun-state")
	if "${CRUN[@]}" run --bundle "$T/b-crun" lat >/dev/null 2>"$T/crun.err"; then
		HAVE_CRUN=1
	else
		# crun refuses a hybrid host whose cgroup2 mount holds a
		# controller ("cgroups in hybrid mode not supported"). In a
		# mount namespace of its own without that mount, the host is
		# plain cgroup v1 to it, and it makes its v1 cgroups as on any
		# v1 host: crun, and mdtime timing it, run there (the host's
		# mounts are untouched). Failing that, it runs without cgroups,
		# and the table says so.
		why=$(head -n1 "$T/crun.err")
		cg2=$(awk '{ for (i = 7; i < NF && $i != "-"; i++); }
			$(i + 1) == "cgroup2" && $5 ~ "^/sys/fs/cgroup/." { print $5; exit }' /proc/self/mountinfo)
		if [ -n "$cg2" ]; then
			log "crun: $why; trying it in a mount namespace without $cg2"
			# shellcheck disable=SC2016 # expanded by that sh
			CRUN_NS=(unshare --mount --propagation private -- sh -c 'umount "$0" && exec "$@"' "$cg2")
			if "${CRUN_NS[@]}" "${CRUN[@]}" run --bundle "$T/b-crun" lat >/dev/null 2>"$T/crun.err"; then
				HAVE_CRUN=1
				CRUN_NOTE=": v1, in a mount namespace without the host's cgroup2 mount, as crun refuses this hybrid host (\"$why\")"
				CRUN_SHORT="own v1 cgroup, cgroup2 hidden"
			else
				log "crun in that namespace: $(head -n1 "$T/crun.err")"
				CRUN_NS=()
			fi
		fi
		if [ "$HAVE_CRUN" = 0 ]; then
			log "crun: $why; trying --cgroup-manager=disabled"
			CRUN=(crun --root "$T/crun-state" --cgroup-manager=disabled)
			if "${CRUN[@]}" run --bundle "$T/b-crun" lat >/dev/null 2>"$T/crun.err"; then
				HAVE_CRUN=1
				CRUN_NOTE="; **without a cgroup**, as crun refuses this host's (\"$why\")"
				CRUN_SHORT="no cgroup"
			else
				CRUN_WHY=$(head -n1 "$T/crun.err")
				log "crun does not run here: $CRUN_WHY"
			fi
		fi
	fi
fi

# measure_crun KEY ...: measure, in crun's mount namespace if it has one.
measure_crun() {
	local r
	MT_NS=("${CRUN_NS[@]}")
	measure "$@"
	r=$?
	MT_NS=()
	return $r
}

if have runc && make_bundle runc "$T/b-runc" lat-runc /bin/true; then
	HAVE_RUNC=1
	mkdir -p "$T/runc-state"
	RUNC=(runc --root "$T/runc-state")
fi

# ---- start the daemon, import the image -------------------------------------

bench_daemon_up

# The relay's producer: bytes base64 writes for RELAY_MB MiB of input
# (76-column lines).
B64_BYTES=$(awk -v n="$((RELAY_MB * 1048576))" \
	'BEGIN { e = 4 * int((n + 2) / 3); printf "%d", e + int((e + 75) / 76) }')
PROD="head -c ${RELAY_MB}M /dev/zero | base64"
ro=(-n "$RELAY_RUNS" -w 1)

# ---- start-to-exit latency ---------------------------------------------------

FLOOR_DESC="unshare --pid --fork --mount --uts --ipc --net --mount-proc=ROOT/proc chroot ROOT /bin/true"
LAT_ROWS=(floor floor_host bwrap crun runc md_busybox md_host md_detach)
declare -A LAT_LABEL=(
	[floor]="floor: \`$FLOOR_DESC\`"
	[floor_host]="the same floor on the host's root: \`unshare … --mount-proc chroot / /bin/true\` (the programs the \`host\` image runs: a dynamic /bin/true)"
	[bwrap]="bwrap --unshare-all --bind ROOT / --proc /proc --dev /dev /bin/true"
	[crun]="crun run (OCI bundle on ROOT, same namespaces, own cgroup$CRUN_NOTE)"
	[runc]="runc run (same bundle, own cgroup)"
	[md_busybox]="**minidocker run --rm $IMG /bin/true**"
	[md_host]="**minidocker run --rm /bin/true** (\`host\` image)"
	[md_detach]="minidocker run -d $IMG /bin/true (until the ID is printed)"
	[md_nospare]="minidocker run --rm $IMG /bin/true, daemon with \`--no-spare-monitor\`"
	[md_tmpfs]="minidocker run --rm $IMG /bin/true, daemon with \`--root\` on a tmpfs"
	[md_host_tmpfs]="minidocker run --rm /bin/true (\`host\` image), daemon with \`--root\` on a tmpfs"
	[md_ext4]="minidocker run --rm $IMG /bin/true, daemon with \`--root\` on a journalled ext4 (loop file)"
	[md_host_ext4]="minidocker run --rm /bin/true (\`host\` image), daemon with \`--root\` on a journalled ext4"
)
[ "$HAVE_CRUN" = 1 ] || LAT_LABEL[crun]="crun run: n/a${CRUN_WHY:+ (crun $(crun --version 2>/dev/null | head -n1 | awk '{ print $3 }') refuses this host: \"$CRUN_WHY\")}"

latency_set() { # SUFFIX PAUSE_MS
	local s=$1 p=$2 o=(-n "$RUNS" -w "$WARM" -p "$2")
	[ "$HAVE_UNSHARE" = 1 ] && measure "floor$s" "${o[@]}" -- unshare --pid --fork --mount --uts \
		--ipc --net --mount-proc="$ROOT/proc" chroot "$ROOT" /bin/true
	# Its /proc is mounted in its own (private) mount namespace.
	[ "$HAVE_UNSHARE" = 1 ] && measure "floor_host$s" "${o[@]}" -- unshare --pid --fork --mount \
		--uts --ipc --net --mount-proc chroot / /bin/true
	[ "$HAVE_BWRAP" = 1 ] && measure "bwrap$s" "${o[@]}" -- bwrap --unshare-all --bind "$ROOT" / \
		--proc /proc --dev /dev /bin/true
	[ "$HAVE_CRUN" = 1 ] && measure_crun "crun$s" "${o[@]}" -- "${CRUN[@]}" run --bundle "$T/b-crun" lat
	[ "$HAVE_RUNC" = 1 ] && measure "runc$s" "${o[@]}" -- "${RUNC[@]}" run --bundle "$T/b-runc" lat-runc
	measure "md_busybox$s" "${o[@]}" -- "${MD[@]}" run --rm "$IMG" /bin/true
	measure "md_host$s" "${o[@]}" -- "${MD[@]}" run --rm /bin/true
	measure "md_detach$s" "${o[@]}" --post "$MDQ rm -f \"\$MDTIME_OUT\" >/dev/null" -- \
		"${MD[@]}" run -d "$IMG" /bin/true
	: # not the status of the last test
}

log "latency, back to back ($RUNS runs after $WARM warm-up runs each)"
latency_set "" 0
log "latency, ${PAUSE} ms pause before each run"
latency_set _p "$PAUSE"

# The exit of a --rm container on a host that writes: other writes wait in
# the page cache of --root's filesystem (not synced, as any busy host has).
DIRTY_MB=${BENCH_DIRTY_MB:-64}
log "latency with $DIRTY_MB MB of other writes pending on --root's filesystem"
# A new file each time (a rewrite would free blocks, a cost of its own),
# below the kernel's background writeback threshold, deleted after.
DIRTY_PRE="dd if=/dev/zero of=$T/dirty.\$\$ bs=1M count=$DIRTY_MB status=none"
DIRTY_POST="rm -f $T/dirty.*"
measure md_dirty -n 10 -w 1 --pre "$DIRTY_PRE" --post "$DIRTY_POST" -- \
	"${MD[@]}" run --rm "$IMG" /bin/true
# A kept container's overlay is not volatile: its exit syncs the filesystem.
measure md_dirty_kept -n 10 -w 1 --pre "$DIRTY_PRE; echo kept-\$\$" \
	--post "$MDQ rm \"\$MDTIME_PRE\" >/dev/null; $DIRTY_POST" -- \
	"${MD[@]}" run --name '{}' "$IMG" /bin/true

# What the spare monitor buys: the same daemon with --no-spare-monitor.
log "latency without the spare monitor"
daemon_stop
daemon_start --no-spare-monitor
daemon_wait_up
o=(-n "$RUNS" -w "$WARM")
measure md_nospare "${o[@]}" -p 0 -- "${MD[@]}" run --rm "$IMG" /bin/true
measure md_nospare_p "${o[@]}" -p "$PAUSE" -- "${MD[@]}" run --rm "$IMG" /bin/true
daemon_stop

# The engine apart from the disk: --root on a tmpfs, where no block is
# allocated, synced, freed or discarded.
log "latency with --root on a tmpfs"
DROOT=$RUNDIR/root
daemon_start
daemon_wait_up
"${MD[@]}" import "$T/busybox.tar" "$IMG" >/dev/null || log "import into the tmpfs root failed"
measure md_tmpfs "${o[@]}" -p 0 -- "${MD[@]}" run --rm "$IMG" /bin/true
measure md_tmpfs_p "${o[@]}" -p "$PAUSE" -- "${MD[@]}" run --rm "$IMG" /bin/true
measure md_host_tmpfs "${o[@]}" -p 0 -- "${MD[@]}" run --rm /bin/true
measure md_host_tmpfs_p "${o[@]}" -p "$PAUSE" -- "${MD[@]}" run --rm /bin/true
# The relay too: its log is written under --root.
measure relay_md_pipe_tmpfs "${ro[@]}" -- sh -c "$MDQ run --rm /bin/sh -c '$PROD' | cat >/dev/null"
daemon_stop

# An ordinary disk filesystem: --root on an ext4 with a journal and
# without discard (this VM's own disk is the reverse: README). It is a loop
# file, mounted only in the daemon's own mount namespace: the mount, and
# with it the loop device, goes when the daemon and its monitors have. Made
# whole (no lazy init writing behind the measurement). Not the relay:
# through a loop file every write is made twice.
EXT4_IMG=$T/ext4.img
if ! command -v mkfs.ext4 >/dev/null; then
	log "no mkfs.ext4: the journalled ext4 rows are n/a"
elif ! { fallocate -l 1G "$EXT4_IMG" 2>/dev/null || truncate -s 1G "$EXT4_IMG"; } ||
	! mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$EXT4_IMG" >/dev/null 2>&1 ||
	! mkdir "$T/ext4"; then
	log "cannot make an ext4 image in $T: the journalled ext4 rows are n/a"
else
	log "latency with --root on a journalled ext4"
	DROOT=$T/ext4/root
	# shellcheck disable=SC2016 # for the wrapper's shell
	DWRAP=(unshare --mount --propagation private
		sh -c 'mount -o loop "$0" "$1" && shift && exec "$@"' "$EXT4_IMG" "$T/ext4")
	daemon_start
	if daemon_wait_up_quiet && "${MD[@]}" import "$T/busybox.tar" "$IMG" >/dev/null; then
		measure md_ext4 "${o[@]}" -p 0 -- "${MD[@]}" run --rm "$IMG" /bin/true
		measure md_ext4_p "${o[@]}" -p "$PAUSE" -- "${MD[@]}" run --rm "$IMG" /bin/true
		measure md_host_ext4 "${o[@]}" -p 0 -- "${MD[@]}" run --rm /bin/true
		measure md_host_ext4_p "${o[@]}" -p "$PAUSE" -- "${MD[@]}" run --rm /bin/true
	else
		log "no daemon on a loop-mounted ext4 here: its rows are n/a"
		tail -n 3 "$T/daemon.log" | sed 's/^/  daemon: /' >&2
	fi
	daemon_stop
	DWRAP=()
	# The spare monitor leaves after the daemon; then the namespace, the
	# mount and the loop device go. Not behind the next measurements.
	loop_released "$EXT4_IMG" || log "the loop device of $EXT4_IMG is still attached"
fi
DROOT=
daemon_start
daemon_wait_up

# ---- control: ps with none, stop --------------------------------------------

measure ps0 -n "$RUNS" -w "$WARM" -- "${MD[@]}" ps
# A shell that ends on TERM at once (wait is interrupted by the trap).
STOP_CMD="trap 'exit 0' TERM; sleep 1000 & wait"
measure stop -n "$STOP_RUNS" -w 2 \
	--pre "$MDQ run -d $IMG /bin/sh -c $(printf '%q' "$STOP_CMD") && sleep 0.1" \
	--post "$MDQ rm -f \"\$MDTIME_PRE\" >/dev/null" -- "${MD[@]}" stop '{}'

# ---- density -------------------------------------------------------------------

meminfo_kernel_kb() { # SUnreclaim + KernelStack + PageTables
	awk '/^(SUnreclaim|KernelStack|PageTables):/ { s += $2 } END { print s }' /proc/meminfo
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
settle_kernel() { sync; sleep 1; } # no drop_caches: the host is shared

remove_all() {
	local ids
	ids=$("${MD[@]}" ps -aq --no-trunc)
	# shellcheck disable=SC2086
	[ -n "$ids" ] && "${MD[@]}" rm -f $ids >/dev/null
	local i
	for i in $(seq 100); do
		[ -z "$(container_monitors)" ] && break
		sleep 0.1
	done
}

log "density: $NDENS detached sleep containers, one after another"
settle_kernel
K0=$(meminfo_kernel_kb)
D0=$(rss_kb "$DPID")
measure dens_seq -n "$NDENS" -w 0 -- "${MD[@]}" run -d "$IMG" /bin/sleep 1000
settle_kernel
K1=$(meminfo_kernel_kb)
D1=$(rss_kb "$DPID")
RUNNING=$("${MD[@]}" ps -q | wc -l)
[ "$RUNNING" -eq "$NDENS" ] || log "density: $RUNNING containers running, not $NDENS"

# Each monitor is the parent of its container's PID 1 (Pid in inspect).
# shellcheck disable=SC2046
"${MD[@]}" inspect $("${MD[@]}" ps -q --no-trunc) >"$T/inspect.json"
read -r MON_N MON_RSS MON_PSS < <("$PY" - "$T/inspect.json" "$BIN/minidocker-monitor" <<'PY'
import json, os, sys
ctrs = json.load(open(sys.argv[1]))
n = rss = pss = 0
for c in ctrs:
    pid = c["State"]["Pid"]
    try:
        with open("/proc/%d/stat" % pid) as f:
            ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        if os.readlink("/proc/%d/exe" % ppid).replace(" (deleted)", "") != sys.argv[2]:
            continue
        with open("/proc/%d/smaps_rollup" % ppid) as f:
            for line in f:
                k, v = line.split(":", 1)
                if k == "Rss":
                    rss += int(v.split()[0])
                elif k == "Pss":
                    pss += int(v.split()[0])
        n += 1
    except (OSError, ValueError, IndexError):
        pass
print(n, rss / n if n else "", pss / n if n else "")
PY
)
[ "$MON_N" -eq "$NDENS" ] || log "density: found $MON_N monitors of $NDENS containers"
# The container's own process (busybox sleep), for scale.
CTR_PSS=$("$PY" - "$T/inspect.json" <<'PY'
import json, sys
ctrs = json.load(open(sys.argv[1]))
t = n = 0
for c in ctrs:
    try:
        with open("/proc/%d/smaps_rollup" % c["State"]["Pid"]) as f:
            for line in f:
                if line.startswith("Pss:"):
                    t += int(line.split()[1]); n += 1
    except OSError:
        pass
print(t / n if n else "")
PY
)
DGROW=$(calc "($D1 - $D0) / $NDENS")
KGROW=$(calc "($K1 - $K0) / $NDENS")
MON_RSS=${MON_RSS:-n/a} MON_PSS=${MON_PSS:-n/a} CTR_PSS=${CTR_PSS:-n/a}

measure ps_n -n "$RUNS" -w "$WARM" -- "${MD[@]}" ps

# ---- daemon restart: kill -9, time until a new daemon lists all N running ----

log "restart: kill -9 of the daemon (pid $DPID) with $NDENS containers running"
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
t0=$EPOCHREALTIME
daemon_start
FIRST=
RESTART_MS=
while :; do
	n=$("${MD[@]}" ps -q 2>/dev/null | wc -l)
	if [ -z "$FIRST" ] && "${MD[@]}" version >/dev/null 2>&1; then
		FIRST=$(calc "(${EPOCHREALTIME} - $t0) * 1000")
	fi
	if [ "$n" -eq "$NDENS" ]; then
		RESTART_MS=$(calc "(${EPOCHREALTIME} - $t0) * 1000")
		break
	fi
	kill -0 "$DPID" 2>/dev/null || break
	[ "$(calc "(${EPOCHREALTIME} - $t0 > 30)")" = 1 ] && break
done
ADOPTED=$("${MD[@]}" ps --format json 2>/dev/null | grep -c '"State": *"running"')
log "restart: all $NDENS listed after ${RESTART_MS:-never} ms (first answer ${FIRST:-?} ms; $ADOPTED running)"
remove_all

log "density: $NDENS detached sleep containers, 4 at a time"
measure dens_par -n "$NDENS" -w 0 -j 4 -- "${MD[@]}" run -d "$IMG" /bin/sleep 1000
RUNNING=$("${MD[@]}" ps -q | wc -l)
[ "$RUNNING" -eq "$NDENS" ] || log "density (4 at a time): $RUNNING running, not $NDENS"
remove_all

if [ "$HAVE_CRUN" = 1 ]; then
	log "density: crun, $NDENS detached sleep containers (one bundle each)"
	for i in $(seq 0 $((NDENS - 1))); do
		make_bundle crun "$T/bd/$i" "d$i" /bin/sleep 1000 || break
	done
	measure_crun crun_seq -n "$NDENS" -w 0 -- "${CRUN[@]}" run -d --bundle "$T/bd/{i}" "d{i}"
	_peer_cleanup
	measure_crun crun_par -n "$NDENS" -w 0 -j 4 -- "${CRUN[@]}" run -d --bundle "$T/bd/{i}" "d{i}"
	_peer_cleanup
fi
if [ "$HAVE_RUNC" = 1 ]; then
	log "density: runc, $NDENS detached sleep containers (one bundle each), for scale"
	for i in $(seq 0 $((NDENS - 1))); do
		make_bundle runc "$T/rd/$i" "r$i" /bin/sleep 1000 || break
	done
	settle_kernel
	RK0=$(meminfo_kernel_kb)
	measure runc_seq -n "$NDENS" -w 0 -- "${RUNC[@]}" run -d --bundle "$T/rd/{i}" "r{i}"
	settle_kernel
	RK1=$(meminfo_kernel_kb)
	_peer_cleanup
	measure runc_par -n "$NDENS" -w 0 -j 4 -- "${RUNC[@]}" run -d --bundle "$T/rd/{i}" "r{i}"
	_peer_cleanup
fi

# ---- relay throughput -----------------------------------------------------------

log "relay: $RELAY_MB MiB through base64 ($B64_BYTES bytes out), $RELAY_RUNS runs each"
# Through a pty, two ways with the same surroundings on both sides: the
# relay's output to /dev/null (mdtime's stdout), as script writes it;
# and inside an outer pty, a user's terminal (script around each). The
# client's stdin need not be a terminal for -t, as with docker.
if [ "$HAVE_SCRIPT" = 1 ]; then
	measure relay_script "${ro[@]}" -- script -qfec "sh -c '$PROD'" /dev/null
	measure relay_md_tty "${ro[@]}" -- "${MD[@]}" run -t --rm /bin/sh -c "$PROD"
	measure relay_script_term "${ro[@]}" -- script -qfec "script -qfec \"sh -c '$PROD'\" /dev/null" /dev/null
	measure relay_md_tty_term "${ro[@]}" -- script -qfec "$MDQ run -t --rm /bin/sh -c '$PROD'" /dev/null
fi
measure relay_pipe "${ro[@]}" -- sh -c "sh -c '$PROD' | cat >/dev/null"
measure relay_md_pipe "${ro[@]}" -- sh -c "$MDQ run --rm /bin/sh -c '$PROD' | cat >/dev/null"

mbps() { [ -n "${MED[$1]:-}" ] && calc "$B64_BYTES / 1e6 / (${MED[$1]} / 1000)"; }

# ---- the table -------------------------------------------------------------------

# host_floor_note MED SUFFIX: the `host` image's ratio to the floor run on
# the same programs (the host's root), when measured.
host_floor_note() {
	[ -n "${MED[floor_host$2]:-}" ] && echo "; $(ratio "$1" "${MED[floor_host$2]}") the host-root floor"
}

lat_table() { # SUFFIX TITLE
	local s=$1 k floor=${MED[floor$1]:-} med spread r tgt
	ROWS+=("" "**$2** (median of $RUNS runs after $WARM warm-up; ratio to the floor)" ""
		"| start-to-exit | median | unit | p10-p90 | baseline | ratio | target |"
		"| --- | ---: | --- | --- | --- | ---: | --- |")
	for k in "${LAT_ROWS[@]}" md_nospare md_tmpfs md_host_tmpfs md_ext4 md_host_ext4; do
		med=${MED[$k$s]:-}
		if [ -z "$med" ]; then
			row "${LAT_LABEL[$k]}" n/a ms - - n/a -
			continue
		fi
		if [ "${FAIL[$k$s]}" = "$RUNS" ]; then
			row "${LAT_LABEL[$k]}" n/a ms "every run failed" - n/a -
			continue
		fi
		spread="$(fmt "${P10[$k$s]}" 2)-$(fmt "${P90[$k$s]}" 2)"
		[ "${FAIL[$k$s]}" != 0 ] && spread="$spread (${FAIL[$k$s]} failed)"
		r=$(ratio "$med" "$floor")
		tgt=-
		case $k in
		floor) r=1.00x ;;
		md_busybox) tgt="≤1.5x: $(verdict "$med" "$floor" le 1.5)" ;;
		md_host) tgt="≤1.5x: $(verdict "$med" "$floor" le 1.5)$(host_floor_note "$med" "$s")" ;;
		md_host_*) tgt="-$(host_floor_note "$med" "$s")" ;;
		esac
		row "${LAT_LABEL[$k]}" "$(fmt "$med" 2)" ms "$spread" "$(fmt "$floor" 2) ms" "$r" "$tgt"
	done
}

HOST_CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
CGV=$(if [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo v2; else echo "v1 (hybrid)"; fi)
peer_ver() { # CMD...
	"$@" 2>/dev/null | head -n1 | sed 's/^[^0-9]*//'
}
{
	echo "# minidocker bench"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- kernel: $(uname -r) ($(uname -m)); CPUs: $(nproc) ($HOST_CPU); memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); cgroups: $CGV"
	echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- peers: crun $([ "$HAVE_CRUN" = 1 ] && peer_ver crun --version || echo n/a), runc $([ "$HAVE_RUNC" = 1 ] && peer_ver runc --version || echo n/a), bwrap $([ "$HAVE_BWRAP" = 1 ] && peer_ver bwrap --version || echo n/a), util-linux $(peer_ver unshare --version), busybox $("$BUSYBOX" 2>&1 | head -n1 | awk '{ print $2 }')"
	echo "- ROOT: a busybox root (static busybox and its applet links), imported as the image \`$IMG\`; the peers run on the same directory"
	echo "- timer: tests/bench/mdtime (posix_spawn + waitpid, CLOCK_MONOTONIC); every figure is a median"
} >"$T/head.md"

lat_table "" "Start-to-exit latency, back to back"
lat_table _p "Start-to-exit latency, ${PAUSE} ms pause before each run"
ROWS+=("" "**Exit on a busy host** ($DIRTY_MB MB of other writes pending in the page cache of --root's filesystem before each run; median of 10)" ""
	"| start-to-exit | median | unit | p10-p90 | baseline | ratio | target |"
	"| --- | ---: | --- | --- | --- | ---: | --- |")
row "minidocker run $IMG /bin/true, kept (its overlay's last unmount syncs --root's filesystem)" \
	"$(fmt "${MED[md_dirty_kept]:-}" 2)" ms \
	"$(fmt "${P10[md_dirty_kept]:-}" 2)-$(fmt "${P90[md_dirty_kept]:-}" 2)" "-" "1.00x" "-"
row "**minidocker run --rm $IMG /bin/true** (a volatile overlay: no sync at the exit)" \
	"$(fmt "${MED[md_dirty]:-}" 2)" ms "$(fmt "${P10[md_dirty]:-}" 2)-$(fmt "${P90[md_dirty]:-}" 2)" \
	"kept: $(fmt "${MED[md_dirty_kept]:-}" 2) ms; nothing pending: $(fmt "${MED[md_busybox]:-}" 2) ms" \
	"$(ratio "${MED[md_dirty]:-}" "${MED[md_dirty_kept]:-}")" "-"

# Density and memory.
ROWS+=("" "**Density and memory** ($NDENS detached \`sleep 1000\` containers of \`$IMG\`)" ""
	"| figure | value | unit | detail | baseline | ratio | target |"
	"| --- | ---: | --- | --- | --- | ---: | --- |")
secs() { # KEY: its total in s, empty when missing or any run failed
	[ -n "${TOTAL[$1]:-}" ] && [ "${FAIL[$1]:-1}" = 0 ] && calc "${TOTAL[$1]} / 1000"
}
t_seq=$(secs dens_seq)
t_par=$(secs dens_par)
c_seq=$(secs crun_seq)
c_par=$(secs crun_par)
CRUN_D="crun run -d${CRUN_SHORT:+ ($CRUN_SHORT)}"
[ "$HAVE_CRUN" = 1 ] || CRUN_D="crun: n/a${CRUN_WHY:+ (\"$CRUN_WHY\")}"
for mode in seq par; do
	if [ $mode = seq ]; then
		t=$t_seq c=$c_seq k=dens_seq what="one after another"
	else
		t=$t_par c=$c_par k=dens_par what="4 at a time"
	fi
	row "$NDENS started $what (total)" "$(fmt "$t" 2)" s \
		"median $(fmt "${MED[$k]:-}" 2) ms each" \
		"$CRUN_D${c:+: $(fmt "$c" 2) s}" "$(ratio "$t" "${c:-n/a}")" \
		"<1x crun: $(verdict "$t" "${c:-n/a}" lt 1)"
	rr=$(secs "runc_$mode")
	[ "$HAVE_RUNC" = 1 ] && row "&nbsp;&nbsp;for scale: runc run -d, $NDENS $what (own cgroup each)" \
		"$(fmt "$rr" 2)" s "median $(fmt "${MED[runc_$mode]:-}" 2) ms each" \
		"minidocker: $(fmt "$t" 2) s" "minidocker/runc $(ratio "$t" "${rr:-n/a}")" "-"
done
r=$(ratio "$MON_RSS" "$CONMON_PSS_KB")
row "monitor RSS, per container" "$(fmt "$MON_RSS" 0)" KB "/proc/PID/smaps_rollup of the PID 1's parent" "-" "-" "-"
r=$(ratio "$MON_PSS" "$CONMON_PSS_KB")
row "monitor PSS, per container" "$(fmt "$MON_PSS" 0)" KB "shared pages split among the $MON_N monitors" \
	"conmon 350 KB PSS (published reference, not measured)" "$r" "-"
row "daemon RSS growth, per container" "$(fmt "$DGROW" 1)" KB "($D0 → $D1 KB) / $NDENS" "-" "-" "-"
BEYOND=n/a
[ "$MON_PSS" != n/a ] && BEYOND=$(calc "$MON_PSS + ($DGROW > 0 ? $DGROW : 0)")
r=$(ratio "$BEYOND" "$CONMON_PSS_KB")
row "**user-space memory beyond the container's own process** (monitor PSS + daemon growth)" \
	"$(fmt "$BEYOND" 0)" KB "container's own PID 1 (busybox sleep): $(fmt "$CTR_PSS" 0) KB PSS" \
	"conmon 350 KB PSS (published reference)" "$r" "<0.33x: $(verdict "$BEYOND" "$CONMON_PSS_KB" lt 0.3334)"
RKGROW=
[ -n "${RK1:-}" ] && RKGROW=$(calc "($RK1 - $RK0) / $NDENS")
row "kernel non-reclaimable memory, per container" "$(fmt "$KGROW" 0)" KB \
	"Δ(SUnreclaim+KernelStack+PageTables)/$NDENS: namespaces (a network namespace above all), mounts, cgroups, sockets, the monitor's and PID 1's own tasks" \
	"${RKGROW:+runc run -d, the same count: $(fmt "$RKGROW" 0) KB}" "$(ratio "$KGROW" "${RKGROW:-n/a}")" "-"

# Relay throughput.
ROWS+=("" "**Relay throughput** (\`$PROD\`: $(calc "$B64_BYTES / 1e6") MB of output; median of $RELAY_RUNS runs after 1 warm-up)" ""
	"| path | value | unit | detail | baseline | ratio | target |"
	"| --- | ---: | --- | --- | --- | ---: | --- |")
s_b=$(mbps relay_script)
s_m=$(mbps relay_md_tty)
t_b=$(mbps relay_script_term)
t_m=$(mbps relay_md_tty_term)
p_b=$(mbps relay_pipe)
p_m=$(mbps relay_md_pipe)
row "host: \`script -qfec \"sh -c '…'\" /dev/null\`" "$(fmt "$s_b" 1)" MB/s "one pty" "-" "1.00x" "-"
r=$(ratio "$s_m" "$s_b")
row "**minidocker run -t --rm** (\`host\` image), its output to /dev/null" "$(fmt "$s_m" 1)" MB/s \
	"container pty → monitor → socket → client" "$(fmt "$s_b" 1) MB/s" "$r" \
	"≥0.9x: $(verdict "$s_m" "$s_b" ge 0.9)"
row "host: \`script\` inside \`script\` (a terminal around it)" "$(fmt "$t_b" 1)" MB/s \
	"two ptys" "-" "1.00x" "-"
row "minidocker run -t --rm inside \`script\` (a terminal around it)" "$(fmt "$t_m" 1)" MB/s \
	"container pty → monitor → socket → client → outer pty" "$(fmt "$t_b" 1) MB/s" \
	"$(ratio "$t_m" "$t_b")" "≥0.9x: $(verdict "$t_m" "$t_b" ge 0.9)"
row "host: plain pipe \`sh -c '…' \\| cat >/dev/null\`" "$(fmt "$p_b" 1)" MB/s "one pipe" "-" "1.00x" "-"
r=$(ratio "$p_m" "$p_b")
row "**minidocker run --rm** (no -t) \`\\| cat >/dev/null\`" "$(fmt "$p_m" 1)" MB/s \
	"pipe → monitor (+ log file) → socket → client → pipe" "$(fmt "$p_b" 1) MB/s" "$r" \
	"≥0.5x: $(verdict "$p_m" "$p_b" ge 0.5)"
p_t=$(mbps relay_md_pipe_tmpfs)
row "minidocker run --rm (no -t), daemon with \`--root\` on a tmpfs (the log's file there)" \
	"$(fmt "$p_t" 1)" MB/s "the same path" "$(fmt "$p_b" 1) MB/s" "$(ratio "$p_t" "$p_b")" \
	"≥0.5x: $(verdict "$p_t" "$p_b" ge 0.5)"

# Control.
ROWS+=("" "**Control latency and restart**" ""
	"| figure | value | unit | p10-p90 | baseline | ratio | target |"
	"| --- | ---: | --- | --- | --- | ---: | --- |")
row "minidocker ps, no container" "$(fmt "${MED[ps0]}" 2)" ms \
	"$(fmt "${P10[ps0]}" 2)-$(fmt "${P90[ps0]}" 2)" "-" "1.00x" "-"
r=$(ratio "${MED[ps_n]}" "${MED[ps0]}")
row "minidocker ps, $NDENS running" "$(fmt "${MED[ps_n]}" 2)" ms \
	"$(fmt "${P10[ps_n]}" 2)-$(fmt "${P90[ps_n]}" 2)" "$(fmt "${MED[ps0]}" 2) ms" "$r" \
	"<2x: $(verdict "${MED[ps_n]}" "${MED[ps0]}" lt 2)"
row "minidocker stop (shell that traps TERM and exits)" "$(fmt "${MED[stop]:-}" 2)" ms \
	"$(fmt "${P10[stop]:-}" 2)-$(fmt "${P90[stop]:-}" 2) ($STOP_RUNS runs)" "-" "-" "-"
row "restart: kill -9, new daemon lists all $NDENS running" "$(fmt "${RESTART_MS:-}" 0)" ms \
	"first answer after $(fmt "${FIRST:-}" 0) ms; $ADOPTED running in ps" "-" "-" "-"

mkdir -p "$(dirname "$RESULTS")"
{
	cat "$T/head.md"
	printf '%s\n' "${ROWS[@]}"
} >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
echo
cat "$RESULTS"
echo
log "written to $RESULTS"
