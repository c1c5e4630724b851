#!/bin/bash
# t-exit-status: every exit-status rule of `minidocker run` in CLI.md, with
# the one-line `minidocker: ` message on stderr where it fails. The
# container's own status comes back (0, 3, 255); a main process killed by
# signal N gives 128+N (SIGKILL from the host: 137; a segfault: 139); 125
# when the client or daemon failed (unknown option, unknown command, no daemon
# at the socket path, with the documented `cannot connect ... (is the daemon
# running?)` message, no such image); 126 when the command exists but cannot
# be run (/etc/passwd); 127 when it is not found (/nonexistent), both attached
# and detached.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep
md_setup

# check_error STATUS WHAT: the last capture failed with STATUS and one
# `minidocker: ` line on stderr (plus, for usage errors, the usage hint).
check_error() {
	assert_eq "$1" "$RC" "$2: exit status"
	assert_match '^minidocker: [^'$'\n'']+' "$ERR" "$2: stderr starts with a 'minidocker: ' line"
	local rest
	rest=$(tail -n +2 <<<"$ERR")
	if [ -n "$rest" ]; then
		assert_match "^Run 'minidocker .*--help' for usage\.$" "$rest" "$2: stderr after the error line"
	fi
}

step "the container's own status"
for st in 0 3 255; do
	capture md run /bin/sh -c "exit $st"
	assert_eq "$st" "$RC" "run sh -c 'exit $st': exit status"
	assert_eq "" "$ERR" "run sh -c 'exit $st': stderr"
done

step "killed by a signal: 128+N"
out=$MD_TMP/victim.out
md run --name victim /bin/sleep 100 >"$out" 2>&1 &
client=$!
if wait_until 10 is_running victim; then
	pid=$(ps_json_field victim Pid)
	assert_match '^[1-9][0-9]*$' "$pid" "Pid of the running container in ps --format json"
	# Kill only what is surely the container's sleep.
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ]; then
		kill -KILL "$pid"
		wait_job 20 "$client"
		assert_eq 137 "$JOB_RC" "attached run whose main process got SIGKILL from the host: exit status"
		assert_eq 137 "$(ps_json_field victim ExitCode)" "ExitCode after SIGKILL"
	else
		fail "the host process at Pid $pid is not the container's sleep: $(cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ')"
		md stop -t 0 victim >/dev/null
		wait_job 20 "$client"
	fi
else
	fail "the container 'victim' did not start: $(cat "$out")"
	kill "$client" 2>/dev/null
	wait "$client"
fi
capture md run /usr/bin/python3 -c 'import ctypes; ctypes.string_at(0)'
assert_eq 139 "$RC" "run of a process that segfaults: exit status"

step "125: the client or the daemon failed"
capture md run --bogus-option /bin/true
check_error 125 "run --bogus-option"
capture md bogus-command
check_error 125 "unknown command"
nosock=$MD_TMP/no-such-dir/sock
capture "$BIN/minidocker" --socket "$nosock" run /bin/true
check_error 125 "run with no daemon"
assert_match "^minidocker: cannot connect to minidockerd at $nosock: [^"$'\n'"]+ \(is the daemon running\?\)$" "$ERR" "run with no daemon: message"
capture env MINIDOCKER_SOCKET="$nosock" "$BIN/minidocker" ps
check_error 125 "ps with no daemon (socket from \$MINIDOCKER_SOCKET)"
assert_match "^minidocker: cannot connect to minidockerd at $nosock: .+ \(is the daemon running\?\)$" "$ERR" "ps with no daemon: message"
capture md run no-such-image /bin/true
check_error 125 "run no-such-image"
assert_contains "no-such-image" "$ERR" "run no-such-image: the message names the image"

step "126: the command cannot be run"
capture md run /etc/passwd
check_error 126 "run /etc/passwd"
assert_contains "/etc/passwd" "$ERR" "run /etc/passwd: the message names the command"

step "127: the command is not found"
capture md run /nonexistent
check_error 127 "run /nonexistent"
assert_contains "/nonexistent" "$ERR" "run /nonexistent: the message names the command"

step "126 and 127 for a detached run too"
capture md run -d /etc/passwd
check_error 126 "run -d /etc/passwd"
capture md run -d /nonexistent
check_error 127 "run -d /nonexistent"

md_done
