#!/bin/bash
# t-regressions: bugs a review found, each pinned down.
# - exec into a container that replaced its /dev/null with a FIFO, or with a
#   link to /proc/self/fd/2, neither hangs the monitor nor hands one of its
#   fds to the command: exec's stdin is the host's /dev/null.
# - a user cannot name a container after the short ID of root's and so
#   capture root's commands: the name and the prefix make it ambiguous.
# - two pipelined `logs` requests on one connection both stream to the end.

# shellcheck disable=SC2016
. "$(dirname "$0")/lib.sh" "$@"
md_setup

step "exec survives a FIFO planted as /dev/null"
capture md run -d --name fifo /bin/sh -c 'rm /dev/null && mkfifo /dev/null && sleep 300'
assert_eq 0 "$RC" "run -d"
wait_until 5 md exec fifo /bin/sh -c 'test -p /dev/null' || fail "the FIFO was not planted"
CAPTURE_TIMEOUT=10 capture md exec fifo /bin/sh -c 'wc -c; echo done'
assert_eq 0 "$RC" "exec with a planted FIFO"
assert_eq "0
done" "$OUT" "exec's stdin is empty and the command ran"

step "exec's stdin is not a monitor fd reached through a planted link"
capture md run -d --name link /bin/sh -c 'rm /dev/null && ln -s /proc/self/fd/2 /dev/null && sleep 300'
assert_eq 0 "$RC" "run -d"
CAPTURE_TIMEOUT=10 capture md exec link /bin/sh -c 'wc -c; ls -l /proc/self/fd | wc -l'
assert_eq 0 "$RC" "exec with a planted link"
assert_match '^0$' "$(head -n1 <<<"$OUT")" "exec's stdin gives nothing"

step "a name equal to another container's short ID is ambiguous"
capture md run -d /bin/sleep 300
assert_eq 0 "$RC" "root's container"
root_id=$OUT
short=${root_id:0:12}
capture md_user run -d --name "$short" /bin/sleep 300
assert_eq 0 "$RC" "the user's container named after root's short ID"
capture md inspect "$short"
assert_eq 1 "$RC" "root's inspect of the short ID"
assert_contains "ambiguous" "$ERR" "root is told, not sent to the user's container"
capture md inspect "$root_id"
assert_eq 0 "$RC" "the full ID still finds root's container"
capture md_user inspect "$short"
assert_eq 0 "$RC" "the user, who cannot see root's container, finds its own by name"

step "two pipelined logs requests both end"
capture md run --name talker /bin/sh -c 'i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done'
assert_eq 0 "$RC" "a container with a big log"
cat >"$MD_TMP/pipelined.py" <<'PY'
import json, socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(10)
def frame(msg):
    p = json.dumps(msg).encode()
    return struct.pack(">BBHI", 1, 1, 0, len(p)) + p
req = {"type": "logs", "container": "talker"}
s.sendall(frame(req) + frame(req))
ends, data, out = 0, b"", 0
while ends < 2:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
    while len(data) >= 8:
        v, t, f, n = struct.unpack(">BBHI", data[:8])
        if len(data) < 8 + n:
            break
        payload, data = data[8:8 + n], data[8 + n:]
        if t == 1 and json.loads(payload).get("type") == "end":
            ends += 1
        elif t == 3:
            out += payload.count(b"\n")
print(ends, out)
PY
capture "$PY" "$MD_TMP/pipelined.py" "$MD_SOCK"
assert_eq 0 "$RC" "the pipelined client"
assert_eq "2 40000" "$OUT" "both streams ended, each with every line"

md_done
