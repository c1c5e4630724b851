#!/bin/bash
# t-images: images made with `import` from root-filesystem tars (built here
# from the host's static busybox, nothing downloaded), listed, run, kept
# apart per container and per user, and removed. `images` on a fresh daemon
# prints only the header REPOSITORY TAG IMAGE ID CREATED SIZE; `import` of a
# plain, a gzip ("./" names), an xz and (with the zstd command) a zstd tar,
# and of a tar on stdin (`-`), prints sha256:ID and the image is listed
# (busybox / latest / the first 12 hex of that ID, its columns under the
# header's) and runs: `run busybox`, `run busybox:latest` and `run
# debian:12` show the image's files, `run debian` (debian:latest) and a name
# never imported fail with 125 and "no such image", an invalid name is
# refused. A minimal image (bin/busybox only) runs too. Copy-on-write: what
# container A writes, changes or deletes is seen by A only, never by another
# container of the image nor by a new one; after `rm` A's directory and its
# files are gone from --root and the image's own files still hold what the
# tar had. `rmi` is refused (1, "in use") while a running or stopped
# container uses the image, and after `rm` prints `Untagged: busybox:latest`
# and `Deleted: sha256:ID`; then the image is neither listed nor runnable
# and a second `rmi` says "no such image". --read-only makes /, /etc and
# /tmp of an image's container unwritable ("Read-only file system"), and the
# default image's /tmp /etc /root /var /run too, while --tmpfs /tmp is
# writable. A user who is not root imports and runs an image of its own
# whose files are owned by root inside (4242 on the host), does not see or
# run root's images (`images`, `run`, `rmi` answer as for a missing one),
# while root's `images` lists the user's.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
. "$E2E_DIR/images.sh"
img_need
need_cmd touch
md_setup

# Docker's layout: columns set off by at least two spaces (it pads with 3).
HEADER_RE='^REPOSITORY {2,}TAG {2,}IMAGE ID {2,}CREATED {2,}SIZE$'

# check_row NAME TAG [WHO]: `WHO images` has one row for NAME TAG, well
# formed and under the header's columns; sets ROW_ID to its IMAGE ID.
check_row() {
	local who=${3:-md} out hdr row
	out=$("$who" images)
	hdr=$(head -n 1 <<<"$out")
	row=$(awk -v n="$1" -v t="$2" 'NR > 1 && $1 == n && $2 == t' <<<"$out")
	ROW_ID=
	assert_lines 1 "$row" "$who images: rows for $1 $2"
	assert_match "^$1 {2,}$2 {2,}[0-9a-f]{12} {2,}[^ ].* {2,}[0-9]+(\.[0-9]+)? ?(B|kB|MB|GB)\$" "$row" \
		"$who images: the row of $1:$2"
	assert_match '^0 [0-9]+ [0-9]+ [0-9]+ [0-9]+$' "$(col_starts "$hdr")" "$who images: the header's five columns"
	assert_eq "$(col_starts "$hdr")" "$(col_starts "$(head -n 1 <<<"$row")")" \
		"$who images: the columns of the $1:$2 row start under the header's ('$hdr' / '$row')"
	ROW_ID=$(awk '{ print $3 }' <<<"$row" | head -n 1)
}

step "images on a fresh daemon"
capture md images
assert_eq 0 "$RC" "images: exit status (stderr: $ERR)"
assert_match "$HEADER_RE" "$OUT" "images on a fresh daemon: only the header"
assert_eq "" "$ERR" "images: stderr"

step "build the test images"
ROOTFS=$MD_TMP/rootfs
img_rootfs "$ROOTFS"
img_tar "$ROOTFS" "$MD_TMP/bb.tar"
img_tar "$ROOTFS" "$MD_TMP/bb.tar.gz" gz dot
img_tar "$ROOTFS" "$MD_TMP/bb.tar.xz" xz
if command -v zstd >/dev/null; then
	img_tar "$ROOTFS" "$MD_TMP/bb.tar.zst" zst
