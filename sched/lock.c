/*
 * A lock on one 32-bit word (0 free, 1 held, 2 held with waiters), the
 * building block of the sync primitives; waiters sleep in the wait table.
 */
#include "sched/internal.h"

#include <errno.h>

bool word_trylock(_Atomic uint32_t *w)
{
	uint32_t free = 0;
	return atomic_compare_exchange_strong(w, &free, 1);
}

int word_lock(_Atomic uint32_t *w, int64_t deadline, const char *reason)
{
	uint32_t c = 0;
	if (atomic_compare_exchange_strong(w, &c, 1))
		return 0;
	if (sched_procs > 1) {
		/* The holder may be running on another M: a short spin often wins. */
		for (int i = 0; i < 100 && c != 2; i++) {
			cpu_relax();
			c = 0;
			if (atomic_compare_exchange_weak(w, &c, 1))
				return 0;
		}
	}
	if (c != 2)
		c = atomic_exchange(w, 2);
	while (c != 0) {
		if (wait_on(w, 2, deadline, reason) == ETIMEDOUT)
			return ETIMEDOUT;
		c = atomic_exchange(w, 2);
	}
	return 0;
}

void word_unlock(_Atomic uint32_t *w)
{
	if (atomic_exchange(w, 0) == 2)
		wake_on(w, 1);
}
