# libFuzzer targets for every parser of untrusted input (tests/fuzz/*.c),
# built with clang under AddressSanitizer and UndefinedBehaviorSanitizer.
#
#   make fuzz-build     build $(B)/fuzz/fuzz-*
#   make fuzz           fuzz each target FUZZ_SECONDS (60) on a scratch copy
#                       of tests/fuzz/corpus/TARGET; fails on any finding
#   make fuzz-corpus    run each target once over its committed corpus: a
#                       regression test of a few seconds
#   make fuzz-cov       line coverage of the modules each target links,
#                       over the corpus of the last `make fuzz` (llvm-cov)
#
# Each target links only the modules it reads, compiled apart from the
# normal build (with clang and coverage instrumentation) in $(B)/fuzz/obj.
# Included from tests/tests.mk; it also works alone, from the top of the
# tree: make -f tests/fuzz/fuzz.mk fuzz. Needs clang and its fuzzer runtime
# (Debian: clang libclang-rt-dev; fuzz-cov also llvm), no network.

ifndef FUZZ_MK_INCLUDED
FUZZ_MK_INCLUDED := 1

# Defaults for a standalone run; the Makefile's own win when included.
B ?= build
Q ?= $(if $(V),,@)
WARN ?= -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wundef -Wwrite-strings

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 10
FUZZ_RSS_MB ?= 2048
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -O1 -g -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -I. $(WARN) -MMD -MP \
	$(FUZZ_SAN) -fsanitize=fuzzer-no-link $(shell pkg-config --cflags json-c uuid)
FUZZ_LDLIBS := $(shell pkg-config --libs json-c uuid)
FUZZ_OUT := $(B)/fuzz

FUZZ_TARGETS := fuzz-frame fuzz-msg fuzz-request fuzz-cli-opts fuzz-layer fuzz-image-spec

# What each target links besides its own file (as UNIT_DEPS_* in tests.mk),
# the largest input it is given, its dictionary, and any libraries of its own.
FUZZ_DEPS_fuzz-frame := proto/frame.c common/buf.c common/util.c common/err.c
FUZZ_DEPS_fuzz-msg := proto/msg.c proto/frame.c common/buf.c common/util.c common/err.c
FUZZ_DEPS_fuzz-request := daemon/run-config.c daemon/run-mounts.c daemon/ctr-config.c daemon/caps.c \
	daemon/log-record.c proto/msg.c proto/frame.c common/buf.c common/util.c common/err.c \
	common/id.c
FUZZ_DEPS_fuzz-cli-opts := client/opts.c common/util.c common/err.c
FUZZ_DEPS_fuzz-layer := daemon/layer-extract.c common/util.c common/err.c
FUZZ_DEPS_fuzz-image-spec := daemon/image-spec.c common/util.c common/err.c
FUZZ_MAXLEN_fuzz-frame := 8192
FUZZ_MAXLEN_fuzz-msg := 65536
FUZZ_MAXLEN_fuzz-request := 65536
FUZZ_MAXLEN_fuzz-cli-opts := 1024
FUZZ_MAXLEN_fuzz-layer := 65536
FUZZ_MAXLEN_fuzz-image-spec := 65536
FUZZ_DICT_fuzz-msg := tests/fuzz/json.dict
FUZZ_DICT_fuzz-request := tests/fuzz/json.dict
FUZZ_DICT_fuzz-layer := tests/fuzz/tar.dict
FUZZ_DICT_fuzz-image-spec := tests/fuzz/json.dict
FUZZ_LIBS_fuzz-layer := $(shell pkg-config --libs libarchive)

fuzz_obj = $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(1))
FUZZ_BINS := $(addprefix $(FUZZ_OUT)/,$(FUZZ_TARGETS))

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

# clang's -Wformat-nonliteral (in -Wformat=2) also warns on a va_list
# format, as in err.c's err_vformat, a static vsnprintf wrapper without a
# format attribute; gcc's does not.
$(FUZZ_OUT)/obj/common/err.o: FUZZ_CFLAGS += -Wno-format-nonliteral

