#!/bin/bash
# t-tty-stream: output through a pty arrives whole and in order, however it
# is written (the monitor reads a pty in batches while a program streams
# small writes into it, and at once otherwise). `run -t` of 20000 numbered
# lines ending in a last write without a newline right before the exit; two
# `exec -t` sessions streaming 10000 lines each at the same time; and lines
# that trickle out 20 ms apart: every line is there, once, in order, with
# the last bytes. The client's stdout is a file: -t alone needs no
# terminal of its own, as with docker. The trickle is checked for
# completeness only: that a lone write is read at once is what the prompts
# t-session and t-attach wait for (within their timeouts) rely on.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
md_setup

# contiguous TEXT [FROM]: every line is the line before it plus one, from
# FROM (0); prints the count, or "bad at line N: ..." on the first wrong one.
contiguous() {
	awk -v n="${2:-0}" 'BEGIN { first = n }
	     $0 != n "" { printf "bad at line %d: %s (expected %d)\n", NR, $0, n; bad = 1; exit }
	     { n++ }
	     END { if (!bad) print n - first }' <<<"$1"
}

# lines N [FROM]: a shell loop printing FROM..FROM+N-1, one per line.
lines() {
	printf 'i=%d; while [ $i -lt %d ]; do echo $i; i=$((i+1)); done' "${2:-0}" "$((${2:-0} + $1))"
}

step "run -t: 20000 lines and a last write at the exit"
capture md run -t --rm /bin/sh -c "$(lines 20000); printf END"
assert_eq 0 "$RC" "run -t exits 0"
out=$(tr -d '\r' <<<"$OUT")
assert_eq "END" "$(tail -n 1 <<<"$out")" "the last write, right before the exit"
assert_eq 20000 "$(contiguous "$(sed '$d' <<<"$out")")" "numbered lines through the pty"

step "two exec -t sessions stream at once"
capture md run -d --name streamer /bin/sleep 600
assert_eq 0 "$RC" "run -d streamer"
md exec -t streamer /bin/sh -c "$(lines 10000)" >"$MD_TMP/a.out" 2>&1 &
a=$!
md exec -t streamer /bin/sh -c "$(lines 10000 50000)" >"$MD_TMP/b.out" 2>&1 &
b=$!
wait_job 60 "$a"
assert_eq 0 "$JOB_RC" "the first exec -t exits 0"
wait_job 60 "$b"
assert_eq 0 "$JOB_RC" "the second exec -t exits 0"
assert_eq 10000 "$(contiguous "$(tr -d '\r' <"$MD_TMP/a.out")")" "the first session's lines"
assert_eq 10000 "$(contiguous "$(tr -d '\r' <"$MD_TMP/b.out")" 50000)" "the second session's lines"
capture md rm -f streamer
assert_eq 0 "$RC" "rm -f streamer"

step "lines that trickle out"
capture md run -t --rm /bin/sh -c 'i=0; while [ $i -lt 20 ]; do echo $i; sleep 0.02; i=$((i+1)); done'
assert_eq 0 "$RC" "run -t of a trickle exits 0"
assert_eq 20 "$(contiguous "$(tr -d '\r' <<<"$OUT")")" "lines 20 ms apart"

md_done
