#!/bin/bash
# t-inspect: `minidocker inspect` prints a JSON array (python3 parses it),
# one object per container asked for, with Docker's keys: Id, Name (no
# leading slash), Created, Path, Args, State{Status Running Pid ExitCode
# StartedAt FinishedAt OOMKilled}, Config{Hostname Env Cmd WorkingDir User
# Tty OpenStdin Image}, HostConfig{Memory NanoCpus PidsLimit Binds
# NetworkMode ReadonlyRootfs AutoRemove}, LogPath. The values are what was
# run: name, ID, hostname, -e variables in Env, -w, -u, -t, -i, the command
# split into Path and Args; a running container has its host Pid (the
# process is the command), a container that exited has Pid 0, its ExitCode
# and a FinishedAt after its StartedAt; LogPath is a file under --root that
# holds its output; times are RFC 3339. Several containers give several
# objects in order; an unknown one is one `minidocker: ` line and status 1.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep
md_setup

capture md run -d -t -i --name probe -h probe-host -e ALPHA=1 -e 'BETA=two words' -w /var/work -u 1000:100 \
	/bin/sleep 100
assert_eq 0 "$RC" "run -d probe exits 0"
probe=$OUT
wait_until 10 is_running probe || die "probe is not running"
capture md run --name finished /bin/sh -c 'echo said-this; sleep 0.2; exit 5'
assert_eq 5 "$RC" "run finished exits 5"
done_id=$(ps_json_field finished Id)

# check.py: the inspect output on stdin; prints one line per problem.
cat >"$MD_TMP/check.py" <<'EOF'
import json, os, re, sys

probe_id, done_id, root = sys.argv[1], sys.argv[2], sys.argv[3]
problems = []
def bad(msg):
    problems.append(msg)

try:
    arr = json.load(sys.stdin)
except ValueError as e:
    print("not JSON: %s" % e)
    sys.exit(0)
if not isinstance(arr, list) or len(arr) != 2:
    print("expected a JSON array of 2 objects, got %r" % (arr,))
    sys.exit(0)
p, d = arr

KEYS = {
    "": "Id Name Created Path Args State Config HostConfig LogPath",
    "State": "Status Running Pid ExitCode StartedAt FinishedAt OOMKilled",
    "Config": "Hostname Env Cmd WorkingDir User Tty OpenStdin Image",
    "HostConfig": "Memory NanoCpus PidsLimit Binds NetworkMode ReadonlyRootfs AutoRemove",
}
for which, o in (("probe", p), ("done", d)):
    for sub, keys in KEYS.items():
        obj = o.get(sub) if sub else o
        if not isinstance(obj, dict):
            bad("%s: %s is not an object" % (which, sub))
            continue
        missing = [k for k in keys.split() if k not in obj]
        if missing:
            bad("%s: %s lacks %s" % (which, sub or "the top level", " ".join(missing)))

def eq(which, path, want):
    o = {"probe": p, "done": d}[which]
    for k in path.split("."):
        o = o.get(k) if isinstance(o, dict) else None
    if o != want or type(o) != type(want):
        bad("%s %s: expected %r, got %r" % (which, path, want, o))

STAMP = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
def stamp(which, path):
    o = {"probe": p, "done": d}[which]
    for k in path.split("."):
        o = o.get(k) if isinstance(o, dict) else None
    if not isinstance(o, str) or not re.match(STAMP, o):
        bad("%s %s: not an RFC 3339 time: %r" % (which, path, o))
    return o or ""

eq("probe", "Id", probe_id)
eq("probe", "Name", "probe")
eq("probe", "Path", "/bin/sleep")
eq("probe", "Args", ["100"])
eq("probe", "State.Status", "running")
eq("probe", "State.Running", True)
eq("probe", "State.ExitCode", 0)
eq("probe", "State.OOMKilled", False)
pid = p.get("State", {}).get("Pid")
if not isinstance(pid, int) or pid <= 0:
    bad("probe State.Pid: expected a host pid, got %r" % (pid,))
