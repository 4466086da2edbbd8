// once_init_cancelled_without_unwind_info: once_init_cancelled, built without unwind
// information (-fno-asynchronous-unwind-tables, behave.mk), as glibc's tst-oncey3: the
// cancellation's unwind cannot pass the init routine's frame, glibc jumps from there to
// the thread's outermost buffer, and the once must still go back to "not run".
#include "once_init_cancelled.c"
