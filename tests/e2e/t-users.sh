#!/bin/bash
# t-users: a container of an unprivileged caller never gives it more power
# than it has, and is invisible to every other unprivileged caller. User A
# (uid 4242, in the socket group) runs a container: its PID 1 runs on the
# host as uid/gid 4242 (the Uid and Gid lines of /proc/PID/status) while
# `id -u` inside says 0, for exec'd processes too, and its uid_map and
# gid_map are the single line "0 4242 1"; files it creates in / and /tmp
# (and chowns to its root) are owned by 4242 on the host, in its upper
# directory under our --root (and its skeleton is 4242's) and through
# /proc/PID/root, never by host root, and
# chown to an unmapped id fails; /etc/shadow is absent inside; writing
# /proc/sys fails; -u 1000 is refused with 125 and a message naming
# /etc/subuid (A has no subordinate range), creating nothing. User B (uid
# 4243, also in the socket group) cannot see or touch A's container with
# any command: ps -a (in every format) does not list it, info does not
# count it, and inspect, logs, logs -f, stop, kill, rm, rm -f, wait, exec
# and attach answer by full ID, by ID prefix and by name exactly as for a
# container that does not exist (same status, same stdout, the stderr line
# `minidocker: no such container: X`); a one-character prefix that A's ID
# shares with one of B's own containers resolves to B's, not "ambiguous";
# a name clash says only `name already in use: NAME`. Afterwards A's
# container is untouched (same PID, running, A can inspect it and read its
# logs). Root sees A's container and can stop it.

# shellcheck disable=SC2016,SC2317 # $ in single quotes is for the container's shell; callbacks of wait_until
. "$(dirname "$0")/lib.sh" "$@"
md_setup

# User B: uid 4243 in the socket group, with a wrapper like lib.sh's.
B_UID=4243
getent passwd "$B_UID" >/dev/null && skip "uid $B_UID has a passwd entry; the test wants a bare uid"
printf '#!/bin/sh\nexec setpriv --reuid=%s --regid=%s --groups=100 --inh-caps=-all %q --socket %q "$@"\n' \
	"$B_UID" "$B_UID" "$BIN/minidocker" "$MD_SOCK" >"$MD_TMP/bin/md_b"
chmod 755 "$MD_TMP/bin/md_b"
grep -q "^$MD_UID:" /etc/subuid 2>/dev/null && skip "uid $MD_UID has a range in /etc/subuid"

inspect_field() { # WHO CONTAINER KEY.KEY...
	"$1" inspect "$2" | "$PY" -c '
import json, sys
o = json.load(sys.stdin)[0]
for k in sys.argv[1].split("."):
    o = o[k]
print(json.dumps(o))
' "$3"
}

# ---- A's container on the host ----------------------------------------------

step "user A runs a container"
capture md_user run -d --name ua-box /bin/sh -c \
	'touch /rootfile /tmp/tmpfile && chown 0:0 /tmp/tmpfile && id -u && echo ready && exec sleep 120'
assert_eq 0 "$RC" "user A: run -d exits 0 (stderr: $ERR)"
A_ID=$OUT
assert_match '^[0-9a-f]{32}$' "$A_ID" "user A's container ID"
a_ready() {
	md_user logs ua-box | grep -qx ready
}
wait_until 10 a_ready || die "user A's container never became ready"
A_PID=$(ps_json_field ua-box Pid md_user)
assert_match '^[1-9][0-9]*$' "$A_PID" "user A's container's host PID"

step "PID 1 runs as 4242 on the host and as 0 inside"
assert_eq "Uid: 4242 4242 4242 4242" "$(grep '^Uid:' "/proc/$A_PID/status" | tr -s '\t ' ' ')" \
	"host view of PID 1's uids"
assert_eq "Gid: 4242 4242 4242 4242" "$(grep '^Gid:' "/proc/$A_PID/status" | tr -s '\t ' ' ')" \
	"host view of PID 1's gids"
assert_eq "0
ready" "$(md_user logs ua-box)" "id -u inside user A's container"
capture md_user exec ua-box /bin/sh -c 'id -u; id -g; grep "^Uid:" /proc/self/status | tr -s "\t " " "'
assert_eq 0 "$RC" "user A: exec id exits 0 (stderr: $ERR)"
assert_eq "0
0
Uid: 0 0 0 0" "$OUT" "ids of an exec'd process, inside"
for m in uid_map gid_map; do
	assert_eq "0 4242 1" "$(tr -s ' ' <"/proc/$A_PID/$m" | sed 's/^ //')" \
		"$m of A's container: only its root, mapped to 4242, nothing to host root"
