#!/bin/bash
# t-systemd: the daemon as systemd runs it, and the daemon's life. The units
# pass `systemd-analyze verify`; a socket handed over by systemd
# (LISTEN_FDS, through systemd-socket-activate) is used instead of binding
# one; the daemon says READY=1 on $NOTIFY_SOCKET once it listens; SIGTERM
# stops the daemon with status 0 and leaves containers and their monitors
# running, and a new daemon on the same --root/--run finds them: ps lists
# them and stop works.

# shellcheck disable=SC2016
. "$(dirname "$0")/lib.sh" "$@"
need_root
need_cmd systemd-analyze systemd-socket-activate python3
md_setup

REPO=$(cd "$(dirname "$0")/../.." && pwd)
extra_pids=()
cleanup_extra() {
	for p in "${extra_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
}

step "the units verify"
units=$MD_TMP/units
mkdir -p "$units"
sed "s|@SBINDIR@|$BIN|" "$REPO/systemd/minidockerd.service.in" >"$units/minidockerd.service"
cp "$REPO/systemd/minidockerd.socket" "$units/"
capture systemd-analyze verify "$units/minidockerd.service" "$units/minidockerd.socket"
assert_eq 0 "$RC" "systemd-analyze verify exit status"
assert_eq "" "$OUT$ERR" "systemd-analyze verify output"
assert_match '^KillMode=process$' "$(grep KillMode "$units/minidockerd.service")" \
	"the service leaves monitors alone on stop"

step "a socket passed by systemd is used"
act=$MD_TMP/act.sock
systemd-socket-activate -l "$act" "$BIN/minidockerd" --foreground --root "$MD_TMP/aroot" \
	--run "$MD_TMP/arun" "${MD_DAEMON_ARGS[@]}" >"$MD_TMP/act.log" 2>&1 </dev/null &
extra_pids+=($!)
wait_until 10 test -S "$act" || fail "systemd-socket-activate did not listen on $act"
capture "$BIN/minidocker" --socket "$act" run /bin/echo activated
assert_eq 0 "$RC" "run through the activated socket"
assert_eq "activated" "$OUT" "output through the activated socket"
assert_contains "using the socket systemd passed" "$(cat "$MD_TMP/act.log")" "daemon log"

step "READY=1 on NOTIFY_SOCKET"
notify=$MD_TMP/notify
python3 - "$notify" "$MD_TMP/notified" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(15)
data = s.recv(4096)
open(sys.argv[2], "wb").write(data)
PY
extra_pids+=($!)
wait_until 5 test -S "$notify" || fail "notify listener did not start"
NOTIFY_SOCKET=$notify "$BIN/minidockerd" --foreground --socket "$MD_TMP/n.sock" \
	--root "$MD_TMP/nroot" --run "$MD_TMP/nrun" "${MD_DAEMON_ARGS[@]}" >"$MD_TMP/n.log" 2>&1 </dev/null &
extra_pids+=($!)
wait_until 10 test -s "$MD_TMP/notified" || fail "no readiness notification within 10 s"
assert_eq "READY=1" "$(cat "$MD_TMP/notified" 2>/dev/null)" "notification"
cleanup_extra
extra_pids=()

step "SIGTERM: the daemon exits 0, containers keep running"
capture md run -d --name survivor /bin/sleep 300
assert_eq 0 "$RC" "run -d"
id=$OUT
pid=$(ps_json_field survivor Pid)
assert_match '^[1-9][0-9]*$' "$pid" "container pid"
kill -TERM "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID"
assert_eq 0 "$?" "daemon exit status on SIGTERM"
kill -0 "$pid" 2>/dev/null
assert_eq 0 "$?" "container still alive after the daemon stopped"

step "a new daemon finds the running container"
"$BIN/minidockerd" --foreground --socket "$MD_SOCK" --root "$MD_TMP/root" --run "$MD_TMP/run" \
	--group "$MD_GROUP" "${MD_DAEMON_ARGS[@]}" >>"$MD_TMP/daemon.log" 2>&1 </dev/null &
MD_DAEMON_PID=$!
wait_until 10 md version || die "the restarted daemon did not answer"
capture md ps -q --no-trunc
assert_contains "$id" "$OUT" "ps after restart"
capture md stop -t 0 survivor
assert_eq "survivor" "$OUT" "stop after restart"
assert_match '^Exited \(137\)' "$(ps_json_field survivor Status)" "status after stop"
kill -0 "$pid" 2>/dev/null
assert_ne 0 "$?" "container gone after stop"

md_done
