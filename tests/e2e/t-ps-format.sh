#!/bin/bash
# t-ps-format: what `ps` shows. Plain `ps` lists running containers only,
# `-a` exited ones too, newest first; `-q` prints only 12-hex IDs (of the
# running, or of all with -a), `--no-trunc` the full 32-hex IDs (the ones
# `run -d` printed) and the whole command, which the table otherwise cuts.
# STATUS and CREATED use Docker's words: "Up Less than a second" and "Less
# than a second ago" right after start, "Up N seconds", "N seconds ago" and
# "Exited (3) N seconds ago" later. `--format json` gives one object a line
# with Id Name Image Command Created State ExitCode Pid holding the right
# values (a generated name when none was given). A unique ID prefix names
# a container; a prefix two IDs share is an error (one `minidocker: ` line,
# status 1) for inspect, logs and rm, which then removes nothing.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep
md_setup

row() { # NAME: its row in the last captured table
	grep -E "[[:space:]]$1\$" <<<"$OUT"
}

step "fresh containers: Less than a second"
capture md run --name three /bin/sh -c 'exit 3'
assert_eq 3 "$RC" "run three: exit status"
capture md run -d --name upper /bin/sleep 100
upper=$OUT
long_cmd='echo this-is-a-rather-long-command-line; sleep 100'
capture md run -d --name longcmd /bin/sh -c "$long_cmd"
longcmd=$OUT
capture md run -d /bin/sleep 101
anon=$OUT
capture md ps -a
assert_match "^${upper:0:12} +host +\"/bin/sleep 100\" +Less than a second ago +Up Less than a second +upper\$" \
	"$(row upper)" "ps -a row of a fresh container"
assert_match "^[0-9a-f]{12} +host +\"/bin/sh -c exit 3\" +(Less than a second|1 second) ago +Exited \(3\) (Less than a second|1 second) ago +three\$" \
	"$(row three)" "ps -a row of a container that exited 3"

step "ps, -a, -q, --no-trunc"
capture md ps
assert_eq 0 "$RC" "ps: exit status"
assert_match '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +NAMES$' "$(head -n1 <<<"$OUT")" "ps header"
assert_lines 4 "$OUT" "ps lines (header and 3 running)"
assert_eq "" "$(row three)" "ps (no -a) lists the exited container"
capture md ps -a
assert_lines 5 "$OUT" "ps -a lines (header and 4)"
names=$(tail -n +2 <<<"$OUT" | awk '{ print $NF }' | tr '\n' ' ')
anon_name=$(ps_json_field "$anon" Name)
assert_eq "$anon_name longcmd upper three " "$names" "ps -a order (newest first)"
assert_match '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$' "$anon_name" "generated name"
cmd_col=$(row longcmd)
assert_not_contains "$long_cmd" "$cmd_col" "ps cuts a long command"
capture md ps -q
assert_eq "${anon:0:12}"$'\n'"${longcmd:0:12}"$'\n'"${upper:0:12}" "$OUT" "ps -q"
capture md ps -aq
assert_lines 4 "$OUT" "ps -aq lines"
bad=$(grep -Ev '^[0-9a-f]{12}$' <<<"$OUT")
assert_eq "" "$bad" "ps -aq lines that are not 12 hex digits"
capture md ps -q --no-trunc
assert_eq "$anon"$'\n'"$longcmd"$'\n'"$upper" "$OUT" "ps -q --no-trunc: the full IDs run -d printed"
capture md ps --no-trunc
assert_match "^$longcmd +host +\"/bin/sh -c $long_cmd\" " "$(row longcmd)" "ps --no-trunc row: full ID and command"

step "--format json"
capture md ps -a --format json
assert_eq 0 "$RC" "ps -a --format json: exit status"
checked=$("$PY" -c '
import json, re, sys
upper, three_name = sys.argv[1], "three"
rows = {}
for line in sys.stdin:
    o = json.loads(line)
    rows[o.get("Name")] = o
out = []
keys = "Id Name Image Command Created State ExitCode Pid".split()
for name, o in sorted(rows.items()):
    missing = [k for k in keys if k not in o]
    if missing:
        out.append("%s lacks %s" % (name, " ".join(missing)))
    if not re.fullmatch(r"[0-9a-f]{32}", o.get("Id", "")):
        out.append("%s Id %r" % (name, o.get("Id")))
    if not re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", o.get("Created", "")):
        out.append("%s Created %r" % (name, o.get("Created")))
u, t = rows.get("upper", {}), rows.get("three", {})
want_u = {"Id": upper, "Image": "host", "Command": "/bin/sleep 100", "State": "running", "ExitCode": 0}
want_t = {"Image": "host", "Command": "/bin/sh -c exit 3", "State": "exited", "ExitCode": 3, "Pid": 0}
for which, o, want in (("upper", u, want_u), ("three", t, want_t)):
    for k, v in want.items():
        if o.get(k) != v:
            out.append("%s %s: expected %r, got %r" % (which, k, v, o.get(k)))
if not (isinstance(u.get("Pid"), int) and u.get("Pid") > 0):
    out.append("upper Pid %r" % u.get("Pid"))
print("; ".join(out) if out else "ok %d" % len(rows))
' "$upper" <<<"$OUT")
assert_eq "ok 4" "$checked" "ps -a --format json"

step "later: N seconds"
sleep 2.2
capture md ps -a
assert_match "^${upper:0:12} +host +\"/bin/sleep 100\" +[2-6] seconds ago +Up [2-6] seconds +upper\$" \
	"$(row upper)" "ps -a row of a container up for 2 s"
assert_match " [2-6] seconds ago +Exited \(3\) [2-6] seconds ago +three\$" "$(row three)" \
	"ps -a row of a container that exited 2 s ago"

step "ID prefixes"
capture md inspect "${upper:0:5}"
assert_eq 0 "$RC" "inspect of a unique 5-hex prefix: exit status"
assert_contains "\"Id\": \"$upper\"" "$OUT" "inspect of a unique prefix names the container"
# Start containers until two IDs share their first hex digit (17 at most).
ids=$(md ps -aq --no-trunc)
digit=
for _ in $(seq 17); do
	digit=$(cut -c1 <<<"$ids" | sort | uniq -d | head -n1)
	[ -n "$digit" ] && break
	ids+=$'\n'$(md run -d /bin/true) || die "run -d failed"
done
[ -n "$digit" ] || die "17 IDs without a shared first digit"
before=$(md ps -aq --no-trunc | sort)
for cmd in inspect logs "rm -f"; do
	# shellcheck disable=SC2086
	capture md $cmd "$digit"
	assert_eq 1 "$RC" "$cmd of the ambiguous prefix '$digit': exit status"
	assert_match '^minidocker: ' "$ERR" "$cmd of an ambiguous prefix: error"
	assert_lines 1 "$ERR" "$cmd of an ambiguous prefix: error lines"
done
assert_eq "$before" "$(md ps -aq --no-trunc | sort)" "containers after rm -f of an ambiguous prefix"

md_done
