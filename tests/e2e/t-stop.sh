#!/bin/bash
# t-stop: detached containers and stopping them, as a user sees it. `run -d`
# prints a full 32-hex ID; `ps` shows the CLI.md header and a row for it,
# and `ps --format json` the documented keys.
# `stop -t 2` of a PID 1 that ignores SIGTERM takes about 2 s (SIGKILL after
# the timeout), prints the argument as the user gave it, and leaves the
# container out of `ps` and `Exited (137)` in `ps -a`; `--stop-timeout 1` at
# run time sets the default of a later plain `stop`. A PID 1 that exits on
# SIGTERM stops well within the timeout with `Exited (0)`. `stop` of an
# unknown name says `minidocker: no such container: NAME` and exits 1, and an
# ID prefix shared by two containers is refused, stopping neither.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
md_setup

IGNORE_TERM='trap "" TERM; while :; do sleep 1; done'
HANDLE_TERM='trap "exit 0" TERM; while :; do sleep 0.1; done'

# The `ps -a` row of a container (by the first 12 hex of its ID).
ps_row() {
	md ps -a | grep "^${1:0:12} "
}

step "run -d prints an ID; ps lists it under the documented header"
capture md run -d /bin/sleep 100
assert_eq 0 "$RC" "run -d exits 0"
assert_match '^[0-9a-f]{32}$' "$OUT" "run -d output"
sleeper=$OUT
capture md ps
assert_eq 0 "$RC" "ps exits 0"
assert_match '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +NAMES$' "$(head -n1 <<<"$OUT")" "ps header"
row=$(grep "^${sleeper:0:12} " <<<"$OUT")
assert_match "^${sleeper:0:12} +host +\"/bin/sleep 100\" +.* Up " "$row" "ps row of the sleeper"
capture md ps --format json
keys=$("$PY" -c '
import json, sys
for line in sys.stdin:
    o = json.loads(line)
    if o["Id"] == sys.argv[1]:
        print(" ".join(k for k in "Id Name Image Command Created State ExitCode Pid".split() if k in o))
        print(o["Image"], o["Command"], o["State"], o["Pid"] > 0)
' "$sleeper" <<<"$OUT")
assert_eq "Id Name Image Command Created State ExitCode Pid"$'\n'"host /bin/sleep 100 running True" "$keys" \
	"ps --format json: the documented keys and values of the sleeper"

step "stop -t 2 of a PID 1 that ignores SIGTERM"
capture md run -d --name ignorer /bin/sh -c "$IGNORE_TERM"
assert_eq 0 "$RC" "run -d ignorer exits 0"
ignorer=$OUT
wait_until 10 is_running ignorer || fail "ignorer is not running"
sleep 0.3 # let the shell set its trap
prefix=${ignorer:0:10}
t0=$(now)
capture md stop -t 2 "$prefix"
took=$(elapsed "$t0")
assert_eq 0 "$RC" "stop -t 2 exits 0"
assert_eq "$prefix" "$OUT" "stop prints the argument as given"
assert_between 1.5 6 "$took" "seconds stop -t 2 took"
capture md ps
assert_not_contains "${ignorer:0:12}" "$OUT" "ps after stop lists the stopped container"
assert_match "Exited \(137\)" "$(ps_row "$ignorer")" "ps -a status of the killed container"
assert_eq 137 "$(ps_json_field ignorer ExitCode)" "ExitCode in ps --format json"
assert_eq exited "$(ps_json_field ignorer State)" "State in ps --format json"
assert_eq 0 "$(ps_json_field ignorer Pid)" "Pid once exited"

step "--stop-timeout 1 is the default of a later stop"
capture md run -d --stop-timeout 1 --name ignorer1 /bin/sh -c "$IGNORE_TERM"
assert_eq 0 "$RC" "run -d --stop-timeout 1 exits 0"
wait_until 10 is_running ignorer1 || fail "ignorer1 is not running"
sleep 0.3
t0=$(now)
capture md stop ignorer1
took=$(elapsed "$t0")
assert_eq 0 "$RC" "stop ignorer1 exits 0"
assert_eq ignorer1 "$OUT" "stop prints the name as given"
assert_between 0.5 4.5 "$took" "seconds stop took with --stop-timeout 1"

step "a PID 1 that handles SIGTERM stops well within the timeout"
capture md run -d --name handler /bin/sh -c "$HANDLE_TERM"
assert_eq 0 "$RC" "run -d handler exits 0"
handler=$OUT
wait_until 10 is_running handler || fail "handler is not running"
sleep 0.3
t0=$(now)
capture md stop -t 20 "$handler"
took=$(elapsed "$t0")
assert_eq 0 "$RC" "stop -t 20 handler exits 0"
assert_eq "$handler" "$OUT" "stop prints the full ID as given"
assert_between 0 3 "$took" "seconds stop of a TERM-handling container took"
assert_match "Exited \(0\)" "$(ps_row "$handler")" "ps -a status of a container that exited on SIGTERM"

step "stop of an unknown name"
capture md stop nosuch-ctr
assert_eq 1 "$RC" "stop nosuch-ctr exit status"
assert_eq "minidocker: no such container: nosuch-ctr" "$ERR" "stop nosuch-ctr stderr"
assert_eq "" "$OUT" "stop nosuch-ctr stdout"

step "an ambiguous ID prefix"
# Start containers until two IDs share their first hex digit (17 at most).
declare -A by_digit=()
digit=
for _ in $(seq 17); do
	id=$(md run -d /bin/sleep 100) || die "run -d failed"
	d=${id:0:1}
	if [ -n "${by_digit[$d]:-}" ]; then
		digit=$d
		pair=("${by_digit[$d]}" "$id")
		break
	fi
	by_digit[$d]=$id
done
[ -n "$digit" ] || die "17 IDs without a shared first digit"
capture md stop -t 0 "$digit"
assert_eq 1 "$RC" "stop of the ambiguous prefix '$digit' exit status"
assert_match "^minidocker: " "$ERR" "stop of an ambiguous prefix: error message"
assert_lines 1 "$ERR" "stop of an ambiguous prefix: error is one line"
assert_eq "" "$OUT" "stop of an ambiguous prefix: stdout"
assert_eq running "$(ps_json_field "${pair[0]}" State)" "first container sharing prefix $digit still runs"
assert_eq running "$(ps_json_field "${pair[1]}" State)" "second container sharing prefix $digit still runs"

step "stop of several containers prints each argument"
capture md stop -t 0 "${pair[0]}" "${pair[1]:0:12}" "$sleeper"
assert_eq 0 "$RC" "stop of three containers exits 0"
assert_eq "${pair[0]}"$'\n'"${pair[1]:0:12}"$'\n'"$sleeper" "$OUT" "stop of three containers prints each"

md_done
