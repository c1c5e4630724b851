#!/bin/bash
# t-version-info: `version` prints a Client: and a Server: section, each
# with a Version (x.y.z); without a daemon the client's part still shows and
# the status is 125 with the documented `cannot connect` line. `info`
# prints Containers / Running / Stopped counts that match what runs: 0/0/0
# on a fresh daemon, 3/2/1 with two running and one exited, 2/1/1 after a
# stop and an rm; its root, run and socket paths are our daemon's.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep
md_setup

step "version"
capture md version
assert_eq 0 "$RC" "version: exit status"
assert_eq "" "$ERR" "version: stderr"
client=$(sed -n '/^Client:/,/^$/p' <<<"$OUT")
server=$(sed -n '/^Server:/,$p' <<<"$OUT")
assert_match '(^|'$'\n'') +Version: +[0-9]+\.[0-9]+\.[0-9]+' "$client" "version: the Client section's Version"
assert_match '(^|'$'\n'') +Version: +[0-9]+\.[0-9]+\.[0-9]+' "$server" "version: the Server section's Version"
capture "$BIN/minidocker" --socket "$MD_TMP/no-daemon.sock" version
assert_eq 125 "$RC" "version without a daemon: exit status"
assert_match '^Client:' "$OUT" "version without a daemon: the client's part"
assert_match "^minidocker: cannot connect to minidockerd at $MD_TMP/no-daemon.sock: .*\(is the daemon running\?\)\$" \
	"$ERR" "version without a daemon: stderr"

# counts: the Containers, Running and Stopped numbers of `info`.
counts() {
	md info | awk -F: '
		/^ *Containers:/ { c = $2 } /^ *Running:/ { r = $2 } /^ *Stopped:/ { s = $2 }
		END { gsub(/ /, "", c); gsub(/ /, "", r); gsub(/ /, "", s); print c "/" r "/" s }'
}

step "info on a fresh daemon"
capture md info
assert_eq 0 "$RC" "info: exit status"
assert_eq "0/0/0" "$(counts)" "info Containers/Running/Stopped on a fresh daemon"
assert_match "(^|"$'\n'")Root Dir: +$MD_TMP/root("$'\n'"|\$)" "$OUT" "info: Root Dir"
assert_match "(^|"$'\n'")Run Dir: +$MD_TMP/run("$'\n'"|\$)" "$OUT" "info: Run Dir"

step "info counts what runs"
md run -d --name a /bin/sleep 100 >/dev/null
md run -d --name b /bin/sleep 100 >/dev/null
md run --name c /bin/true
assert_eq "3/2/1" "$(counts)" "info with two running and one exited"
md stop -t 0 a >/dev/null
md rm c >/dev/null
assert_eq "2/1/1" "$(counts)" "info after stop a and rm c"

md_done
