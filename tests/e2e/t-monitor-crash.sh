#!/bin/bash
# t-monitor-crash: a monitor that dies takes its container with it and the
# daemon notices. The monitor of one running container (found by its
# /proc/PID/cmdline: our minidocker-monitor binary and the container's full
# ID) is killed with SIGKILL: the container's PID 1 disappears within a few
# seconds (it never runs on unsupervised), ps -a shows the container exited
# with code 137 (not running forever), inspect's State.Error mentions the
# monitor, the other containers keep running untouched, the daemon is the
# same process and keeps serving (run, ps, version), the dead monitor is
# reaped (no zombie among the daemon's children), and `rm` of the victim
# leaves neither its directories nor its cgroups behind.

. "$(dirname "$0")/lib.sh" "$@"
md_setup

# monitor_of ID: the PID of the monitor of our build whose command line
# holds the full ID (exactly one, else nothing).
monitor_of() {
	local exe p found=
	for exe in /proc/[0-9]*/exe; do
		p=${exe%/exe}
		case $(readlink "$exe" 2>/dev/null) in
		"$BIN/minidocker-monitor" | "$BIN/minidocker-monitor (deleted)") ;;
		*) continue ;;
		esac
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF "$1" || continue
		[ -z "$found" ] || return 1
		found=${p#/proc/}
	done
	[ -n "$found" ] && echo "$found"
}

alive() {
	kill -0 "$1" 2>/dev/null
}

step "three running containers"
declare -A id pid
for n in victim other1 other2; do
	capture md run -d --name "$n" /bin/sleep 300
	assert_eq 0 "$RC" "run $n"
	id[$n]=$OUT
	pid[$n]=$(ps_json_field "$n" Pid)
	assert_match '^[1-9][0-9]*$' "${pid[$n]}" "$n: pid"
done
daemon_pid=$MD_DAEMON_PID

step "kill -9 of the victim's monitor"
mon=$(monitor_of "${id[victim]}") || die "no single monitor process for ${id[victim]}"
[ -n "$mon" ] || die "no monitor process for ${id[victim]}"
for n in other1 other2; do
	assert_ne "$mon" "$(monitor_of "${id[$n]}")" "$n has a monitor of its own"
done
t_kill=$(now)
kill -KILL "$mon"

step "the container dies with its monitor"
# shellcheck disable=SC2016 # expanded by eval, at each try
wait_until 5 eval '! alive "${pid[victim]}" || grep -q "^State:.*Z" "/proc/${pid[victim]}/status"' ||
	fail "the victim's PID 1 (${pid[victim]}) still runs 5 s after its monitor died"
wait_until 5 is_exited victim || fail "victim still not exited 5 s after its monitor died: $(ps_json_field victim Status)"
step "victim shown as exited after $(elapsed "$t_kill") s"
assert_eq 137 "$(ps_json_field victim ExitCode)" "victim: ExitCode"
assert_match '^Exited \(137\)' "$(ps_json_field victim Status)" "victim: Status"
assert_eq 0 "$(ps_json_field victim Pid)" "victim: Pid"
capture md inspect victim
assert_eq 0 "$RC" "inspect victim"
err=$("$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["State"]["Error"])' <<<"$OUT")
assert_match '[Mm]onitor' "$err" "victim: State.Error"
capture md ps -q --no-trunc
assert_not_contains "${id[victim]}" "$OUT" "ps (running) no longer lists the victim"

step "the other containers are unaffected"
for n in other1 other2; do
	alive "${pid[$n]}" || fail "$n: its process died"
	assert_eq running "$(ps_json_field "$n" State)" "$n: State"
	assert_eq "${pid[$n]}" "$(ps_json_field "$n" Pid)" "$n: Pid"
done
capture md exec other1 /bin/echo fine
assert_eq fine "$OUT" "exec in another container"

step "the daemon keeps serving"
assert_eq "$daemon_pid" "$MD_DAEMON_PID" "daemon pid"
alive "$MD_DAEMON_PID" || die "the daemon died"
capture md version
assert_eq 0 "$RC" "version"
assert_contains "Server:" "$OUT" "version output"
capture md run /bin/echo still-here
assert_eq 0 "$RC" "run"
assert_eq still-here "$OUT" "run output"
capture md ps -a
assert_eq 0 "$RC" "ps -a"
assert_contains victim "$OUT" "ps -a lists the victim"
capture md rm victim
assert_eq 0 "$RC" "rm victim"
assert_eq victim "$OUT" "rm victim output"
[ -e "$(state_dir "${id[victim]}")" ] && fail "the victim's directory remains after rm"
[ -e "$MD_TMP/run/containers/${id[victim]}" ] && fail "the victim's run directory remains after rm"
left=$(cgroup_dirs "${id[victim]}")
assert_eq "" "$left" "the victim's cgroups after its monitor died and rm"
wait_until 5 no_daemon_zombies || fail "zombie children of the daemon: $(daemon_zombies)"

md_done
