#!/bin/bash
# t-kill-rm-wait: the life-cycle commands after run. `kill -s USR1` (also
# SIGUSR2 and the number 10) reaches a trap in the container's PID 1 (its
# line shows in `logs`) and leaves it running; `kill -s SIGTERM` and
# `kill -s 15` reach a TERM trap (exit status the trap's); plain `kill` is
# SIGKILL: Exited (137). kill prints each argument as given; kill of a
# stopped container is one `minidocker: ` line and status 1, an invalid
# signal a usage error (125). `rm` of a running container is refused
# (status 1, a message saying it runs) and leaves it running; `rm -f` kills
# and removes it; after rm, `ps -a` no longer lists it, its state directory
# under --root/containers/ and its run directory are gone, and its name is
# free again. `run --rm` (attached and detached) leaves nothing behind: no
# ps -a row, no state or run directory, no mount under our temp dir. `wait`
# blocks until the container exits, prints its code (exit 5 -> 5) and exits
# 0; on several containers it prints each code in the order given; an
# unknown container is status 1. An attached run (with or without --rm)
# learns its container's recorded exit from the monitor, and so connects
# to the daemon once (its debug log counts the connections); ps right after
# shows the exit. rm -f of an attached --rm container ends its run with
# 137 and no error, and the container is gone.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep
MD_DAEMON_ARGS=(--log-level debug)
md_setup

connections() { grep -c ' connected$' "$MD_TMP/daemon.log"; }

logs_have() { # CONTAINER TEXT: TEXT is a line of its logs
	md logs "$1" 2>/dev/null | grep -qxF "$2"
}

step "kill -s USR1 / SIGUSR2 / 10 reaches a trap"
capture md run -d --name trapper /bin/sh -c \
	'trap "echo got-usr1" USR1; trap "echo got-usr2" USR2; echo ready; while :; do sleep 0.1; done'
assert_eq 0 "$RC" "run -d trapper exits 0"
wait_until 10 logs_have trapper ready || fail "trapper never said ready"
capture md kill -s USR1 trapper
assert_eq 0 "$RC" "kill -s USR1: exit status"
assert_eq trapper "$OUT" "kill -s USR1 prints the name"
wait_until 5 logs_have trapper got-usr1 || fail "kill -s USR1: no got-usr1 in the logs: '$(md logs trapper)'"
capture md kill -s SIGUSR2 trapper
assert_eq 0 "$RC" "kill -s SIGUSR2: exit status"
wait_until 5 logs_have trapper got-usr2 || fail "kill -s SIGUSR2: no got-usr2 in the logs: '$(md logs trapper)'"
capture md kill -s 10 trapper
assert_eq 0 "$RC" "kill -s 10: exit status"
two_usr1() { [ "$(md logs trapper | grep -c '^got-usr1$')" = 2 ]; }
wait_until 5 two_usr1 || fail "kill -s 10: expected a second got-usr1 in the logs: '$(md logs trapper)'"
assert_eq running "$(ps_json_field trapper State)" "trapper after USR1, USR2, 10"

step "kill -s SIGTERM and -s 15 reach a TERM trap"
TERMTRAP='trap "echo got-term; exit 3" TERM; echo ready; while :; do sleep 0.1; done'
for sig in SIGTERM 15; do
	name=term$sig
	capture md run -d --name "$name" /bin/sh -c "$TERMTRAP"
	wait_until 10 logs_have "$name" ready || fail "$name never said ready"
	capture md kill -s "$sig" "$name"
	assert_eq 0 "$RC" "kill -s $sig: exit status"
	assert_eq "$name" "$OUT" "kill -s $sig prints the name"
	wait_until 5 is_exited "$name" || fail "kill -s $sig: $name has not exited after 5 s"
	assert_eq 3 "$(ps_json_field "$name" ExitCode)" "kill -s $sig: ExitCode (the trap's)"
	assert_eq got-term "$(md logs "$name" | tail -n1)" "kill -s $sig: the trap's line in the logs"
