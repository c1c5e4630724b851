#!/bin/bash
# t-image-load: `load -i` of a `docker save` archive and of an OCI image
# layout tar (built here from the host's static busybox, two layers each:
# see images.sh), and layers stored once. Each load prints `Loaded image:
# NAME:TAG` and lists the image with its config digest as IMAGE ID. Run
# without a command, the config's Cmd runs in its WorkingDir with its Env
# (docker save: cmd-ran /work hello-from-config; OCI: oci-cmd /data
# hello-from-oci); -e overrides an Env entry and adds to the rest, -w the
# WorkingDir, a command the Cmd, and a relative command is found on the
# image's PATH. The layers are applied in order: the whiteout removes
# /etc/doomed, the opaque directory leaves /data with only `new`,
# /work/added-by-layer2 is there, and no whiteout name shows. An OCI layout
# named with a '/' takes its name from org.opencontainers.image.ref.name.
# An archive whose layer does not match its digest (diff_id for docker
# save, blob digest for OCI) is refused with 1 and one `minidocker: ` line
# naming the digest, and lists nothing. Loading an archive again changes
# nothing (same output, one row, same ID, no second copy of its files).
# The same tar imported under two names is stored once (one busybox file
# under --root), each name runs, and after both are removed with rmi the
# layer is gone too.

# shellcheck disable=SC2016 # $ in single quotes is for the container's shell
. "$(dirname "$0")/lib.sh" "$@"
. "$E2E_DIR/images.sh"
img_need
md_setup

step "build the test archives"
img_rootfs "$MD_TMP/rootfs"
img_tar "$MD_TMP/rootfs" "$MD_TMP/bb.tar"
img_docker_save "$MD_TMP/save.tar" savebox:v1
img_docker_save "$MD_TMP/save-bad.tar" badsave:v1 bad
img_oci "$MD_TMP/oci.tar" ocibox:v1
img_oci "$MD_TMP/oci-slash.tar" mde2e/ocibox:v2
img_oci "$MD_TMP/oci-bad.tar" badoci:v1 bad
SAVE_ID=$(img_config_id "$MD_TMP/save.tar")
OCI_ID=$(img_config_id "$MD_TMP/oci.tar")
assert_match '^[0-9a-f]{64}$' "$SAVE_ID" "the docker-save archive's config digest"
assert_match '^[0-9a-f]{64}$' "$OCI_ID" "the OCI archive's config digest"

# ---- layers stored once -------------------------------------------------------

step "the same tar imported twice is stored once"
assert_eq 0 "$(busybox_inodes)" "busybox files under --root before any import"
capture md import "$MD_TMP/bb.tar" dup-one:1
assert_eq 0 "$RC" "import bb.tar dup-one:1 (stderr: $ERR)"
assert_eq 1 "$(settle 10 1 busybox_inodes)" "busybox files under --root after one import"
capture md import "$MD_TMP/bb.tar" dup-two:1
assert_eq 0 "$RC" "import bb.tar dup-two:1 (stderr: $ERR)"
assert_eq 1 "$(settle 10 1 busybox_inodes)" "busybox files under --root after the same tar is imported again"
assert_eq "dup-one:1"$'\n'"dup-two:1" "$(img_refs md)" "images after two imports"
for ref in dup-one:1 dup-two:1; do
	capture md run --rm "$ref" /bin/cat /etc/image-marker
	assert_eq "from-image" "$OUT" "run $ref (stderr: $ERR)"
done
wait_until 10 no_containers || fail "the --rm containers were not removed"
capture md rmi dup-one:1
assert_eq 0 "$RC" "rmi dup-one:1 (stderr: $ERR)"
capture md run --rm dup-two:1 /bin/cat /etc/image-marker
assert_eq "from-image" "$OUT" "run dup-two:1 after rmi dup-one:1 (stderr: $ERR)"
assert_eq 1 "$(settle 10 1 busybox_inodes)" "busybox files under --root while dup-two:1 is left"
wait_until 10 no_containers || fail "the --rm containers were not removed"
capture md rmi dup-two:1
assert_eq 0 "$RC" "rmi dup-two:1 (stderr: $ERR)"
assert_eq "" "$(img_refs md)" "images after both are removed"
assert_eq 0 "$(settle 10 0 busybox_inodes)" "busybox files under --root once no image uses the layer"

# ---- docker save -------------------------------------------------------------

