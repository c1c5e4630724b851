#!/bin/bash
# t-exec: `minidocker exec` runs in the running container's namespaces. It
# sees the container's PID 1 (/proc/1/cmdline is the container's command),
# its hostname and its mounts (a file PID 1 wrote in its private /tmp), and
# not the host's processes (its ps lists only the container's). Its exit
# status comes back (7 -> 7, also with -t; SIGKILL -> 137), a missing
# command gives 127 and a `minidocker: ` line; -e adds to the container's
# environment, -w and -u apply (and default to the container's). stdin
# reaches it only with -i. `exec -t` gets a pty of its own (a /dev/pts/N
# other than PID 1's), plain exec none; Ctrl-P Ctrl-Q detaches from `exec
# -it` and its process runs on. The exec'd process has exactly fds 0, 1 and
# 2, with and without -t. `exec -d` returns at once and the process runs on,
# and dies with the container: after `stop` the host has no such process
# left. exec into a stopped container fails with one `minidocker: ` line and
# status 125; into an unknown one, 1.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep ps hostname tty ls
md_setup

PID1='echo from-pid1 >/tmp/by-pid1; while :; do sleep 1; done'
capture md run -d -t --name box -h exec-box -e FROM_RUN=r -w /var -u 1000:1000 /bin/sh -c "$PID1"
assert_eq 0 "$RC" "run -d box exits 0"
box=$OUT
wait_until 10 is_running box || die "box is not running"
has_file() { md exec box test -f /tmp/by-pid1; }
wait_until 10 has_file || fail "exec never saw /tmp/by-pid1"

step "exec sees PID 1, the hostname and the mounts"
capture md exec box /bin/sh -c 'tr "\0" "|" </proc/1/cmdline'
assert_eq 0 "$RC" "exec reading /proc/1/cmdline: exit status"
assert_eq "/bin/sh|-c|$PID1|" "$OUT" "PID 1's cmdline seen by exec"
capture md exec box hostname
assert_eq exec-box "$OUT" "exec hostname"
capture md exec box cat /tmp/by-pid1
assert_eq from-pid1 "$OUT" "exec reads the file PID 1 wrote in /tmp"
[ -e /tmp/by-pid1 ] && fail "the container's /tmp/by-pid1 is visible on the host"
capture md exec box ps -e -o pid=,comm=
assert_eq 0 "$RC" "exec ps: exit status"
assert_match '^ *1 sh$' "$(head -n1 <<<"$OUT")" "exec ps: PID 1 is the container's sh"
others=$(awk '$2 != "sh" && $2 != "sleep" && $2 != "ps"' <<<"$OUT")
assert_eq "" "$others" "processes other than the container's seen by exec ps"
assert_between 2 6 "$(wc -l <<<"$OUT")" "processes seen by exec ps"

step "exit status and errors"
capture md exec box /bin/sh -c 'exit 7'
assert_eq 7 "$RC" "exec sh -c 'exit 7': exit status"
capture md exec -t box /bin/sh -c 'exit 7'
assert_eq 7 "$RC" "exec -t sh -c 'exit 7': exit status"
capture md exec box /bin/sh -c 'kill -KILL $$'
assert_eq 137 "$RC" "exec of a process killed by SIGKILL: exit status"
capture md exec box /nonexistent/cmd
assert_eq 127 "$RC" "exec of a missing command: exit status"
assert_match '^minidocker: [^'$'\n'']*/nonexistent/cmd' "$ERR" "exec of a missing command: error"
assert_lines 1 "$ERR" "exec of a missing command: error lines"
capture md exec box no-such-command-here
assert_eq 127 "$RC" "exec of a command missing from PATH: exit status"
capture md exec box /etc/passwd
assert_eq 126 "$RC" "exec of a file that is not executable: exit status"

step "-e, -w, -u and the container's defaults"
capture md exec box /bin/sh -c 'echo "$FROM_RUN|${FROM_EXEC-unset}"; pwd; id -u; id -g'
assert_eq "r|unset"$'\n'"/var"$'\n'"1000"$'\n'"1000" "$OUT" "exec without options: env, workdir, user"
capture md exec -e FROM_EXEC=x -w /tmp -u 1234:5678 box /bin/sh -c 'echo "$FROM_RUN|$FROM_EXEC"; pwd; id -u; id -g'
assert_eq 0 "$RC" "exec -e -w -u: exit status"
assert_eq "r|x"$'\n'"/tmp"$'\n'"1234"$'\n'"5678" "$OUT" "exec -e -w -u: env, workdir, user"

