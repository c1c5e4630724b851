# shellcheck shell=bash disable=SC2034
# images.sh: test images for the image tests, built at test time from the
# host's static busybox (Debian's busybox-static) with nothing downloaded.
# A test sources it after lib.sh, calls img_need before md_setup, and then
# builds what it needs under $MD_TMP:
#
#   img_rootfs DIR                  a busybox root on disk (see IMG_PY below)
#   img_tar DIR OUT [gz|xz|zst] [dot]
#                                   a `docker export`-style tar of DIR: names
#                                   without "./" (with "./" and a "./" entry
#                                   when `dot` is given), owner 0:0
#   img_docker_save OUT REF [bad|evilpath]
#                                   a `docker save` archive of two layers
#   img_oci OUT REF [bad|symlink-blob]
#                                   an OCI image layout tar of the same layers
#                                   (`bad`: a layer whose bytes do not match
#                                   its digest; `evilpath`: manifest.json
#                                   names its config ../../../../../../../../
#                                   etc/shadow; `symlink-blob`: the config
#                                   blob is a symlink to /etc/shadow)
#   img_hostile KIND OUT [VICTIM]   a root-fs tar for `import` that ends with a
#                                   hostile entry (kinds listed in IMG_PY)
#   img_config_id ARCHIVE           the config digest (64 hex) of a docker-save
#                                   or OCI archive
#
# and helpers for the tests: capture_from, img_refs, img_id,
# assert_one_error, busybox_inodes, store_snapshot, store_quiet, settle,
# col_starts, no_containers.
#
# Every archive is deterministic (fixed mtimes, gzip without a time stamp),
# so building the same one twice gives the same bytes and digests.
#
# What the layers hold (docker-save and OCI alike):
#   layer 1: the busybox root, plus /work/, /etc/doomed ("delete me") and
#            /data/ with old1 and old2;
#   layer 2: etc/.wh.doomed (a whiteout), data/.wh..wh..opq (an opaque
#            directory) with a new data/new, and work/added-by-layer2.
# docker-save config: Env PATH and GREETING=hello-from-config, WorkingDir
# /work, Cmd ["/bin/sh","-c","echo cmd-ran; pwd; echo $GREETING"].
# OCI config: Env PATH and GREETING=hello-from-oci, WorkingDir /data, Cmd
# ["/bin/sh","-c","echo oci-cmd; pwd; echo $GREETING"], no Entrypoint; layer
# 1 gzip-compressed, layer 2 plain.

IMG_BUSYBOX=

# The builder: one python program, subcommand first.
IMG_PY=$(
	cat <<'PY'
import gzip, hashlib, io, json, lzma, os, platform, stat, struct, subprocess, sys, tarfile

MTIME = 1700000000
CREATED = "2024-01-02T03:04:05.123456789Z"
APPLETS = ("sh ls cat echo id touch mkdir env pwd sleep true false stat rm test "
           "grep head wc readlink tr sed awk").split()
PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
          "app:x:1000:1000::/home/app:/bin/sh\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
GROUP = "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def sha(b):
    return hashlib.sha256(b).hexdigest()


def arch():
    m = platform.machine()
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386",
            "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}.get(m, m)


def busybox_bytes(path):
    with open(path, "rb") as f:
        return f.read()


# An entry is (name, kind, mode, value): kind dir (value None), file (bytes),
# sym (target), hard (link name), chr ((major, minor)).
def base_entries(bb):
    e = [("bin", "dir", 0o755, None), ("bin/busybox", "file", 0o755, bb)]
    e += [("bin/" + a, "sym", 0o777, "busybox") for a in APPLETS]
    e += [("dev", "dir", 0o755, None), ("etc", "dir", 0o755, None),
          ("etc/group", "file", 0o644, GROUP.encode()),
          ("etc/image-marker", "file", 0o644, b"from-image\n"),
          ("etc/passwd", "file", 0o644, PASSWD.encode()),
          ("home", "dir", 0o755, None), ("home/app", "dir", 0o755, None),
          ("proc", "dir", 0o755, None), ("root", "dir", 0o700, None),
          ("sys", "dir", 0o755, None), ("tmp", "dir", 0o1777, None)]
    return e


def ordered(entries):
    # Parents before children, as a directory walk writes them.
    return sorted(entries, key=lambda e: e[0].split("/"))


def tarinfo(name, kind, mode, value):
    t = tarfile.TarInfo(name)
    t.mtime = MTIME
    t.uid = t.gid = 0
    t.uname = t.gname = ""
    t.mode = mode
    data = None
    if kind == "dir":
        t.type = tarfile.DIRTYPE
    elif kind == "file":
        t.type = tarfile.REGTYPE
        t.size = len(value)
        data = io.BytesIO(value)
    elif kind == "sym":
        t.type = tarfile.SYMTYPE
        t.linkname = value
    elif kind == "hard":
        t.type = tarfile.LNKTYPE
        t.linkname = value
    elif kind == "chr":
        t.type = tarfile.CHRTYPE
        t.devmajor, t.devminor = value
    else:
        raise ValueError(kind)
    # TarInfo.name is used as it is: a leading "/" or ".." stays.
    t.name = name
    return t, data


def tar_bytes(entries, dot=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        if dot:
            tf.addfile(*tarinfo(".", "dir", 0o755, None))
        for name, kind, mode, value in entries:
            tf.addfile(*tarinfo(("./" + name) if dot else name, kind, mode, value))
    return buf.getvalue()


def compress(data, comp):
    if comp in ("", "none"):
        return data
    if comp == "gz":
        return gzip.compress(data, mtime=0)
    if comp == "xz":
        return lzma.compress(data, format=lzma.FORMAT_XZ)
    if comp == "zst":
        return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    raise ValueError("unknown compression " + comp)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o644)


def dir_entries(root):
    # The tree under root as entries, owner normalized to 0:0.
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(dirs + files):
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            mode = st.st_mode & 0o7777
            if stat.S_ISLNK(st.st_mode):
                out.append((rel, "sym", 0o777, os.readlink(p)))
            elif stat.S_ISDIR(st.st_mode):
                out.append((rel, "dir", mode, None))
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    out.append((rel, "file", mode, f.read()))
            elif stat.S_ISCHR(st.st_mode):
                out.append((rel, "chr", mode, (os.major(st.st_rdev), os.minor(st.st_rdev))))
            else:
                raise SystemExit("images.sh: cannot archive " + p)
    return ordered(out)


def split_ref(ref):
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1:]
    return ref, "latest"


