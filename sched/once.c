/* pthread_once: 0 not run, 1 running, 2 done; latecomers sleep in the wait table. */
#include "sched/internal.h"

#define ONCE_RUNNING 1
#define ONCE_DONE 2

/* init was cancelled: the once goes back to "not run" and the threads waiting
 * for it wake, one of them to run init again (as NPTL's cleanup handler does).
 * The handler is glibc's setjmp-based one, which its cancellation unwinding
 * runs; a C++ exception thrown out of init does not run it (that would need
 * this file built with -fexceptions and libgoro.so tied to the unwinder). */
static void once_abandoned(void *word)
{
	atomic_store((_Atomic uint32_t *)word, 0);
	wake_on(word, INT32_MAX);
}

int once_run(pthread_once_t *once, void (*init)(void))
{
	_Atomic uint32_t *w = (_Atomic uint32_t *)once;
	for (;;) {
		uint32_t v = atomic_load(w);
		if (v == ONCE_DONE)
			return 0;
		if (v == 0 && atomic_compare_exchange_strong(w, &v, ONCE_RUNNING)) {
			pthread_cleanup_push(once_abandoned, (void *)w);
			init();
			pthread_cleanup_pop(0);
			atomic_store(w, ONCE_DONE);
			wake_on(w, INT32_MAX);
			return 0;
		}
		wait_on(w, ONCE_RUNNING, NO_DEADLINE, "once");
	}
}
