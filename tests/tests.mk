# Tests: cmocka unit tests (tests/unit), end-to-end tests (tests/e2e) that
# start private daemons and run real containers, and the sanitizer build.

UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test-*.c))
LDLIBS_CMOCKA := $(shell pkg-config --libs cmocka)

# What each unit test links besides its own file: only its module.
UNIT_DEPS_test-proto := proto/frame.c proto/msg.c common/buf.c common/util.c common/err.c
UNIT_DEPS_test-frame-read := proto/frame-read.c proto/frame.c common/buf.c common/util.c common/err.c
UNIT_DEPS_test-id := common/id.c common/util.c common/err.c
UNIT_DEPS_test-ctr-config := daemon/ctr-config.c daemon/caps.c proto/msg.c proto/frame.c common/buf.c \
	common/util.c common/err.c common/id.c
UNIT_DEPS_test-lookup := daemon/ctr-lookup.c common/id.c common/util.c common/err.c
UNIT_DEPS_test-run-config := daemon/run-config.c daemon/run-mounts.c daemon/image-spec.c daemon/ctr-config.c daemon/caps.c proto/msg.c \
	proto/frame.c common/buf.c common/util.c common/err.c common/id.c
UNIT_DEPS_test-run-mounts := daemon/run-mounts.c daemon/ctr-config.c daemon/caps.c proto/msg.c \
	proto/frame.c common/buf.c common/util.c common/err.c common/id.c
UNIT_DEPS_test-mon-log := daemon/mon-log.c common/buf.c common/util.c common/err.c common/log.c
UNIT_DEPS_test-cgroup := daemon/cgroup.c daemon/cgroup-detect.c common/util.c common/err.c
UNIT_DEPS_test-ctr-clone := daemon/ctr-clone.c common/util.c common/err.c
UNIT_DEPS_test-ctr-net := daemon/ctr-net.c common/util.c common/err.c common/log.c
UNIT_DEPS_test-cli := client/opts.c client/format.c common/util.c common/err.c common/id.c \
	common/buf.c
UNIT_DEPS_test-seccomp := daemon/ctr-seccomp.c common/util.c common/err.c
UNIT_DEPS_test-caps := daemon/caps.c
UNIT_DEPS_test-idmap := daemon/idmap.c daemon/ctr-config.c daemon/caps.c proto/msg.c proto/frame.c \
	common/buf.c common/util.c common/err.c common/id.c
UNIT_DEPS_test-remove-tree := common/util.c common/err.c
UNIT_DEPS_test-dir-spread := common/util.c common/err.c
UNIT_DEPS_test-layer-extract := daemon/layer-extract.c common/util.c common/err.c
UNIT_DEPS_test-layer-copy := daemon/layer-copy.c common/util.c common/err.c
UNIT_DEPS_test-ctr-overlay := daemon/ctr-overlay.c common/util.c common/err.c
UNIT_DEPS_test-host-skel := daemon/host-skel.c daemon/ctr-rootfs.c daemon/ctr-mount.c common/util.c \
	common/err.c common/log.c
UNIT_DEPS_test-image-spec := daemon/image-spec.c common/util.c common/err.c
UNIT_DEPS_test-image-store := daemon/image-store.c daemon/image-spec.c proto/msg.c proto/frame.c \
	common/buf.c common/util.c common/err.c common/log.c
UNIT_DEPS_test-cli-image := client/opts-image.c client/format.c common/buf.c common/util.c \
	common/err.c
UNIT_DEPS_test-digest := daemon/digest.c common/util.c common/err.c
# The rule below has no per-test libraries: this one rides on cmocka's, at the end of the line.
$(B)/tests/test-seccomp: LDLIBS_CMOCKA += $(LDLIBS_SECCOMP)
$(B)/tests/test-layer-extract: LDLIBS_CMOCKA += $(shell pkg-config --libs libarchive)
$(B)/tests/test-digest: LDLIBS_CMOCKA += $(shell pkg-config --libs libcrypto)

# -MMD makes the headers prerequisites of the binary too: pass only the
# sources and objects to the compiler.
.SECONDEXPANSION:
$(B)/tests/%: tests/unit/%.c $$(call obj,$$(UNIT_DEPS_%))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS_CMOCKA) $(LDLIBS_JSON) \
		$(LDLIBS_UUID)

unit: $(UNIT_TESTS)
	@fail=0; for t in $(UNIT_TESTS); do echo "== $$t"; $$t || fail=1; done; exit $$fail

e2e: all
	tests/e2e/run-all.sh $(BIN)

# Everything CI runs: dependencies first, then unit tests, the sanitizer
# build of them, and the end-to-end tests.
check: deps
	$(MAKE) unit
	$(MAKE) asan
	$(MAKE) fuzz
	$(MAKE) e2e

# AddressSanitizer + UndefinedBehaviorSanitizer build of the unit tests.
asan:
	$(MAKE) B=build/asan MONITOR_LDFLAGS= CLIENT_LDFLAGS= \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" unit

.PHONY: unit e2e check asan

# libFuzzer targets for every parser of untrusted input (clang): `make fuzz`
# runs each for FUZZ_SECONDS (default 60) and fails on any crash.
include tests/fuzz/fuzz.mk

# `make bench`: the benchmark of issue 7 (tests/bench/).
include tests/bench/bench.mk
