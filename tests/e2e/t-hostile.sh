#!/bin/bash
# t-hostile: many, greedy or broken clients cost the daemon bounded
# resources and never lock others out (what t-garbage does not cover).
# 500 idle connections held open (by root, who is exempt from the per-user
# limit): the daemon holds them all and `version` still answers within 2 s.
# With --max-connections-per-user 5, a user holding 5 connections gets "too
# many connections" on a 6th (one error line, then the connection closes;
# the client says so and fails) while root is not limited, and the user
# connects again once those are closed. With --max-containers-per-user 2,
# the user's third `run` is refused with a clear message and status 125
# (leaving nothing on disk), root is exempt, and after `rm` of one the run
# works again. Clients that ask for something large and never read (a 13 MB
# log, thousands of pipelined `ps`) do not grow the daemon's RSS by 30 MB,
# and its fd count returns to the baseline once they close. A user's
# connections that send half a frame or garbage and close give back their
# slot under the per-user limit. A daemon with --max-connections 20 refuses
# the 21st connection, root's too, and serves again once some close.

. "$(dirname "$0")/lib.sh" "$@"
MD_DAEMON_ARGS=(--max-connections-per-user 5 --max-containers-per-user 2)
md_setup

extra_pids=()
cleanup_extra() {
	local p
	for p in "${extra_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	extra_pids=()
}
# Our holders go first, then the usual teardown (with the test's status).
# shellcheck disable=SC2154 # rc is set by the trap itself
trap 'rc=$?; cleanup_extra; (exit $rc); md_teardown' EXIT

# hold.py SOCK N: open N connections, a `version` round trip on each (so the
# daemon has taken them all), print "ready N" and keep them open until
# killed; "refused I: MESSAGE" and status 3 when the daemon refuses one.
cat >"$MD_TMP/hold.py" <<'PY'
import json, signal, socket, struct, sys
sock, n = sys.argv[1], int(sys.argv[2])
req = b'{"type":"version"}'
conns = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock)
    s.sendall(struct.pack("!BBHI", 1, 1, 0, len(req)) + req)
    data = b""
    while len(data) < 8 or len(data) < 8 + struct.unpack("!BBHI", data[:8])[3]:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    msg = json.loads(data[8:]) if len(data) > 8 else {}
    if msg.get("type") != "version":
        print("refused %d: %s" % (i, msg.get("message", data[:200])), flush=True)
        sys.exit(3)
    conns.append(s)
print("ready %d" % len(conns), flush=True)
while True:
    signal.pause()
PY
chmod 644 "$MD_TMP/hold.py"

# hold WHO N OUT: start hold.py in the background (as root, or as the user
# with WHO=user), its output in OUT; HOLD_PID is its pid. Waits for "ready".
hold() {
	local who=$1 n=$2 out=$3
	if [ "$who" = user ]; then
		"${AS_USER[@]}" "$PY" "$MD_TMP/hold.py" "$MD_SOCK" "$n" >"$out" 2>&1 </dev/null &
	else
		"$PY" "$MD_TMP/hold.py" "$MD_SOCK" "$n" >"$out" 2>&1 </dev/null &
	fi
	HOLD_PID=$!
	extra_pids+=("$HOLD_PID")
	wait_until 20 grep -q '^ready\|^refused' "$out"
	grep -q "^ready $n\$" "$out"
}