else:
    try:
        cmd = open("/proc/%d/cmdline" % pid, "rb").read().split(b"\0")
        if cmd[:2] != [b"/bin/sleep", b"100"]:
            bad("probe State.Pid %d is not the container's sleep: %r" % (pid, cmd))
    except OSError as e:
        bad("probe State.Pid %d: %s" % (pid, e))
eq("probe", "Config.Hostname", "probe-host")
env = p.get("Config", {}).get("Env") or []
for v in ("ALPHA=1", "BETA=two words", "HOSTNAME=probe-host"):
    if v not in env:
        bad("probe Config.Env lacks %r: %r" % (v, env))
eq("probe", "Config.Cmd", ["/bin/sleep", "100"])
eq("probe", "Config.WorkingDir", "/var/work")
eq("probe", "Config.User", "1000:100")
eq("probe", "Config.Tty", True)
eq("probe", "Config.OpenStdin", True)
eq("probe", "Config.Image", "host")
eq("probe", "HostConfig.AutoRemove", False)
eq("probe", "HostConfig.ReadonlyRootfs", False)
eq("probe", "HostConfig.NetworkMode", "none")
eq("probe", "HostConfig.Memory", 0)
eq("probe", "HostConfig.Binds", [])
stamp("probe", "Created")
stamp("probe", "State.StartedAt")

eq("done", "Id", done_id)
eq("done", "Name", "finished")
eq("done", "Path", "/bin/sh")
eq("done", "Args", ["-c", "echo said-this; sleep 0.2; exit 5"])
eq("done", "State.Status", "exited")
eq("done", "State.Running", False)
eq("done", "State.Pid", 0)
eq("done", "State.ExitCode", 5)
eq("done", "Config.Hostname", "container-host")
eq("done", "Config.Tty", False)
eq("done", "Config.OpenStdin", False)
eq("done", "Config.WorkingDir", "/")
started = stamp("done", "State.StartedAt")
finished = stamp("done", "State.FinishedAt")
if not finished > started:
    bad("done: FinishedAt %r is not after StartedAt %r" % (finished, started))
logpath = d.get("LogPath") or ""
if not logpath.startswith(root + "/"):
    bad("done LogPath %r is not under %s" % (logpath, root))
else:
    try:
        if "said-this" not in open(logpath).read():
            bad("done LogPath %s does not hold its output" % logpath)
    except OSError as e:
        bad("done LogPath %s: %s" % (logpath, e))
for msg in problems:
    print(msg)
EOF

step "inspect of a running and an exited container"
capture md inspect probe "${done_id:0:12}"
assert_eq 0 "$RC" "inspect probe done: exit status"
assert_eq "" "$ERR" "inspect probe done: stderr"
problems=$("$PY" "$MD_TMP/check.py" "$probe" "$done_id" "$MD_TMP/root" <<<"$OUT")
assert_eq "" "$problems" "problems with the inspect output"

step "Pid is 0 once the container exited"
capture md stop -t 0 probe
wait_until 5 is_exited probe || fail "probe did not exit after stop"
capture md inspect probe
state=$("$PY" -c 'import json,sys; s=json.load(sys.stdin)[0]["State"]; print(s["Status"], s["Running"], s["Pid"], s["ExitCode"])' <<<"$OUT")
assert_eq "exited False 0 137" "$state" "State after stop -t 0 (Status Running Pid ExitCode)"

step "inspect --rm and an unknown container"
capture md run -d --rm --name autorm /bin/sleep 100
capture md inspect autorm
assert_eq True "$("$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["HostConfig"]["AutoRemove"])' <<<"$OUT")" \
	"HostConfig.AutoRemove of a --rm container"
capture md inspect nosuch
assert_eq 1 "$RC" "inspect nosuch: exit status"
assert_eq "minidocker: no such container: nosuch" "$ERR" "inspect nosuch: stderr"

md_done
