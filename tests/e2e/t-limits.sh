#!/bin/bash
# t-limits: --memory, --pids-limit and --cpus are enforced by the kernel, in
# the negative. A 200 MB allocation under --memory 32m is OOM-killed: run
# exits 137, inspect says State.OOMKilled true and ExitCode 137, and the
# daemon keeps answering; an 8 MB allocation under the same limit runs to
# the end with OOMKilled false (the positive control). A child OOM-killed
# while PID 1 goes on still sets OOMKilled, and the unprivileged user's
# containers get the same limit. A fork bomb under --pids-limit 32 (every
# process trying to fork on, SIGTERM ignored) is contained: fork fails inside
# with EAGAIN after at most 31 children, the container's pids cgroup never
# counts more than 32 tasks (sampled while it runs, and pids.peak), exec
# into it fails with EAGAIN (exec'd processes are in the container's
# cgroup), the daemon keeps answering, `stop -t 1` still ends it in well
# under 10 s, and no process of it is left on the host. A busy loop under
# --cpus 0.5 gets 0.3-0.7 CPU-seconds per second over 3 s, and its cgroup
# shows CFS throttling. inspect's HostConfig carries Memory, NanoCpus and
# PidsLimit as asked. Invalid values (--memory 3m / abc, --cpus 0 / -1 /
# abc, --pids-limit x) are refused with one `minidocker:` line and 125,
# starting nothing; so is --cpus 0.001 (a quota under the kernel's 1 ms
# minimum), naming --cpus rather than a failed cgroup write. On cgroup v1,
# a --cpus the parent cgroup's own quota refuses (the kernel's EINVAL) fails
# the start with one line naming the write and 125, with the spare's
# monitor taking it (it used to crash there), and leaves no cgroup; the
# same --cpus runs once the parent allows it. After rm, no
# cgroup named by any of these containers' IDs is left under our cgroup
# parent in any hierarchy.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for eval and the container; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
md_setup

# inspect_field CONTAINER KEY.KEY...: one value of `inspect`, JSON-encoded
# (true/false, numbers, "strings").
inspect_field() {
	md inspect "$1" | "$PY" -c '
import json, sys
o = json.load(sys.stdin)[0]
for k in sys.argv[1].split("."):
    o = o[k]
print(json.dumps(o))
' "$2"
}

# Every container this test made, for the cgroup check at the end.
ALL_IDS=()

