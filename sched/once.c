/* pthread_once: 0 not run, 1 running, 2 done; latecomers sleep in the wait table. */
#include "sched/internal.h"

#define ONCE_RUNNING 1
#define ONCE_DONE 2

int once_run(pthread_once_t *once, void (*init)(void))
{
	_Atomic uint32_t *w = (_Atomic uint32_t *)once;
	for (;;) {
		uint32_t v = atomic_load(w);
		if (v == ONCE_DONE)
			return 0;
		if (v == 0 && atomic_compare_exchange_strong(w, &v, ONCE_RUNNING)) {
			init();
			atomic_store(w, ONCE_DONE);
			wake_on(w, INT32_MAX);
			return 0;
		}
		wait_on(w, ONCE_RUNNING, NO_DEADLINE, "once");
	}
}
