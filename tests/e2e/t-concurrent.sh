#!/bin/bash
# t-concurrent: one daemon serves many clients at once. Four clients in
# parallel start five detached containers each: all 20 runs succeed with
# distinct IDs and run together (`ps -q` lists exactly those 20). Six
# attached sessions at the same time, each fed its own stdin, each print
# only their own markers and input (no output crosses between sessions).
# Then one `stop` stops all 20, and `ps -q` is empty.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
md_setup

step "20 detached containers from 4 parallel clients"
jobs_pids=()
for j in 1 2 3 4; do
	(
		for k in 1 2 3 4 5; do
			md run -d --name "c-$j-$k" /bin/sleep 100 || echo "run c-$j-$k failed: $?" >&2
		done
	) >"$MD_TMP/ids.$j" 2>"$MD_TMP/err.$j" &
	jobs_pids+=($!)
done
for p in "${jobs_pids[@]}"; do
	wait_job 120 "$p"
done
ids=$(cat "$MD_TMP"/ids.*)
errs=$(cat "$MD_TMP"/err.*)
assert_eq "" "$errs" "stderr of the parallel runs"
assert_lines 20 "$ids" "IDs printed by the 20 runs"
assert_eq 20 "$(sort -u <<<"$ids" | grep -cE '^[0-9a-f]{32}$')" "distinct well-formed IDs"
capture md ps -q
assert_eq 0 "$RC" "ps -q exits 0"
assert_lines 20 "$OUT" "ps -q while the 20 run"
assert_eq "$(cut -c1-12 <<<"$ids" | sort)" "$(cut -c1-12 <<<"$OUT" | sort)" "ps -q lists exactly the 20 started"

step "6 attached sessions at once"
sess=()
for n in 1 2 3 4 5 6; do
	printf 'input-%s\n' "$n" | md run -i /bin/sh -c '
		read -r line
		for i in 1 2 3 4 5; do echo "mark-'"$n"'-$i"; sleep 0.1; done
		echo "got $line"' >"$MD_TMP/sess.$n" 2>&1 &
	sess+=($!)
done
for n in 1 2 3 4 5 6; do
	wait_job 60 "${sess[$((n - 1))]}"
	assert_eq 0 "$JOB_RC" "session $n exit status"
	want=$(for i in 1 2 3 4 5; do echo "mark-$n-$i"; done; echo "got input-$n")
	assert_eq "$want" "$(cat "$MD_TMP/sess.$n")" "session $n output"
done

step "stop all 20"
# shellcheck disable=SC2046
capture md stop -t 0 $(md ps -q)
assert_eq 0 "$RC" "stop of all exits 0"
assert_lines 20 "$OUT" "names printed by stop"
capture md ps -q
assert_eq "" "$OUT" "ps -q after stopping them all"

md_done
