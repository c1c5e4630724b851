#!/bin/bash
# run-all.sh BIN_DIR: run every tests/e2e/t-*.sh against the binaries in
# BIN_DIR, one after the other, each bounded in time, and print each test's
# name and result, then a last line `N passed, N failed` (`, N skipped` when
# some were). A failed test's log is printed in full. Exits non-zero when a
# test failed, or (with $CI set) when one was skipped. Set E2E_ONLY to a
# space-separated list of test names (e.g. "t-stop t-fds") to run only those.

set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 BIN_DIR" >&2
	exit 2
fi
BIN=$(cd "$1" && pwd)
DIR=$(cd "$(dirname "$0")" && pwd)
LIMIT=${E2E_TIMEOUT:-300}
LOGS=$(mktemp -d /tmp/mde2e-logs.XXXXXX)
trap 'rm -rf "$LOGS"' EXIT

passed=0 failed=0 skipped=0
failed_names=()
for t in "$DIR"/t-*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${E2E_ONLY:-}" ] && [[ " $E2E_ONLY " != *" $name "* ]]; then
		continue
	fi
	log=$LOGS/$name.log
	start=$SECONDS
	timeout -k 10 "$LIMIT" "$t" "$BIN" >"$log" 2>&1 </dev/null
	rc=$?
	secs=$((SECONDS - start))
	case $rc in
	0)
		passed=$((passed + 1))
		printf '%-20s ok      (%ds)\n' "$name" "$secs"
		;;
	77)
		skipped=$((skipped + 1))
		printf '%-20s SKIPPED (%s)\n' "$name" "$(grep -m1 '^SKIP:' "$log" | cut -c7-)"
		;;
	*)
		failed=$((failed + 1))
		failed_names+=("$name")
		why="exit $rc"
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && why="timed out after ${LIMIT}s"
		printf '%-20s FAILED  (%s, %ds)\n' "$name" "$why" "$secs"
		sed 's/^/    | /' "$log"
		;;
	esac
done

rc=0
[ "$failed" -eq 0 ] || rc=1
if [ "$skipped" -gt 0 ] && [ -n "${CI:-}" ]; then
	echo "skipped tests count as failures under CI"
	rc=1
fi
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
exit $rc
