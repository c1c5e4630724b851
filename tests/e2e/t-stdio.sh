#!/bin/bash
# t-stdio: what a command sees and what the user gets back without a
# terminal. stdout and stderr stay apart; `echo hi | run -i cat` prints hi;
# without -i stdin is not passed (cat sees EOF at once, even with a writer
# that never stops); 10 MB out on stdout, 5 MB on stderr and 10 MB in on
# stdin arrive complete and unchanged (byte counts and checksums). -e sets
# the environment, -w the working directory (created if missing), -u 1000:1000
# the user and group, -h the hostname; --rm leaves nothing in `ps -a`,
# attached or detached.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
need_cmd md5sum yes head wc
md_setup

step "stdout and stderr stay apart"
capture md run /bin/sh -c 'echo out; echo err >&2; echo out2; echo err2 >&2'
assert_eq 0 "$RC" "exit status"
assert_eq "out"$'\n'"out2" "$OUT" "stdout"
assert_eq "err"$'\n'"err2" "$ERR" "stderr"

step "stdin with -i"
capture_in $'hi\n' md run -i /bin/cat
assert_eq 0 "$RC" "echo hi | run -i cat: exit status"
assert_eq hi "$OUT" "echo hi | run -i cat: stdout"

step "no stdin without -i"
capture_in $'hi\n' md run /bin/cat
assert_eq 0 "$RC" "echo hi | run cat: exit status"
assert_eq "" "$OUT" "echo hi | run cat: stdout"
t0=$(now)
out=$(yes | timeout 20 md run /bin/sh -c 'echo "eof after $(cat | wc -c) bytes"')
rc=$?
assert_eq 0 "$rc" "yes | run sh -c cat: exit status"
assert_eq "eof after 0 bytes" "$out" "yes | run sh -c 'cat; ...': cat saw EOF at once"
assert_between 0 5 "$(elapsed "$t0")" "seconds yes | run cat took"

step "large output and input arrive complete"
out=$(md run /bin/sh -c 'yes abcdefghijklmnopqrstuvwxyz | head -c 10000000' | md5sum)
want=$(yes abcdefghijklmnopqrstuvwxyz | head -c 10000000 | md5sum)
assert_eq "$want" "$out" "md5sum of 10 MB on stdout"
n=$(md run /bin/sh -c 'head -c 10000000 /dev/zero' | wc -c)
assert_eq 10000000 "$n" "bytes of 10 MB of zeros on stdout"
n=$(md run /bin/sh -c 'head -c 5000000 /dev/zero >&2' 2>&1 >/dev/null | wc -c)
assert_eq 5000000 "$n" "bytes of 5 MB on stderr"
head -c 10000000 /dev/urandom >"$MD_TMP/in.bin"
want=$(md5sum <"$MD_TMP/in.bin")
out=$(md run -i /usr/bin/wc -c <"$MD_TMP/in.bin")
assert_eq 10000000 "$(tr -d ' ' <<<"$out")" "bytes of 10 MB on stdin"
out=$(md run -i /usr/bin/md5sum <"$MD_TMP/in.bin")
assert_eq "$want" "$out" "md5sum of 10 MB of random bytes on stdin"

step "-e, -w, -u, -h"
capture md run -e FOO=bar -e 'BAZ=a b c' -e EMPTY= /bin/sh -c 'echo "$FOO|$BAZ|${EMPTY-unset}|"'
assert_eq "bar|a b c||" "$OUT" "run -e: the variables inside"
capture md run -w /work/dir/new /bin/sh -c 'pwd; test -d /work/dir/new && echo dir'
assert_eq 0 "$RC" "run -w of a missing dir: exit status"
assert_eq "/work/dir/new"$'\n'"dir" "$OUT" "run -w of a missing dir: pwd"
capture md run -w /tmp /bin/pwd
assert_eq /tmp "$OUT" "run -w /tmp: pwd"
capture md run -u 1000:1000 /bin/sh -c 'id -u; id -g'
assert_eq 0 "$RC" "run -u 1000:1000: exit status"
assert_eq "1000"$'\n'"1000" "$OUT" "run -u 1000:1000: id -u and id -g"
capture md run -u 1000 /usr/bin/id -u
assert_eq 1000 "$OUT" "run -u 1000: id -u"
capture md run -h my-box /bin/hostname
assert_eq my-box "$OUT" "run -h my-box: hostname"

step "--rm leaves nothing in ps -a"
capture md run --rm --name rm-attached /bin/sh -c 'echo bye'
assert_eq 0 "$RC" "run --rm: exit status"
assert_eq bye "$OUT" "run --rm: output"
capture md ps -a
assert_not_contains rm-attached "$OUT" "ps -a right after an attached run --rm returned"
capture md run -d --rm --name rm-detached /bin/true
assert_eq 0 "$RC" "run -d --rm: exit status"
gone() { ! md ps -a | grep -q rm-detached; }
wait_until 10 gone || fail "ps -a still lists rm-detached 10 s after it exited"

md_done