# cgroup_dirs ID: the container's cgroup directories under our parent, in
# every hierarchy.
cgroup_dirs() {
	local d
	for d in /sys/fs/cgroup/*/"$MD_CGROUP_PARENT"/"$1" /sys/fs/cgroup/"$MD_CGROUP_PARENT"/"$1"; do
		[ -d "$d" ] && echo "$d"
	done
}

# ---- memory ------------------------------------------------------------

step "--memory 32m: a 200 MB allocation is OOM-killed"
capture md run --name mem-oom --memory 32m "$PY" -c 'b = bytearray(200 * 1024 * 1024); print("survived")'
assert_eq 137 "$RC" "run --memory 32m with a 200 MB allocation exits 137 (stderr: $ERR)"
assert_not_contains "survived" "$OUT" "the allocation did not succeed"
assert_eq true "$(inspect_field mem-oom State.OOMKilled)" "inspect State.OOMKilled after the OOM kill"
assert_eq 137 "$(inspect_field mem-oom State.ExitCode)" "inspect State.ExitCode after the OOM kill"
assert_eq 33554432 "$(inspect_field mem-oom HostConfig.Memory)" "inspect HostConfig.Memory"
ALL_IDS+=("$(ps_json_field mem-oom Id)")
capture md version
assert_eq 0 "$RC" "the daemon still answers version after the OOM kill (stderr: $ERR)"
assert_contains "Server" "$OUT" "version shows the server part"

step "--memory 32m: an 8 MB allocation runs (positive control)"
capture md run --name mem-ok --memory 32m "$PY" -c 'b = bytearray(8 * 1024 * 1024); b[-1] = 1; print("allocated", len(b))'
assert_eq 0 "$RC" "run --memory 32m with an 8 MB allocation exits 0 (stderr: $ERR)"
assert_eq "allocated 8388608" "$OUT" "the 8 MB allocation succeeded"
assert_eq false "$(inspect_field mem-ok State.OOMKilled)" "inspect State.OOMKilled without an OOM kill"
assert_eq 0 "$(inspect_field mem-ok State.ExitCode)" "inspect State.ExitCode of mem-ok"
ALL_IDS+=("$(ps_json_field mem-ok Id)")

step "--memory 32m: a child OOM-killed while PID 1 lives on still counts"
capture md run --name mem-child --memory 32m /bin/sh -c \
	"$PY -c 'b = bytearray(200 * 1024 * 1024)'; echo child=\$?"
assert_eq 0 "$RC" "run: PID 1 survives its child's OOM kill and exits 0 (stderr: $ERR)"
assert_eq "child=137" "$OUT" "the child was SIGKILLed"
assert_eq true "$(inspect_field mem-child State.OOMKilled)" "inspect State.OOMKilled after a child's OOM kill"
ALL_IDS+=("$(ps_json_field mem-child Id)")

step "--memory 32m binds the unprivileged user's containers too"
capture md_user run --name mem-user --memory 32m "$PY" -c 'b = bytearray(200 * 1024 * 1024); print("survived")'
assert_eq 137 "$RC" "user: run --memory 32m with a 200 MB allocation exits 137 (stderr: $ERR)"
assert_not_contains "survived" "$OUT" "user: the allocation did not succeed"
assert_eq true "$(md_user inspect mem-user | "$PY" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]["State"]["OOMKilled"]))')" \
	"user: inspect State.OOMKilled"
ALL_IDS+=("$(ps_json_field mem-user Id)")

# ---- pids --------------------------------------------------------------

# PID 1 forks until fork fails and says how far it got, then it and all
# its descendants keep trying to fork (a fork bomb held at the limit).
# Every process ignores SIGTERM, so only stop's SIGKILL can end it. Should
# the limit not hold, bounds (200 children, 8 more each, two generations)
# keep it from taking the host down with it.
BOMB_MARK=md-e2e-forkbomb-$$
BOMB=$(
	cat <<EOF
import errno, os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
mark = "$BOMB_MARK"
n = depth = 0
while n < 200:
    try:
        pid = os.fork()
    except OSError as e:
        print("forked", n, errno.errorcode.get(e.errno, e.errno), flush=True)
        break
    if pid == 0:
        depth = 1
        break
    n += 1
else:
    print("forked", n, "no error", flush=True)
made = 0
while True:
    if depth < 2 and made < 8:
        try:
            if os.fork() == 0:
                depth, made = depth + 1, 0
                continue
            made += 1
        except OSError:
            pass
    time.sleep(0.01)
EOF
)

step "--pids-limit 32: a fork bomb is held at 32 tasks"
capture md run -d --name bomb --pids-limit 32 "$PY" -c "$BOMB"
assert_eq 0 "$RC" "run -d the fork bomb exits 0 (stderr: $ERR)"
BOMB_ID=$OUT
ALL_IDS+=("$BOMB_ID")
PIDS_CG=/sys/fs/cgroup/pids/$MD_CGROUP_PARENT/$BOMB_ID
[ -d "$PIDS_CG" ] || PIDS_CG=/sys/fs/cgroup/$MD_CGROUP_PARENT/$BOMB_ID
[ -f "$PIDS_CG/pids.current" ] || die "no pids cgroup for the bomb at $PIDS_CG"
assert_eq 32 "$(cat "$PIDS_CG/pids.max")" "pids.max of the bomb's cgroup"
has_fork_line() {
	md logs bomb | grep -q '^forked '
}
wait_until 10 has_fork_line || fail "the bomb never reported a failed fork"
FORK_LINE=$(md logs bomb | grep '^forked ')
assert_match '^forked [0-9]+ EAGAIN$' "$FORK_LINE" "fork fails inside with EAGAIN at the limit"
FORKED=${FORK_LINE#forked }
FORKED=${FORKED%% *}
assert_between 1 31 "$FORKED" "children PID 1 forked before EAGAIN"
max=0
for _ in $(seq 20); do
	cur=$(cat "$PIDS_CG/pids.current" 2>/dev/null) || break
	[ "$cur" -gt "$max" ] && max=$cur
	sleep 0.05
done
step "PID 1 forked $FORKED children before EAGAIN; pids.current reached $max"
assert_between 20 32 "$max" "pids.current sampled while the bomb runs"
if [ -f "$PIDS_CG/pids.peak" ]; then
	assert_between 20 32 "$(cat "$PIDS_CG/pids.peak")" "pids.peak of the bomb's cgroup"
fi
assert_ne 0 "$(awk '$1 == "max" { print $2 }' "$PIDS_CG/pids.events")" "pids.events counts refused forks"
assert_eq 32 "$(inspect_field bomb HostConfig.PidsLimit)" "inspect HostConfig.PidsLimit"

step "exec into a container at its pids limit fails: exec'd processes count too"
capture md exec bomb /bin/echo hello
assert_eq 125 "$RC" "exec into the saturated bomb exits 125"
assert_eq "" "$OUT" "exec into the saturated bomb runs nothing"
assert_match '^minidocker: .*Resource temporarily unavailable' "$ERR" "exec into the saturated bomb: error"
capture md version
assert_eq 0 "$RC" "the daemon still answers during the fork bomb (stderr: $ERR)"

step "stop -t 1 ends the fork bomb promptly"
start=$(now)
capture md stop -t 1 bomb
took=$(elapsed "$start")
step "stop -t 1 took $took s"
assert_eq 0 "$RC" "stop -t 1 bomb exits 0 (stderr: $ERR)"
assert_eq bomb "$OUT" "stop prints the name it stopped"
assert_between 0.5 5 "$took" "seconds stop -t 1 took on the fork bomb"
assert_eq exited "$(ps_json_field bomb State)" "the bomb's state after stop"
assert_eq 137 "$(ps_json_field bomb ExitCode)" "the bomb was SIGKILLed (it ignores SIGTERM)"
bomb_procs() {
	# The bracket keeps grep from matching its own command line.
	grep -la "${BOMB_MARK/forkbomb/forkbom[b]}" /proc/[0-9]*/cmdline 2>/dev/null
}
wait_until 5 eval '[ -z "$(bomb_procs)" ]' || fail "fork bomb processes left on the host: $(bomb_procs | tr '\n' ' ')"
wait_until 5 eval '[ ! -d "$PIDS_CG" ]' || fail "the bomb's pids cgroup is still there after it stopped"

