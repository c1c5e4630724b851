#!/bin/bash
# t-restart: `kill -9` of the daemon loses nothing. Five containers run (one
# prints a numbered line every 100 ms, one exits with 7 a few seconds after
# start, the others wait) and an attached `run` client reads the output of a
# sixth. The daemon is killed with SIGKILL; while it is down the printer
# keeps printing, the attached client keeps receiving (it talks to the
# monitor, not the daemon) and the exiting container exits. A new daemon on
# the same --root/--run then: lists every container still running as
# running; shows the one that exited during the outage as Exited (7) with a
# FinishedAt inside the outage; has the printer's log complete, every number
# from 0 to the latest once, lines written during the outage included; runs
# exec in an adopted container (its exit status comes back); stops one
# (prints the name, Exited (137) or (143)); `wait` on an adopted container
# returns 137 when it is then killed; `kill -s USR1` reaches one. The
# attached client gets every line and exits with its container's status 5.
# No zombie is left among the new daemon's children.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
md_setup

# contiguous TEXT: every line is the number of the line before it plus one,
# from 0; prints the count, or "bad at line N: ..." on the first wrong line.
contiguous() {
	awk 'BEGIN { n = 0 }
	     $0 != n "" { printf "bad at line %d: %s (expected %d)\n", NR, $0, n; bad = 1; exit }
	     { n++ }
	     END { if (!bad) print n }' <<<"$1"
}

alive() {
	kill -0 "$1" 2>/dev/null
}

step "five containers and an attached client"
capture md run -d --name printer /bin/sh -c 'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done'
assert_eq 0 "$RC" "run printer"
capture md run -d --name exiter /bin/sh -c 'sleep 3; exit 7'
assert_eq 0 "$RC" "run exiter"
t_exiter=$(now)
for n in sleeper1 sleeper2; do
	capture md run -d --name "$n" /bin/sleep 300
	assert_eq 0 "$RC" "run $n"
done
capture md run -d --name trapper /bin/sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done'
assert_eq 0 "$RC" "run trapper"

att_out=$MD_TMP/attached.out
md run --name attached /bin/sh -c \
	'i=0; while [ $i -lt 80 ]; do echo $i; i=$((i+1)); sleep 0.1; done; exit 5' \
	>"$att_out" 2>"$MD_TMP/attached.err" </dev/null &
att_job=$!
wait_until 10 test -s "$att_out" || fail "the attached client got no output within 10 s"

declare -A pid
for n in printer exiter sleeper1 sleeper2 trapper attached; do
	pid[$n]=$(ps_json_field "$n" Pid)
	assert_match '^[1-9][0-9]*$' "${pid[$n]}" "$n: pid before the kill"
done
sleep 0.5

step "kill -9 of the daemon (pid $MD_DAEMON_PID)"
alive "${pid[exiter]}" || fail "the exiter exited before the daemon was killed (the test is too slow)"
att_before=$(wc -l <"$att_out")
t_kill=$(now)
kill -KILL "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID" 2>/dev/null

step "while the daemon is down"
capture md version
assert_eq 125 "$RC" "version while the daemon is down"
wait_until 10 eval '! alive "${pid[exiter]}"' || fail "the exiter did not exit during the outage"
sleep 1
for n in printer sleeper1 sleeper2 trapper attached; do
	alive "${pid[$n]}" || fail "$n: its process died with the daemon"
done
att_during=$(wc -l <"$att_out")
[ "$att_during" -gt $((att_before + 5)) ] ||
	fail "the attached client received nothing during the outage ($att_before lines before, $att_during now)"
kill -0 "$att_job" 2>/dev/null || fail "the attached client ended during the outage"
t_restart=$(now)
step "outage: $(elapsed "$t_kill") s, the exiter ran $(awk -v a="$t_exiter" -v b="$t_kill" 'BEGIN { printf "%.1f", b - a }') s before it"

step "a new daemon on the same dirs"
md_daemon_start || die "the new daemon did not answer version within 10 s"

capture md ps --format json
for n in printer sleeper1 sleeper2 trapper attached; do
	assert_eq running "$(ps_json_field "$n" State)" "$n: State after the restart"
	assert_eq "${pid[$n]}" "$(ps_json_field "$n" Pid)" "$n: Pid after the restart"
	assert_contains "\"Name\":\"$n\"" "$OUT" "$n listed by ps (not -a)"
