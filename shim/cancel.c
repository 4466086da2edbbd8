/*
 * pthread_cancel. A G's cancellation is sched/cancel.c's: glibc's own state
 * on the G's TCB and glibc's unwinder, with goro waking the G. A thread
 * goro did not create is glibc's business (it installs its SIGCANCEL
 * handler then, which goro keeps for those threads only). A G that was
 * joined, or detached and gone, is ESRCH.
 *
 * The unwinder (libgcc_s) is loaded before the first request, through goro's
 * dlopen: glibc would load it itself at the first unwind, unseen, and the
 * preemption map must know it is not program code (invariant 3).
 */
#include "shim/shim.h"

#include <dlfcn.h>
#include <errno.h>

void cancel_unwinder_load(void)
{
	static _Atomic bool loaded;
	if (atomic_load_explicit(&loaded, memory_order_relaxed))
		return;
	if (!dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE))
		fatal("libgcc_s.so.1 must be installed for pthread_cancel and pthread_exit to work");
	atomic_store(&loaded, true);
}

EXPORT int pthread_cancel(pthread_t t)
{
	struct g *g = g_of_thread(t);
	if (!g) {
		if (g_handle_released(t))
			return ESRCH;
		int r = real.pthread_cancel(t);
		if (sched_active)
			cancel_native_done();
		return r;
	}
	cancel_unwinder_load();
	return g_cancel(g);
}
