#!/bin/bash
# t-load: a burst of work leaves nothing behind. 100 containers are started
# concurrently by 10 clients (each 10 `run -d /bin/sleep 300` in a row); all
# 100 are listed as running, each with a PID of its own; then all are
# stopped (`stop -t 0`, which prints each) and removed (`rm`). Afterwards
# the daemon's open fd count is exactly its count before the burst and its
# RSS within 5 MB of it, no zombie is left among its children, no monitor of
# ours runs, no mount under the test's temp dir remains in the host's mount
# table, no container cgroup remains under our cgroup parent, and no
# container directory remains under --root/containers or --run/containers.
# All of it within 60 s.

. "$(dirname "$0")/lib.sh" "$@"
md_setup

no_monitors() {
	[ -z "$(container_monitors)" ]
}

fds_at() {
	[ "$(daemon_fds)" -eq "$1" ]
}

t_start=$SECONDS

step "warm-up: one container started, stopped and removed"
capture md run -d --name warmup /bin/sleep 300
assert_eq 0 "$RC" "run warmup"
capture md rm -f warmup
assert_eq warmup "$OUT" "rm -f warmup"
wait_until 10 no_monitors || fail "the warm-up's monitor still runs"
base_fds=$(daemon_fds)
base_rss=$(daemon_rss_kb)
step "baseline: $base_fds fds, $base_rss kB RSS"

step "100 containers from 10 concurrent clients"
t0=$(now)
jobs_=()
for j in $(seq 0 9); do
	(
		for i in $(seq 0 9); do
			timeout 30 md run -d --name "load-$j-$i" /bin/sleep 300 >/dev/null ||
				echo "run load-$j-$i failed" >&2
		done
	) 2>"$MD_TMP/job$j.err" &
	jobs_+=($!)
done
for p in "${jobs_[@]}"; do
	wait_job 50 "$p"
done
errs=$(cat "$MD_TMP"/job*.err)
assert_eq "" "$errs" "errors of the concurrent runs"
step "100 runs in $(elapsed "$t0") s"

capture md ps --format json
n_running=$(grep -c '"State":"running"' <<<"$OUT")
assert_eq 100 "$n_running" "containers listed as running"
n_pids=$("$PY" -c '
import json, sys
print(len({json.loads(l)["Pid"] for l in sys.stdin if l.strip()}))' <<<"$OUT")
assert_eq 100 "$n_pids" "distinct container PIDs"
ids=$(md ps -q --no-trunc)
assert_lines 100 "$ids" "ps -q"
assert_eq 100 "$(ls "$MD_TMP/root/containers" | wc -l)" "container directories while they run"

step "stop -t 0 and rm of all 100"
t0=$(now)
# shellcheck disable=SC2086
capture md stop -t 0 $ids
assert_eq 0 "$RC" "stop exit status ($ERR)"
assert_eq "$ids" "$OUT" "stop prints each container as given"
capture md ps -q
assert_eq "" "$OUT" "running containers after stop"
# shellcheck disable=SC2086
capture md rm $ids
assert_eq 0 "$RC" "rm exit status ($ERR)"
assert_lines 100 "$OUT" "rm output"
capture md ps -aq
assert_eq "" "$OUT" "containers after rm"
step "stop and rm in $(elapsed "$t0") s"

step "nothing left behind"
wait_until 10 no_monitors || fail "monitors of ours still run: $(container_monitors | tr '\n' ' ')"
wait_until 5 no_daemon_zombies || fail "zombie children of the daemon: $(daemon_zombies | tr '\n' ' ')"
wait_until 5 fds_at "$base_fds" ||
	fail "the daemon has $(daemon_fds) fds open, $base_fds before the load: $(ls -l "/proc/$MD_DAEMON_PID/fd" | tail -n +2 | sed 's/.* -> //' | sort | uniq -c | tr '\n' ';')"
rss=$(daemon_rss_kb)
step "RSS after the load: $rss kB (baseline $base_rss kB)"
[ $((rss - base_rss)) -le 5120 ] || fail "the daemon's RSS grew by $((rss - base_rss)) kB over the load (more than 5 MB)"
assert_eq "" "$(grep -F " $MD_TMP/" /proc/self/mountinfo)" "mounts under $MD_TMP"
assert_eq "" "$(cgroup_dirs)" "container cgroups under $MD_CGROUP_PARENT"
assert_eq "" "$(ls -A "$MD_TMP/root/containers")" "directories under --root/containers"
assert_eq "" "$(ls -A "$MD_TMP/run/containers")" "directories under --run/containers"
[ $((SECONDS - t_start)) -le 60 ] || fail "the load took $((SECONDS - t_start)) s (more than 60)"

md_done