step "load a docker-save archive"
capture md load -i "$MD_TMP/save.tar"
assert_eq 0 "$RC" "load -i save.tar: exit status (stderr: $ERR)"
assert_eq "Loaded image: savebox:v1" "$OUT" "load -i save.tar: stdout"
assert_eq "" "$ERR" "load -i save.tar: stderr"
assert_eq "savebox:v1" "$(img_refs md)" "images after loading save.tar"
assert_eq "${SAVE_ID:0:12}" "$(img_id savebox v1)" "savebox:v1's IMAGE ID: its config digest"

step "the config's Cmd, Env and WorkingDir"
capture md run --rm savebox:v1
assert_eq 0 "$RC" "run savebox:v1: exit status (stderr: $ERR)"
assert_eq "cmd-ran"$'\n'"/work"$'\n'"hello-from-config" "$OUT" "run savebox:v1 with no command"
capture md run --rm -e GREETING=x savebox:v1
assert_eq "cmd-ran"$'\n'"/work"$'\n'"x" "$OUT" "run -e GREETING=x savebox:v1 (stderr: $ERR)"
capture md run --rm -w /tmp savebox:v1
assert_eq "cmd-ran"$'\n'"/tmp"$'\n'"hello-from-config" "$OUT" "run -w /tmp savebox:v1 (stderr: $ERR)"
capture md run --rm savebox:v1 /bin/echo override
assert_eq 0 "$RC" "run savebox:v1 /bin/echo override: exit status (stderr: $ERR)"
assert_eq "override" "$OUT" "run savebox:v1 /bin/echo override"
capture md run --rm -e OTHER=1 savebox:v1 /bin/sh -c 'echo "$GREETING $OTHER"; echo "$PATH"; pwd'
assert_eq "hello-from-config 1"$'\n'"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"$'\n'"/work" \
	"$OUT" "run -e OTHER=1 savebox:v1: the image's Env and -e together, the WorkingDir (stderr: $ERR)"
capture md run --rm savebox:v1 echo via-path
assert_eq 0 "$RC" "run savebox:v1 echo (a relative command): exit status (stderr: $ERR)"
assert_eq "via-path" "$OUT" "run savebox:v1 echo via-path: found on the image's PATH"

step "the layers: whiteout and opaque directory"
layers_probe='test -e /etc/doomed && echo doomed-present
echo "data: $(ls -A /data | tr "\n" " ")"
test -f /work/added-by-layer2 && echo added
ls -A / /etc /data /work | grep "^\.wh\." && echo whiteout-visible
cat /etc/image-marker'
capture md run --rm savebox:v1 /bin/sh -c "$layers_probe"
assert_eq 0 "$RC" "savebox:v1 layers probe: exit status (stderr: $ERR)"
assert_eq "data: new "$'\n'"added"$'\n'"from-image" "$OUT" \
	"savebox:v1: /etc/doomed gone, /data holds only new, /work/added-by-layer2 there, no .wh. names"

step "a digest that does not match is refused"
refs=$(img_refs md)
capture md load -i "$MD_TMP/save-bad.tar"
assert_eq 1 "$RC" "load -i save-bad.tar: exit status"
assert_one_error "load -i save-bad.tar" "digest"
assert_eq "" "$OUT" "load -i save-bad.tar: stdout"
assert_eq "$refs" "$(img_refs md)" "images after the refused load of save-bad.tar"

step "loading again changes nothing"
inodes=$(settle 10 1 busybox_inodes)
capture md load -i "$MD_TMP/save.tar"
assert_eq 0 "$RC" "load -i save.tar again: exit status (stderr: $ERR)"
assert_eq "Loaded image: savebox:v1" "$OUT" "load -i save.tar again: stdout"
assert_eq "savebox:v1" "$(img_refs md)" "images after loading save.tar again"
assert_eq "${SAVE_ID:0:12}" "$(img_id savebox v1)" "savebox:v1's IMAGE ID after loading it again"
assert_eq "$inodes" "$(settle 10 "$inodes" busybox_inodes)" "busybox files under --root after loading save.tar again"
capture md run --rm savebox:v1
assert_eq "cmd-ran"$'\n'"/work"$'\n'"hello-from-config" "$OUT" "run savebox:v1 after loading it again (stderr: $ERR)"

# ---- OCI ------------------------------------------------------------------------