def layer1(bb):
    return ordered(base_entries(bb) + [
        ("data", "dir", 0o755, None),
        ("data/old1", "file", 0o644, b"old1\n"),
        ("data/old2", "file", 0o644, b"old2\n"),
        ("etc/doomed", "file", 0o644, b"delete me\n"),
        ("work", "dir", 0o755, None)])


def layer2():
    return ordered([
        ("data", "dir", 0o755, None),
        ("data/.wh..wh..opq", "file", 0o644, b""),
        ("data/new", "file", 0o644, b"new\n"),
        ("etc", "dir", 0o755, None),
        ("etc/.wh.doomed", "file", 0o644, b""),
        ("work", "dir", 0o755, None),
        ("work/added-by-layer2", "file", 0o644, b"layer2\n")])


def tamper(layer):
    # Same size, other bytes: still a valid tar, but not the digest.
    assert layer.count(b"new\n") == 1
    return layer.replace(b"new\n", b"NEW\n")


def config(env, cmd, workdir, diff_ids):
    return json.dumps({
        "architecture": arch(), "os": "linux", "created": CREATED,
        "config": {"Env": env, "Cmd": cmd, "WorkingDir": workdir},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diff_ids]},
        "history": [
            {"created": CREATED, "created_by": "/bin/sh -c #(nop) ADD file:busybox in / "},
            {"created": CREATED, "created_by": "/bin/sh -c rm /etc/doomed; rm -r /data/*"},
        ],
    }, separators=(",", ":")).encode()


def cmd_static(path):
    # Exit 0 when the ELF file has no PT_INTERP (no dynamic loader).
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF":
            sys.exit(1)
        end = "<" if h[5] == 1 else ">"
        if h[4] == 2:
            phoff, = struct.unpack(end + "Q", h[32:40])
            phentsize, phnum = struct.unpack(end + "HH", h[54:58])
        else:
            phoff, = struct.unpack(end + "I", h[28:32])
            phentsize, phnum = struct.unpack(end + "HH", h[42:46])
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            if struct.unpack(end + "I", f.read(4))[0] == 3:
                sys.exit(1)
    sys.exit(0)


def cmd_rootfs(root, bbpath):
    bb = busybox_bytes(bbpath)
    os.makedirs(root, exist_ok=True)
    os.chmod(root, 0o755)
    for name, kind, mode, value in base_entries(bb):
        p = os.path.join(root, name)
        if kind == "dir":
            os.mkdir(p)
            os.chmod(p, mode)
        elif kind == "file":
            with open(p, "wb") as f:
                f.write(value)
            os.chmod(p, mode)
        elif kind == "sym":
            os.symlink(value, p)
        os.lchown(p, 0, 0)


