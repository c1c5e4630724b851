#!/bin/bash
# t-caps: every container process keeps exactly Podman's 11 capabilities
# (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP,
# SETGID, SETPCAP, SETUID, SYS_CHROOT = 0x00000000800405fb) and no more:
# CapEff, CapPrm and CapBnd of root in the container are that mask, CapInh
# and CapAmb are 0; with -u 1000 CapEff and CapPrm are 0 while the bounding
# set is still the 11. --cap-drop CHOWN clears bit 0 (and chown then fails
# with EPERM where it worked before); --cap-drop ALL --cap-add NET_ADMIN
# leaves exactly bit 12. Without NET_ADMIN `ip link set lo down` fails with
# EPERM, and with it lo of the container's own network namespace goes down
# (the host's stays up); mknod fails with EPERM (no MKNOD). An unknown
# capability is refused with 125. As the unprivileged user (uid 4242),
# --cap-add NET_ADMIN, --network host and --userns host are refused with
# 125 and a message saying they are for root, starting nothing, while
# --cap-drop CHOWN is allowed and takes effect. Processes started by exec
# have the same CapEff, CapBnd and "Seccomp: 2" as PID 1, with -u 1000 too.
# --network host as root shows the host's network interfaces; the default
# (none) shows only lo.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd ip mknod chown
md_setup

DEFAULT=00000000800405fb
STATUS='grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|Seccomp):" /proc/self/status'

# field STATUS_TEXT NAME: the value of one "Name:\tvalue" line.
field() {
	awk -v k="$2:" '$1 == k { print $2 }' <<<"$1"
}

# check_caps WHAT STATUS_TEXT INH PRM EFF BND AMB
check_caps() {
	assert_eq "$3" "$(field "$2" CapInh)" "$1: CapInh"
	assert_eq "$4" "$(field "$2" CapPrm)" "$1: CapPrm"
	assert_eq "$5" "$(field "$2" CapEff)" "$1: CapEff"
	assert_eq "$6" "$(field "$2" CapBnd)" "$1: CapBnd"
	assert_eq "$7" "$(field "$2" CapAmb)" "$1: CapAmb"
	assert_eq 2 "$(field "$2" Seccomp)" "$1: Seccomp"
}

Z=0000000000000000

step "root in the container: the default 11"
capture md run /bin/sh -c "$STATUS"
assert_eq 0 "$RC" "run status exits 0 (stderr: $ERR)"
check_caps "run as root" "$OUT" $Z $DEFAULT $DEFAULT $DEFAULT $Z

step "-u 1000: no effective capabilities, bounding set still the 11"
capture md run -u 1000 /bin/sh -c "$STATUS"
assert_eq 0 "$RC" "run -u 1000 status exits 0 (stderr: $ERR)"
check_caps "run -u 1000" "$OUT" $Z $Z $Z $DEFAULT $Z

step "--cap-drop CHOWN clears bit 0, and chown fails"
capture md run /bin/sh -c 'touch /tmp/f && chown 1:1 /tmp/f && echo chowned'
assert_eq 0 "$RC" "chown as root with the default set exits 0 (stderr: $ERR)"
assert_eq chowned "$OUT" "chown works with the default set (positive control)"
capture md run --cap-drop CHOWN /bin/sh -c "$STATUS"
assert_eq 0 "$RC" "run --cap-drop CHOWN exits 0 (stderr: $ERR)"
check_caps "--cap-drop CHOWN" "$OUT" $Z 00000000800405fa 00000000800405fa 00000000800405fa $Z
capture md run --cap-drop CHOWN /bin/sh -c 'touch /tmp/f && chown 1:1 /tmp/f && echo chowned'
assert_ne 0 "$RC" "chown without CAP_CHOWN fails"
assert_contains "Operation not permitted" "$ERR" "chown without CAP_CHOWN: EPERM"
assert_not_contains chowned "$OUT" "chown without CAP_CHOWN did nothing"

step "--cap-drop ALL --cap-add NET_ADMIN leaves exactly NET_ADMIN"
capture md run --cap-drop ALL --cap-add NET_ADMIN /bin/sh -c "$STATUS"
assert_eq 0 "$RC" "run --cap-drop ALL --cap-add NET_ADMIN exits 0 (stderr: $ERR)"
check_caps "--cap-drop ALL --cap-add NET_ADMIN" "$OUT" $Z 0000000000001000 0000000000001000 \
	0000000000001000 $Z

