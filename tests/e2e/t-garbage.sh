#!/bin/bash
# t-garbage: untrusted bytes on the socket never hurt the daemon. Each of
# these gets its own connection: garbage bytes and an HTTP request, a header
# of another protocol version, oversized lengths (the daemon must drop the
# connection at once, not wait for or buffer the payload), stream frames sent
# to the daemon, a truncated frame then close, invalid JSON and well-formed
# JSON that is not a request; each ends its connection or gets an error reply
# within 2 s. A valid frame with an unknown request type gets an error reply
# and the connection stays usable. A client that sends requests but never
# reads the replies is held back (what it gets to send and the daemon's
# memory stay bounded) while other clients are served. 100 idle connections,
# some stopped mid-frame, come and go. Afterwards the daemon is the same
# process, answers `version` within 2 s, and its open fd count returns to its
# baseline once the clients are closed.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
md_setup

fd_count() {
	ls "/proc/$MD_DAEMON_PID/fd" 2>/dev/null | wc -l
}

fds_at_baseline() {
	[ "$(fd_count)" -le "$baseline" ]
}

version_within_2s() {
	capture timeout 2 md version
	[ "$RC" -eq 0 ] && [[ $OUT == *"Server:"* ]]
}

baseline=$(fd_count)
step "daemon pid $MD_DAEMON_PID, baseline fd count $baseline"

"$PY" - "$MD_SOCK" "$MD_DAEMON_PID" "$BIN/minidocker" <<'EOF' || fail "the socket checks above failed"
import json, os, socket, struct, subprocess, sys, time

SOCK, PID, CLIENT = sys.argv[1], int(sys.argv[2]), sys.argv[3]
fails = 0


def fail(msg):
    global fails
    fails += 1
    print("FAIL: " + msg, flush=True)


def note(msg):
    print("-- " + msg, flush=True)


def frame(payload, version=1, ftype=1, flags=0, length=None):
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    return struct.pack("!BBHI", version, ftype, flags, n) + payload


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(SOCK)
    return s


def frames(data):
    """Split bytes into (version, type, flags, payload) frames; None if torn."""
    out = []
    while data:
        if len(data) < 8:
            return None
        v, t, f, n = struct.unpack("!BBHI", data[:8])
        if len(data) < 8 + n:
            return None
        out.append((v, t, f, data[8:8 + n]))
        data = data[8 + n:]
    return out


def read_for(s, secs, until_frames=0):
    """Read until EOF, `secs` pass, or `until_frames` whole frames arrived.
    Returns (data, closed)."""
    data = b""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s.settimeout(max(0.01, min(0.2, end - time.monotonic())))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return data, True
        if not chunk:
            return data, True
        data += chunk
        if until_frames:
            fr = frames(data)
            if fr is not None and len(fr) >= until_frames:
                return data, False
    return data, False


def msgs(data):
    fr = frames(data) or []
    out = []
    for v, t, f, p in fr:
        if v == 1 and t == 1:
            try:
                out.append(json.loads(p))
            except ValueError:
                out.append({"type": "<not valid JSON>", "raw": p[:200]})
    return out


def daemon_alive(what):
    try:
        os.kill(PID, 0)
    except ProcessLookupError:
        fail("the daemon (pid %d) died after %s" % (PID, what))
        sys.exit(1)


def version_ok(what):
    daemon_alive(what)
    t0 = time.monotonic()
    try:
        r = subprocess.run([CLIENT, "--socket", SOCK, "version"], capture_output=True,
                           text=True, timeout=2)
    except subprocess.TimeoutExpired:
        fail("after %s: `version` did not answer within 2 s" % what)
        return
    if r.returncode != 0 or "Server:" not in r.stdout:
        fail("after %s: `version` failed (status %d): %s" % (what, r.returncode, r.stderr.strip()))


def must_close(what, payload, allow_error_reply=True):
    """Send payload; the daemon must end the connection within 2 s,
    optionally after error replies (never any other reply)."""
    s = connect()
    try:
        s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        s.close()
        version_ok(what)
        return
    data, closed = read_for(s, 2)
    s.close()
    if not closed:
        fail("%s: the daemon kept the connection open for 2 s" % what)
    for m in msgs(data):
        if m.get("type") != "error" or not allow_error_reply:
            fail("%s: unexpected reply %r" % (what, m))
    version_ok(what)


def closes_or_errors(what, payload):
    """Send payload; within 2 s the daemon must end the connection or send
    an error reply."""
    s = connect()
    s.sendall(payload)
    data, closed = read_for(s, 2, until_frames=1)
    s.close()
    m = msgs(data)
    bad = [x for x in m if x.get("type") != "error"]
    if bad:
        fail("%s: a reply other than a valid JSON error: %r" % (what, bad[0]))
    elif not closed and not m:
        fail("%s: neither an error reply nor a close within 2 s (got %r)" % (what, data[:200]))
    version_ok(what)