def cmd_tar(root, out, comp="", dot=""):
    write(out, compress(tar_bytes(dir_entries(root), dot == "dot"), comp))


def cmd_save(out, ref, bbpath, bad=""):
    bb = busybox_bytes(bbpath)
    l1, l2 = tar_bytes(layer1(bb)), tar_bytes(layer2())
    diff = [sha(l1), sha(l2)]
    if bad == "bad":
        l2 = tamper(l2)
    cfg = config([PATH_ENV, "GREETING=hello-from-config"],
                 ["/bin/sh", "-c", "echo cmd-ran; pwd; echo $GREETING"], "/work", diff)
    cfg_name = sha(cfg) + ".json"
    id1 = sha(("sha256:" + diff[0]).encode())
    id2 = sha(("sha256:%s sha256:%s" % (id1, diff[1])).encode())
    name, tag = split_ref(ref)
    entries = []
    for lid, parent, layer in ((id1, None, l1), (id2, id1, l2)):
        legacy = {"id": lid, "created": CREATED, "os": "linux",
                  "container_config": {"Cmd": None}}
        if parent:
            legacy["parent"] = parent
        entries += [(lid, "dir", 0o755, None),
                    (lid + "/VERSION", "file", 0o644, b"1.0"),
                    (lid + "/json", "file", 0o644, json.dumps(legacy).encode()),
                    (lid + "/layer.tar", "file", 0o644, layer)]
    if bad == "evilpath":
        # The config named by a path that leaves the archive.
        cfg_name = "../../../../../../../../etc/shadow"
    manifest = [{"Config": cfg_name, "RepoTags": [ref],
                 "Layers": [id1 + "/layer.tar", id2 + "/layer.tar"]}]
    if bad != "evilpath":
        entries.append((cfg_name, "file", 0o644, cfg))
    entries += [("manifest.json", "file", 0o644, json.dumps(manifest).encode()),
                ("repositories", "file", 0o644, json.dumps({name: {tag: id2}}).encode())]
    write(out, tar_bytes(sorted(entries, key=lambda e: e[0].split("/"))))


def cmd_oci(out, ref, bbpath, bad=""):
    bb = busybox_bytes(bbpath)
    l1, l2 = tar_bytes(layer1(bb)), tar_bytes(layer2())
    l1gz = gzip.compress(l1, mtime=0)
    cfg = config([PATH_ENV, "GREETING=hello-from-oci"],
                 ["/bin/sh", "-c", "echo oci-cmd; pwd; echo $GREETING"], "/data",
                 [sha(l1), sha(l2)])
    man = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + sha(cfg), "size": len(cfg)},
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
             "digest": "sha256:" + sha(l1gz), "size": len(l1gz)},
            {"mediaType": "application/vnd.oci.image.layer.v1.tar",
             "digest": "sha256:" + sha(l2), "size": len(l2)},
        ],
    }).encode()
    name, tag = split_ref(ref)
    ann = {"org.opencontainers.image.ref.name": ref}
    if "/" not in name:
        ann["io.containerd.image.name"] = "docker.io/library/%s:%s" % (name, tag)
    index = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + sha(man), "size": len(man),
                       "annotations": ann}],
    }).encode()
    blobs = {sha(b): b for b in (l1gz, l2, cfg, man)}
    if bad == "bad":
        blobs[sha(l2)] = tamper(l2)
    entries = [("blobs", "dir", 0o755, None), ("blobs/sha256", "dir", 0o755, None)]
    for h, b in blobs.items():
        if bad == "symlink-blob" and h == sha(cfg):
            # The config blob a symlink to a host file.
            entries.append(("blobs/sha256/" + h, "sym", 0o777, "/etc/shadow"))
        else:
            entries.append(("blobs/sha256/" + h, "file", 0o644, b))
    entries += [("index.json", "file", 0o644, index),
                ("oci-layout", "file", 0o644, b'{"imageLayoutVersion":"1.0.0"}')]
    write(out, tar_bytes(sorted(entries, key=lambda e: e[0].split("/"))))


