#!/bin/bash
# t-attach: `minidocker attach` to a running container. Two clients attached
# at once (one with --no-stdin) both get the live output, every line from
# when they joined to the end, in order and without gaps, stdout on stdout
# and stderr on stderr (no terminal), and both exit with the container's
# status (4). In a terminal (pty.py), a shell started with `run -it` keeps
# its state across Ctrl-P Ctrl-Q and a later `attach`: a variable set
# before detaching is still set; `attach --detach-keys ctrl-x,ctrl-y`
# detaches with those keys (status 0, container still running); `exit 5`
# in the reattached shell makes `attach` exit 5. `run --detach-keys ctrl-a,x`
# ignores Ctrl-P Ctrl-Q and detaches on Ctrl-A x. Attach to a stopped
# container is one `minidocker: ` line and status 1; to an unknown one,
# `no such container`, status 1.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep stty
md_setup

step "two clients attached at once both see the output"
TICKER='i=0; while [ ! -e /tmp/stop ]; do i=$((i+1)); echo "tick $i"; echo "etick $i" >&2; sleep 0.05; done; exit 4'
capture md run -d --name ticker /bin/sh -c "$TICKER"
assert_eq 0 "$RC" "run -d ticker exits 0"
md attach ticker >"$MD_TMP/a1.out" 2>"$MD_TMP/a1.err" </dev/null &
a1=$!
md attach --no-stdin ticker >"$MD_TMP/a2.out" 2>"$MD_TMP/a2.err" </dev/null &
a2=$!
both_see() {
	grep -q '^tick ' "$MD_TMP/a1.out" && grep -q '^tick ' "$MD_TMP/a2.out" &&
		grep -q '^etick ' "$MD_TMP/a1.err" && grep -q '^etick ' "$MD_TMP/a2.err"
}
wait_until 10 both_see || fail "the two attached clients did not both get output within 10 s"
sleep 0.3
capture md exec ticker /bin/sh -c 'touch /tmp/stop'
assert_eq 0 "$RC" "exec touch /tmp/stop: exit status"
wait_job 10 "$a1"
assert_eq 4 "$JOB_RC" "attach (client 1): exit status = the container's"
wait_job 10 "$a2"
assert_eq 4 "$JOB_RC" "attach --no-stdin (client 2): exit status = the container's"
capture md logs ticker
last=$(tail -n1 <<<"$OUT")
assert_match '^tick [0-9]+$' "$last" "last line of the ticker's log"
# check_stream FILE PREFIX: FILE holds PREFIX N lines, consecutive, to the last.
check_stream() {
	local got first want
	got=$(cat "$1")
	first=$(head -n1 <<<"$got" | awk '{ print $2 }')
	[[ $first =~ ^[0-9]+$ ]] || { fail "$1: no '$2 N' line first: '$(_show "$got")'"; return; }
	want=$(for i in $(seq "$first" "${last#tick }"); do echo "$2 $i"; done)
	assert_eq "$want" "$got" "lines of $(basename "$1") (from the first it got to the end)"
}
check_stream "$MD_TMP/a1.out" tick
check_stream "$MD_TMP/a1.err" etick
check_stream "$MD_TMP/a2.out" tick
check_stream "$MD_TMP/a2.err" etick

step "detach and reattach to the same shell"
# Markers are built at run time (RE''ADY), so the echo of what is typed never
# matches what we wait for.
cat >"$MD_TMP/first.steps" <<'EOF'
timeout 15
expect [#$] $
sendline KEPT=kept-$((6 * 7)); echo RE''ADY
expect (^|\r)READY\r?$
send \x10\x11
status 0
stty_restored
EOF
"$PY" "$PTY" --script "$MD_TMP/first.steps" -- md run -it --name shell /bin/sh ||
	fail "run -it then Ctrl-P Ctrl-Q did not go as expected (transcript above)"
assert_eq running "$(ps_json_field shell State)" "the shell after detaching"
cat >"$MD_TMP/second.steps" <<'EOF'
timeout 15
sleep 0.3
sendline echo "value=$KEPT"
expect (^|\r)value=kept-42\r?$
send \x18\x19
status 0
stty_restored
EOF
"$PY" "$PTY" --script "$MD_TMP/second.steps" -- md attach --detach-keys ctrl-x,ctrl-y shell ||
	fail "attach, the variable set before detaching, and --detach-keys ctrl-x,ctrl-y did not go as expected (transcript above)"
assert_eq running "$(ps_json_field shell State)" "the shell after detaching with ctrl-x,ctrl-y"
cat >"$MD_TMP/third.steps" <<'EOF'
timeout 15
sleep 0.3
sendline echo "again=$KEPT"
expect (^|\r)again=kept-42\r?$
sendline exit 5
status 5
stty_restored
EOF
"$PY" "$PTY" --script "$MD_TMP/third.steps" -- md attach shell ||
	fail "attach then 'exit 5' did not go as expected (transcript above)"
wait_until 5 is_exited shell || fail "the shell is not exited after 'exit 5'"
assert_eq 5 "$(ps_json_field shell ExitCode)" "ExitCode of the shell"

step "run --detach-keys"
cat >"$MD_TMP/dk.steps" <<'EOF2'
timeout 15
expect [#$] $
sendline echo RE''ADY
expect (^|\r)READY\r?$
send \x10\x11\x15
sendline echo ST''ILL-HERE
expect (^|\r)STILL-HERE\r?$
send \x01x
status 0
stty_restored
EOF2
"$PY" "$PTY" --script "$MD_TMP/dk.steps" -- md run -it --detach-keys ctrl-a,x --name dk /bin/sh ||
	fail "run --detach-keys ctrl-a,x did not detach on Ctrl-A x (transcript above)"
assert_eq running "$(ps_json_field dk State)" "dk after detaching with ctrl-a,x"

step "attach to a stopped or unknown container"
capture md attach shell
assert_eq 1 "$RC" "attach to a stopped container: exit status"
assert_match '^minidocker: .*shell' "$ERR" "attach to a stopped container: error"
assert_lines 1 "$ERR" "attach to a stopped container: error lines"
assert_eq "" "$OUT" "attach to a stopped container: stdout"
capture md attach nosuch
assert_eq 1 "$RC" "attach to an unknown container: exit status"
assert_eq "minidocker: no such container: nosuch" "$ERR" "attach to an unknown container: stderr"

md_done