step "stdin only with -i"
capture_in $'to-exec\n' md exec -i box /bin/cat
assert_eq 0 "$RC" "exec -i cat: exit status"
assert_eq to-exec "$OUT" "exec -i cat: stdout"
capture_in $'to-exec\n' md exec box /bin/cat
assert_eq "" "$OUT" "exec cat without -i: stdout"

step "exec -t gets its own pty"
capture md exec box readlink /proc/1/fd/0
assert_match '^/dev/pts/[0-9]+$' "$OUT" "PID 1's stdin (run -t)"
pid1_tty=$OUT
capture md exec -t box tty
assert_eq 0 "$RC" "exec -t tty: exit status"
exec_tty=$(tr -d '\r' <<<"$OUT")
assert_match '^/dev/pts/[0-9]+$' "$exec_tty" "exec -t tty"
assert_ne "$pid1_tty" "$exec_tty" "exec -t's pty (PID 1 has $pid1_tty)"
capture md exec box tty
assert_eq 1 "$RC" "exec tty without -t: exit status (not a tty)"

step "exec -it detaches with Ctrl-P Ctrl-Q; the exec'd process runs on"
printf 'timeout 15\nexpect READY\nsend \\x10\\x11\nstatus 0\nstty_restored\n' |
	"$PY" "$PTY" -- md exec -it box /bin/sh -c 'echo READY; exec cat' ||
	fail "exec -it then Ctrl-P Ctrl-Q did not go as expected (transcript above)"
capture md exec box ps -e -o comm=
assert_contains cat "$OUT" "exec ps after detaching from exec -it cat: the cat runs on"

step "only fds 0, 1 and 2 in the exec'd process"
LIST='ls -l /proc/$$/fd; echo "end"'
for flags in "" -i -t; do
	# shellcheck disable=SC2086
	capture md exec $flags box /bin/sh -c "$LIST"
	fds=$(tr -d '\r' <<<"$OUT" | sed -n 's/.* \([0-9][0-9]*\) -> .*/\1/p' | sort -n | tr '\n' ' ')
	assert_eq "0 1 2 " "$fds" "exec ${flags:-(no flags)}: open fds ($(tr -d '\r' <<<"$OUT" | grep -- ' -> ' | sed 's/.* \([0-9]* -> \)/\1/' | tr '\n' ' '))"
done

step "exec -d runs on, and dies with the container"
t0=$(now)
capture md exec -d box /bin/sleep 1000
assert_eq 0 "$RC" "exec -d sleep: exit status"
assert_between 0 3 "$(elapsed "$t0")" "seconds exec -d took"
pid1=$(ps_json_field box Pid)
ns=$(readlink "/proc/$pid1/ns/pid")
find_sleep() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
		[ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" = "/bin/sleep 1000 " ] && echo "${p#/proc/}"
	done
}
has_sleep() { [ -n "$(find_sleep)" ]; }
wait_until 5 has_sleep || fail "no 'sleep 1000' in the container's pid namespace after exec -d"
host_pids=$(find_sleep)
capture md exec box ps -e -o comm=
assert_contains sleep "$OUT" "exec ps sees the exec -d sleep"
capture md stop -t 1 box
assert_eq 0 "$RC" "stop box: exit status"
gone() {
	local p
	for p in $host_pids; do
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" = "/bin/sleep 1000 " ] && return 1
	done
	return 0
}
wait_until 5 gone || fail "the exec -d sleep (host pid $host_pids) outlived its container"

step "exec into a stopped or unknown container"
capture md exec box /bin/true
assert_eq 125 "$RC" "exec into a stopped container: exit status"
assert_match '^minidocker: .*(not running|stopped|exited)' "$ERR" "exec into a stopped container: error"
assert_lines 1 "$ERR" "exec into a stopped container: error lines"
capture md exec "${box:0:12}" /bin/true
assert_eq 125 "$RC" "exec into a stopped container by ID prefix: exit status"
capture md exec nosuch /bin/true
assert_eq 1 "$RC" "exec into an unknown container: exit status"
assert_eq "minidocker: no such container: nosuch" "$ERR" "exec into an unknown container: stderr"

md_done
