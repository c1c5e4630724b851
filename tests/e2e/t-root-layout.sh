#!/bin/bash
# t-root-layout: the daemon's --root as it makes it: 0700 for root and
# containers/, and on ext2/3/4 containers/ has the top-directory flag
# (chattr +T), so that each container's directory and files land in a
# block group of their own (README, Performance). On another filesystem
# the flag is not there and the daemon runs all the same.

. "$(dirname "$0")/lib.sh" "$@"
need_cmd stat
md_setup

root=$MD_TMP/root
step "the modes"
assert_eq 700 "$(stat -c %a "$root")" "mode of --root"
assert_eq 700 "$(stat -c %a "$root/containers")" "mode of --root/containers"

step "containers/ spreads its subdirectories on ext2/3/4"
fs=$(stat -f -c %T "$root")
if [ "$fs" = ext2/ext3 ]; then
	need_cmd lsattr
	attrs=$(lsattr -d "$root/containers" | awk '{ print $1 }')
	assert_match T "$attrs" "lsattr of --root/containers on $fs"
	capture md run --rm /bin/true
	assert_eq 0 "$RC" "a container runs under it"
else
	printf 'note: --root is on %s: no top-directory flag to check\n' "$fs" >&2
	capture md run --rm /bin/true
	assert_eq 0 "$RC" "a container runs on $fs"
fi

md_done
