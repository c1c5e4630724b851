#!/bin/sh
# Fuzz one target for a bounded time on a scratch copy of its seed corpus,
# so the committed corpus is never modified. Fails (non-zero) on any crash,
# leak, sanitizer report, timeout or out-of-memory; the input that did it is
# left in WORK/artifacts/ and the whole log in WORK/log.
#
#   tests/fuzz/run.sh BINARY SECONDS MAX_LEN WORK [DICT]
#
# FUZZ_TIMEOUT (seconds per input) and FUZZ_RSS_MB come from the environment.
set -eu

bin=$1 seconds=$2 max_len=$3 work=$4 dict=${5:-}
name=$(basename "$bin")
seeds=$(dirname "$0")/corpus/$name

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"

set -- -max_total_time="$seconds" -max_len="$max_len" -timeout="${FUZZ_TIMEOUT:-10}" \
	-rss_limit_mb="${FUZZ_RSS_MB:-1024}" -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/"
if [ -n "$dict" ]; then set -- "$@" -dict="$dict"; fi

echo "== $name: ${seconds}s, max_len $max_len"
asan=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-$asan}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
if "$bin" "$@" "$work/corpus" >"$work/log" 2>&1; then
	# The last status line and the final stats: how fast and how far it got.
	grep -E '^#[0-9]+' "$work/log" | tail -n 1
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/log" |
		tr '\n' ' '
	echo
	exit 0
fi
echo "$name FAILED: input in $work/artifacts/, log in $work/log"
# The report: from the sanitizer's or libFuzzer's first error line on.
sed -n '/ERROR: \|runtime error\|check failed\|==ERROR\|^SUMMARY/,$p' "$work/log" | head -n 80
exit 1
