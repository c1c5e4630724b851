#!/bin/bash
# t-logs-rotate: log rotation as the daemon's --log-max-size sets it (the
# daemon hands it to each monitor). With a 4096-byte limit, a container that
# writes 250 numbered lines (about 17 KB of log) in bursts over ~3 s gets its
# log rotated several times: container.log stays near the limit and one
# rotated container.log.1 is kept, so a plain `logs` afterwards no longer has
# the first line (the oldest records are dropped, the size stays bounded).
# A `logs -f` started before the first line follows across every rotation
# and gets all 250 lines, in order, none lost or doubled, then ends.
# `--tail N` reaches back into the rotated file when the current one holds
# fewer than N lines.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd sleep seq
MD_DAEMON_ARGS=(--log-max-size 4096)
md_setup

N=250
WRITER='sleep 0.5; i=1; while [ $i -le '$N' ]; do
	printf "line %04d padding-padding-padding\n" $i
	[ $((i % 10)) -eq 0 ] && sleep 0.1
	i=$((i + 1))
done'

step "a writer of $N lines and a follower started before its first line"
capture md run -d --name rot /bin/sh -c "$WRITER"
assert_eq 0 "$RC" "run -d rot exits 0"
id=$OUT
md logs -f rot >"$MD_TMP/follow.out" 2>"$MD_TMP/follow.err" &
follower=$!
wait_job 30 "$follower"
assert_eq 0 "$JOB_RC" "logs -f across rotations: exit status"
assert_eq "" "$(cat "$MD_TMP/follow.err")" "logs -f across rotations: stderr"
want=$(for i in $(seq $N); do printf 'line %04d padding-padding-padding\n' "$i"; done)
got=$(cat "$MD_TMP/follow.out")
if [ "$want" != "$got" ]; then
	fail "logs -f across rotations: expected lines 1..$N in order, got $(wc -l <<<"$got") lines;" \
		"first difference: $(diff <(echo "$want") <(echo "$got") | sed -n 2p)"
fi

step "the log was rotated, and stays bounded"
dir=$(state_dir "$id")
[ -f "$dir/container.log.1" ] || fail "no rotated container.log.1 in $dir: $(ls "$dir")"
[ -e "$dir/container.log.2" ] && fail "more than one rotated file kept: $(ls "$dir")"
size=$(stat -c %s "$dir/container.log")
assert_between 0 8192 "$size" "size of container.log with --log-max-size 4096"
capture md logs rot
assert_eq 0 "$RC" "logs rot: exit status"
assert_eq "line $(printf %04d $N) padding-padding-padding" "$(tail -n1 <<<"$OUT")" "logs rot: last line"
assert_not_contains "line 0001 " "$OUT" "logs rot after rotations (the first records are rotated away)"
n=$(wc -l <<<"$OUT")
assert_between 20 $((N - 1)) "$n" "lines kept after rotations"
capture md logs --tail 5 rot
assert_eq "$(tail -n5 <<<"$want")" "$OUT" "logs --tail 5 after rotations"
k=$(($(wc -l <"$dir/container.log") + 3))
capture md logs --tail "$k" rot
assert_eq "$(tail -n "$k" <<<"$want")" "$OUT" "logs --tail $k (3 more than container.log holds)"

md_done