done
assert_not_contains '"Name":"exiter"' "$OUT" "ps (not -a) does not list the exited one"

step "the one that exited during the outage"
assert_eq exited "$(ps_json_field exiter State)" "exiter: State"
assert_eq 7 "$(ps_json_field exiter ExitCode)" "exiter: ExitCode"
assert_match '^Exited \(7\)' "$(ps_json_field exiter Status)" "exiter: Status"
capture md inspect exiter
fin=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["State"]["FinishedAt"])' <<<"$OUT")
fin_s=$(rfc3339_secs "$fin" 2>/dev/null)
if [ -z "$fin_s" ] || ! later_than "$fin_s" "$t_kill" || ! later_than "$t_restart" "$fin_s"; then
	fail "exiter: FinishedAt '$fin' is not inside the outage ($(date -u -d "@$t_kill" +%T.%N) .. $(date -u -d "@$t_restart" +%T.%N))"
fi

step "the printer's log is complete"
capture md logs printer
assert_eq 0 "$RC" "logs printer"
got=$(contiguous "$OUT")
assert_match '^[0-9]+$' "$got" "printer log: numbers from 0, no gap, no duplicate"
# The outage lasted more than 3 s: at 10 lines a second, the log holds more
# than the lines printed before it.
capture md logs -t printer
during=$(awk -v a="$t_kill" -v b="$t_restart" '{
	cmd = "date -d " $1 " +%s.%N"; cmd | getline t; close(cmd)
	if (t + 0 > a + 0 && t + 0 < b + 0) n++
} END { print n + 0 }' <<<"$OUT")
step "printer log: $got lines, $during of them written during the outage"
[ "$during" -ge 10 ] || fail "printer log: only $during lines timestamped during the outage"

step "exec in an adopted container"
capture md exec sleeper1 /bin/sh -c 'echo inside; exit 3'
assert_eq 3 "$RC" "exec exit status"
assert_eq inside "$OUT" "exec output"

step "stop of an adopted container"
capture md stop -t 1 sleeper2
assert_eq 0 "$RC" "stop exit status"
assert_eq sleeper2 "$OUT" "stop output"
assert_match '^Exited \((137|143)\)' "$(ps_json_field sleeper2 Status)" "sleeper2: Status after stop"
alive "${pid[sleeper2]}" && fail "sleeper2: its process is still alive after stop"

step "wait on an adopted container, then kill"
md wait sleeper1 >"$MD_TMP/wait.out" 2>&1 </dev/null &
wait_job_pid=$!
sleep 0.5
kill -0 "$wait_job_pid" 2>/dev/null || fail "wait returned before the container was killed: $(cat "$MD_TMP/wait.out")"
capture md kill sleeper1
assert_eq 0 "$RC" "kill exit status"
assert_eq sleeper1 "$OUT" "kill output"
wait_job 10 "$wait_job_pid"
assert_eq 0 "$JOB_RC" "wait exit status"
assert_eq 137 "$(cat "$MD_TMP/wait.out")" "wait output"

step "kill -s USR1 of an adopted container"
capture md kill -s USR1 trapper
assert_eq 0 "$RC" "kill -s USR1 exit status"
wait_until 5 is_exited trapper || fail "trapper did not exit on USR1"
assert_eq 42 "$(ps_json_field trapper ExitCode)" "trapper: ExitCode after USR1"

step "the attached client saw it all"
wait_job 30 "$att_job"
assert_eq 5 "$JOB_RC" "the attached run's exit status"
assert_eq 80 "$(contiguous "$(cat "$att_out")")" "the attached run's output: 0..79, no gap, no duplicate"
assert_eq "" "$(cat "$MD_TMP/attached.err")" "the attached run's stderr"
assert_eq 5 "$(ps_json_field attached ExitCode)" "attached: ExitCode"

step "the printer is still printing"
n1=$(md logs printer | wc -l)
sleep 0.5
n2=$(md logs printer | wc -l)
[ "$n2" -gt "$n1" ] || fail "the printer's log did not grow after the restart ($n1 -> $n2 lines)"
capture md stop -t 0 printer
assert_eq printer "$OUT" "stop printer"
got=$(contiguous "$(md logs printer)")
assert_match '^[0-9]+$' "$got" "printer log after stop: numbers from 0, no gap, no duplicate"

step "no zombie among the daemon's children"
wait_until 5 no_daemon_zombies || fail "zombie children of the daemon: $(daemon_zombies)"

md_done