unhold() {
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# shellcheck disable=SC2120 # called with WHO through wait_until
version_within_2s() { # [WHO]
	capture timeout 2 "${1:-md}" version
	[ "$RC" -eq 0 ] && [[ $OUT == *"Server:"* ]]
}

# refused_10_times WHO WHAT: `WHO version` over a connection limit, ten
# times (the daemon's close races the client's request): each time the
# client fails with status 125 and the daemon's one error line.
refused_10_times() {
	local i nbad=0 bad=
	for i in $(seq 10); do
		capture "$1" version
		if [ "$RC" -ne 125 ] || [[ $ERR != "minidocker: too many connections"* ]] ||
			[ "$(printf '%s\n' "$ERR" | wc -l)" -ne 1 ]; then
			nbad=$((nbad + 1))
			[ -n "$bad" ] || bad="status $RC, stderr '$ERR'"
		fi
	done
	[ "$nbad" -eq 0 ] ||
		fail "$2: expected status 125 and 'minidocker: too many connections ...' each time; $nbad of 10 tries got something else, e.g. $bad"
}

fds_at() {
	[ "$(daemon_fds)" -eq "$1" ]
}

baseline_fds=$(daemon_fds)
step "daemon pid $MD_DAEMON_PID, baseline fd count $baseline_fds"

step "500 idle connections"
hold root 500 "$MD_TMP/hold500.out" || fail "root could not hold 500 connections: $(cat "$MD_TMP/hold500.out")"
h500=$HOLD_PID
n=$(daemon_fds)
[ "$n" -ge $((baseline_fds + 500)) ] || fail "the daemon holds only $n fds with 500 connections open (baseline $baseline_fds)"
t0=$(now)
version_within_2s || fail "version with 500 idle connections: status $RC, $ERR"
step "version answered in $(elapsed "$t0") s with $n daemon fds"
capture md run /bin/echo served
assert_eq served "$OUT" "run with 500 idle connections"
unhold "$h500"
wait_until 5 fds_at "$baseline_fds" || fail "fd count $(daemon_fds) not back to $baseline_fds after the 500 closed"

step "--max-connections-per-user 5"
hold user 5 "$MD_TMP/hold-user.out" || fail "the user could not hold 5 connections: $(cat "$MD_TMP/hold-user.out")"
hu=$HOLD_PID
refused_10_times md_user "the user's 6th connection"
"$PY" - "$MD_SOCK" <<'PY' || fail "the raw 6th connection was not refused as it should be"
import json, socket, struct, sys, time
import os
os.setgroups([100]); os.setregid(4242, 4242); os.setreuid(4242, 4242)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(sys.argv[1])
data = b""
while True:
    try:
        c = s.recv(65536)
    except socket.timeout:
        print("FAIL: the 6th connection was neither answered nor closed within 3 s: %r" % data)
        sys.exit(1)
    if not c:
        break
    data += c
v, t, f, n = struct.unpack("!BBHI", data[:8])
m = json.loads(data[8:8 + n])
if m.get("type") != "error" or "too many connections" not in m.get("message", "") or len(data) != 8 + n:
    print("FAIL: the 6th connection got %r" % data)
    sys.exit(1)
PY
version_within_2s || fail "root is limited too while the user holds 5: status $RC, $ERR"
hold root 20 "$MD_TMP/hold-root.out" || fail "root could not hold 20 connections: $(cat "$MD_TMP/hold-root.out")"
unhold "$HOLD_PID"
unhold "$hu"
wait_until 5 version_within_2s md_user || fail "the user cannot connect after closing its 5: status $RC, $ERR"

step "--max-containers-per-user 2"
capture md_user run --name u1 /bin/true
assert_eq 0 "$RC" "the user's first run ($ERR)"
capture md_user run -d --name u2 /bin/sleep 300
assert_eq 0 "$RC" "the user's second run ($ERR)"
ndirs=$(ls "$MD_TMP/root/containers" | wc -l)
capture md_user run --name u3 /bin/true
assert_eq 125 "$RC" "the user's third run: exit status"
assert_contains "too many containers" "$ERR" "the user's third run: message"
assert_lines 1 "$ERR" "the user's third run: one error line"
assert_eq "" "$OUT" "the user's third run: stdout"
assert_eq "$ndirs" "$(ls "$MD_TMP/root/containers" | wc -l)" "container directories after the refused run"
capture md_user run -d /bin/sleep 1
assert_eq 125 "$RC" "the user's third run -d: exit status"
for i in 1 2 3; do
	capture md run --name "r$i" /bin/true
	assert_eq 0 "$RC" "root's run $i (root is exempt; $ERR)"
done
capture md_user rm u1
assert_eq u1 "$OUT" "the user's rm u1"
capture md_user run --name u3 /bin/echo again
assert_eq 0 "$RC" "the user's run after rm ($ERR)"
assert_eq again "$OUT" "the user's run after rm: output"
capture md_user run --name u4 /bin/true
assert_eq 125 "$RC" "the user's run past the limit again"
capture md_user rm -f u2 u3
assert_eq $'u2\nu3' "$OUT" "the user's rm -f u2 u3"

step "clients that ask for much and never read"
capture md run --name big /bin/sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -n 120000'
assert_eq 0 "$RC" "run big"
capture md logs big
logbytes=${#OUT}
[ "$logbytes" -gt 8000000 ] || fail "the big container's log has only $logbytes bytes"
base_fds=$(daemon_fds)
base_rss=$(daemon_rss_kb)
"$PY" - "$MD_SOCK" "$MD_DAEMON_PID" "$BIN/minidocker" >"$MD_TMP/greedy.out" 2>&1 <<'PY'
import os, socket, struct, subprocess, sys, time
sock, pid, client = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def frame(p):
    p = p.encode()
    return struct.pack("!BBHI", 1, 1, 0, len(p)) + p

def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

conns = []
def greedy(payload):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.setblocking(False)
    sent, t0 = 0, time.monotonic()
    while sent < len(payload) and time.monotonic() - t0 < 0.5:
        try:
            sent += s.send(payload[sent:])
        except BlockingIOError:
            time.sleep(0.01)
    conns.append(s)
    return sent

logs = frame('{"type":"logs","container":"big","timestamps":true}')
pss = frame('{"type":"ps","all":true}') * 3000
sent = 0
for i in range(10):
    sent += greedy(logs)
    sent += greedy(pss)
peak = 0
for i in range(30):
    peak = max(peak, rss())
    time.sleep(0.1)
t0 = time.monotonic()
r = subprocess.run([client, "--socket", sock, "version"], capture_output=True, timeout=10)
took = time.monotonic() - t0
print("sent %d bytes; peak RSS %d kB; version took %.2f s, status %d" % (sent, peak, took, r.returncode))
print("peak %d" % peak)
print("version %s" % ("ok" if r.returncode == 0 and took < 2 else "slow"))
for s in conns:
    s.close()
PY
cat "$MD_TMP/greedy.out"
peak=$(sed -n 's/^peak //p' "$MD_TMP/greedy.out")
assert_match '^[0-9]+$' "$peak" "peak RSS measured"
step "RSS baseline $base_rss kB, peak ${peak:-?} kB with 20 never-reading clients"
[ -n "$peak" ] && [ $((peak - base_rss)) -lt 30720 ] ||
	fail "the daemon's RSS grew by $((${peak:-0} - base_rss)) kB (>= 30 MB) for 20 never-reading clients"
assert_eq "version ok" "$(grep '^version' "$MD_TMP/greedy.out")" "version within 2 s beside the never-reading clients"
wait_until 5 fds_at "$base_fds" ||
	fail "fd count $(daemon_fds) not back to $base_fds after the never-reading clients closed"

step "a user's half frames and garbage, then close"
"${AS_USER[@]}" "$PY" - "$MD_SOCK" <<'PY' || fail "the half-frame rounds failed"
import socket, struct, sys
sock = sys.argv[1]
refused = 0
for rnd in range(40):
    conns = []
    for i in range(5):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sock)
        try:
            if i % 3 == 0:
                s.sendall(struct.pack("!BBHI", 1, 1, 0, 100) + b'{"type":"ver')
            elif i % 3 == 1:
                s.sendall(b"\x01\x01\x00")
            else:
                s.sendall(bytes((j * 37 + rnd) % 256 for j in range(300)))
        except (BrokenPipeError, ConnectionResetError):
            refused += 1
        conns.append(s)
    for s in conns:
        s.close()
print("-- 200 connections sent half frames or garbage (%d cut short)" % refused)
PY
wait_until 3 version_within_2s md_user || fail "the user cannot connect after its half-frame connections closed: $ERR"
wait_until 5 fds_at "$base_fds" || fail "fd count $(daemon_fds) not back to $base_fds after the half frames"
kill -0 "$MD_DAEMON_PID" || die "the daemon died"

step "--max-connections 20"
kill -TERM "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID"
md_daemon_start --max-connections 20 || die "the daemon with --max-connections 20 did not start"
hold root 20 "$MD_TMP/hold20.out" || fail "root could not hold 20 connections: $(cat "$MD_TMP/hold20.out")"
h20=$HOLD_PID
refused_10_times md "the 21st connection"
unhold "$h20"
wait_until 5 version_within_2s || fail "no connection after the 20 closed: $ERR"

md_done
