# tools/bench/bench.mk — included by the top-level Makefile (CC, BUILD come from there).
#
#   make bench             NPTL, goro (GORO_PROCS=1 and default) and Go 1.19 side by side,
#                          7 alternating rounds (5 for the echo server and the real programs,
#                          2 for 1M threads); writes docs/bench.md, docs/bench.csv,
#                          docs/bench.png (with gnuplot); 18 minutes on a 2-CPU VM at load ~300
#   make bench QUICK=1     3 rounds, smaller counts, no 1M-thread row (under 2 minutes)
#   make bench-deps        installs (as root) the Debian packages of the real-program rows,
#                          Go and gnuplot: tools/deps.sh --bench; `make test` needs none of them
#   make bench-native      NPTL and Go only, tables in build/bench/native/ (no libgoro.so needed)
#   make demo              a 20,000-thread program natively and under goro: time, memory, checksum
#
# Go is optional: without it the Go programs are not built and the Go column stays empty;
# so are the real programs (sysbench, hackbench, perf, pigz, zstd): a missing one reads n/a.
BENCH_DIR   := tools/bench
BENCH_OUT   := $(BUILD)/bench
BENCH_NAMES := create_join create_many handoff yield sem_pingpong pipe_pingpong thread_ring contended_mutex blocked_memory create_blocked \
	echo_server echo_client gen_text
BENCH_BINS  := $(addprefix $(BENCH_OUT)/,$(BENCH_NAMES))
BENCH_GO_NAMES := $(patsubst $(BENCH_DIR)/go/%.go,%,$(wildcard $(BENCH_DIR)/go/*.go)) create_blocked
# `go` on PATH, else Debian's golang-go location
GO ?= $(firstword $(shell command -v go 2>/dev/null) $(wildcard /usr/lib/go-*/bin/go))
BENCH_GO_BINS := $(if $(GO),$(addprefix $(BENCH_OUT)/go/,$(BENCH_GO_NAMES)))
BENCH_ENV = BUILD=$(BUILD) QUICK=$(QUICK) GO=$(GO)

$(BENCH_OUT)/create_blocked: $(BENCH_DIR)/blocked_memory.c
$(BENCH_OUT)/%: $(BENCH_DIR)/%.c $(BENCH_DIR)/bench.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -pthread -Wall -o $@ $<

# create_blocked is blocked_memory, timing the creation instead (it looks at its own name)
$(BENCH_OUT)/go/create_blocked: $(BENCH_OUT)/go/blocked_memory
	cp $< $@
# One file, one program (module gorobench in $(BENCH_DIR)/go/go.mod; no dependencies).
$(BENCH_OUT)/go/%: $(BENCH_DIR)/go/%.go $(BENCH_DIR)/go/go.mod
	@mkdir -p $(dir $@)
	cd $(BENCH_DIR)/go && GOCACHE=$(abspath $(BUILD))/gocache GOFLAGS= CGO_ENABLED=0 \
		$(GO) build -o $(abspath $@) $*.go

.PHONY: bench bench-native bench-deps demo
bench: $(BUILD)/libgoro.so $(BENCH_BINS) $(BENCH_GO_BINS)
	$(BENCH_ENV) HOW="make bench" $(BENCH_DIR)/run.sh

bench-deps:
	@tools/deps.sh --bench

bench-native: $(BENCH_BINS) $(BENCH_GO_BINS)
	$(BENCH_ENV) HOW="make bench-native" MODES="nptl nptl_cpu0 go" OUT=$(BENCH_OUT)/native $(BENCH_DIR)/run.sh

$(BENCH_OUT)/demo: $(BENCH_DIR)/demo.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -pthread -Wall -o $@ $<
$(BENCH_OUT)/measure: $(BENCH_DIR)/measure.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -o $@ $<

demo: deps $(BUILD)/libgoro.so $(BUILD)/goro $(BENCH_OUT)/demo $(BENCH_OUT)/measure
	@$(BENCH_DIR)/demo.sh $(BUILD)
