#!/bin/bash
# t-init: `run --init`. PID 1 is our init, run from a sealed memfd
# (/proc/1/exe is /memfd:minidocker-init...) and the command is its child
# (PID 2 here, parent 1); without --init the command is PID 1. A process
# orphaned by a double fork is reaped: its zombie shows (Z) in `ps` when
# PID 1 is a python3 that never waits, and not with --init. Signals reach
# the command: `stop` of a command that traps TERM returns at once with its
# status (0), a `sleep` (no handler; it would ignore TERM as PID 1) dies of
# TERM -> 143, `kill -s USR1` reaches a trap. The command's exit status is
# passed through (7 -> 7, SIGKILL -> 137). The init cannot be written from
# inside: opening /proc/1/exe for writing fails, and the next --init
# container still runs.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep ps readlink
md_setup

step "PID 1 is our init from a memfd; the command is its child"
capture md run --init /bin/sh -c 'readlink /proc/1/exe; echo "me=$$ parent=$PPID"'
assert_eq 0 "$RC" "run --init: exit status"
assert_match '^/memfd:minidocker-init' "$(head -n1 <<<"$OUT")" "/proc/1/exe with --init"
assert_match '^me=[0-9]+ parent=1$' "$(sed -n 2p <<<"$OUT")" "the command's pid and parent with --init"
assert_ne "me=1 parent=0" "$(sed -n 2p <<<"$OUT")" "the command is not PID 1 with --init"
capture md run /bin/sh -c 'readlink /proc/1/exe; echo "me=$$"'
assert_match '^/(usr/)?bin/(da|ba)?sh$' "$(head -n1 <<<"$OUT")" "/proc/1/exe without --init"
assert_eq "me=1" "$(sed -n 2p <<<"$OUT")" "the command is PID 1 without --init"

step "an orphan of a double fork is reaped"
ORPHAN='(sleep 0.2 &); exec /usr/bin/python3 -c "import time, subprocess; time.sleep(1); subprocess.run([\"ps\", \"-e\", \"-o\", \"stat=,pid=,comm=\"])"'
capture md run /bin/sh -c "$ORPHAN"
assert_eq 0 "$RC" "orphan without --init: exit status"
assert_match '(^|'$'\n'')Z[^'$'\n'']* sleep' "$OUT" "ps without --init (python3 as PID 1 never reaps): a zombie sleep"
capture md run --init /bin/sh -c "$ORPHAN"
assert_eq 0 "$RC" "orphan with --init: exit status"
assert_contains python3 "$OUT" "ps with --init lists the command"
assert_no_match '(^|'$'\n'')Z' "$OUT" "ps with --init: zombies"

step "signals reach the command"
capture md run -d --init --name trapper /bin/sh -c \
	'trap "exit 0" TERM; trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done'
assert_eq 0 "$RC" "run -d --init trapper: exit status"
ready() { md logs trapper | grep -qx ready; }
wait_until 10 ready || fail "trapper never said ready"
capture md kill -s USR1 trapper
got_usr1() { md logs trapper | grep -qx got-usr1; }
wait_until 5 got_usr1 || fail "kill -s USR1 did not reach the command under --init: '$(md logs trapper)'"
t0=$(now)
capture md stop -t 10 trapper
took=$(elapsed "$t0")
assert_eq 0 "$RC" "stop trapper: exit status"
assert_between 0 3 "$took" "seconds stop of a TERM-trapping command under --init took"
assert_eq 0 "$(ps_json_field trapper ExitCode)" "ExitCode of the TERM-trapping command"
capture md run -d --init --name sleeper /bin/sleep 100
wait_until 10 is_running sleeper || fail "sleeper is not running"
t0=$(now)
capture md stop -t 10 sleeper
took=$(elapsed "$t0")
assert_between 0 3 "$took" "seconds stop of sleep under --init took"
assert_eq 143 "$(ps_json_field sleeper ExitCode)" "ExitCode of sleep killed by TERM under --init"

step "exit status passes through"
capture md run --init /bin/sh -c 'exit 7'
assert_eq 7 "$RC" "run --init sh -c 'exit 7': exit status"
capture md run --init /bin/sh -c 'kill -KILL $$'
assert_eq 137 "$RC" "run --init of a command killed by SIGKILL: exit status"
capture md run -d --init --name seven /bin/sh -c 'exit 7'
capture md wait seven
assert_eq 7 "$OUT" "wait of a detached --init container that exited 7"

step "the init cannot be written from inside"
capture md run --init /usr/bin/python3 -c '
import os
try:
    fd = os.open("/proc/1/exe", os.O_WRONLY)
    os.write(fd, b"x")
    print("wrote")
except OSError as e:
    print("refused", e.errno)
'
assert_match '^refused [0-9]+$' "$OUT" "writing /proc/1/exe from inside"
capture md run --init /bin/sh -c 'echo x >/proc/1/exe'
assert_ne 0 "$RC" "sh -c 'echo x >/proc/1/exe': exit status"
capture md run --init /bin/sh -c 'echo still-fine'
assert_eq "0 still-fine" "$RC $OUT" "the next --init container"

md_done
