# `make bench` (issue 7), as root: start latency, density, memory, relay
# throughput, control latency and restart adoption, side by side with the
# peers (an unshare+chroot floor, bwrap, crun, runc) in one run on this
# machine. Prints one table and writes it to $(B)/bench/results.md.
# BENCH_RUNS, BENCH_WARMUP, BENCH_PAUSE_MS, BENCH_DENSITY, BENCH_RELAY_MB,
# BENCH_RELAY_RUNS, BENCH_STOP_RUNS tune it (see tests/bench/run.sh).

# What the bench compares against and runs on. A peer that cannot be
# installed is left out of the table (n/a), never a failure.
BENCH_DEBS := busybox-static crun runc bubblewrap util-linux bsdutils python3 e2fsprogs

# Install what is missing: the build's packages, then the peers, each on
# its own when the whole list fails.
bench-deps:
	@[ "$$(id -u)" = 0 ] || { echo "make bench: run as root"; exit 1; }
	@missing=$$(for p in $(DEB_BUILD) $(BENCH_DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "bench: installing:" $$missing; \
		apt-get update -qq || true; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing || \
		for p in $$missing; do \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$p || \
				echo "bench: $$p cannot be installed: n/a"; \
		done; \
	fi

$(B)/bench/mdtime: tests/bench/mdtime.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -Wshadow -o $@ $<

bench: bench-deps
	$(MAKE) all $(B)/bench/mdtime
	tests/bench/run.sh $(BIN) $(B)/bench/mdtime $(B)/bench/results.md

.PHONY: bench bench-deps

# Where the start path spends its time, phase by phase (needs perf):
# writes $(B)/bench/profile.md.
bench-profile: bench-deps
	$(MAKE) all $(B)/bench/mdtime
	tests/bench/profile.sh $(BIN) $(B)/bench/mdtime $(B)/bench/profile.md

.PHONY: bench-profile
