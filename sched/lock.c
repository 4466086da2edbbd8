/*
 * A lock on one 32-bit word (0 free, 1 held, 2 held with waiters), the
 * building block of the sync primitives; waiters sleep in the wait table.
 *
 * The lock word of a program's mutex is also where a G with asynchronous
 * cancellation enabled may be cancelled while it waits (NPTL acts at any
 * instruction, its futex wait included: glibc's tst-cancel1): the wait that
 * pthread_cancel ended acts there, before the word is taken, leaving at
 * most a stale "waiters" mark (one extra wake-up). goro's own state locks
 * (rwlock, barrier) and the relock of a condition wait never act halfway.
 */
#include "sched/internal.h"

#include <errno.h>

bool word_trylock(_Atomic uint32_t *w)
{
	uint32_t free = 0;
	return atomic_compare_exchange_strong(w, &free, 1);
}

static int lock_word(_Atomic uint32_t *w, int64_t deadline, const char *reason, bool async_cancel)
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
	if (async_cancel)
		g_cancel_async_point();   /* a request that came while it was not running: no wait ends for it */
	if (c != 2)
		c = atomic_exchange(w, 2);
	while (c != 0) {
		int r = wait_on(w, 2, deadline, reason);
		if (r == ETIMEDOUT)
			return ETIMEDOUT;
		if (r == EINTR && async_cancel)
			g_cancel_async_point();   /* acts if pthread_cancel ended the wait */
		c = atomic_exchange(w, 2);
	}
	return 0;
}

int word_lock(_Atomic uint32_t *w, int64_t deadline, const char *reason)
{
	return lock_word(w, deadline, reason, false);
}

int word_lock_async_cancel(_Atomic uint32_t *w, int64_t deadline, const char *reason)
{
	return lock_word(w, deadline, reason, true);
}

void word_unlock(_Atomic uint32_t *w)
{
	if (atomic_exchange(w, 0) == 2)
		wake_on(w, 1);
}
