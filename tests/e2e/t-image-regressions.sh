#!/bin/bash
# t-image-regressions: what the security review of images and volumes
# found, each pinned so it cannot come back.
#  - A FIFO at the image's etc/passwd, with a USER name to resolve, must not
#    hang the daemon (it reads the image's accounts in its loop).
#  - A client that leaves while its archive never ends (a pipe held open)
#    frees its worker: the per-user limit of 2 does not stay taken.
#  - A small archive that unpacks past --max-image-size (a decompression
#    bomb) is refused and leaves nothing behind.
#  - A file passed with a request whose last close blocks (a TCP socket
#    with SO_LINGER and unsent data) does not stop the daemon: such fds are
#    closed by a closer process, never in the loop.
#  - Volumes are private mounts: with the daemon in a mount namespace whose
#    mounts are shared (as / is under systemd), a volume nested in another
#    volume, or a --tmpfs in one, never appears on the host side.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
. "$(dirname "$0")/images.sh"
img_need
need_cmd unshare mkfifo gzip
MD_DAEMON_ARGS=(--max-image-size 16000000)
md_setup

step "a FIFO as the image's /etc/passwd does not hang the daemon"
"$PY" - "$MD_TMP/fifo-passwd.tar" "$IMG_BUSYBOX" <<'PY'
import hashlib, io, json, sys, tarfile
out, bb = sys.argv[1], open(sys.argv[2], "rb").read()

def tar(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            elif kind == "fifo":
                ti.type, ti.mode = tarfile.FIFOTYPE, 0o644
            elif kind == "link":
                ti.type, ti.linkname, ti.mode = tarfile.SYMTYPE, data, 0o777
            else:
                ti.size, ti.mode = len(data), 0o755
            t.addfile(ti, io.BytesIO(data) if kind == "file" else None)
    return buf.getvalue()

layer = tar([("bin", "dir", None), ("bin/busybox", "file", bb), ("bin/true", "link", "busybox"),
             ("etc", "dir", None), ("etc/passwd", "fifo", None)])
diff = hashlib.sha256(layer).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux",
                  "config": {"User": "app", "Cmd": ["/bin/true"]},
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]}}).encode()
cfgname = hashlib.sha256(cfg).hexdigest() + ".json"
man = json.dumps([{"Config": cfgname, "RepoTags": ["fifopasswd:1"],
                   "Layers": [diff + "/layer.tar"]}]).encode()
open(out, "wb").write(tar([(diff, "dir", None), (diff + "/layer.tar", "file", layer),
                           (cfgname, "file", cfg), ("manifest.json", "file", man)]))
PY
capture md load -i "$MD_TMP/fifo-passwd.tar"
assert_eq 0 "$RC" "load of the image with a FIFO passwd: exit status (stderr: $ERR)"
CAPTURE_TIMEOUT=15 capture md run --rm fifopasswd:1
assert_eq 125 "$RC" "run of an image whose passwd is a FIFO: exit status"
assert_contains "no such user in the image: app" "$ERR" "run of an image whose passwd is a FIFO"
CAPTURE_TIMEOUT=10 capture md ps -a
assert_eq 0 "$RC" "ps after that run: the daemon still answers"

step "a client that leaves frees its worker"
mkfifo "$MD_TMP/never"
chmod 666 "$MD_TMP/never"
# Writers that never write: each import's archive never ends.
sleep 300 >"$MD_TMP/never" &
writer=$!
clients=()
for i in 1 2; do
	md_user import "$MD_TMP/never" "never:$i" >/dev/null 2>&1 &
	clients+=($!)
done
sleep 1
capture md_user import "$MD_TMP/never" never:3
assert_eq 1 "$RC" "a third import of one user while two run: exit status"
assert_contains "too many image imports and loads in progress" "$ERR" "a third import of one user"
kill "${clients[@]}"
wait "${clients[@]}" 2>/dev/null
img_rootfs "$MD_TMP/small"
img_tar "$MD_TMP/small" "$MD_TMP/small.tar"
chmod 644 "$MD_TMP/small.tar"
# The workers are stopped once the daemon sees their clients gone.
wait_until 10 md_user import "$MD_TMP/small.tar" small:1 ||
	fail "an import after the two clients left: still refused after 10 s"
