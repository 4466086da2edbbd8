/*
 * Spinlocks. A G that spins on a lock whose holder is parked on the same P
 * would spin forever, so after a short spin the G yields its P.
 */
#include "sched/internal.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int spin_lock(pthread_spinlock_t *l)
{
	_Atomic int *w = (_Atomic int *)l;
	int spins = 0;
	for (;;) {
		int free = 0;
		if (atomic_compare_exchange_weak(w, &free, 1))
			return 0;
		while (atomic_load_explicit(w, memory_order_relaxed)) {
			if (++spins % 128) {
				cpu_relax();
			} else if (g_self) {
				g_yield();
			} else {
				SYS0(SYS_sched_yield);
			}
		}
	}
}

int spin_trylock(pthread_spinlock_t *l)
{
	int free = 0;
	return atomic_compare_exchange_strong((_Atomic int *)l, &free, 1) ? 0 : EBUSY;
}

int spin_unlock(pthread_spinlock_t *l)
{
	atomic_store((_Atomic int *)l, 0);
	return 0;
}
