# tests/unit/unit.mk — cmocka unit tests of the runtime's modules, linked
# against the sched/ and stack/ objects (not shim/: no library constructor,
# so each test drives the module directly from plain threads).
UNIT_DIR  := tests/unit
UNIT_OUT  := $(BUILD)/tests/unit
UNIT_SRCS := $(wildcard $(UNIT_DIR)/test_*.c)
UNIT_BINS := $(patsubst $(UNIT_DIR)/%.c,$(UNIT_OUT)/%,$(UNIT_SRCS))
UNIT_OBJS := $(filter $(BUILD)/obj/sched/% $(BUILD)/obj/stack/%,$(LIB_OBJS))

$(UNIT_OUT)/%: $(UNIT_DIR)/%.c $(UNIT_OBJS) $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_COMMON) -D_GNU_SOURCE -I. -pthread -o $@ $< $(UNIT_OBJS) -lcmocka -ldl

.PHONY: unit
unit: $(UNIT_BINS)
	@failed=0; for t in $(UNIT_BINS); do \
		timeout 60 $$t || { echo "FAIL $$t (status $$?)"; failed=1; }; \
	done; exit $$failed