# Hostile entries, each after a whole busybox root (so that a refusal comes
# after much was written, which must then go too).
def hostile(kind, victim):
    if kind == "dotdot":
        return [("../../etc/mde2e-x", "file", 0o644, b"escaped\n")]
    if kind == "dotdot-deep":
        return [("etc/../../../../../../../../../../etc/mde2e-x", "file", 0o644, b"escaped\n")]
    if kind == "abs":
        return [("/etc/mde2e-abs", "file", 0o644, b"escaped\n")]
    if kind == "symlink-write":
        return [("evil", "sym", 0o777, "/etc"),
                ("evil/mde2e-through", "file", 0o644, b"escaped\n")]
    if kind == "symlink-rel-write":
        return [("evil2", "sym", 0o777, "../../../../../../../../../../etc"),
                ("evil2/mde2e-through", "file", 0o644, b"escaped\n")]
    if kind == "hardlink-abs":
        return [("mde2e-shadow-link", "hard", 0o644, "/etc/shadow")]
    if kind == "hardlink-rel":
        return [("mde2e-shadow-link2", "hard", 0o644, "../../../../etc/shadow")]
    if kind == "symlink-overwrite":
        # A symlink to a host file, then a regular file of the same name:
        # replacing the link is fine, writing through it is not.
        return [("vsym", "sym", 0o777, victim),
                ("vsym", "file", 0o644, b"overwritten\n")]
    if kind == "hardlink-symlink-overwrite":
        # A hardlink to a symlink to a host file, then a regular file over
        # the hardlink.
        return [("vsym2", "sym", 0o777, victim),
                ("vhard2", "hard", 0o777, "vsym2"),
                ("vhard2", "file", 0o644, b"overwritten\n")]
    if kind == "device":
        return [("dev-null-copy", "chr", 0o666, (1, 3))]
    if kind == "setuid":
        return [("suid-file", "file", 0o4755, b"#!/bin/sh\necho suid\n"),
                ("sgid-file", "file", 0o2755, b"#!/bin/sh\necho sgid\n")]
    raise SystemExit("images.sh: unknown hostile kind " + kind)


def cmd_hostile(kind, out, bbpath, victim="/nonexistent"):
    bb = busybox_bytes(bbpath)
    write(out, tar_bytes(ordered(base_entries(bb)) + hostile(kind, victim)))


