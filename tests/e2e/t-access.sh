#!/bin/bash
# t-access: who may use the daemon and what they see. A user not in the
# socket's group is refused by the kernel with `minidocker: cannot connect to
# minidockerd at SOCK: Permission denied (is the daemon running?)` and status
# 125. A user in the group can run containers, whose processes are not host
# root and cannot write the host kernel's settings (/proc/sys). That user's `ps -a` (table and JSON) lists only its own containers,
# and `stop` of root's container by full ID, prefix or name answers exactly
# `no such container: ARG` (status 1) and leaves it running; names are one
# namespace (a clash says `name already in use`). Root sees both users'
# containers; the user can stop its own.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
md_setup

step "a user outside the socket group is refused"
for cmd in version "run /bin/true" "ps -a"; do
	# shellcheck disable=SC2086
	capture md_outsider $cmd
	assert_eq 125 "$RC" "outsider '$cmd': exit status"
	assert_eq "minidocker: cannot connect to minidockerd at $MD_SOCK: Permission denied (is the daemon running?)" \
		"$ERR" "outsider '$cmd': stderr"
	[ "$cmd" = version ] || assert_eq "" "$OUT" "outsider '$cmd': stdout"
done

step "a user in the socket group can run containers"
capture md_user run /bin/sh -c 'echo hello from $(hostname)'
assert_eq 0 "$RC" "user's run: exit status"
assert_eq "hello from container-host" "$OUT" "user's run: output"
assert_eq "" "$ERR" "user's run: stderr"

capture md run -d --name root-ctr /bin/sleep 100
assert_eq 0 "$RC" "root's run -d"
root_id=$OUT
capture md_user run -d --name user-ctr /bin/sleep 100
assert_eq 0 "$RC" "user's run -d"
user_id=$OUT
assert_match '^[0-9a-f]{32}$' "$user_id" "user's run -d prints an ID"
wait_until 10 is_running user-ctr || fail "user-ctr is not running"

step "the user's container is not host root"
pid=$(ps_json_field user-ctr Pid)
if [[ $pid =~ ^[1-9][0-9]*$ ]] && [ -r "/proc/$pid/status" ]; then
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
	gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
	assert_no_match '(^| )0( |$)' "$uids" "host uids of the user's container process (pid $pid)"
	assert_no_match '(^| )0( |$)' "$gids" "host gids of the user's container process (pid $pid)"
else
	fail "cannot find the host process of user-ctr (Pid '$pid')"
fi
# A process that is uid 0 on the host may write global sysctls whatever its
# capabilities (e.g. kernel.core_pattern, which runs a program as host root).
capture md_user run /bin/sh -c 'for f in /proc/sys/kernel/core_pattern /proc/sysrq-trigger /proc/sys/vm/drop_caches; do test -w "$f" && echo "writable: $f"; done; true'
assert_eq 0 "$RC" "user's probe of host kernel settings: exit status"
assert_eq "" "$OUT" "host kernel settings writable from the user's container"

step "the user sees only its own containers"
capture md_user ps -a
assert_eq 0 "$RC" "user's ps -a: exit status"
assert_contains "user-ctr" "$OUT" "user's ps -a lists its own container"
assert_not_contains "root-ctr" "$OUT" "user's ps -a shows root's container name"
assert_not_contains "${root_id:0:12}" "$OUT" "user's ps -a shows root's container ID"
capture md_user ps -a --format json
assert_not_contains "root-ctr" "$OUT" "user's ps -a --format json shows root's container"
assert_not_contains "${root_id:0:12}" "$OUT" "user's ps -a --format json shows root's ID"
capture md_user ps -aq --no-trunc
assert_contains "$user_id" "$OUT" "user's ps -aq --no-trunc lists its own container"
assert_not_contains "$root_id" "$OUT" "user's ps -aq --no-trunc lists root's container"

step "the user cannot stop root's container"
for arg in "$root_id" "${root_id:0:12}" root-ctr; do
	capture md_user stop -t 0 "$arg"
	assert_eq 1 "$RC" "user's stop $arg: exit status"
	assert_eq "minidocker: no such container: $arg" "$ERR" "user's stop $arg: stderr"
done
assert_eq running "$(ps_json_field root-ctr State)" "root's container after the user's stop attempts"

step "names are one namespace"
capture md_user run -d --name root-ctr /bin/true
assert_eq 125 "$RC" "user's run --name root-ctr (root's name): exit status (a run the daemon refused)"
assert_eq "minidocker: name already in use: root-ctr" "$ERR" "user's run with root's name: stderr"

step "root sees all; the user stops its own"
capture md ps
assert_contains "root-ctr" "$OUT" "root's ps lists its own container"
assert_contains "user-ctr" "$OUT" "root's ps lists the user's container"
capture md_user stop -t 0 user-ctr
assert_eq 0 "$RC" "user's stop of its own container"
assert_eq user-ctr "$OUT" "user's stop prints the name"

md_done