step "without NET_ADMIN and MKNOD: no network setup, no device nodes"
capture md run /bin/sh -c 'ip link set lo down'
assert_ne 0 "$RC" "ip link set lo down with the default set fails"
assert_contains "Operation not permitted" "$ERR" "ip link set lo down with the default set: EPERM"
capture md run /bin/sh -c 'mknod /tmp/null c 1 3'
assert_ne 0 "$RC" "mknod with the default set fails"
assert_contains "Operation not permitted" "$ERR" "mknod with the default set: EPERM"
capture md run --cap-add NET_ADMIN /bin/sh -c 'ip link set lo down && ip -o link show lo'
assert_eq 0 "$RC" "ip link set lo down with --cap-add NET_ADMIN exits 0 (stderr: $ERR)"
assert_match 'state DOWN' "$OUT" "--cap-add NET_ADMIN: lo of the container's own namespace went down"
assert_match 'state (UP|UNKNOWN)|<[^>]*UP' "$(ip -o link show lo)" "the host's lo is still up"

step "an unknown capability is refused"
for opt in --cap-add --cap-drop; do
	capture md run "$opt" NO_SUCH_CAP /bin/echo started
	assert_eq 125 "$RC" "run $opt NO_SUCH_CAP exits 125"
	assert_eq "" "$OUT" "run $opt NO_SUCH_CAP starts nothing"
	assert_eq "minidocker: unknown capability: NO_SUCH_CAP" "$ERR" "run $opt NO_SUCH_CAP: error"
done

step "the unprivileged user cannot widen a container's power"
before=$(md ps -aq | wc -l)
capture md_user run --cap-add NET_ADMIN /bin/echo started
assert_eq 125 "$RC" "user: run --cap-add NET_ADMIN exits 125"
assert_eq "" "$OUT" "user: run --cap-add NET_ADMIN starts nothing"
assert_match '^minidocker: --cap-add is for root only' "$ERR" "user: run --cap-add NET_ADMIN: error"
capture md_user run --network host /bin/echo started
assert_eq 125 "$RC" "user: run --network host exits 125"
assert_eq "" "$OUT" "user: run --network host starts nothing"
assert_match '^minidocker: --network host is for root only' "$ERR" "user: run --network host: error"
capture md_user run --userns host /bin/echo started
assert_eq 125 "$RC" "user: run --userns host exits 125"
assert_eq "" "$OUT" "user: run --userns host starts nothing"
assert_match '^minidocker: --userns host is for root only' "$ERR" "user: run --userns host: error"
capture md_user run --cap-add ALL /bin/echo started
assert_eq 125 "$RC" "user: run --cap-add ALL exits 125"
assert_eq "$before" "$(md ps -aq | wc -l)" "the refused runs created no container"

step "the unprivileged user may narrow: --cap-drop CHOWN"
capture md_user run --cap-drop CHOWN /bin/sh -c "$STATUS"
assert_eq 0 "$RC" "user: run --cap-drop CHOWN exits 0 (stderr: $ERR)"
check_caps "user: --cap-drop CHOWN" "$OUT" $Z 00000000800405fa 00000000800405fa 00000000800405fa $Z

step "exec'd processes have PID 1's capabilities and filter"
capture md run -d --name capbox --cap-drop CHOWN /bin/sleep 60
assert_eq 0 "$RC" "run -d capbox exits 0 (stderr: $ERR)"
wait_until 10 is_running capbox || fail "capbox is not running"
capture md exec capbox /bin/sh -c "$STATUS; echo ---; grep -E '^(Cap|Seccomp:)' /proc/1/status"
assert_eq 0 "$RC" "exec status exits 0 (stderr: $ERR)"
EXEC_ST=${OUT%%---*}
PID1_ST=${OUT#*---}
check_caps "exec" "$EXEC_ST" $Z 00000000800405fa 00000000800405fa 00000000800405fa $Z
check_caps "PID 1 of capbox" "$PID1_ST" $Z 00000000800405fa 00000000800405fa 00000000800405fa $Z
capture md exec -u 1000 capbox /bin/sh -c "$STATUS"
assert_eq 0 "$RC" "exec -u 1000 status exits 0 (stderr: $ERR)"
check_caps "exec -u 1000" "$OUT" $Z $Z $Z 00000000800405fa $Z
md stop -t 0 capbox >/dev/null

step "--network host as root shows the host's interfaces"
ifaces='awk -F: "NR > 2 { gsub(/ /, \"\", \$1); print \$1 }" /proc/net/dev | sort'
HOST_IFACES=$(sh -c "$ifaces")
capture md run --network host /bin/sh -c "$ifaces"
assert_eq 0 "$RC" "run --network host exits 0 (stderr: $ERR)"
assert_eq "$HOST_IFACES" "$OUT" "interfaces with --network host"
capture md run /bin/sh -c "$ifaces"
assert_eq 0 "$RC" "run (network none) exits 0 (stderr: $ERR)"
assert_eq lo "$OUT" "interfaces with the default network"
[ "$HOST_IFACES" != lo ] || fail "the host has only lo: --network host proves nothing here"

md_done
