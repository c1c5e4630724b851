#!/bin/bash
# t-graceful: SIGTERM stops the daemon gracefully and SIGHUP reopens its
# log. A `stop -t 3` of a container that ignores SIGTERM is in flight when
# the daemon gets SIGTERM: the daemon refuses new connections at once, yet
# the stop client still gets its reply (the name, status 0, after the 3 s
# timeout) and the container is stopped; then the daemon exits with status
# 0 (within 10 s), and another running container keeps running (its process
# alive, adopted by the next daemon). With --log-file: after the log file is
# moved away and the daemon gets SIGHUP, the daemon (the same process, still
# serving) writes its new lines into a new file at the original path, and
# the moved file keeps only the lines from before.

. "$(dirname "$0")/lib.sh" "$@"
md_setup

alive() {
	kill -0 "$1" 2>/dev/null
}

version_refused() {
	capture timeout 2 md version
	[ "$RC" -eq 125 ]
}

step "a stubborn container (PID 1 sleep: SIGTERM does nothing) and a keeper"
capture md run -d --name stubborn /bin/sleep 300
assert_eq 0 "$RC" "run stubborn"
capture md run -d --name keeper /bin/sleep 300
assert_eq 0 "$RC" "run keeper"
stubborn_pid=$(ps_json_field stubborn Pid)
keeper_pid=$(ps_json_field keeper Pid)
assert_match '^[1-9][0-9]*$' "$stubborn_pid" "stubborn pid"
assert_match '^[1-9][0-9]*$' "$keeper_pid" "keeper pid"

step "stop -t 3 in flight, then SIGTERM to the daemon"
t0=$(now)
md stop -t 3 stubborn >"$MD_TMP/stop.out" 2>"$MD_TMP/stop.err" </dev/null &
stop_job=$!
sleep 0.7
kill -0 "$stop_job" 2>/dev/null || fail "stop returned before its timeout: $(cat "$MD_TMP/stop.out" "$MD_TMP/stop.err")"
alive "$stubborn_pid" || fail "stubborn died of SIGTERM (the test needs it to ignore it)"
t_term=$(now)
kill -TERM "$MD_DAEMON_PID"

step "new connections are refused while the stop is in flight"
wait_until 1 version_refused || fail "version still answered 1 s after SIGTERM (status $RC: $OUT)"
kill -0 "$stop_job" 2>/dev/null || fail "the stop client ended within 1 s of SIGTERM, before its timeout"
alive "$MD_DAEMON_PID" || fail "the daemon exited with a stop in flight"

step "the stop client gets its reply"
wait_job 15 "$stop_job"
took=$(elapsed "$t0")
assert_eq 0 "$JOB_RC" "stop exit status (stderr: $(cat "$MD_TMP/stop.err"))"
assert_eq stubborn "$(cat "$MD_TMP/stop.out")" "stop output"
assert_between 2.5 10 "$took" "seconds the stop took"
alive "$stubborn_pid" && fail "stubborn still alive after its stop returned"

step "the daemon exits 0"
end=$((SECONDS + 10))
while alive "$MD_DAEMON_PID" && [ $SECONDS -lt $end ]; do
	sleep 0.1
done
if alive "$MD_DAEMON_PID"; then
	fail "the daemon still runs 10 s after SIGTERM"
	kill -KILL "$MD_DAEMON_PID"
fi
wait "$MD_DAEMON_PID"
assert_eq 0 "$?" "the daemon's exit status"
step "the daemon exited $(elapsed "$t_term") s after SIGTERM"
alive "$keeper_pid" || fail "keeper's process died with the daemon"
capture md version
assert_eq 125 "$RC" "version with no daemon"

step "a new daemon with --log-file"
logf=$MD_TMP/minidockerd.log
md_daemon_start --log-file "$logf" || die "the new daemon did not answer version"
assert_eq running "$(ps_json_field keeper State)" "keeper: State"
assert_eq "$keeper_pid" "$(ps_json_field keeper Pid)" "keeper: Pid"
assert_match '^Exited \(137\)' "$(ps_json_field stubborn Status)" "stubborn: Status"
capture md run --name before-hup /bin/true
assert_eq 0 "$RC" "run before-hup"
wait_until 5 grep -q before-hup "$logf" || fail "the log file has no line about before-hup: $(cat "$logf")"

step "mv of the log file, then SIGHUP"
mv "$logf" "$logf.1"
capture md run --name between /bin/true
assert_eq 0 "$RC" "run between"
[ -e "$logf" ] && fail "the daemon created $logf before SIGHUP"
kill -HUP "$MD_DAEMON_PID"
wait_until 5 test -e "$logf" || fail "no new log file at $logf 5 s after SIGHUP"
capture md run --name after-hup /bin/true
assert_eq 0 "$RC" "run after-hup"
alive "$MD_DAEMON_PID" || die "the daemon died of SIGHUP"
capture md version
assert_eq 0 "$RC" "version after SIGHUP"
wait_until 5 grep -q after-hup "$logf" || fail "the new log file has no line about after-hup: $(cat "$logf" 2>/dev/null)"
old=$(cat "$logf.1")
assert_contains before-hup "$old" "the moved log file"
assert_contains between "$old" "the moved log file (written to until SIGHUP)"
assert_not_contains after-hup "$old" "the moved log file"
assert_not_contains before-hup "$(cat "$logf" 2>/dev/null)" "the new log file"

md_done
