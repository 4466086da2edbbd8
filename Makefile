# goro — top-level build. `make` builds build/libgoro.so and build/goro;
# `make test` runs every test; `make bench` the benchmark harness; `make demo`
# a thread-heavy program natively and under goro; `make compat` glibc's and CPython's
# threading tests natively and under goro.
CC      ?= gcc
CXX     ?= g++
BUILD   := build
CFLAGS_COMMON := -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11
LIB_CFLAGS := $(CFLAGS_COMMON) -fPIC -fvisibility=hidden -fno-omit-frame-pointer \
              -ftls-model=initial-exec -fno-stack-protector -D_GNU_SOURCE -I.
LIB_SRCS := $(wildcard shim/*.c sched/*.c stack/*.c preempt/*.c)
LIB_ASMS := $(wildcard stack/*.S preempt/*.S)
LIB_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(patsubst %.S,$(BUILD)/obj/%.o,$(LIB_ASMS))
LIB_HDRS := $(wildcard shim/*.h sched/*.h stack/*.h preempt/*.h)

.PHONY: all test unit behave bench demo deps clean
all: $(BUILD)/libgoro.so $(BUILD)/goro

# Files whose frames an exception or a cancellation unwinds through and that must act
# on it (a cleanup attribute): built with -fexceptions, which ties libgoro.so to libgcc_s.
LIB_EXCEPTION_SRCS := sched/once.c
$(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_EXCEPTION_SRCS)): LIB_CFLAGS += -fexceptions

$(BUILD)/obj/%.o: %.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) -c $< -o $@
$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(BUILD)/libgoro.so: $(LIB_OBJS)
	$(CC) -shared -o $@ $(LIB_OBJS) -ldl -lelf -ldw -Wl,-z,now -Wl,--version-script=shim/exports.map

GORO_TOOL_SRCS := tools/goro.c tools/inspect.c tools/inspect_rules.c
$(BUILD)/goro: $(GORO_TOOL_SRCS) tools/inspect.h
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_COMMON) -D_GNU_SOURCE -I. -o $@ $(GORO_TOOL_SRCS) -lelf

# Installs the Debian packages the build and tests need (as root), or prints the apt-get line.
deps:
	@tools/deps.sh

-include tests/unit/unit.mk
-include tests/behave/behave.mk
-include tools/bench/bench.mk
-include tools/compat/compat.mk

.PHONY: launcher-test
launcher-test: all
	tests/tools/launcher.sh $(BUILD)
	tests/tools/gdb.sh $(BUILD)
	tests/tools/inspect.sh $(BUILD)
	tests/tools/reports.sh $(BUILD)

test: deps all unit launcher-test behave

clean:
	rm -rf $(BUILD)
