# tools/bench/bench.mk — `make bench` (QUICK=1 for a short run) and `make demo`.
BENCH_DIR   := tools/bench
BENCH_OUT   := $(BUILD)/bench
BENCH_NAMES := create_join handoff yield sem_pingpong pipe_pingpong thread_ring contended_mutex blocked_memory
BENCH_BINS  := $(addprefix $(BENCH_OUT)/,$(BENCH_NAMES))
BENCH_GO    := create_join handoff yield sem_pingpong pipe_pingpong thread_ring blocked_memory

$(BENCH_OUT)/%: $(BENCH_DIR)/%.c $(BENCH_DIR)/bench.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -pthread -Wall -o $@ $<

.PHONY: bench bench-go demo
# Go is optional: without it the harness leaves the Go column empty.
bench-go:
	@if command -v go > /dev/null; then \
		mkdir -p $(BENCH_OUT)/go; \
		for b in $(BENCH_GO); do \
			(cd $(BENCH_DIR)/go && GOCACHE=$(abspath $(BUILD))/gocache GOFLAGS=-mod=mod \
				go build -o $(abspath $(BENCH_OUT))/go/$$b ./$$b) || exit 1; \
		done; \
	else echo "bench: go not found (apt-get install golang-go): no Go column"; fi

bench: all $(BENCH_BINS) bench-go
	QUICK=$(QUICK) BUILD=$(BUILD) $(BENCH_DIR)/run.sh

$(BENCH_OUT)/demo: $(BENCH_DIR)/demo.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -pthread -Wall -o $@ $<
$(BENCH_OUT)/measure: $(BENCH_DIR)/measure.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -o $@ $<

demo: deps all $(BENCH_OUT)/demo $(BENCH_OUT)/measure
	@echo "demo: 20,000 threads handing requests through a shared queue"
	@printf '%-8s ' native; $(BENCH_OUT)/measure $(BENCH_OUT)/demo
	@printf '%-8s ' goro; $(BENCH_OUT)/measure env LD_PRELOAD=$(abspath $(BUILD))/libgoro.so $(BENCH_OUT)/demo
