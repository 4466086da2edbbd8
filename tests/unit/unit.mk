# tests/unit/unit.mk — cmocka unit tests of the runtime's modules (included by
# the top-level Makefile, which defines CC, BUILD, LIB_CFLAGS and LIB_OBJS).
#
# Each tests/unit/test_X.c becomes build/tests/unit/test_X, linked against the
# sched/, preempt/ and stack/ objects only. shim/ is left out on purpose: its constructor
# (goro_constructor) would turn main() into a G and route pthread_create
# through goro, while these tests drive each module directly from plain
# threads created with glibc's own pthread_create. sched/, preempt/ and stack/
# need nothing from shim/, so no stubs are required.
UNIT_DIR    := tests/unit
UNIT_OUT    := $(BUILD)/tests/unit
UNIT_SRCS   := $(wildcard $(UNIT_DIR)/test_*.c)
UNIT_BINS   := $(patsubst $(UNIT_DIR)/%.c,$(UNIT_OUT)/%,$(UNIT_SRCS))
UNIT_HDRS   := $(wildcard $(UNIT_DIR)/*.h)
UNIT_OBJS   := $(filter $(BUILD)/obj/sched/% $(BUILD)/obj/stack/% $(BUILD)/obj/preempt/%,$(LIB_OBJS))
# The library's flags, minus hidden visibility (an executable exports nothing anyway).
UNIT_CFLAGS := $(filter-out -fvisibility=hidden,$(LIB_CFLAGS))
UNIT_LIBS   := -lcmocka -ldl -lelf -ldw -lm -pthread

$(UNIT_OUT)/test_%: $(UNIT_DIR)/test_%.c $(UNIT_OBJS) $(UNIT_HDRS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_OBJS) $(UNIT_LIBS)

.PHONY: unit
unit: $(UNIT_BINS)
	@failed=""; for t in $(UNIT_BINS); do \
		timeout 60 $$t; rc=$$?; \
		if [ $$rc -ne 0 ]; then echo "unit: FAIL $$t (exit status $$rc)"; failed="$$failed $$t"; fi; \
	done; \
	if [ -n "$$failed" ]; then echo "unit: failed:$$failed"; exit 1; fi; \
	echo "unit: all $(words $(UNIT_BINS)) test programs passed"
