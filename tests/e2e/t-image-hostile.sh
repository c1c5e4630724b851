#!/bin/bash
# t-image-hostile: archives from users are hostile, and `import` and `load`
# write nothing outside the daemon's store and leave nothing behind when
# they refuse. Each root-fs tar below holds a whole busybox root and then
# one hostile entry (see images.sh): a name with ".." (shallow, and deep
# enough to reach the host's /etc from anywhere), an absolute name, a
# symlink to /etc (absolute and relative) followed by a file through it, a
# hardlink to /etc/shadow (absolute and with ".."). Imported by root, and
# the first ones by a user who is not root, each is refused with status 1
# and one `minidocker: ` line naming the entry; no image is listed, and the
# list of paths under --root is what it was before. Neither /etc/mde2e-x,
# /etc/mde2e-abs nor /etc/mde2e-through exists on the host nor anywhere in
# our temp dir, /etc/shadow has no new link (its link count is unchanged
# and nothing in our temp dir is the same file). A device node imported by
# a user who is not root is refused the same way; set-uid and set-gid files
# imported by one are refused or lose those bits (inside: mode 755; no
# set-id file anywhere under --root). A symlink to a host file replaced by
# a file of the same name, and a hardlink to such a symlink replaced by a
# file, are refused or land in the image: the host file keeps its content.
# A file that is not a tar, a tar cut short, a gzip stream cut short, a
# docker-save archive whose layer does not match its diff_id, one whose
# manifest names its config ../../../../etc/shadow, an OCI layout whose
# blob does not match its digest and one whose config blob is a symlink to
# /etc/shadow: each refused with 1 and one line (never showing shadow's
# content), leaving --root as it was. A user cannot import or load a file
# it cannot read itself (the daemon does not open it for the user).

. "$(dirname "$0")/lib.sh" "$@"
. "$E2E_DIR/images.sh"
img_need
md_setup

# The host paths a broken extraction would write are ours by name: remove
# what an earlier run may have left, and whatever this one makes.
HOST_MARKS=(/etc/mde2e-x /etc/mde2e-abs /etc/mde2e-through)
rm -f "${HOST_MARKS[@]}"
# shellcheck disable=SC2154 # rc is set by the trap itself
trap 'rc=$?; rm -f "${HOST_MARKS[@]}"; (exit $rc); md_teardown' EXIT

SHADOW_LINKS=$(stat -c %h /etc/shadow)
VICTIM=$MD_TMP/victim
echo untouched >"$VICTIM"
chmod 644 "$VICTIM"

step "build the archives"
img_rootfs "$MD_TMP/rootfs"
img_tar "$MD_TMP/rootfs" "$MD_TMP/good.tar"
for kind in dotdot dotdot-deep abs symlink-write symlink-rel-write hardlink-abs hardlink-rel \
	symlink-overwrite hardlink-symlink-overwrite device setuid; do
	img_hostile "$kind" "$MD_TMP/h-$kind.tar" "$VICTIM"
done
img_docker_save "$MD_TMP/save-bad.tar" badsave:v1 bad
img_docker_save "$MD_TMP/save-evilpath.tar" evilsave:v1 evilpath
img_oci "$MD_TMP/oci-bad.tar" badoci:v1 bad
img_oci "$MD_TMP/oci-symlink.tar" symoci:v1 symlink-blob
for i in $(seq 300); do
	echo "this is not a tar archive, line $i"