def cmd_config_id(archive):
    with tarfile.open(archive) as tf:
        names = tf.getnames()
        def read(n):
            return tf.extractfile(n).read()
        if "manifest.json" in names and "index.json" not in names:
            cfg = read(json.loads(read("manifest.json"))[0]["Config"])
            print(sha(cfg))
            return
        idx = json.loads(read("index.json"))
        man = json.loads(read("blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]))
        print(man["config"]["digest"].split(":")[1])


cmds = {"static": cmd_static, "rootfs": cmd_rootfs, "tar": cmd_tar, "save": cmd_save,
        "oci": cmd_oci, "hostile": cmd_hostile, "config_id": cmd_config_id}
cmds[sys.argv[1]](*sys.argv[2:])
PY
)

# img_need: skip (fail under CI) unless a static busybox is installed.
img_need() {
	need_cmd busybox
	IMG_BUSYBOX=$(command -v busybox)
	IMG_BUSYBOX=$(readlink -f "$IMG_BUSYBOX")
	"$PY" -c "$IMG_PY" static "$IMG_BUSYBOX" ||
		skip "$IMG_BUSYBOX is not statically linked (install busybox-static)"
}

_img_py() {
	[ -n "$IMG_BUSYBOX" ] || die "images.sh: call img_need first"
	"$PY" -c "$IMG_PY" "$@"
}

# img_rootfs DIR: a busybox root in DIR (new, or an empty directory):
# bin/busybox and the applet links (sh ls cat echo id touch mkdir env pwd
# sleep true false stat rm test grep head wc readlink tr sed awk),
# etc/passwd (root, app 1000, nobody 65534), etc/group, etc/image-marker
# ("from-image"), empty dev/ proc/ sys/ home/app/, root/ (0700), tmp/
# (1777); all owned 0:0.
img_rootfs() {
	_img_py rootfs "$1" "$IMG_BUSYBOX" || die "images.sh: cannot build a rootfs in $1"
}

# img_tar DIR OUT [gz|xz|zst] [dot]: DIR as a root-filesystem tar.
img_tar() {
	if [ "${3:-}" = zst ]; then
		need_cmd zstd
	fi
	_img_py tar "$1" "$2" "${3:-}" "${4:-}" || die "images.sh: cannot write $2"
}

# img_docker_save OUT NAME:TAG [bad|evilpath]
img_docker_save() {
	_img_py save "$1" "$2" "$IMG_BUSYBOX" "${3:-}" || die "images.sh: cannot write $1"
}

# img_oci OUT NAME:TAG [bad|symlink-blob]
img_oci() {
	_img_py oci "$1" "$2" "$IMG_BUSYBOX" "${3:-}" || die "images.sh: cannot write $1"
}

# img_hostile KIND OUT [VICTIM]: a busybox root-fs tar that ends with a
# hostile entry. KIND: dotdot (../../etc/mde2e-x), dotdot-deep
# (etc/../../../..../etc/mde2e-x), abs (/etc/mde2e-abs), symlink-write
# (evil -> /etc, then evil/mde2e-through), symlink-rel-write (evil2 ->
# ../../../../../../../../../../etc, then evil2/mde2e-through),
# hardlink-abs (mde2e-shadow-link => /etc/shadow), hardlink-rel
# (mde2e-shadow-link2 => ../../../../etc/shadow), symlink-overwrite (vsym
# -> VICTIM, then a file vsym), hardlink-symlink-overwrite (vsym2 -> VICTIM,
# vhard2 => vsym2, then a file vhard2), device (char device 1/3
# dev-null-copy), setuid (suid-file 04755, sgid-file 02755).
img_hostile() {
	_img_py hostile "$1" "$2" "$IMG_BUSYBOX" "${3:-/nonexistent}" ||
		die "images.sh: cannot write $2"
}

# img_config_id ARCHIVE: the 64-hex digest of the image config in a
# docker-save or OCI archive (Docker's image ID).
img_config_id() {
	_img_py config_id "$1"
}

# ---- helpers for the tests -------------------------------------------------

# capture_from FILE CMD...: capture with FILE on stdin.
capture_from() {
	local in=$1 o=$MD_TMP/.out.$$ e=$MD_TMP/.err.$$
	shift
	timeout -k 5 "${CAPTURE_TIMEOUT:-60}" "$@" <"$in" >"$o" 2>"$e"
	RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
	rm -f "$o" "$e"
	[ "$RC" -ne 124 ] || fail "timed out: $*"
}

# img_refs [WHO]: NAME:TAG of each row of `WHO images` (default md), sorted;
# a line "(images failed: STATUS)" when the command fails.
img_refs() {
	local out rc
	out=$("${1:-md}" images)
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "(images failed: $rc)"
		return
	fi
	awk 'NR > 1 { print $1 ":" $2 }' <<<"$out" | sort
}

# img_id NAME TAG [WHO]: the IMAGE ID column of that row, empty when none.
img_id() {
	"${3:-md}" images | awk -v n="$1" -v t="$2" 'NR > 1 && $1 == n && $2 == t { print $3; exit }'
}

# assert_one_error WHAT [SUBSTRING...]: ERR is one line starting
# `minidocker: ` that holds each SUBSTRING.
assert_one_error() {
	local what=$1 s
	shift
	assert_match '^minidocker: ' "$ERR" "$what: stderr starts with 'minidocker: '"
	assert_lines 1 "$ERR" "$what: stderr"
	for s in "$@"; do
		assert_contains "$s" "$ERR" "$what: stderr"
	done
}

# busybox_inodes: how many distinct files named busybox the daemon's --root
# holds (a layer stored once holds one, however many images use it).
busybox_inodes() {
	find "$MD_TMP/root" -type f -name busybox -printf '%D:%i\n' 2>/dev/null | sort -u | wc -l
}

# store_snapshot: every path under the daemon's --root, sorted (to see that a
# refused request left nothing behind).
store_snapshot() {
	find "$MD_TMP/root" -mindepth 1 2>/dev/null | sort
}

# col_starts LINE: where each column of a table line starts (a column is
# set off by two spaces or more; "IMAGE ID" and "2 hours ago" are one).
col_starts() {
	"$PY" -c '
import re, sys
print(" ".join(str(m.start()) for m in re.finditer(r"(?:^|(?<=  ))\S", sys.argv[1])))' "$1"
}

# no_containers [WHO]: true when `WHO ps -a` lists nothing (after --rm runs).
no_containers() {
	[ -z "$("${1:-md}" ps -aq)" ]
}

# settle SECS EXPECTED CMD...: run CMD every 0.2 s until it prints EXPECTED
# or SECS pass, and print what it printed last. The store may remove
# things in the background (a layer no image uses, a refused archive's
# scratch), so a test waits for the state it expects before asserting it.
settle() {
	local end=$((SECONDS + $1)) want=$2 got
	shift 2
	while :; do
		got=$("$@")
		[ "$got" == "$want" ] && break
		[ $SECONDS -lt $end ] || break
		sleep 0.2
	done
	printf '%s' "$got"
}

# store_quiet: store_snapshot once two of them 0.3 s apart agree (at most
# 10 s), so that a "before" is not taken while the store still changes.
store_quiet() {
	local a b end=$((SECONDS + 10))
	b=$(store_snapshot)
	while :; do
		a=$b
		sleep 0.3
		b=$(store_snapshot)
		[ "$a" == "$b" ] && break
		[ $SECONDS -lt $end ] || break
	done
	printf '%s' "$b"
}