kill "$writer"
wait "$writer" 2>/dev/null

step "an archive that unpacks past --max-image-size is refused"
mkdir -p "$MD_TMP/bomb"
head -c 40000000 /dev/zero >"$MD_TMP/bomb/zeros"
tar -C "$MD_TMP/bomb" -czf "$MD_TMP/bomb.tar.gz" .
rm -rf "$MD_TMP/bomb"
store_list() { find "$MD_TMP/root/images" -mindepth 1 -not -path "*/trash/*" | sort; }
before=$(store_list)
capture md import "$MD_TMP/bomb.tar.gz" bomb
assert_eq 1 "$RC" "import of a 40 MB bomb with --max-image-size 16000000: exit status"
assert_contains "unpacks to more than 16000000 bytes" "$ERR" "import of the bomb"
assert_eq "$before" "$(settle 10 "$before" store_list)" "the store after the refused bomb"

step "a passed fd whose close lingers does not block the daemon"
cat >"$MD_TMP/linger.py" <<'PY'
import json, socket, struct, sys, time
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
c = socket.create_connection(srv.getsockname())
peer, _ = srv.accept()          # never reads: c's data stays unsent
c.setblocking(False)
try:
    while True:
        c.send(b"x" * 65536)
except BlockingIOError:
    pass
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 3600))
u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
u.connect(sys.argv[1])
msg = json.dumps({"type": "version"}).encode()
frame = struct.pack("!BBHI", 1, 1, 0, len(msg)) + msg
# The fd goes with the header; the request is whole only once the rest
# follows our close, so the daemon's close is the last, not ours.
socket.send_fds(u, [frame[:8]], [c.fileno()])
c.close()                       # the daemon's copy is now the last
u.sendall(frame[8:])
u.recv(65536)
print("passed", flush=True)
time.sleep(120)
PY
"$PY" "$MD_TMP/linger.py" "$MD_SOCK" >"$MD_TMP/linger.out" 2>&1 &
lingerer=$!
wait_until 10 grep -q passed "$MD_TMP/linger.out" || fail "the lingering fd was not passed: $(cat "$MD_TMP/linger.out")"
CAPTURE_TIMEOUT=5 capture md version
assert_eq 0 "$RC" "version while the passed socket lingers: exit status (stderr: $ERR)"
kill "$lingerer"
wait "$lingerer" 2>/dev/null

step "nested volumes and --tmpfs stay off the host's mounts"
src=$MD_TMP/outer
mkdir -p "$src/d" "$src/t" "$MD_TMP/inner"
echo inner >"$MD_TMP/inner/f"
# A second daemon in a namespace whose mounts are all shared, clients run
# in it too (a volume is cloned from the mount namespace of the daemon).
cat >"$MD_TMP/shared.sh" <<EOF
set -u
"$BIN/minidockerd" --foreground --socket "$MD_TMP/sock2" --root "$MD_TMP/root2" \
	--run "$MD_TMP/run2" --cgroup-parent "$MD_CGROUP_PARENT" >"$MD_TMP/daemon2.log" 2>&1 &
d=\$!
for i in \$(seq 100); do
	"$BIN/minidocker" --socket "$MD_TMP/sock2" version >/dev/null 2>&1 && break
	sleep 0.1
done
"$BIN/minidocker" --socket "$MD_TMP/sock2" run --rm -v "$src:/v:ro" -v "$MD_TMP/inner:/v/d" \
	--tmpfs /v/t /bin/cat /v/d/f
echo "rc=\$?"
echo "mounts:\$(grep -c " $src/" /proc/self/mountinfo)"
kill \$d
wait \$d
EOF
capture unshare --mount --propagation shared bash "$MD_TMP/shared.sh"
assert_contains "inner"$'\n'"rc=0" "$OUT" "the nested volume inside the container (stderr: $ERR)"
assert_contains "mounts:0" "$OUT" "mounts under the outer volume's source, seen by the daemon's namespace"
assert_eq "" "$(grep " $src/" /proc/self/mountinfo)" "mounts under the outer volume's source on the host"

md_done