done >"$MD_TMP/garbage.tar"
head -c 1000000 "$MD_TMP/good.tar" >"$MD_TMP/cut.tar"
gzip -c -n "$MD_TMP/good.tar" | head -c 500000 >"$MD_TMP/cut.tar.gz"
chmod 644 "$MD_TMP"/*.tar "$MD_TMP"/*.tar.gz

# host_clean WHAT: nothing escaped onto the host or into our temp dir.
host_clean() {
	local m
	for m in "${HOST_MARKS[@]}"; do
		[ ! -e "$m" ] || fail "$1: $m exists on the host"
	done
	assert_eq "" "$(find "$MD_TMP" \( -name mde2e-x -o -name mde2e-abs -o -name mde2e-through \) -print 2>/dev/null)" \
		"$1: escaped files in our temp dir"
	assert_eq "$SHADOW_LINKS" "$(stat -c %h /etc/shadow)" "$1: the link count of /etc/shadow"
	assert_eq "" "$(find "$MD_TMP" -samefile /etc/shadow 2>/dev/null)" "$1: files in our temp dir that are /etc/shadow"
	assert_eq "untouched" "$(cat "$VICTIM")" "$1: the content of $VICTIM"
}

# refused WHO FILE NAME SUBSTRING WHAT: `WHO import FILE NAME` fails with 1
# and one line holding SUBSTRING, and leaves the store and the list as they
# were.
refused() {
	local who=$1 file=$2 name=$3 sub=$4 what=$5 snap refs
	snap=$(store_quiet)
	refs=$(img_refs "$who")
	capture "$who" import "$file" "$name"
	assert_eq 1 "$RC" "$what: exit status"
	assert_one_error "$what" "$sub"
	assert_eq "" "$OUT" "$what: stdout"
	assert_eq "$refs" "$(img_refs "$who")" "$what: images afterwards"
	assert_eq "$snap" "$(settle 10 "$snap" store_snapshot)" "$what: the paths under --root afterwards"
	host_clean "$what"
}

# Warm up: a good image each, so that the store's directories exist before
# the snapshots.
step "good images for root and the user"
capture md import "$MD_TMP/good.tar" good:1
assert_eq 0 "$RC" "import good.tar good:1 (stderr: $ERR)"
capture md_user import "$MD_TMP/good.tar" usergood:1
assert_eq 0 "$RC" "user: import good.tar usergood:1 (stderr: $ERR)"
assert_eq "good:1" "$(img_refs md | grep -v usergood)" "root's images before the hostile archives"
assert_eq "usergood:1" "$(img_refs md_user)" "the user's images before the hostile archives"

step "names that leave the root"
refused md "$MD_TMP/h-dotdot.tar" evil-dotdot:1 mde2e-x "import ../../etc/mde2e-x"
refused md "$MD_TMP/h-dotdot-deep.tar" evil-deep:1 mde2e-x "import etc/../../(...)/etc/mde2e-x"
refused md "$MD_TMP/h-abs.tar" evil-abs:1 mde2e-abs "import /etc/mde2e-abs"
refused md_user "$MD_TMP/h-dotdot.tar" evil-dotdot:1 mde2e-x "user: import ../../etc/mde2e-x"
refused md_user "$MD_TMP/h-abs.tar" evil-abs:1 mde2e-abs "user: import /etc/mde2e-abs"

step "a file written through a symlink"
refused md "$MD_TMP/h-symlink-write.tar" evil-sym:1 mde2e-through "import evil -> /etc, evil/mde2e-through"
refused md "$MD_TMP/h-symlink-rel-write.tar" evil-symrel:1 mde2e-through \
	"import evil2 -> ../../(...)/etc, evil2/mde2e-through"
refused md_user "$MD_TMP/h-symlink-write.tar" evil-sym:1 mde2e-through \
	"user: import evil -> /etc, evil/mde2e-through"

step "hardlinks to /etc/shadow"
refused md "$MD_TMP/h-hardlink-abs.tar" evil-hl:1 mde2e-shadow-link "import a hardlink to /etc/shadow"
refused md "$MD_TMP/h-hardlink-rel.tar" evil-hlrel:1 mde2e-shadow-link2 \
	"import a hardlink to ../../../../etc/shadow"
refused md_user "$MD_TMP/h-hardlink-abs.tar" evil-hl:1 mde2e-shadow-link "user: import a hardlink to /etc/shadow"

step "a device node from a user who is not root"
refused md_user "$MD_TMP/h-device.tar" evil-dev:1 dev-null-copy "user: import a char device 1/3"

step "archives that are not what they say"
refused md "$MD_TMP/garbage.tar" garbage:1 "" "import a file that is not a tar"
refused md "$MD_TMP/cut.tar" cut:1 "" "import a tar cut short"
refused md "$MD_TMP/cut.tar.gz" cutgz:1 "" "import a gzip stream cut short"

# load_refused FILE WHAT: `load -i FILE` fails with 1 and one line, shows
# nothing of /etc/shadow, and leaves the store and the list as they were.
load_refused() {
	local snap refs
	snap=$(store_quiet)
	refs=$(img_refs md)
	capture md load -i "$1"
	assert_eq 1 "$RC" "$2: exit status"
	assert_one_error "$2" "${3:-}"
	assert_eq "" "$OUT" "$2: stdout"
	assert_not_contains "root:" "$ERR" "$2: stderr shows a passwd-like line"
	assert_eq "$refs" "$(img_refs md)" "$2: images afterwards"
	assert_eq "$snap" "$(settle 10 "$snap" store_snapshot)" "$2: the paths under --root afterwards"
	host_clean "$2"
}

step "image archives that lie"
load_refused "$MD_TMP/save-bad.tar" "load a docker-save archive whose layer does not match its diff_id" digest
load_refused "$MD_TMP/oci-bad.tar" "load an OCI layout whose blob does not match its digest" digest
load_refused "$MD_TMP/save-evilpath.tar" "load a docker-save archive whose config is ../../(...)/etc/shadow"
load_refused "$MD_TMP/oci-symlink.tar" "load an OCI layout whose config blob is a symlink to /etc/shadow"
load_refused "$MD_TMP/garbage.tar" "load a file that is not a tar"

step "a user cannot import or load a file it cannot read"
mkdir -m 700 "$MD_TMP/private"
cp "$MD_TMP/good.tar" "$MD_TMP/private/good.tar"
img_docker_save "$MD_TMP/private/save.tar" privsave:v1
chmod 600 "$MD_TMP/private/"*
snap=$(store_quiet)
capture md_user import "$MD_TMP/private/good.tar" stolen:1
assert_ne 0 "$RC" "user: import of a file in a 0700 directory of root's: exit status"
assert_one_error "user: import of a file in a 0700 directory of root's" "Permission denied"
capture md_user load -i "$MD_TMP/private/save.tar"
assert_ne 0 "$RC" "user: load -i of a file in a 0700 directory of root's: exit status"
assert_one_error "user: load -i of a file in a 0700 directory of root's" "Permission denied"
assert_eq "usergood:1" "$(img_refs md_user)" "the user's images after importing files it cannot read"
assert_not_contains "privsave" "$(img_refs md)" "root's images after the user's load of root's file"
assert_eq "$snap" "$(settle 10 "$snap" store_snapshot)" "the paths under --root after the user's imports of files it cannot read"

step "a symlink replaced by a file, a hardlink to a symlink replaced by a file"
for pair in "symlink-overwrite vsym" "hardlink-symlink-overwrite vhard2"; do
	kind=${pair% *}
	path=${pair#* }
	capture md import "$MD_TMP/h-$kind.tar" "ow-$kind:1"
	if [ "$RC" -eq 0 ]; then
		capture md run --rm "ow-$kind:1" /bin/cat "/$path"
		assert_eq 0 "$RC" "run ow-$kind:1 cat /$path: exit status (stderr: $ERR)"
		assert_eq "overwritten" "$OUT" "run ow-$kind:1: /$path is the image's own file"
	else
		assert_eq 1 "$RC" "import h-$kind.tar: exit status when refused"
		assert_one_error "import h-$kind.tar" "$path"
	fi
	host_clean "import h-$kind.tar"
done

step "set-id bits from a user who is not root"
capture md_user import "$MD_TMP/h-setuid.tar" suid:1
if [ "$RC" -eq 0 ]; then
	capture md_user run --rm suid:1 /bin/stat -c %a /suid-file /sgid-file
	assert_eq 0 "$RC" "user: run suid:1 stat: exit status (stderr: $ERR)"
	assert_eq "755"$'\n'"755" "$OUT" "user: modes of /suid-file and /sgid-file inside"
else
	assert_eq 1 "$RC" "user: import of set-id files: exit status when refused"
	assert_one_error "user: import of set-id files" "-file"
fi
assert_eq "" "$(find "$MD_TMP/root" -type f -perm /6000 2>/dev/null)" "set-id files under --root"
host_clean "user: import of set-id files"

step "no hostile name was listed"
refs=$(img_refs md)
assert_no_match '(^|'$'\n'')(evil|garbage|cut|badsave|badoci|evilsave|symoci|stolen|privsave)' "$refs" \
	"root's images after everything"

md_done