done

step "plain kill is SIGKILL: Exited (137)"
capture md run -d --name victim /bin/sleep 100
id=$OUT
capture md kill "${id:0:8}" trapper
assert_eq 0 "$RC" "kill of two containers: exit status"
assert_eq "${id:0:8}"$'\n'"trapper" "$OUT" "kill prints each argument as given"
wait_until 5 is_exited victim || fail "victim has not exited 5 s after kill"
assert_eq 137 "$(ps_json_field victim ExitCode)" "ExitCode after kill"
assert_match "Exited \(137\)" "$(md ps -a | grep ' victim$')" "ps -a STATUS after kill"
wait_until 5 is_exited trapper || fail "trapper has not exited 5 s after kill"
assert_eq 137 "$(ps_json_field trapper ExitCode)" "ExitCode of trapper after kill"

step "kill of a stopped container, an invalid signal"
capture md kill victim
assert_eq 1 "$RC" "kill of a stopped container: exit status"
assert_match '^minidocker: .*victim' "$ERR" "kill of a stopped container: error"
assert_lines 1 "$ERR" "kill of a stopped container: error lines"
capture md run -d --name target /bin/sleep 100
capture md kill -s NOSUCHSIG target
assert_eq 125 "$RC" "kill -s NOSUCHSIG: exit status"
assert_match '^minidocker: ' "$ERR" "kill -s NOSUCHSIG: error"
assert_eq running "$(ps_json_field target State)" "target after an invalid kill"
capture md kill nosuch
assert_eq 1 "$RC" "kill nosuch: exit status"
assert_eq "minidocker: no such container: nosuch" "$ERR" "kill nosuch: stderr"

step "rm refuses a running container; rm -f removes it"
target=$(ps_json_field target Id)
capture md rm target
assert_eq 1 "$RC" "rm of a running container: exit status"
assert_match '^minidocker: .*target.*(running|stop)' "$ERR" "rm of a running container: error"
assert_lines 1 "$ERR" "rm of a running container: error lines"
assert_eq running "$(ps_json_field target State)" "target after a refused rm"
[ -d "$(state_dir "$target")" ] || fail "state dir of target missing while it runs"
pid=$(ps_json_field target Pid)
capture md rm -f target
assert_eq 0 "$RC" "rm -f of a running container: exit status"
assert_eq target "$OUT" "rm -f prints the name"
capture md ps -a
assert_not_contains "${target:0:12}" "$OUT" "ps -a after rm -f"
[ -e "$(state_dir "$target")" ] && fail "state dir $(state_dir "$target") is still there after rm -f"
[ -e "$MD_TMP/run/containers/$target" ] && fail "run dir of target is still there after rm -f"
proc_gone() { [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != sleep ]; }
wait_until 5 proc_gone || fail "target's sleep (host pid $pid) survived rm -f"
capture md run --name target /bin/true
assert_eq 0 "$RC" "the name target is free again after rm"

step "rm of a stopped container"
victim=$(ps_json_field victim Id)
capture md rm victim termSIGTERM
assert_eq 0 "$RC" "rm of two stopped containers: exit status"
assert_eq "victim"$'\n'"termSIGTERM" "$OUT" "rm prints each argument"
capture md ps -a --format json
assert_not_contains "\"victim\"" "$OUT" "ps -a after rm victim"
assert_not_contains "\"termSIGTERM\"" "$OUT" "ps -a after rm termSIGTERM"
[ -e "$(state_dir "$victim")" ] && fail "state dir of victim is still there after rm"
capture md rm victim
assert_eq 1 "$RC" "rm of a removed container: exit status"
assert_eq "minidocker: no such container: victim" "$ERR" "rm of a removed container: stderr"

