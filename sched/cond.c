/*
 * pthread_cond_t in glibc's 48 bytes: word 0 is a sequence number that every
 * signal and broadcast bumps, word 1 counts waiters (so a signal with none is
 * a single increment), and __wrefs keeps glibc's flag bits (bit 0 process-
 * shared, bit 1 CLOCK_MONOTONIC). A waiter reads the sequence before it
 * releases the mutex and sleeps only while it is unchanged, so no signal
 * sent after the waiter released the mutex is lost; a waiter woken by a
 * signal meant for an earlier one is a spurious wake-up, which POSIX allows.
 *
 * Rejected: glibc's two-group algorithm (it exists to avoid those spurious
 * wake-ups under heavy churn; the cost is a far longer fast path).
 */
#include "sched/internal.h"

#include <errno.h>
#include <string.h>

#define WREFS_SHARED 1
#define WREFS_MONOTONIC 2

#define SEQ(c) ((_Atomic uint32_t *)&(c)->__size[0])
#define WAITERS(c) ((_Atomic uint32_t *)&(c)->__size[4])

bool cond_is_shared(const pthread_cond_t *c)
{
	return (c->__data.__wrefs & WREFS_SHARED) != 0;
}

clockid_t cond_clock(const pthread_cond_t *c)
{
	return (c->__data.__wrefs & WREFS_MONOTONIC) ? CLOCK_MONOTONIC : CLOCK_REALTIME;
}

int cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	clockid_t clock = CLOCK_REALTIME;
	if (a)
		pthread_condattr_getclock(a, &clock);
	memset(c, 0, sizeof *c);
	if (clock != CLOCK_REALTIME)
		c->__data.__wrefs = WREFS_MONOTONIC;
	return 0;
}

int cond_wait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
	int64_t deadline = NO_DEADLINE;
	if (abstime) {
		int r = deadline_from_abstime(clock, abstime, &deadline);
		if (r)
			return r;
	}
	atomic_fetch_add(WAITERS(c), 1);
	uint32_t seq = atomic_load(SEQ(c));
	int r = mutex_unlock(m);
	if (r) {
		atomic_fetch_sub(WAITERS(c), 1);
		return r;
	}
	/* A signal handler that ran on this G ends wait_on with EINTR; NPTL's waiter goes on
	 * waiting after the handler, and glibc's tst-eintr5 checks that it does not return.
	 * A cancellation ends it too: then the wait ends (as a spurious wake-up) and the
	 * caller acts with the mutex held again (shim/sync.c). */
	do
		r = wait_on(SEQ(c), seq, deadline, "cond wait");
	while (r == EINTR && !(g_self && g_cancel_requested(g_self)));
	atomic_fetch_sub(WAITERS(c), 1);
	int relock = mutex_relock(m);
	if (relock == EOWNERDEAD || relock == ENOTRECOVERABLE)
		return relock;   /* a robust mutex whose owner died meanwhile, as NPTL */
	return r == ETIMEDOUT ? ETIMEDOUT : 0;
}

int cond_signal(pthread_cond_t *c)
{
	atomic_fetch_add(SEQ(c), 1);
	if (atomic_load(WAITERS(c)))
		wake_on(SEQ(c), 1);
	return 0;
}

int cond_broadcast(pthread_cond_t *c)
{
	atomic_fetch_add(SEQ(c), 1);
	if (atomic_load(WAITERS(c)))
		wake_on(SEQ(c), INT32_MAX);
	return 0;
}

/* As glibc's: wait until every woken waiter has stopped touching the condvar
 * (the memory may be freed right after). */
int cond_destroy(pthread_cond_t *c)
{
	while (atomic_load(WAITERS(c)) != 0) {
		if (g_self)
			g_yield();
		else
			sched_yield();
	}
	return 0;
}
