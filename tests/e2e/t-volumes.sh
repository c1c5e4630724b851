#!/bin/bash
# t-volumes: -v HOSTPATH:CTRPATH[:ro] with an imported busybox image and
# with the default image `host`. A host directory's file shows inside and
# the container's writes land in it; a file volume shows at its path, even
# over one of the image's files (which the next container still sees as
# the image had it); with --read-only the volume stays writable. With :ro
# writes fail with "Read-only file system", in a subdirectory and in a
# mount nested in the source on the host too, and the mount is ro. Every
# volume is nosuid and nodev (its mountinfo options; a device node on it
# cannot be opened). A source that does not exist, a relative container
# path and the container's / as target are refused with 125 and one
# `minidocker: ` line, creating no container. A target that goes through a
# symlink of the image (mnt-up -> ../../.., mnt-root -> /) or holds ".."
# is resolved inside the container's root: the volume shows at the
# resolved path inside, the host's /mde2e-victim* are never created, the
# host's / keeps its entries and gets no new mount. A user who is not root
# cannot mount /root, another user's 0700 directory, a directory below it,
# or a symlink of its own to either (125, "Permission denied"), can mount
# its own directory (sees its files; what it writes is its own on the host)
# and a world-readable directory of root's, which it can read but not
# write.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
. "$E2E_DIR/images.sh"
img_need
need_cmd mount umount mountpoint mknod
md_setup

# Host paths a volume through the image's symlinks would make if it were
# resolved on the host: ours by name. NESTED is a tmpfs we mount on the host.
VICTIMS=(/mde2e-victim /mde2e-victim2 /mde2e-victim3)
NESTED=
cleanup_host() {
	local v
	if [ -n "$NESTED" ] && mountpoint -q "$NESTED"; then
		umount "$NESTED"
	fi
	for v in "${VICTIMS[@]}"; do
		while mountpoint -q "$v" 2>/dev/null; do
			umount -l "$v" || break
		done
		[ -d "$v" ] && rmdir "$v" 2>/dev/null
		rm -f "$v" 2>/dev/null
	done
}
cleanup_host
# shellcheck disable=SC2154 # rc is set by the trap itself
trap 'rc=$?; cleanup_host; (exit $rc); md_teardown' EXIT

# The host's mounts on / and on /mde2e-* (a volume resolved on the host
# would add one), and the entries of its /.
host_mounts() {
	awk '$5 == "/" || index($5, "/mde2e-") == 1 { print $5, $6 }' /proc/self/mountinfo | sort
}
HOST_MOUNTS=$(host_mounts)
HOST_ROOT=$(ls -A /)

# mount_opts MOUNTINFO POINT: the per-mount options of POINT in a mountinfo
# text (the last mount there).
mount_opts() {
	awk -v p="$2" '$5 == p { o = $6 } END { print o }' <<<"$1"
}

step "images and directories"
ROOTFS=$MD_TMP/rootfs
img_rootfs "$ROOTFS"
ln -s / "$ROOTFS/mnt-root"
ln -s ../../.. "$ROOTFS/mnt-up"
img_tar "$ROOTFS" "$MD_TMP/vol.tar"
capture md import "$MD_TMP/vol.tar" volbox:1
assert_eq 0 "$RC" "import vol.tar volbox:1 (stderr: $ERR)"
capture md_user import "$MD_TMP/vol.tar" uvolbox:1
assert_eq 0 "$RC" "user: import vol.tar uvolbox:1 (stderr: $ERR)"
VOL=$MD_TMP/vol
mkdir -p "$VOL/sub" "$VOL/nested"
echo host-file >"$VOL/f"
echo sub-file >"$VOL/sub/f"
chmod -R a+rX "$VOL"

