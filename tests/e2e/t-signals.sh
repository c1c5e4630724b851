#!/bin/bash
# t-signals: signals a user sends reach the container. Without -t, the
# attached `minidocker run` client forwards what it gets to the container's
# PID 1: SIGUSR1, SIGUSR2, SIGHUP, SIGINT and SIGQUIT each reach a trap (its
# line shows on the client's stdout) and the client and container go on;
# SIGTERM reaches a trap that exits 9, and the client exits 9. With -t
# (through pty.py), Ctrl-C interrupts a `sleep 100` run from the container's
# interactive shell at once, and the shell survives: it prints a prompt and
# runs the next command. A PID 1 that handles TERM stops at once on a plain
# `stop` (default timeout 10 s): well under a second or two. PID 1 starts
# with no signal ignored or blocked, though its monitor ignores five.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep
md_setup

step "PID 1 starts with no signal ignored or blocked"
capture md run --rm /bin/grep -E '^Sig(Ign|Blk):' /proc/self/status
[ "$OUT" = "$(printf 'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000')" ] ||
	fail "PID 1's signal masks: '$OUT' ($RC: $ERR)"

step "without -t, the client forwards signals to PID 1"
TRAPS='for s in USR1 USR2 HUP INT QUIT; do trap "echo got-$s" $s; done
trap "echo got-TERM; exit 9" TERM
echo ready; while :; do sleep 0.1; done'
out=$MD_TMP/fwd.out
# A background job of a script starts with SIGINT and SIGQUIT ignored; a
# user's client in a terminal has them at their default: give it that.
"$PY" -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])
' md run --name fwd /bin/sh -c "$TRAPS" >"$out" 2>"$MD_TMP/fwd.err" </dev/null &
client=$!
said() { grep -qx "$1" "$out"; }
wait_until 10 said ready || fail "the container never said ready: '$(cat "$out" "$MD_TMP/fwd.err")'"
for s in USR1 USR2 HUP INT QUIT; do
	kill -"$s" "$client"
	wait_until 5 said "got-$s" || fail "SIG$s to the run client did not reach PID 1's trap: '$(cat "$out")'"
	kill -0 "$client" 2>/dev/null || fail "the run client is gone after SIG$s"
done
assert_eq running "$(ps_json_field fwd State)" "the container after USR1 USR2 HUP INT QUIT"
kill -TERM "$client"
wait_job 10 "$client"
assert_eq 9 "$JOB_RC" "run client after SIGTERM (PID 1's trap exits 9): exit status"
assert_eq got-TERM "$(tail -n1 "$out")" "last line after SIGTERM"
assert_eq "" "$(cat "$MD_TMP/fwd.err")" "the run client's stderr"
assert_eq 9 "$(ps_json_field fwd ExitCode)" "ExitCode of fwd"

step "with -t, Ctrl-C interrupts the shell's foreground command, not the shell"
cat >"$MD_TMP/ctrlc.steps" <<'EOF'
timeout 15
expect [#$] $
sendline sleep 100
sleep 0.5
send \x03
timeout 3
expect [#$] $
sendline echo STILL-$((40 + 2))
expect (^|\r)STILL-42\r?$
timeout 15
sendline exit 4
status 4
stty_restored
EOF
"$PY" "$PTY" --script "$MD_TMP/ctrlc.steps" -- md run -it --name ctrlc /bin/sh ||
	fail "Ctrl-C in run -it /bin/sh did not interrupt sleep 100 and keep the shell (transcript above)"

step "a TERM-handling PID 1 stops at once"
capture md run -d --name handler /bin/sh -c 'trap "exit 0" TERM; echo ready; while :; do sleep 0.1; done'
ready() { md logs handler | grep -qx ready; }
wait_until 10 ready || fail "handler never said ready"
t0=$(now)
capture md stop handler
took=$(elapsed "$t0")
assert_eq 0 "$RC" "stop handler: exit status"
assert_between 0 2 "$took" "seconds plain stop of a TERM-handling PID 1 took"
assert_eq 0 "$(ps_json_field handler ExitCode)" "ExitCode of handler"

md_done
