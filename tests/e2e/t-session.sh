#!/bin/bash
# t-session: the interactive session a user gets from a real terminal. Both as
# root and as an unprivileged user in the socket group, `minidocker run
# /bin/bash` with no flags (a terminal on both sides makes it -it) and
# `run -it /bin/bash` give a shell where `ps aux` shows exactly two processes
# (PID 1 /bin/bash, PID 2 the ps), `hostname` prints container-host, the
# window size is the terminal's and follows a resize, a lone Ctrl-P followed
# by another key reaches the container as both bytes, `exit 3` makes the
# client exit 3, and the terminal's settings (`stty -g`) are the same after
# as before. Ctrl-P Ctrl-Q detaches with status 0, restores the terminal and
# leaves the container running (ps lists it).

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd ps stty od bash
md_setup

# The steps of a full session, for pty.py. The shell is told to print
# markers built at run time (RE''ADY), so that the echo of the typed command
# never matches what we wait for.
session_script() {
	cat <<'EOF'
timeout 15
expect [#$] $
sendline ps aux
expect USER +PID[^\n]*\n[^\n]* 1 [^\n]*/bin/bash[ \r]*\n[^\n]* 2 [^\n]*ps aux[ \r]*\n[^\n]*[#$] $
sendline hostname
expect (^|\r)container-host\r?$
sendline stty size
expect (^|\r)24 80\r?$
resize 40 132
sleep 0.5
sendline stty size
expect (^|\r)40 132\r?$
sendline echo RE''ADY; od -c
expect (^|\r)READY\r?$
sleep 0.2
send \x10x\r
sleep 0.2
send \x04
expect (^|\r)0000000 +020 +x +\\n
expect [#$] $
sendline exit 3
status 3
stty_restored
EOF
}

detach_script() {
	cat <<'EOF'
timeout 15
expect [#$] $
sendline echo RE''ADY
expect (^|\r)READY\r?$
send \x10\x11
status 0
stty_restored
EOF
}

for who in md md_user; do
	step "$who: run /bin/bash (no flags, from a terminal)"
	if ! session_script | "$PY" "$PTY" --size 24x80 -- "$who" run /bin/bash; then
		fail "$who: the session of 'run /bin/bash' did not go as expected (transcript above)"
	fi

	step "$who: run -it /bin/bash"
	if ! session_script | "$PY" "$PTY" --size 24x80 -- "$who" run -it /bin/bash; then
		fail "$who: the session of 'run -it /bin/bash' did not go as expected (transcript above)"
	fi

	step "$who: Ctrl-P Ctrl-Q detaches and leaves the container running"
	name=detach-$who
	if ! detach_script | "$PY" "$PTY" --size 24x80 -- "$who" run -it --name "$name" /bin/bash; then
		fail "$who: detaching with Ctrl-P Ctrl-Q did not go as expected (transcript above)"
	fi
	capture "$who" ps
	assert_eq 0 "$RC" "$who: ps after detaching exits 0"
	assert_match "[[:space:]]$name\$" "$(grep -E "[[:space:]]$name\$" <<<"$OUT")" \
		"$who: ps lists the detached container $name"
	assert_eq running "$(ps_json_field "$name" State "$who")" "$who: State of the detached container"
done

md_done