step "a host directory"
capture md run --rm -v "$VOL:/mnt" volbox:1 /bin/sh -c 'cat /mnt/f /mnt/sub/f && echo from-ctr >/mnt/w'
assert_eq 0 "$RC" "run -v VOL:/mnt volbox:1: exit status (stderr: $ERR)"
assert_eq "host-file"$'\n'"sub-file" "$OUT" "run -v VOL:/mnt volbox:1: the host's files inside"
assert_eq "from-ctr" "$(cat "$VOL/w" 2>&1)" "the container's write in the volume, on the host"
assert_eq "0:0" "$(stat -c %u:%g "$VOL/w" 2>&1)" "owner on the host of what root's container wrote"
capture md run --rm -v "$VOL:/mnt" /bin/cat /mnt/f
assert_eq 0 "$RC" "run -v VOL:/mnt (host image): exit status (stderr: $ERR)"
assert_eq "host-file" "$OUT" "run -v VOL:/mnt /bin/cat /mnt/f (host image)"
capture md run --rm -v "$VOL:/mnt" /bin/sh -c 'echo from-host-image >/mnt/w-host'
assert_eq 0 "$RC" "run -v VOL:/mnt (host image) write: exit status (stderr: $ERR)"
assert_eq "from-host-image" "$(cat "$VOL/w-host" 2>&1)" "the host image container's write, on the host"

step "a file volume"
echo file-volume >"$MD_TMP/vfile"
chmod 644 "$MD_TMP/vfile"
capture md run --rm -v "$MD_TMP/vfile:/etc/some-file" volbox:1 /bin/cat /etc/some-file
assert_eq 0 "$RC" "run -v vfile:/etc/some-file: exit status (stderr: $ERR)"
assert_eq "file-volume" "$OUT" "run -v vfile:/etc/some-file: the file inside"
capture md run --rm -v "$MD_TMP/vfile:/etc/image-marker" volbox:1 /bin/cat /etc/image-marker
assert_eq 0 "$RC" "run -v vfile:/etc/image-marker: exit status (stderr: $ERR)"
assert_eq "file-volume" "$OUT" "run -v vfile:/etc/image-marker: the volume over the image's file"
capture md run --rm volbox:1 /bin/sh -c 'cat /etc/image-marker; test -e /etc/some-file && echo some-file-left; true'
assert_eq "from-image" "$OUT" "the next container of volbox:1 sees the image's own files (stderr: $ERR)"

step "--read-only leaves volumes writable"
capture md run --rm --read-only -v "$VOL:/mnt" volbox:1 /bin/sh -c 'echo ro-root >/mnt/w2 && cat /mnt/w2; touch /x'
assert_ne 0 "$RC" "run --read-only -v VOL:/mnt: touch /x fails"
assert_eq "ro-root" "$OUT" "run --read-only -v VOL:/mnt: writing the volume"
assert_contains "Read-only file system" "$ERR" "run --read-only -v VOL:/mnt: touch /x"
assert_eq "ro-root" "$(cat "$VOL/w2" 2>&1)" "the write in the volume of a --read-only container, on the host"

step ":ro volumes"
mount -t tmpfs -o size=1m mde2e-nested "$VOL/nested" || die "cannot mount a tmpfs on $VOL/nested"
NESTED=$VOL/nested
echo nested-file >"$NESTED/f"
chmod 755 "$NESTED"
chmod 644 "$NESTED/f"
for t in /mnt/x /mnt/sub/x /mnt/nested/x; do
	capture md run --rm -v "$VOL:/mnt:ro" volbox:1 /bin/touch "$t"
	assert_ne 0 "$RC" "run -v VOL:/mnt:ro touch $t: exit status"
	assert_contains "Read-only file system" "$ERR" "run -v VOL:/mnt:ro touch $t"
done
for f in x sub/x nested/x; do
	[ ! -e "$VOL/$f" ] || fail "a :ro volume's $f was written on the host"
done
capture md run --rm -v "$VOL:/mnt:ro" volbox:1 /bin/sh -c 'cat /mnt/f; cat /proc/self/mountinfo'
assert_eq 0 "$RC" "run -v VOL:/mnt:ro cat: exit status (stderr: $ERR)"
assert_eq "host-file" "$(head -n 1 <<<"$OUT")" "a :ro volume is readable"
assert_match '(^|,)ro(,|$)' "$(mount_opts "$OUT" /mnt)" "the mount options of a :ro volume"
capture md run --rm -v "$VOL:/mnt:ro" /bin/sh -c 'touch /mnt/x'
assert_ne 0 "$RC" "run -v VOL:/mnt:ro touch /mnt/x (host image): exit status"
assert_contains "Read-only file system" "$ERR" "run -v VOL:/mnt:ro touch /mnt/x (host image)"
umount "$NESTED" || fail "cannot unmount $NESTED"
NESTED=