step "load an OCI image layout"
capture md load -i "$MD_TMP/oci.tar"
assert_eq 0 "$RC" "load -i oci.tar: exit status (stderr: $ERR)"
assert_eq "Loaded image: ocibox:v1" "$OUT" "load -i oci.tar: stdout"
assert_eq "" "$ERR" "load -i oci.tar: stderr"
assert_eq "ocibox:v1"$'\n'"savebox:v1" "$(img_refs md)" "images after loading oci.tar"
assert_eq "${OCI_ID:0:12}" "$(img_id ocibox v1)" "ocibox:v1's IMAGE ID: its config digest"
capture md run --rm ocibox:v1
assert_eq 0 "$RC" "run ocibox:v1: exit status (stderr: $ERR)"
assert_eq "oci-cmd"$'\n'"/data"$'\n'"hello-from-oci" "$OUT" "run ocibox:v1 with no command"
capture md run --rm -e GREETING=y -w /work ocibox:v1
assert_eq "oci-cmd"$'\n'"/work"$'\n'"y" "$OUT" "run -e GREETING=y -w /work ocibox:v1 (stderr: $ERR)"
capture md run --rm ocibox:v1 /bin/echo override
assert_eq "override" "$OUT" "run ocibox:v1 /bin/echo override (stderr: $ERR)"
capture md run --rm ocibox:v1 /bin/sh -c "$layers_probe"
assert_eq 0 "$RC" "ocibox:v1 layers probe: exit status (stderr: $ERR)"
assert_eq "data: new "$'\n'"added"$'\n'"from-image" "$OUT" \
	"ocibox:v1: /etc/doomed gone, /data holds only new, /work/added-by-layer2 there, no .wh. names"

step "an OCI layout named by org.opencontainers.image.ref.name"
capture md load -i "$MD_TMP/oci-slash.tar"
assert_eq 0 "$RC" "load -i oci-slash.tar: exit status (stderr: $ERR)"
assert_eq "Loaded image: mde2e/ocibox:v2" "$OUT" "load -i oci-slash.tar: stdout"
capture md run --rm mde2e/ocibox:v2 /bin/cat /work/added-by-layer2
assert_eq "layer2" "$OUT" "run mde2e/ocibox:v2 (stderr: $ERR)"

step "an OCI blob that does not match its digest is refused"
refs=$(img_refs md)
capture md load -i "$MD_TMP/oci-bad.tar"
assert_eq 1 "$RC" "load -i oci-bad.tar: exit status"
assert_one_error "load -i oci-bad.tar" "digest"
assert_eq "" "$OUT" "load -i oci-bad.tar: stdout"
assert_eq "$refs" "$(img_refs md)" "images after the refused load of oci-bad.tar"

step "loading the OCI layout again changes nothing"
capture md load -i "$MD_TMP/oci.tar"
assert_eq 0 "$RC" "load -i oci.tar again: exit status (stderr: $ERR)"
assert_eq "Loaded image: ocibox:v1" "$OUT" "load -i oci.tar again: stdout"
assert_eq "$refs" "$(img_refs md)" "images after loading oci.tar again"
assert_eq "${OCI_ID:0:12}" "$(img_id ocibox v1)" "ocibox:v1's IMAGE ID after loading it again"

step "a large archive shows a progress line on a terminal, none elsewhere"
mkdir -p "$MD_TMP/bigroot"
img_rootfs "$MD_TMP/bigroot"
head -c $((20 * 1024 * 1024)) /dev/urandom >"$MD_TMP/bigroot/big"
img_tar "$MD_TMP/bigroot" "$MD_TMP/big.tar"
cat >"$MD_TMP/progress.steps" <<'STEPS'
timeout 60
expect Reading +[0-9]+% \([0-9.]+[kMG]?B of 2[0-9.]+MB\)
expect sha256:[0-9a-f]{64}
status 0
STEPS
"$PY" "$PTY" --script "$MD_TMP/progress.steps" -- md import "$MD_TMP/big.tar" bigbox:tty ||
	fail "import of a 20 MB archive on a terminal: no progress line (see above)"
capture md import "$MD_TMP/big.tar" bigbox:pipe
assert_eq 0 "$RC" "import of the large archive, stderr not a terminal: exit status"
assert_eq "" "$ERR" "import of the large archive, stderr not a terminal: stderr"
rm -rf "$MD_TMP/bigroot" "$MD_TMP/big.tar"

md_done