define FUZZ_LINK
$(FUZZ_OUT)/$(1): $(call fuzz_obj,tests/fuzz/$(1).c $(FUZZ_DEPS_$(1)))
	@$$(if $$(Q),echo "  FUZZLD  $$@")
	$$(Q)$$(FUZZ_CC) $$(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ $$(FUZZ_LIBS_$(1)) $$(FUZZ_LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_LINK,$(t))))

fuzz-build: $(FUZZ_BINS)

# One target after another, each on its own scratch corpus; all run even
# when one fails, and the make fails if any did.
fuzz: fuzz-build
	@failed=; \
	$(foreach t,$(FUZZ_TARGETS),FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) FUZZ_RSS_MB=$(FUZZ_RSS_MB) \
		tests/fuzz/run.sh $(FUZZ_OUT)/$(t) $(FUZZ_SECONDS) $(FUZZ_MAXLEN_$(t)) \
		$(FUZZ_OUT)/run/$(t) $(FUZZ_DICT_$(t)) || failed="$$failed $(t)";) \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed"; exit 1; fi

fuzz-corpus: fuzz-build
	@set -e; $(foreach t,$(FUZZ_TARGETS),echo "== $(t) on tests/fuzz/corpus/$(t)"; \
		$(FUZZ_OUT)/$(t) -timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=$(FUZZ_RSS_MB) \
		tests/fuzz/corpus/$(t)/* 2>$(FUZZ_OUT)/$(t).corpus.log || \
		{ cat $(FUZZ_OUT)/$(t).corpus.log; exit 1; };)

# Coverage: the same targets built with clang's source-based coverage (no
# sanitizers), run once over the corpus `make fuzz` grew (or the seeds).
LLVM_PROFDATA ?= llvm-profdata
LLVM_COV ?= llvm-cov
FUZZ_COV := $(B)/fuzz-cov
FUZZ_COV_CFLAGS := -O0 -g -std=gnu11 -D_GNU_SOURCE -I. $(WARN) -Wno-format-nonliteral -MMD -MP \
	-fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer-no-link \
	$(shell pkg-config --cflags json-c uuid)

$(FUZZ_COV)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  COVCC   $<")
	$(Q)$(FUZZ_CC) $(FUZZ_COV_CFLAGS) -c -o $@ $<

define FUZZ_COV_LINK
$(FUZZ_COV)/$(1): $(patsubst %.c,$(FUZZ_COV)/obj/%.o,tests/fuzz/$(1).c $(FUZZ_DEPS_$(1)))
	@$$(if $$(Q),echo "  COVLD   $$@")
	$$(Q)$$(FUZZ_CC) -fprofile-instr-generate -fsanitize=fuzzer -o $$@ $$^ $$(FUZZ_LIBS_$(1)) \
		$$(FUZZ_LDLIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_COV_LINK,$(t))))

fuzz-cov: $(addprefix $(FUZZ_COV)/,$(FUZZ_TARGETS))
	@set -e; $(foreach t,$(FUZZ_TARGETS),echo "== $(t)"; \
		c=$(FUZZ_OUT)/run/$(t)/corpus; [ -d $$c ] || c=tests/fuzz/corpus/$(t); \
		LLVM_PROFILE_FILE=$(FUZZ_COV)/$(t).profraw $(FUZZ_COV)/$(t) $$c/* \
			>$(FUZZ_COV)/$(t).log 2>&1; \
		$(LLVM_PROFDATA) merge -o $(FUZZ_COV)/$(t).profdata $(FUZZ_COV)/$(t).profraw; \
		$(LLVM_COV) report $(FUZZ_COV)/$(t) -instr-profile=$(FUZZ_COV)/$(t).profdata \
			$(FUZZ_DEPS_$(t)) | awk 'NR > 2 && NF > 10 \
			{ printf "  %-22s lines %7s  branches %7s\n", $$1, $$10, $$13 }';)

.PHONY: fuzz fuzz-build fuzz-corpus fuzz-cov

# Header dependencies (the Makefile includes these too when it includes us).
-include $(shell find $(FUZZ_OUT)/obj $(FUZZ_COV)/obj -name '*.d' 2>/dev/null)

endif