step "volumes are nosuid and nodev"
mknod -m 666 "$VOL/nullcopy" c 1 3
capture md run --rm -v "$VOL:/mnt" -v "$MD_TMP/vfile:/etc/some-file" volbox:1 /bin/sh -c \
	'cat /proc/self/mountinfo; echo x >/mnt/nullcopy && echo device-opened; true'
assert_eq 0 "$RC" "run -v VOL:/mnt cat mountinfo: exit status (stderr: $ERR)"
for p in /mnt /etc/some-file; do
	opts=$(mount_opts "$OUT" "$p")
	assert_match '(^|,)nosuid(,|$)' "$opts" "the mount options of the volume at $p"
	assert_match '(^|,)nodev(,|$)' "$opts" "the mount options of the volume at $p"
done
assert_not_contains "device-opened" "$OUT" "a device node on a volume was opened"
assert_contains "Permission denied" "$ERR" "opening a device node on a volume"
rm -f "$VOL/nullcopy"

step "sources that do not exist, bad targets"
before=$(md ps -aq | wc -l)
capture md run --rm -v /nonexistent-mde2e:/mnt volbox:1 /bin/true
assert_eq 125 "$RC" "run -v /nonexistent-mde2e:/mnt: exit status"
assert_one_error "run -v /nonexistent-mde2e:/mnt" "/nonexistent-mde2e"
capture md run --rm -v /nonexistent-mde2e:/mnt /bin/true
assert_eq 125 "$RC" "run -v /nonexistent-mde2e:/mnt (host image): exit status"
assert_one_error "run -v /nonexistent-mde2e:/mnt (host image)" "/nonexistent-mde2e"
[ ! -e /nonexistent-mde2e ] || fail "run -v /nonexistent-mde2e:/mnt created it on the host"
capture md run --rm -v "$VOL:mnt" volbox:1 /bin/true
assert_eq 125 "$RC" "run -v VOL:mnt (a relative container path): exit status"
assert_match '^minidocker: ' "$ERR" "run -v VOL:mnt: stderr"
assert_not_contains "unknown" "$ERR" "run -v VOL:mnt: stderr"
capture md run --rm -v "$VOL:/" volbox:1 /bin/true
assert_eq 125 "$RC" "run -v VOL:/ : exit status"
assert_match '^minidocker: ' "$ERR" "run -v VOL:/ : stderr"
assert_not_contains "unknown" "$ERR" "run -v VOL:/ : stderr"
assert_eq "$before" "$(md ps -aq | wc -l)" "refused volumes created no container"

step "targets through the image's symlinks stay inside the root"
capture md run --rm -v "$VOL:/mnt-up/mde2e-victim" volbox:1 /bin/cat /mde2e-victim/f
assert_eq 0 "$RC" "run -v VOL:/mnt-up/mde2e-victim (mnt-up -> ../../..): exit status (stderr: $ERR)"
assert_eq "host-file" "$OUT" "the volume at /mnt-up/mde2e-victim shows at /mde2e-victim inside"
capture md run --rm -v "$VOL:/mnt-root/mde2e-victim2" volbox:1 /bin/cat /mde2e-victim2/f
assert_eq 0 "$RC" "run -v VOL:/mnt-root/mde2e-victim2 (mnt-root -> /): exit status (stderr: $ERR)"
assert_eq "host-file" "$OUT" "the volume at /mnt-root/mde2e-victim2 shows at /mde2e-victim2 inside"
capture md run --rm -v "$VOL:/../../mde2e-victim3" volbox:1 /bin/cat /mde2e-victim3/f
if [ "$RC" -eq 0 ]; then
	assert_eq "host-file" "$OUT" "the volume at /../../mde2e-victim3 shows at /mde2e-victim3 inside"
else
	assert_eq 125 "$RC" "run -v VOL:/../../mde2e-victim3: exit status when refused"
	assert_one_error "run -v VOL:/../../mde2e-victim3"
