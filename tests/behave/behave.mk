# tests/behave/behave.mk — behaviour tests: unmodified pthread programs, run
# natively and under build/libgoro.so (GORO_PROCS=1 and 2) by
# tests/behave/run.sh, which compares their output and exit status.
# Included by the top-level Makefile (CC, CXX, BUILD come from there).
#
#   make behave                    build libgoro.so and the tests, run them all
#   make behave-build              build only the test programs
#   make behave-native             build the tests, run them natively only
#   tests/behave/run.sh NAME...    run some tests (after a build)

BEHAVE_DIR   := tests/behave
BEHAVE_OUT   := $(BUILD)/tests/behave
BEHAVE_CFLAGS   := -O2 -g -pthread -Wall
BEHAVE_CXXFLAGS := -O2 -g -pthread
BEHAVE_C_SRCS   := $(wildcard $(BEHAVE_DIR)/*.c)
BEHAVE_CXX_SRCS := $(wildcard $(BEHAVE_DIR)/*.cpp)
BEHAVE_C_BINS   := $(patsubst $(BEHAVE_DIR)/%.c,$(BEHAVE_OUT)/%,$(BEHAVE_C_SRCS))
BEHAVE_CXX_BINS := $(patsubst $(BEHAVE_DIR)/%.cpp,$(BEHAVE_OUT)/%,$(BEHAVE_CXX_SRCS))
# shared libraries some tests need, built from tests/behave/lib/NAME.c to libNAME.so
BEHAVE_LIBS     := $(patsubst $(BEHAVE_DIR)/lib/%.c,$(BEHAVE_OUT)/lib%.so,$(wildcard $(BEHAVE_DIR)/lib/*.c))
BEHAVE_BINS     := $(BEHAVE_C_BINS) $(BEHAVE_CXX_BINS)

# per-test extra compile flags
BEHAVE_CFLAGS_once_init_cancelled_without_unwind_info := -fno-asynchronous-unwind-tables -fno-exceptions
$(BEHAVE_OUT)/once_init_cancelled_without_unwind_info: $(BEHAVE_DIR)/once_init_cancelled.c

# per-test extra link flags and prerequisites
BEHAVE_LDLIBS_tls_shared_library := -L$(BEHAVE_OUT) -ltls_dso -Wl,-rpath,'$$ORIGIN'
$(BEHAVE_OUT)/tls_shared_library: $(BEHAVE_OUT)/libtls_dso.so
BEHAVE_LDLIBS_tls_dlopen_library := -ldl
$(BEHAVE_OUT)/tls_dlopen_library: $(BEHAVE_OUT)/libtls_dlopen.so
BEHAVE_LDLIBS_tls_dlopen_initial_exec := -ldl -Wl,-rpath,'$$ORIGIN'
BEHAVE_LDLIBS_preempt_simd_state := -lm
$(BEHAVE_OUT)/tls_dlopen_initial_exec: $(BEHAVE_OUT)/libtls_initial_exec.so
BEHAVE_LDLIBS_tls_dlopen_many_modules := -ldl
$(BEHAVE_OUT)/tls_dlopen_many_modules: $(BEHAVE_OUT)/libtls_module.so
BEHAVE_LDLIBS_dlclose_joins_thread_from_constructor := -ldl
$(BEHAVE_OUT)/dlclose_joins_thread_from_constructor: $(BEHAVE_OUT)/libthread_in_constructor.so

.PHONY: behave-build behave-native

$(BEHAVE_C_BINS): $(BEHAVE_OUT)/%: $(BEHAVE_DIR)/%.c $(BEHAVE_DIR)/check.h $(BEHAVE_DIR)/crowd.h
	@mkdir -p $(dir $@)
	$(CC) $(BEHAVE_CFLAGS) $(BEHAVE_CFLAGS_$*) -o $@ $< $(BEHAVE_LDLIBS_$*)

$(BEHAVE_CXX_BINS): $(BEHAVE_OUT)/%: $(BEHAVE_DIR)/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(BEHAVE_CXXFLAGS) -o $@ $< $(BEHAVE_LDLIBS_$*)

$(BEHAVE_LIBS): $(BEHAVE_OUT)/lib%.so: $(BEHAVE_DIR)/lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BEHAVE_CFLAGS) -fPIC -shared -o $@ $<

behave-build: $(BEHAVE_BINS) $(BEHAVE_LIBS)

behave: $(BUILD)/libgoro.so $(BEHAVE_BINS) $(BEHAVE_LIBS)
	tests/behave/run.sh

behave-native: $(BEHAVE_BINS) $(BEHAVE_LIBS)
	BEHAVE_MODES=native tests/behave/run.sh