# ---- cpu ---------------------------------------------------------------

step "--cpus 0.5: a busy loop gets about half a core"
capture md run -d --name spin --cpus 0.5 /bin/sh -c 'while :; do :; done'
assert_eq 0 "$RC" "run -d the busy loop exits 0 (stderr: $ERR)"
SPIN_ID=$OUT
ALL_IDS+=("$SPIN_ID")
wait_until 10 is_running spin || fail "spin is not running"
SPIN_PID=$(ps_json_field spin Pid)
assert_match '^[0-9]+$' "$SPIN_PID" "spin's host pid"
CPU_CG=/sys/fs/cgroup/cpu/$MD_CGROUP_PARENT/$SPIN_ID
assert_eq 50000 "$(cat "$CPU_CG/cpu.cfs_quota_us" 2>/dev/null)" "cpu.cfs_quota_us of spin's cgroup"
assert_eq 500000000 "$(inspect_field spin HostConfig.NanoCpus)" "inspect HostConfig.NanoCpus"
# CPU time in nanoseconds: the cgroup's cpuacct.usage when our parent has a
# cpuacct cgroup for it, else PID 1's utime + stime (the loop is one process).
ACCT=/sys/fs/cgroup/cpuacct/$MD_CGROUP_PARENT/$SPIN_ID/cpuacct.usage
[ -f "$ACCT" ] || ACCT=/sys/fs/cgroup/cpu,cpuacct/$MD_CGROUP_PARENT/$SPIN_ID/cpuacct.usage
TICK=$(getconf CLK_TCK)
cpu_ns() {
	if [ -f "$ACCT" ]; then
		cat "$ACCT"
	else
		awk -v hz="$TICK" '{ sub(/^.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz }' \
			"/proc/$SPIN_PID/stat"
	fi
}
sleep 0.3
c0=$(cpu_ns)
t0=$(now)
sleep 3
c1=$(cpu_ns)
secs=$(elapsed "$t0")
rate=$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN { printf "%.3f", (b - a) / 1e9 / s }')
step "spin used $rate CPU-seconds per second"
assert_between 0.3 0.7 "$rate" "CPU-seconds per second of a busy loop under --cpus 0.5"
assert_ne 0 "$(awk '$1 == "nr_throttled" { print $2 }' "$CPU_CG/cpu.stat")" "spin's cgroup was throttled"
capture md stop -t 0 spin
assert_eq 0 "$RC" "stop spin exits 0 (stderr: $ERR)"

step "HostConfig of a container with all three limits"
capture md run --name all3 --memory 64m --cpus 0.75 --pids-limit 100 /bin/true
assert_eq 0 "$RC" "run with all three limits exits 0 (stderr: $ERR)"
ALL_IDS+=("$(ps_json_field all3 Id)")
assert_eq 67108864 "$(inspect_field all3 HostConfig.Memory)" "all3 HostConfig.Memory"
assert_eq 750000000 "$(inspect_field all3 HostConfig.NanoCpus)" "all3 HostConfig.NanoCpus"
assert_eq 100 "$(inspect_field all3 HostConfig.PidsLimit)" "all3 HostConfig.PidsLimit"

