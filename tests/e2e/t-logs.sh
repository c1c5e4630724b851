#!/bin/bash
# t-logs: what `minidocker logs` shows. `logs -f` of a running container
# streams its lines while it runs (some are there before the last is
# printed) and ends by itself, status 0, soon after the container exits,
# with every line; plain `logs` of a running container returns at once with
# what was written so far. `--tail N` / `-n N` give the last N lines
# (`--tail 0` none, more than there are: all); `-t` prefixes every line with
# an RFC 3339 timestamp with nanoseconds, in order. stdout and stderr stay
# apart (stdout on stdout, stderr on stderr, in their own order), also for a
# detached container nobody attached to; a partial line (no newline yet)
# comes back byte for byte. Logs outlive the container's exit and go with
# `rm`: afterwards `logs` says `minidocker: no such container: NAME`, exit 1.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep od
md_setup

step "logs -f streams a live container and ends when it exits"
capture md run -d --name live /bin/sh -c \
	'i=1; while [ $i -le 8 ]; do echo "tick $i"; i=$((i+1)); sleep 0.25; done; echo finished >&2'
assert_eq 0 "$RC" "run -d live exits 0"
md logs -f live >"$MD_TMP/f.out" 2>"$MD_TMP/f.err" &
follower=$!
has_tick2() { grep -qx "tick 2" "$MD_TMP/f.out"; }
wait_until 10 has_tick2 || fail "logs -f showed no 'tick 2' within 10 s: '$(cat "$MD_TMP/f.out")'"
assert_eq running "$(ps_json_field live State)" "live still runs when logs -f has shown tick 2"
if grep -qx "tick 8" "$MD_TMP/f.out"; then
	fail "logs -f had the last line already when tick 2 appeared: not streamed while running"
fi
t0=$(now)
capture md logs live
assert_eq 0 "$RC" "logs (no -f) of a running container: exit status"
assert_between 0 1.5 "$(elapsed "$t0")" "seconds logs (no -f) of a running container took"
assert_match '^tick 1'$'\n''tick 2' "$OUT" "logs (no -f) of a running container: the lines so far"
wait_job 15 "$follower"
assert_eq 0 "$JOB_RC" "logs -f: exit status once the container exited"
assert_eq "$(printf 'tick %s\n' 1 2 3 4 5 6 7 8)" "$(cat "$MD_TMP/f.out")" "logs -f: stdout"
assert_eq finished "$(cat "$MD_TMP/f.err")" "logs -f: stderr"
assert_eq exited "$(ps_json_field live State)" "live once logs -f ended"

step "--tail N and -n N"
capture md run --name fifty /bin/sh -c 'i=1; while [ $i -le 50 ]; do echo "l$i"; i=$((i+1)); done'
assert_eq 0 "$RC" "run fifty exits 0"
capture md logs --tail 3 fifty
assert_eq 0 "$RC" "logs --tail 3: exit status"
assert_eq "l48"$'\n'"l49"$'\n'"l50" "$OUT" "logs --tail 3"
capture md logs -n 1 fifty
assert_eq l50 "$OUT" "logs -n 1"
capture md logs --tail 0 fifty
assert_eq 0 "$RC" "logs --tail 0: exit status"
assert_eq "" "$OUT" "logs --tail 0"
capture md logs --tail 100 fifty
assert_lines 50 "$OUT" "logs --tail 100 of 50 lines"
assert_eq "l1" "$(head -n1 <<<"$OUT")" "logs --tail 100: first line"
capture md logs fifty
assert_lines 50 "$OUT" "logs of 50 lines"
capture md logs --tail nonsense fifty
assert_eq 125 "$RC" "logs --tail nonsense: exit status"
assert_match '^minidocker: ' "$ERR" "logs --tail nonsense: error"

step "-t: RFC 3339 timestamps with nanoseconds"
capture md logs -t fifty
assert_eq 0 "$RC" "logs -t: exit status"
assert_lines 50 "$OUT" "logs -t lines"
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2})'
bad=$(grep -Evn "^$STAMP l[0-9]+\$" <<<"$OUT" | head -n3)
assert_eq "" "$bad" "logs -t lines without a 'TIMESTAMP text' form"
assert_match "^$STAMP l50\$" "$(tail -n1 <<<"$OUT")" "logs -t: last line"
stamps=$(cut -d' ' -f1 <<<"$OUT")
assert_eq "$(sort <<<"$stamps")" "$stamps" "logs -t: timestamps in order"
today=$(date -u +%Y-%m-%d)
yesterday=$(date -u -d '-1 day' +%Y-%m-%d)
first_day=${OUT:0:10}
[ "$first_day" = "$today" ] || [ "$first_day" = "$yesterday" ] ||
	fail "logs -t: the timestamp's date $first_day is not today ($today, UTC)"
capture md logs -t -n 2 fifty
assert_match "^$STAMP l49"$'\n'"$STAMP l50\$" "$OUT" "logs -t -n 2"

step "stdout and stderr stay apart, also when nobody was attached"
capture md run -d --name sep /bin/sh -c 'echo o1; echo e1 >&2; echo o2; echo e2 >&2; echo o3'
assert_eq 0 "$RC" "run -d sep exits 0"
capture md wait sep
assert_eq 0 "$OUT" "wait sep"
capture md logs sep
assert_eq 0 "$RC" "logs sep: exit status"
assert_eq "o1"$'\n'"o2"$'\n'"o3" "$OUT" "logs sep: stdout"
assert_eq "e1"$'\n'"e2" "$ERR" "logs sep: stderr"
capture md logs -t sep
assert_lines 3 "$OUT" "logs -t sep: stdout lines"
assert_lines 2 "$ERR" "logs -t sep: stderr lines"
assert_match "^$STAMP e2\$" "$(tail -n1 <<<"$ERR")" "logs -t sep: stamped stderr"

step "a partial line comes back byte for byte"
capture md run --name partial /bin/sh -c 'printf abc; sleep 0.3; printf "def\n"; printf "no-newline"'
assert_eq 0 "$RC" "run partial exits 0"
md logs partial >"$MD_TMP/partial.out" 2>&1
assert_eq "$(printf 'abcdef\nno-newline' | od -An -c)" "$(od -An -c <"$MD_TMP/partial.out")" \
	"logs of partial lines (od -c)"

step "logs outlive the exit and go with rm"
capture md logs live
assert_eq "$(printf 'tick %s\n' 1 2 3 4 5 6 7 8)" "$OUT" "logs of the exited container live"
live_id=$(ps_json_field live Id)
capture md rm live
assert_eq 0 "$RC" "rm live: exit status"
capture md logs live
assert_eq 1 "$RC" "logs after rm: exit status"
assert_eq "minidocker: no such container: live" "$ERR" "logs after rm: stderr"
assert_eq "" "$OUT" "logs after rm: stdout"
[ -e "$(state_dir "$live_id")" ] && fail "the state dir (with the log) of live is still there after rm"
capture md logs -f nosuch
assert_eq 1 "$RC" "logs -f nosuch: exit status"
assert_eq "minidocker: no such container: nosuch" "$ERR" "logs -f nosuch: stderr"

md_done
