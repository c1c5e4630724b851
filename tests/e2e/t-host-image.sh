#!/bin/bash
# t-host-image: the default image `host` shows the host's programs but none
# of its private files. Inside: /etc/shadow, /etc/gshadow and /etc/ssh are
# absent; /root and /home are empty even while the host's have a file we put
# there; nothing of the host's /run, of the daemon's temp dir or of its
# socket is there; /usr is read-only (touch /usr/x fails); /tmp, /root, /var,
# /run and /etc are writable, and what one container writes there is seen
# neither by another container nor by the host. The generated /etc has the
# files programs need (hostname, hosts, passwd and group with root).

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd touch
md_setup

step "host private files are absent"
marker=.mde2e-secret-$$
# A file of ours in the host's /root and /home, there only for this check.
echo secret >"/root/$marker"
mkdir -p "/home/$marker"
capture md run /bin/sh -c '
	for f in /etc/shadow /etc/gshadow /etc/ssh '"$MD_TMP $MD_SOCK /run/minidocker"'; do
		test -e "$f" && echo "present: $f"
	done
	echo "root: $(ls -A /root | tr "\n" " ")"
	echo "home: $(ls -A /home | tr "\n" " ")"
	echo "run: $(ls -A /run | tr "\n" " ")"
	cat /etc/shadow 2>/dev/null; cat /root/'"$marker"' 2>/dev/null; true'
rm -f "/root/$marker"
rmdir "/home/$marker"
assert_eq 0 "$RC" "the probe exits 0"
assert_not_contains "present:" "$OUT" "host private paths inside the container"
assert_eq "" "$(sed -n 's/^root: *//p' <<<"$OUT")" "the content of /root inside"
assert_eq "" "$(sed -n 's/^home: *//p' <<<"$OUT")" "the content of /home inside"
assert_not_contains "secret" "$OUT" "the host's /root/$marker read from inside"
run_inside=$(sed -n 's/^run: //p' <<<"$OUT")
for f in /run/*; do
	[ -e "$f" ] || continue
	assert_not_contains " ${f#/run/} " " $run_inside" "the host's $f inside the container's /run"
done

step "/usr is read-only"
capture md run /bin/touch /usr/x
assert_ne 0 "$RC" "touch /usr/x inside exits non-zero"
assert_contains "Read-only file system" "$ERR" "touch /usr/x error"
[ ! -e /usr/x ] || fail "/usr/x appeared on the host"
capture md run /bin/mkdir /usr/lib/mde2e-x
assert_ne 0 "$RC" "mkdir /usr/lib/mde2e-x inside exits non-zero"

step "/tmp /root /var /run /etc are writable and private"
probe=mde2e-probe-$$
capture md run /bin/sh -c '
	for d in /tmp /root /var /run /etc; do
		echo mine >"$d/'"$probe"'" && cat "$d/'"$probe"'" || echo "cannot write $d"
	done'
assert_eq 0 "$RC" "writing in /tmp /root /var /run /etc exits 0"
assert_eq "mine"$'\n'"mine"$'\n'"mine"$'\n'"mine"$'\n'"mine" "$OUT" "each write read back"
assert_eq "" "$ERR" "stderr of the writes"
capture md run /bin/sh -c '
	for d in /tmp /root /var /run /etc; do
		test -e "$d/'"$probe"'" && echo "seen in $d"
	done; true'
assert_eq "" "$OUT" "another container sees the first one's files"
for d in /tmp /root /var /run /etc; do
	[ ! -e "$d/$probe" ] || fail "the container's $d/$probe appeared on the host"
	rm -f "$d/$probe"
done

step "the generated /etc"
capture md run /bin/sh -c 'cat /etc/hostname; grep -c "^root:" /etc/passwd; grep -c "^root:" /etc/group; grep -q "^127.0.0.1.*localhost" /etc/hosts && echo hosts; test -e /etc/resolv.conf && echo resolv'
assert_eq 0 "$RC" "reading the generated /etc exits 0"
assert_eq "container-host"$'\n'"1"$'\n'"1"$'\n'"hosts"$'\n'"resolv" "$OUT" "/etc/hostname, root in passwd and group, localhost in hosts, resolv.conf"

md_done