# ---- invalid values ------------------------------------------------------

step "invalid limits are refused with 125"
before=$(md ps -aq | wc -l)
for bad in "--memory 3m" "--memory abc" "--cpus 0" "--cpus -1" "--cpus abc" "--pids-limit x"; do
	opt=${bad%% *}
	# shellcheck disable=SC2086
	capture md run $bad /bin/echo started
	assert_eq 125 "$RC" "run $bad exits 125"
	assert_eq "" "$OUT" "run $bad starts nothing"
	first=$(head -n 1 <<<"$ERR")
	assert_match '^minidocker: ' "$first" "run $bad: error line"
	assert_contains "${opt#--}" "$first" "run $bad: the error names the option"
	[ "$(grep -c . <<<"$ERR")" -le 2 ] || fail "run $bad: more than two lines on stderr: $ERR"
done
assert_eq "$before" "$(md ps -aq | wc -l)" "no container was created by the refused runs"

# Below the kernel's 1 ms minimum CFS quota: Docker refuses it up front
# ("Range of CPUs is from 0.01 to N"), and so must we, not fail in the
# cgroup write at start and leave a container behind.
step "--cpus 0.001 (quota under 1 ms) is refused up front"
capture md run --cpus 0.001 /bin/echo started
assert_eq 125 "$RC" "run --cpus 0.001 exits 125"
assert_eq "" "$OUT" "run --cpus 0.001 starts nothing"
assert_match '^minidocker: .*cpus' "$(head -n 1 <<<"$ERR")" "run --cpus 0.001: the error names --cpus"
assert_not_contains "/sys/fs/cgroup" "$ERR" "run --cpus 0.001: the error is about the option, not a cgroup file"
assert_eq "$before" "$(md ps -aq | wc -l)" "run --cpus 0.001 created no container"

# v1 refuses a child CFS quota above its parent's; the spare monitor's
# cgroup, renamed to the container's, is where the limit is written.
CPU_PARENT=/sys/fs/cgroup/cpu/$MD_CGROUP_PARENT
REFUSED=
if [ -f "$CPU_PARENT/cpu.cfs_quota_us" ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
	step "a --cpus the parent cgroup refuses fails the start cleanly"
	spare_cg() { ls -d "$CPU_PARENT"/spare-* 2>/dev/null; }
	wait_until 5 eval '[ -n "$(spare_cg)" ]' || fail "no spare monitor's cgroup in $CPU_PARENT"
	taker=$(spare_cg)
	# 0.9 CPU: above every quota of the containers above (which v1
	# checks), below the 1 CPU asked for.
	old_quota=$(cat "$CPU_PARENT/cpu.cfs_quota_us")
	echo 90000 >"$CPU_PARENT/cpu.cfs_quota_us" || die "cannot set the parent's quota"
	capture md run --name refused --cpus 1 /bin/echo started
	echo "$old_quota" >"$CPU_PARENT/cpu.cfs_quota_us"
	assert_eq "" "$(ls -d "$taker" 2>/dev/null)" "the spare took it (its cgroup became the container's)"
	assert_eq 125 "$RC" "run --cpus 1 under a 0.9-CPU parent exits 125"
	assert_eq "" "$OUT" "it starts nothing"
	assert_match '^minidocker: cannot start container: cgroup: .*cpu.cfs_quota_us: Invalid argument$' \
		"$ERR" "one line naming the refused write"
	assert_match ' Created +refused$' "$(md ps -a | grep -w refused)" "the container is left created"
	assert_not_contains "without recording an exit" "$(cat "$MD_TMP/daemon.log")" \
		"its monitor reported the failure itself"
	REFUSED=refused
	rid=$(md inspect refused | "$PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["Id"])')
	ALL_IDS+=("$rid")
	assert_eq "" "$(cgroup_dirs "$rid")" "no cgroup of the refused container"
	capture md run --rm --cpus 1 /bin/echo started
	assert_eq 0 "$RC" "the same --cpus once the parent allows it (stderr: $ERR)"
	assert_eq started "$OUT" "its output"
fi

# ---- cleanup -------------------------------------------------------------

step "after rm no cgroup of these containers is left"
capture md rm mem-oom mem-ok mem-child mem-user bomb spin all3 $REFUSED
assert_eq 0 "$RC" "rm of the containers exits 0 (stderr: $ERR)"
for id in "${ALL_IDS[@]}"; do
	assert_match '^[0-9a-f]{32}$' "$id" "a full container ID"
	assert_eq "" "$(cgroup_dirs "$id")" "cgroup directories of $id after rm"
done

md_done