note("garbage bytes")
must_close("garbage bytes", bytes((i * 151 + 7) % 256 for i in range(4096)))
must_close("an HTTP request", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
must_close("all 0xff", b"\xff" * 64)
must_close("all zeros", b"\x00" * 64)

note("a header of another protocol version")
must_close("protocol version 2", frame('{"type":"version"}', version=2))
must_close("protocol version 0", frame('{"type":"version"}', version=0))

note("oversized lengths")
must_close("length 0xffffffff", frame(b"", length=0xFFFFFFFF))
must_close("length 1 MiB + 1", frame(b"{", length=1024 * 1024 + 1))

note("frames that are not requests")
must_close("a stdin frame", frame(b"hello", ftype=2))
must_close("a stdout frame", frame(b"hello", ftype=3))
must_close("an unknown frame type", frame(b"hello", ftype=99))
must_close("reserved flags", frame('{"type":"version"}', flags=0x8000))

note("a truncated frame, then close")
s = connect()
s.sendall(frame(b"", length=100) + b'{"type":"v')
s.close()
version_ok("a truncated frame")
s = connect()
s.sendall(b"\x01\x01\x00")
s.close()
version_ok("a truncated header")

note("invalid JSON and JSON that is no request")
for what, p in [
    ("invalid JSON", '{"type": "version"'),
    ("not JSON at all", "hello world"),
    ("empty payload", ""),
    ("a JSON array", "[1, 2, 3]"),
    ("a JSON string", '"version"'),
    ("an object without type", '{"kind": "version"}'),
    ("a non-string type", '{"type": 5}'),
    ("two objects", '{"type":"version"}{"type":"version"}'),
    ("a NUL inside", '{"type":"ver\x00sion"}'),
    ("invalid UTF-8", b'{"type":"\xff\xfe"}'),
    ("deep nesting", '{"type":"version","x":' + "[" * 5000 + "]" * 5000 + "}"),
]:
    closes_or_errors(what, frame(p))

note("an unknown request type gets an error reply")
s = connect()
s.sendall(frame('{"type":"no-such-request"}'))
data, closed = read_for(s, 2, until_frames=1)
m = msgs(data)
if not m:
    fail("unknown request type: no reply within 2 s (closed=%s, got %r)" % (closed, data[:200]))
elif m[0].get("type") != "error" or not isinstance(m[0].get("message"), str):
    fail("unknown request type: expected an error reply, got %r" % m[0])
else:
    s.sendall(frame('{"type":"version"}'))
    data, closed = read_for(s, 2, until_frames=1)
    m = msgs(data)
    if not m or m[0].get("type") != "version":
        fail("the connection is not usable after an error reply: got %r, closed=%s" % (data[:200], closed))
s.close()
version_ok("an unknown request type")


def rss_kb():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


note("a client that never reads its replies")
rss0 = rss_kb()
s = connect()
s.setblocking(False)
req = frame('{"type":"version"}') * 2000
pending = b""
sent = 0
t0 = time.monotonic()
last_progress = t0
LIMIT = 24 * 1024 * 1024
how = "the 5 s limit of this test"
while sent < LIMIT and time.monotonic() - t0 < 5:
    if not pending:
        pending = req
    try:
        n = s.send(pending)
        pending = pending[n:]
        sent += n
        last_progress = time.monotonic()
    except BlockingIOError:
        if time.monotonic() - last_progress > 1:
            how = "being held back"
            break
        time.sleep(0.01)
    except (BrokenPipeError, ConnectionResetError) as e:
        how = "the daemon closing the connection"
        break
if sent >= LIMIT:
    how = "the %d MiB limit of this test" % (LIMIT >> 20)
rss1 = rss_kb()
note("sent %d bytes of requests, replies unread, until %s after %.1f s; daemon RSS %d -> %d kB"
     % (sent, how, time.monotonic() - t0, rss0, rss1))
if sent >= 16 * 1024 * 1024:
    fail("a client that never reads could send %d bytes of requests: the daemon does not hold it back" % sent)
if rss1 - rss0 > 64 * 1024:
    fail("the daemon's memory grew by %d kB for one client that never reads" % (rss1 - rss0))
version_ok("a never-reading client (while it is connected)")
s.close()
version_ok("a never-reading client")

note("100 idle connections")
idle = []
for i in range(100):
    c = connect()
    if i % 3 == 1:
        c.sendall(b"\x01\x01")  # half a header
    elif i % 3 == 2:
        c.sendall(frame(b"", length=50) + b'{"ty')  # half a frame
    idle.append(c)
time.sleep(0.5)
n = len(os.listdir("/proc/%d/fd" % PID))
note("daemon fd count with 100 idle connections: %d" % n)
for c in idle:
    c.close()
version_ok("100 idle connections")

sys.exit(1 if fails else 0)
EOF

step "afterwards: same daemon, answers version, fds back to baseline"
kill -0 "$MD_DAEMON_PID" 2>/dev/null || die "the daemon (pid $MD_DAEMON_PID) is gone"
version_within_2s || fail "version after the garbage did not answer within 2 s: $ERR"
if ! wait_until 5 fds_at_baseline; then
	fail "the daemon's fd count did not return to its baseline $baseline within 5 s: $(fd_count) ($(ls -l /proc/$MD_DAEMON_PID/fd | tail -n +2 | sed 's/.* -> //' | sort | uniq -c | tr '\n' ';'))"
fi

md_done