fi
# A volume onto mnt-root itself (the container's /): the volume may become
# the root (it holds a busybox of its own to show it) or be refused.
VROOT=$MD_TMP/vroot
mkdir -p "$VROOT/bin"
cp "$IMG_BUSYBOX" "$VROOT/bin/busybox"
ln -s busybox "$VROOT/bin/cat"
echo vroot-file >"$VROOT/f"
chmod -R a+rX "$VROOT"
capture md run --rm -v "$VROOT:/mnt-root" volbox:1 /bin/cat /f
if [ "$RC" -eq 0 ]; then
	assert_eq "vroot-file" "$OUT" "run -v VROOT:/mnt-root: the volume is the container's /"
else
	assert_eq 125 "$RC" "run -v VROOT:/mnt-root: exit status when refused (stderr: $ERR)"
	assert_one_error "run -v VROOT:/mnt-root"
fi
for v in "${VICTIMS[@]}"; do
	[ ! -e "$v" ] || fail "$v was created on the host"
done
assert_eq "$HOST_ROOT" "$(ls -A /)" "the entries of the host's /"
assert_eq "$HOST_MOUNTS" "$(host_mounts)" "the host's mounts on / and /mde2e-*"
assert_eq "host-file" "$(cat "$VOL/f")" "the volume's file on the host"

step "a user who is not root: what it cannot mount"
OTHER=$MD_TMP/other
mkdir -p "$OTHER/sub"
echo other-secret >"$OTHER/f"
echo other-secret >"$OTHER/sub/f"
chmod 777 "$OTHER/sub"
chown -R 4343:4343 "$OTHER"
chmod 700 "$OTHER"
UDIR=$MD_TMP/udir
mkdir -p "$UDIR"
echo user-file >"$UDIR/f"
ln -s /root "$UDIR/to-root"
ln -s "$OTHER" "$UDIR/to-other"
chown -hR "$MD_UID:$MD_UID" "$UDIR"
before=$(md ps -aq | wc -l)
denied=("$OTHER" "$OTHER/sub" "$UDIR/to-other")
if "${AS_USER[@]}" test -x /root -a -r /root; then
	step "(the user can read /root on this host: /root is not checked)"
else
	denied+=(/root "$UDIR/to-root")
fi
for src in "${denied[@]}"; do
	capture md_user run --rm -v "$src:/mnt" uvolbox:1 /bin/sh -c 'cat /mnt/f; ls -A /mnt'
	assert_eq 125 "$RC" "user: run -v $src:/mnt: exit status"
	assert_one_error "user: run -v $src:/mnt" "Permission denied"
	assert_not_contains "other-secret" "$OUT" "user: run -v $src:/mnt: stdout"
done
assert_eq "$before" "$(md ps -aq | wc -l)" "the user's refused volumes created no container"

step "a user who is not root: its own directory, and root's readable one"
capture md_user run --rm -v "$UDIR:/mnt" uvolbox:1 /bin/sh -c 'cat /mnt/f && echo user-wrote >/mnt/w && stat -c %u /mnt/f'
assert_eq 0 "$RC" "user: run -v UDIR:/mnt: exit status (stderr: $ERR)"
assert_eq "user-file"$'\n'"0" "$OUT" "user: its own directory inside (its files owned by its root)"
assert_eq "user-wrote" "$(cat "$UDIR/w" 2>&1)" "user: its write in its volume, on the host"
assert_eq "$MD_UID:$MD_UID" "$(stat -c %u:%g "$UDIR/w" 2>&1)" "user: host owner of what it wrote in its volume"
RDIR=$MD_TMP/rootreadable
mkdir -p "$RDIR"
echo root-readable >"$RDIR/f"
chmod 755 "$RDIR"
chmod 644 "$RDIR/f"
capture md_user run --rm -v "$RDIR:/mnt" uvolbox:1 /bin/sh -c 'cat /mnt/f; echo changed >/mnt/f || echo write-refused; touch /mnt/new || echo create-refused'
assert_eq 0 "$RC" "user: run -v RDIR:/mnt (root's, world-readable): exit status (stderr: $ERR)"
assert_eq "root-readable"$'\n'"write-refused"$'\n'"create-refused" "$OUT" \
	"user: root's world-readable directory: readable, not writable"
assert_eq "root-readable" "$(cat "$RDIR/f")" "root's file after the user's container"
[ ! -e "$RDIR/new" ] || fail "the user's container created a file in root's directory"

assert_eq "$HOST_MOUNTS" "$(host_mounts)" "the host's mounts on / and /mde2e-* at the end"

md_done
