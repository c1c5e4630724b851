#!/bin/bash
# t-corrupt-state: damaged container files never keep the daemon from
# starting, and cost only the damaged containers. With the daemon stopped,
# one container's state.json is cut to half its bytes, another's
# config.json is overwritten with garbage, and a directory with a valid
# 32-hex name but no files at all is added. The new daemon starts (answers
# version); ps -a lists the intact containers as before (one running, one
# exited) and the three damaged ones as broken (STATUS "Broken", JSON State
# "broken"); `rm` of each broken one works and removes its directory; the
# intact ones still work (logs, inspect, exec, stop).

. "$(dirname "$0")/lib.sh" "$@"
md_setup

# row ID: the `ps -a` table row of the container whose ID starts with ID.
row() {
	md ps -a | grep "^${1:0:12} "
}

step "containers: two to keep, two to damage"
declare -A id
capture md run -d --name alive /bin/sleep 300
assert_eq 0 "$RC" "run alive"
id[alive]=$OUT
for n in finished trunc garbled; do
	capture md run --name "$n" /bin/echo "hello from $n"
	assert_eq 0 "$RC" "run $n"
	id[$n]=$(ps_json_field "$n" Id)
	assert_match '^[0-9a-f]{32}$' "${id[$n]}" "$n: Id"
done
alive_pid=$(ps_json_field alive Pid)

step "SIGTERM the daemon"
kill -TERM "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID"
assert_eq 0 "$?" "daemon exit status on SIGTERM"

step "damage the files"
st=$(state_dir "${id[trunc]}")/state.json
size=$(stat -c %s "$st")
[ "$size" -gt 10 ] || fail "state.json of trunc is only $size bytes"
truncate -s $((size / 2)) "$st"
cfg=$(state_dir "${id[garbled]}")/config.json
head -c 300 /dev/urandom >"$cfg"
empty=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
assert_match '^[0-9a-f]{32}$' "$empty" "a fresh ID"
mkdir -m 700 "$(state_dir "$empty")"

step "the daemon starts"
md_daemon_start || die "the daemon did not answer version within 10 s with damaged containers"
capture md version
assert_eq 0 "$RC" "version"
assert_contains "Server:" "$OUT" "version output"

step "ps -a: intact ones as before, damaged ones broken"
assert_eq running "$(ps_json_field "${id[alive]}" State)" "alive: State"
assert_eq "$alive_pid" "$(ps_json_field "${id[alive]}" Pid)" "alive: Pid"
assert_match ' Up ' "$(row "${id[alive]}")" "alive: ps row STATUS"
assert_eq exited "$(ps_json_field "${id[finished]}" State)" "finished: State"
assert_match ' Exited \(0\) ' "$(row "${id[finished]}")" "finished: ps row STATUS"
for n in trunc garbled empty; do
	i=${id[$n]:-$empty}
	assert_eq broken "$(ps_json_field "$i" State)" "$n: State in ps --format json"
	assert_match ' Broken ' "$(row "$i")" "$n: ps row STATUS"
done
capture md ps -q --no-trunc
assert_eq "${id[alive]}" "$OUT" "ps (running only)"

step "rm of the broken containers"
for n in trunc garbled empty; do
	i=${id[$n]:-$empty}
	capture md rm "${i:0:12}"
	assert_eq 0 "$RC" "rm $n ($ERR)"
	assert_eq "${i:0:12}" "$OUT" "rm $n output"
	[ -e "$(state_dir "$i")" ] && fail "$n: its directory remains after rm: $(ls -A "$(state_dir "$i")" | tr '\n' ' ')"
	[ -n "$(ps_json_field "$i" Id)" ] && fail "$n: still listed by ps -a after rm"
done

step "the intact ones still work"
capture md logs finished
assert_eq "hello from finished" "$OUT" "logs finished"
capture md inspect alive
assert_eq 0 "$RC" "inspect alive"
assert_contains '"Status": "running"' "$OUT" "inspect alive: Status"
capture md exec alive /bin/echo inside
assert_eq inside "$OUT" "exec alive"
capture md stop -t 0 alive
assert_eq alive "$OUT" "stop alive"
capture md rm alive finished
assert_eq $'alive\nfinished' "$OUT" "rm alive finished"
capture md ps -aq
assert_eq "" "$OUT" "nothing left"

md_done