done
capture md_user exec -d ua-box /bin/sleep 30
assert_eq 0 "$RC" "user A: exec -d sleep exits 0 (stderr: $ERR)"
# The exec'd sleep: the process other than PID 1 in the container's pid
# namespace.
ns=$(readlink "/proc/$A_PID/ns/pid")
exec_uid=
for p in /proc/[0-9]*; do
	[ "${p#/proc/}" = "$A_PID" ] && continue
	[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || continue
	exec_uid=$(grep '^Uid:' "$p/status" 2>/dev/null | tr -s '\t ' ' ')
	[ -n "$exec_uid" ] && break
done
assert_eq "Uid: 4242 4242 4242 4242" "$exec_uid" "host view of an exec'd process's uids"

step "files the container creates belong to 4242 on the host"
# The `host` image's writes land in the container's upper directory, over
# the skeleton of user A's (daemon/host-skel.h).
UPPER=$(state_dir "$A_ID")/upper
[ -d "$UPPER" ] || fail "no upper directory at $UPPER"
for f in "$UPPER/rootfile" "/proc/$A_PID/root/rootfile" "/proc/$A_PID/root/tmp/tmpfile"; do
	assert_eq "4242:4242" "$(stat -c %u:%g "$f" 2>&1)" "host owner of $f"
done
if [ -e "$UPPER/tmp/tmpfile" ]; then
	assert_eq "4242:4242" "$(stat -c %u:%g "$UPPER/tmp/tmpfile")" "host owner of $UPPER/tmp/tmpfile"
fi
assert_eq "" "$(find "$UPPER" -xdev -user 0 2>/dev/null | head -n 5)" \
	"files owned by host root in user A's upper directory"
A_SKEL=$(find "$MD_TMP/root/host" -mindepth 1 -maxdepth 1 -name '4242.4242-*')
[ -n "$A_SKEL" ] || fail "no skeleton of user A's under $MD_TMP/root/host"
assert_eq "" "$(find "$A_SKEL" -xdev -user 0 2>/dev/null | head -n 5)" \
	"files owned by host root in user A's skeleton"
capture md_user exec ua-box /bin/sh -c 'touch /tmp/f2 && chown 1:1 /tmp/f2'
assert_ne 0 "$RC" "chown to an unmapped id fails"
assert_contains "Invalid argument" "$ERR" "chown to an unmapped id: EINVAL"

step "no host secrets, no /proc/sys writes"
capture md_user run /bin/sh -c 'cat /etc/shadow'
assert_ne 0 "$RC" "user A: cat /etc/shadow fails"
assert_eq "" "$OUT" "user A: /etc/shadow reads nothing"
assert_contains "No such file or directory" "$ERR" "user A: /etc/shadow is absent inside"
capture md_user run /bin/sh -c ': >/proc/sys/kernel/hostname'
assert_ne 0 "$RC" "user A: writing /proc/sys/kernel/hostname fails"
assert_match 'Read-only file system|Permission denied' "$ERR" "user A: writing /proc/sys: error"

step "-u 1000 without a subordinate range is refused"
before=$(md ps -aq | wc -l)
capture md_user run -u 1000 /bin/echo started
assert_eq 125 "$RC" "user A: run -u 1000 exits 125"
assert_eq "" "$OUT" "user A: run -u 1000 starts nothing"
assert_match '^minidocker: .*1000' "$ERR" "user A: run -u 1000: the error names the user"
assert_contains "/etc/subuid" "$ERR" "user A: run -u 1000: the error says what is missing"
assert_lines 1 "$ERR" "user A: run -u 1000: stderr"
assert_eq "$before" "$(md ps -aq | wc -l)" "the refused run created no container"

# ---- user B ------------------------------------------------------------------

step "user B does not see A's container"
for args in "-a" "-a -q" "-a --no-trunc" "-a --format json" ""; do
	# shellcheck disable=SC2086
	capture md_b ps $args
	assert_eq 0 "$RC" "user B: ps $args exits 0 (stderr: $ERR)"
	assert_not_contains "${A_ID:0:12}" "$OUT" "user B: ps $args shows A's ID"
	assert_not_contains "ua-box" "$OUT" "user B: ps $args shows A's name"
done
capture md_b info
assert_eq 0 "$RC" "user B: info exits 0 (stderr: $ERR)"
assert_eq "Containers: 0" "$(grep '^Containers:' <<<"$OUT")" "user B: info counts no container"

# A hex ID, and a prefix, that no container has.
MISSING_ID=$("$PY" -c 'import uuid; print(uuid.uuid4().hex)')
while md ps -aq --no-trunc | grep -q "^${MISSING_ID:0:12}"; do
	MISSING_ID=$("$PY" -c 'import uuid; print(uuid.uuid4().hex)')
done

# as_missing CMD...: run `md_b CMD` with each of A's references in turn
# (full ID, prefix, name), and the same with a reference to nothing;
# {} in CMD stands for the reference. The answers must be equal once the
# reference is taken out, and say "no such container".
as_missing() {
	local ref miss cmd a b
	for pair in "$A_ID $MISSING_ID" "${A_ID:0:12} ${MISSING_ID:0:12}" "ua-box no-such-box"; do
		ref=${pair% *}
		miss=${pair#* }
		cmd="${*//\{\}/$miss}"
		# shellcheck disable=SC2086
		capture md_b $cmd
		b="$RC|${OUT//$miss/X}|${ERR//$miss/X}"
		cmd="${*//\{\}/$ref}"
		# shellcheck disable=SC2086
		capture md_b $cmd
		a="$RC|${OUT//$ref/X}|${ERR//$ref/X}"
		assert_eq "$b" "$a" "user B: '$cmd' answers as for a missing container"
		assert_eq "minidocker: no such container: $ref" "$ERR" "user B: '$cmd' error"
		assert_ne 0 "$RC" "user B: '$cmd' fails"
	done
}

step "user B: every command answers as for a missing container"
# shellcheck disable=SC2034 # read by capture
CAPTURE_TIMEOUT=10
as_missing inspect {}
as_missing logs {}
as_missing logs -f {}
as_missing logs --tail 1 {}
as_missing stop {}
as_missing stop -t 0 {}
as_missing kill {}
as_missing kill -s TERM {}
as_missing rm {}
as_missing rm -f {}
as_missing wait {}
as_missing exec {} /bin/true
as_missing exec -d {} /bin/sleep 1
as_missing attach {}
# shellcheck disable=SC2034 # read by capture
CAPTURE_TIMEOUT=60

step "user B: a prefix shared with one of B's containers resolves to B's"
B_ID=
for _ in $(seq 200); do
	id=$(md_b run -d /bin/true) || break
	if [ "${id:0:1}" = "${A_ID:0:1}" ]; then
		B_ID=$id
		break
	fi
	md_b rm -f "$id" >/dev/null
done
if [ -n "$B_ID" ]; then
	capture md_b inspect "${A_ID:0:1}"
	assert_eq 0 "$RC" "user B: inspect ${A_ID:0:1} exits 0 (stderr: $ERR)"
	assert_contains "\"Id\": \"$B_ID\"" "$OUT" "user B: inspect ${A_ID:0:1} is B's own container"
	assert_not_contains "$A_ID" "$OUT$ERR" "user B: inspect ${A_ID:0:1} shows A's ID"
	assert_not_contains "ambiguous" "$ERR" "user B: inspect ${A_ID:0:1}"
	md_b rm -f "$B_ID" >/dev/null
else
	fail "user B never got a container ID starting with ${A_ID:0:1} in 200 runs"
fi

step "user B: a name clash says only that"
capture md_b run --name ua-box /bin/true
assert_eq 125 "$RC" "user B: run --name ua-box exits 125"
assert_eq "minidocker: name already in use: ua-box" "$ERR" "user B: run --name ua-box: error"

step "A's container is untouched"
assert_eq running "$(ps_json_field ua-box State md_user)" "state of A's container after B's tries"
assert_eq "$A_PID" "$(ps_json_field ua-box Pid md_user)" "PID of A's container after B's tries"
[ -d "/proc/$A_PID" ] || fail "A's PID 1 is gone"
capture md_user inspect ua-box
assert_eq 0 "$RC" "user A: inspect ua-box exits 0 (stderr: $ERR)"
assert_eq true "$(inspect_field md_user ua-box State.Running)" "user A: inspect State.Running"
assert_eq "0
ready" "$(md_user logs ua-box)" "user A: logs of ua-box"

# ---- root ---------------------------------------------------------------------

step "root sees A's container and can stop it"
capture md ps
assert_contains "${A_ID:0:12}" "$OUT" "root: ps lists A's container"
assert_contains "ua-box" "$OUT" "root: ps shows A's container's name"
capture md inspect ua-box
assert_eq 0 "$RC" "root: inspect ua-box exits 0 (stderr: $ERR)"
capture md stop -t 1 ua-box
assert_eq 0 "$RC" "root: stop ua-box exits 0 (stderr: $ERR)"
assert_eq ua-box "$OUT" "root: stop prints the name"
assert_eq exited "$(ps_json_field ua-box State md_user)" "user A sees its container exited"
[ ! -d "/proc/$A_PID" ] || fail "A's PID 1 is still there after root stopped it"

md_done
