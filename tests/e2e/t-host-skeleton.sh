#!/bin/bash
# t-host-skeleton: the `host` image stands on a skeleton built once per
# owner (daemon/host-skel.h) and shared by that owner's containers. Two of
# root's containers share one skeleton, and a user's containers have their
# own, owned by the user (container root inside). Each container has its
# own /etc/hostname and /etc/hosts, and what one writes in /etc (a user's
# container too, which owns the files of its lower layer: an appended
# passwd, a removed profile) neither the next one nor the skeleton sees.
# A host file the skeleton copies, changed (a file bound over /etc/profile
# in the daemon's private mount namespace, never the host's), reaches the
# next container through a new skeleton; changed back, the first skeleton
# serves again. A daemon restarted while a `host` container runs keeps
# that container's skeleton (it still reads its /etc) and moves the others
# away; one restarted with none running moves them all away, and the next
# container gets a new one. With --storage-driver vfs no skeleton is used:
# the root is built in the container's rootfs directory, with the same
# /etc.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd unshare
need_cmd nsenter
# The change of a copied host file is made on /etc/profile (in the
# daemon's own mount namespace); a host without it cannot show it.
[ -f /etc/profile ] || skip "the host has no /etc/profile"
# shellcheck disable=SC2034 # read by md_setup
MD_DAEMON_WRAP=(unshare --mount --propagation private)
md_setup

SKELS=$MD_TMP/root/host

# skels [PREFIX]: our daemon's skeletons (whose names start with PREFIX).
skels() {
	find "$SKELS" -mindepth 1 -maxdepth 1 -name "${1:-}*" -printf '%f\n' 2>/dev/null | sort
}

# in_daemon_ns CMD...: CMD in our daemon's private mount namespace.
in_daemon_ns() {
	nsenter --target "$MD_DAEMON_PID" --mount -- "$@"
}

step "root's containers share one skeleton; each has its own names"
capture md run --rm --hostname one /bin/sh -c 'cat /etc/hostname; grep 127.0.1.1 /etc/hosts; echo mine >/etc/probe'
assert_eq 0 "$RC" "the first container exits 0"
assert_eq "one"$'\n'"127.0.1.1	one" "$OUT" "the first container's /etc/hostname and /etc/hosts"
capture md run --rm --hostname two /bin/sh -c 'cat /etc/hostname; grep 127.0.1.1 /etc/hosts; test -e /etc/probe && echo "probe seen"; true'
assert_eq 0 "$RC" "the second container exits 0"
assert_eq "two"$'\n'"127.0.1.1	two" "$OUT" "the second container's names, without the first one's write"
assert_lines 1 "$(skels 0.0-)" "root's skeletons after two containers"
root_skel=$(skels 0.0-)
[ -e "$SKELS/$root_skel/etc/passwd" ] || fail "the skeleton has no etc/passwd"
[ ! -e "$SKELS/$root_skel/etc/hostname" ] || fail "the shared skeleton holds a container's hostname"
[ ! -e "$SKELS/$root_skel/etc/probe" ] || fail "a container's write reached the skeleton"

step "a user's containers have a skeleton of their own"
capture md_user run --rm /bin/sh -c 'stat -c "%u:%g" /etc/passwd /root /tmp; echo ok >/root/x && cat /root/x'
assert_eq 0 "$RC" "the user's container exits 0"
assert_eq "0:0"$'\n'"0:0"$'\n'"0:0"$'\n'"ok" "$OUT" "owners inside, and root's home writable"
user_skel=$(skels "$MD_UID.")
assert_lines 1 "$user_skel" "the user's skeletons"
assert_eq "$MD_UID:$MD_UID" "$(stat -c %u:%g "$SKELS/$user_skel/etc/passwd")" "the owner of the user's skeleton on the host"
assert_lines 1 "$(skels 0.0-)" "root's skeletons after the user's container"
passwd_before=$(cat "$SKELS/$user_skel/etc/passwd")
capture md_user run --rm /bin/sh -c 'echo "intruder:x:0:0::/:/bin/sh" >>/etc/passwd && rm /etc/profile && echo changed'
assert_eq "changed" "$OUT" "the user's container appends to /etc/passwd and removes /etc/profile"
capture md_user run --rm /bin/sh -c 'grep -c intruder /etc/passwd; test -e /etc/profile && echo "profile here"'
assert_eq "0"$'\n'"profile here" "$OUT" "the user's next container: passwd and profile as built"
assert_eq "$passwd_before" "$(cat "$SKELS/$user_skel/etc/passwd")" "the user's skeleton's passwd after the write"
[ -e "$SKELS/$user_skel/etc/profile" ] || fail "the user's skeleton lost etc/profile"

step "a changed host file reaches the next container"
printf 'MDE2E_PROFILE=changed\n' >"$MD_TMP/profile"
in_daemon_ns mount --bind "$MD_TMP/profile" /etc/profile || fail "bind over /etc/profile in the daemon's namespace"
capture md run --rm /bin/cat /etc/profile
assert_eq "MDE2E_PROFILE=changed" "$OUT" "/etc/profile inside after the change"
assert_lines 2 "$(skels 0.0-)" "root's skeletons after the change"
in_daemon_ns umount /etc/profile || fail "unbind /etc/profile in the daemon's namespace"
capture md run --rm /bin/cat /etc/profile
assert_eq "$(cat /etc/profile)" "$OUT" "/etc/profile inside, changed back"
assert_lines 2 "$(skels 0.0-)" "root's skeletons after changing back (the first serves again)"

step "a restart keeps only the skeleton a running container stands on"
capture md run -d --name keeper /bin/sleep 600
assert_eq 0 "$RC" "run -d keeper"
kill -TERM "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID"
md_daemon_start || die "the daemon did not come back"
assert_eq "$root_skel" "$(skels)" "the skeletons after a restart with keeper running"
capture md exec keeper /bin/cat /etc/hostname /etc/passwd
assert_eq 0 "$RC" "keeper still reads its /etc"
assert_contains "root:x:0:0" "$OUT" "keeper's /etc/passwd"

step "a restart with no host container running moves them away"
capture md rm -f keeper
assert_eq 0 "$RC" "rm -f keeper"
kill -TERM "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID"
md_daemon_start || die "the daemon did not come back"
assert_eq "" "$(skels)" "the skeletons after a restart with none in use"
capture md run --rm /bin/cat /etc/hostname
assert_eq 0 "$RC" "a container after the sweep exits 0"
assert_lines 1 "$(skels 0.0-)" "root's skeletons after the sweep and one container"

step "with --storage-driver vfs the root is built in place"
kill -TERM "$MD_DAEMON_PID"
wait "$MD_DAEMON_PID"
md_daemon_start --storage-driver vfs || die "the daemon did not come back with vfs"
capture md run --name invfs --hostname vfsbox /bin/sh -c 'cat /etc/hostname; grep -c "^root:" /etc/passwd; echo w >/etc/w'
assert_eq 0 "$RC" "a vfs container exits 0"
assert_eq "vfsbox"$'\n'"1" "$OUT" "its /etc/hostname and root in /etc/passwd"
vfs_root=$(state_dir "$(ps_json_field invfs Id)")/rootfs
[ -e "$vfs_root/etc/passwd" ] && [ -e "$vfs_root/etc/w" ] || fail "no /etc built in $vfs_root"
assert_eq "" "$(skels)" "skeletons after a vfs container (the restart swept the earlier one)"
capture md rm invfs
assert_eq 0 "$RC" "rm invfs"

md_done