step "--rm leaves nothing behind"
before=$(find "$MD_TMP/root/containers" -mindepth 1 -maxdepth 1 | sort)
capture md run --rm --name rm-attached /bin/sh -c 'echo bye'
assert_eq 0 "$RC" "run --rm: exit status"
assert_eq bye "$OUT" "run --rm: output"
capture md ps -a
assert_not_contains rm-attached "$OUT" "ps -a right after run --rm returned"
assert_eq "$before" "$(find "$MD_TMP/root/containers" -mindepth 1 -maxdepth 1 | sort)" "state dirs after run --rm returned"
capture md run -d --rm --name rm-detached /bin/sh -c 'sleep 0.3'
assert_eq 0 "$RC" "run -d --rm: exit status"
detached=$OUT
gone() { ! md ps -a | grep -q rm-detached; }
wait_until 10 gone || fail "ps -a still lists rm-detached 10 s after it exited"
dir_gone() { [ ! -e "$(state_dir "$detached")" ]; }
wait_until 5 dir_gone || fail "state dir of rm-detached still there after it was removed"
[ -e "$MD_TMP/run/containers/$detached" ] && fail "run dir of rm-detached still there after it was removed"
mounts=$(grep -F " $MD_TMP/" /proc/self/mountinfo)
assert_eq "" "$mounts" "host mounts under our temp dir after --rm containers exited"

step "rm -f of an attached --rm container: its run returns 137, no error"
out=$MD_TMP/rmf.out
md run --rm --name rmf /bin/sh -c 'echo up; exec sleep 100' >"$out" 2>"$MD_TMP/rmf.err" </dev/null &
job=$!
wait_until 10 grep -qx up "$out" || fail "the attached --rm container printed nothing in 10 s"
capture md rm -f rmf
assert_eq 0 "$RC" "rm -f of an attached --rm container"
wait_job 10 "$job"
assert_eq 137 "$JOB_RC" "its run's exit status"
assert_eq "" "$(cat "$MD_TMP/rmf.err")" "its run's stderr"
capture md ps -a
assert_not_contains rmf "$OUT" "ps -a after rm -f of an attached --rm container"
assert_not_contains "warn: ctr_remove:" "$(cat "$MD_TMP/daemon.log")" "the daemon's log: a failed removal"

step "an attached run connects once: the monitor reports the recorded exit"
n0=$(connections)
capture md run --rm /bin/sh -c 'exit 3'
assert_eq 3 "$RC" "run --rm: exit status"
assert_eq 1 "$(($(connections) - n0))" "connections of an attached run --rm"
n0=$(connections)
capture md run --name kept /bin/sh -c 'exit 4'
assert_eq 4 "$RC" "run: exit status"
assert_eq 1 "$(($(connections) - n0))" "connections of an attached run"
assert_eq 4 "$(ps_json_field kept ExitCode)" "kept: ExitCode right after its run returned"
assert_eq exited "$(ps_json_field kept State)" "kept: State right after its run returned"
capture md rm kept
assert_eq 0 "$RC" "rm kept"

step "wait prints exit codes"
capture md run -d --name five /bin/sh -c 'sleep 0.6; exit 5'
capture md run -d --name three /bin/sh -c 'exit 3'
t0=$(now)
capture md wait five
took=$(elapsed "$t0")
assert_eq 0 "$RC" "wait five: exit status"
assert_eq 5 "$OUT" "wait five prints"
assert_between 0.2 5 "$took" "seconds wait five blocked"
capture md wait three five
assert_eq 0 "$RC" "wait three five: exit status"
assert_eq "3"$'\n'"5" "$OUT" "wait three five prints each in order"
capture md run -d --name later /bin/sh -c 'sleep 0.5; exit 9'
capture md wait three later five
assert_eq "3"$'\n'"9"$'\n'"5" "$OUT" "wait three later five (later still running at first)"
capture md wait victim-gone
assert_eq 1 "$RC" "wait of an unknown container: exit status"
assert_eq "minidocker: no such container: victim-gone" "$ERR" "wait of an unknown container: stderr"

md_done