fi
DEB=$MD_TMP/debroot
img_rootfs "$DEB"
echo 12 >"$DEB/etc/debian_version"
img_tar "$DEB" "$MD_TMP/deb.tar"
MIN=$MD_TMP/minroot
mkdir -p "$MIN/bin"
cp "$IMG_BUSYBOX" "$MIN/bin/busybox"
chmod 755 "$MIN/bin/busybox"
img_tar "$MIN" "$MD_TMP/min.tar"

step "import a plain tar"
capture md import "$MD_TMP/bb.tar" busybox
assert_eq 0 "$RC" "import bb.tar busybox: exit status (stderr: $ERR)"
assert_match '^sha256:[0-9a-f]{64}$' "$OUT" "import prints the image ID"
assert_eq "" "$ERR" "import: stderr"
BB_FULL_ID=${OUT#sha256:}

step "images lists it"
capture md images
assert_eq 0 "$RC" "images: exit status (stderr: $ERR)"
assert_match "$HEADER_RE" "$(head -n 1 <<<"$OUT")" "images: the header"
assert_lines 2 "$OUT" "images after one import"
check_row busybox latest
assert_eq "${BB_FULL_ID:0:12}" "$ROW_ID" "images: busybox's IMAGE ID is the start of what import printed"
assert_match "(^|"$'\n'")Images: +1("$'\n'"|\$)" "$(md info)" "info counts one image"

step "run the imported image"
capture md run --rm busybox /bin/cat /etc/image-marker
assert_eq 0 "$RC" "run busybox cat: exit status (stderr: $ERR)"
assert_eq "from-image" "$OUT" "run busybox /bin/cat /etc/image-marker"
capture md run --rm busybox:latest /bin/sh -c 'cat /etc/image-marker; id -u; grep -c "^app:" /etc/passwd; test -e /bin/busybox && echo own-busybox'
assert_eq 0 "$RC" "run busybox:latest: exit status (stderr: $ERR)"
assert_eq "from-image"$'\n'"0"$'\n'"1"$'\n'"own-busybox" "$OUT" "run busybox:latest: the image's files, as root"
# The image is not the host: no host /usr inside.
capture md run --rm busybox /bin/sh -c 'test -e /usr/bin/python3 && echo host-usr; test -e /etc/debian_version && echo host-etc; true'
assert_eq "" "$OUT" "run busybox: nothing of the host's /usr or /etc"

step "import compressed tars and from stdin"
imports=("bb.tar.gz gzbox:1" "bb.tar.xz xzbox:1")
[ -e "$MD_TMP/bb.tar.zst" ] && imports+=("bb.tar.zst zstbox:1")
for pair in "${imports[@]}"; do
	file=${pair% *}
	ref=${pair#* }
	capture md import "$MD_TMP/$file" "$ref"
	assert_eq 0 "$RC" "import $file $ref: exit status (stderr: $ERR)"
	assert_match '^sha256:[0-9a-f]{64}$' "$OUT" "import $file: prints the image ID"
	capture md run --rm "$ref" /bin/cat /etc/image-marker
	assert_eq 0 "$RC" "run $ref: exit status (stderr: $ERR)"
	assert_eq "from-image" "$OUT" "run $ref /bin/cat /etc/image-marker"
done
command -v zstd >/dev/null || step "(zstd is not installed: no zstd import)"
capture_from "$MD_TMP/bb.tar.gz" md import - stdinbox:1
assert_eq 0 "$RC" "import - stdinbox:1 <bb.tar.gz: exit status (stderr: $ERR)"
assert_match '^sha256:[0-9a-f]{64}$' "$OUT" "import -: prints the image ID"
capture md run --rm stdinbox:1 /bin/cat /etc/image-marker
assert_eq "from-image" "$OUT" "run stdinbox:1 /bin/cat /etc/image-marker (stderr: $ERR)"
wait_until 10 no_containers || fail "the --rm containers were not removed"
for ref in gzbox:1 xzbox:1 zstbox:1 stdinbox:1; do
	if grep -qx "$ref" <<<"$(img_refs md)"; then
		md rmi "$ref" >/dev/null || fail "rmi $ref"
	fi
done

step "NAME:TAG references"
capture md import "$MD_TMP/deb.tar" debian:12
assert_eq 0 "$RC" "import deb.tar debian:12: exit status (stderr: $ERR)"
check_row debian 12
capture md run --rm debian:12 /bin/cat /etc/debian_version
assert_eq 0 "$RC" "run debian:12: exit status (stderr: $ERR)"
assert_eq "12" "$OUT" "run debian:12 /bin/cat /etc/debian_version"
before=$(md ps -aq | wc -l)
capture md run --rm debian /bin/true
assert_eq 125 "$RC" "run debian (debian:latest was never imported): exit status"
assert_one_error "run debian" "no such image"
capture md run --rm nosuchimage:7 /bin/true
assert_eq 125 "$RC" "run nosuchimage:7: exit status"
assert_one_error "run nosuchimage:7" "no such image" "nosuchimage"
assert_eq "$before" "$(md ps -aq | wc -l)" "a run of a missing image creates no container"
refs=$(img_refs md)
capture md import "$MD_TMP/bb.tar" 'Bad/UPPER:1'
assert_ne 0 "$RC" "import with an invalid name fails"
# A usage error may add the line "Run 'minidocker import --help' for usage."
assert_match '^minidocker: ' "$ERR" "import with an invalid name: stderr"
assert_between 1 2 "$(wc -l <<<"$ERR")" "import with an invalid name: lines on stderr"
assert_eq "$refs" "$(img_refs md)" "images after an import with an invalid name"

step "a minimal image (bin/busybox only) runs"
capture md import "$MD_TMP/min.tar" minimal:1
assert_eq 0 "$RC" "import min.tar minimal:1: exit status (stderr: $ERR)"
capture md run --rm minimal:1 /bin/busybox echo minimal-ran
assert_eq 0 "$RC" "run minimal:1: exit status (stderr: $ERR)"
assert_eq "minimal-ran" "$OUT" "run minimal:1 /bin/busybox echo"
wait_until 10 no_containers || fail "the --rm containers were not removed"
md rmi minimal:1 >/dev/null || fail "rmi minimal:1"

step "copy-on-write: a container's writes are its own"
capture md run -d --name cow-a busybox /bin/sh -c \
	'echo changed >/etc/image-marker && echo mine >/a-new && rm /bin/wc && echo ready && exec sleep 300'
assert_eq 0 "$RC" "run -d cow-a: exit status (stderr: $ERR)"
A_ID=$OUT
assert_match '^[0-9a-f]{32}$' "$A_ID" "run -d cow-a prints an ID"
a_ready() {
	md logs cow-a | grep -qx ready
}
wait_until 10 a_ready || fail "cow-a never became ready: $(md logs cow-a 2>&1)"
capture md exec cow-a /bin/sh -c 'cat /etc/image-marker /a-new; test -e /bin/wc || echo wc-gone'
assert_eq "changed"$'\n'"mine"$'\n'"wc-gone" "$OUT" "cow-a sees its own changes (stderr: $ERR)"
capture md run --rm busybox /bin/sh -c 'cat /etc/image-marker; test -e /a-new && echo a-new-seen; test -e /bin/wc && echo wc-present'
assert_eq 0 "$RC" "another container of busybox: exit status (stderr: $ERR)"
assert_eq "from-image"$'\n'"wc-present" "$OUT" "another container of busybox while cow-a runs"

step "rmi is refused while a container uses the image"
capture md rmi busybox
assert_eq 1 "$RC" "rmi busybox while cow-a runs: exit status"
assert_one_error "rmi busybox while cow-a runs" "in use"
assert_eq "" "$OUT" "rmi busybox while cow-a runs: stdout"
capture md stop -t 0 cow-a
assert_eq 0 "$RC" "stop cow-a (stderr: $ERR)"
capture md rmi busybox:latest
assert_eq 1 "$RC" "rmi busybox:latest while cow-a is stopped: exit status"
assert_one_error "rmi busybox:latest while cow-a is stopped" "in use"
check_row busybox latest
capture md run --rm busybox /bin/cat /etc/image-marker
assert_eq "from-image" "$OUT" "a new container of busybox after cow-a changed its copy (stderr: $ERR)"

step "cow-a's files live in its own directory, and go with it"
a_dirs=$(find "$MD_TMP/root" -name "$A_ID" 2>/dev/null)
[ -n "$a_dirs" ] || fail "no directory named $A_ID under --root while cow-a exists"
a_new=$(find "$MD_TMP/root" -name a-new 2>/dev/null)
[ -n "$a_new" ] || fail "cow-a's /a-new is nowhere under --root"
while read -r f; do
	[ -z "$f" ] || assert_contains "$A_ID" "$f" "where cow-a's /a-new is kept"
done <<<"$a_new"
capture md rm cow-a
assert_eq 0 "$RC" "rm cow-a (stderr: $ERR)"
find_named() {
	find "$MD_TMP/root" -name "$1" 2>/dev/null
}
assert_eq "" "$(settle 10 "" find_named "$A_ID")" "directories named after cow-a's ID after rm"
assert_eq "" "$(settle 10 "" find_named a-new)" "cow-a's /a-new after rm"
markers=$(find "$MD_TMP/root" -name image-marker -type f 2>/dev/null)
[ -n "$markers" ] || fail "no image-marker file under --root: where are the layers?"
while read -r f; do
	[ -z "$f" ] || assert_eq "from-image" "$(cat "$f")" "the image's $f after cow-a changed its copy"
done <<<"$markers"

step "--read-only"
for p in /ro-probe /etc/ro-probe /tmp/ro-probe; do
	capture md run --rm --read-only busybox /bin/touch "$p"
	assert_ne 0 "$RC" "run --read-only busybox touch $p: exit status"
	assert_contains "Read-only file system" "$ERR" "run --read-only busybox touch $p"
done
capture md run --rm --read-only busybox /bin/sh -c 'echo x >/etc/image-marker'
assert_ne 0 "$RC" "run --read-only busybox: overwriting /etc/image-marker fails"
assert_contains "Read-only file system" "$ERR" "run --read-only busybox: overwriting /etc/image-marker"
capture md run --rm --read-only --tmpfs /tmp busybox /bin/sh -c \
	'touch /tmp/x && echo tmp-ok; touch /etc/x 2>/dev/null || echo etc-ro; grep " /tmp " /proc/self/mountinfo'
assert_eq 0 "$RC" "run --read-only --tmpfs /tmp busybox: exit status (stderr: $ERR)"
assert_eq "tmp-ok"$'\n'"etc-ro" "$(head -n 2 <<<"$OUT")" "run --read-only --tmpfs /tmp busybox: /tmp writable, /etc not"
assert_contains " - tmpfs " "$(sed -n 3p <<<"$OUT")" "run --read-only --tmpfs /tmp busybox: /tmp is a tmpfs"
capture md run --rm --read-only /bin/sh -c 'touch /tmp/x'
assert_ne 0 "$RC" "run --read-only (host image) touch /tmp/x: exit status"
assert_contains "Read-only file system" "$ERR" "run --read-only (host image) touch /tmp/x"
capture md run --rm --read-only /bin/sh -c \
	'for d in /tmp /etc /root /var /run /; do touch "$d/ro-probe" 2>/dev/null && echo "wrote $d"; done; true'
assert_eq 0 "$RC" "run --read-only (host image) probe: exit status (stderr: $ERR)"
assert_eq "" "$OUT" "run --read-only (host image): directories written"
capture md run --rm --read-only --tmpfs /tmp /bin/sh -c 'touch /tmp/x && echo ok'
assert_eq 0 "$RC" "run --read-only --tmpfs /tmp (host image): exit status (stderr: $ERR)"
assert_eq "ok" "$OUT" "run --read-only --tmpfs /tmp (host image): touch /tmp/x"
capture md run --rm busybox /bin/sh -c 'touch /tmp/x /x && echo rw-ok'
assert_eq "rw-ok" "$OUT" "without --read-only, / and /tmp of busybox are writable (stderr: $ERR)"

step "a user who is not root has images of its own"
capture md_user import "$MD_TMP/bb.tar" userbox:1
assert_eq 0 "$RC" "user: import bb.tar userbox:1: exit status (stderr: $ERR)"
assert_match '^sha256:[0-9a-f]{64}$' "$OUT" "user: import prints the image ID"
capture md_user images
assert_eq 0 "$RC" "user: images: exit status (stderr: $ERR)"
assert_match "$HEADER_RE" "$(head -n 1 <<<"$OUT")" "user: images: the header"
assert_eq "userbox:1" "$(img_refs md_user)" "user: images lists only its own"
check_row userbox 1 md_user
assert_contains "userbox:1" "$(img_refs md)" "root: images lists the user's image"
assert_contains "busybox:latest" "$(img_refs md)" "root: images lists root's own"
capture md_user run --rm userbox:1 /bin/sh -c 'cat /etc/image-marker; stat -c %u /bin/busybox /etc/passwd; id -u; echo hi >/tmp/f && cat /tmp/f'
assert_eq 0 "$RC" "user: run userbox:1: exit status (stderr: $ERR)"
assert_eq "from-image"$'\n'"0"$'\n'"0"$'\n'"0"$'\n'"hi" "$OUT" "user: run userbox:1: the image's files are root's inside"
user_files=$(find "$MD_TMP/root" -name image-marker -user "$MD_UID" 2>/dev/null)
[ -n "$user_files" ] || fail "no image-marker owned by $MD_UID under --root: the user's layer should be its own"
capture md_user run --rm busybox /bin/true
assert_eq 125 "$RC" "user: run busybox (root's image): exit status"
assert_one_error "user: run busybox (root's image)" "no such image"
capture md_user run --rm debian:12 /bin/true
assert_eq 125 "$RC" "user: run debian:12 (root's image): exit status"
assert_one_error "user: run debian:12 (root's image)" "no such image"
capture md_user rmi busybox
assert_eq 1 "$RC" "user: rmi busybox (root's image): exit status"
assert_one_error "user: rmi busybox (root's image)" "no such image"
assert_contains "busybox:latest" "$(img_refs md)" "root's busybox after the user's rmi"
wait_until 10 no_containers md_user || fail "the user's --rm containers were not removed"
capture md_user rmi userbox:1
assert_eq 0 "$RC" "user: rmi userbox:1: exit status (stderr: $ERR)"
assert_match "(^|"$'\n'")Untagged: userbox:1("$'\n'"|\$)" "$OUT" "user: rmi userbox:1 output"
assert_eq "" "$(img_refs md_user)" "user: images after rmi"

step "rmi after rm"
wait_until 10 no_containers || fail "containers left: $(md ps -a)"
check_row busybox latest
bb_id=$ROW_ID
capture md rmi busybox
assert_eq 0 "$RC" "rmi busybox: exit status (stderr: $ERR)"
assert_eq "" "$ERR" "rmi busybox: stderr"
assert_eq "Untagged: busybox:latest" "$(head -n 1 <<<"$OUT")" "rmi busybox: first line"
assert_match "(^|"$'\n'")Deleted: sha256:${bb_id}[0-9a-f]{52}("$'\n'"|\$)" "$OUT" "rmi busybox: the Deleted line of the image"
assert_no_match "(^|"$'\n'")busybox " "$(md images)" "images after rmi busybox"
capture md run --rm busybox /bin/true
assert_eq 125 "$RC" "run busybox after rmi: exit status"
assert_one_error "run busybox after rmi" "no such image"
capture md rmi busybox
assert_eq 1 "$RC" "a second rmi busybox: exit status"
assert_one_error "a second rmi busybox" "no such image"
capture md run --rm debian:12 /bin/cat /etc/image-marker
assert_eq "from-image" "$OUT" "debian:12 still runs after rmi busybox (stderr: $ERR)"

md_done
