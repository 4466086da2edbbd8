/*
 * pthread_once: 0 not run, 1 running, 2 done; latecomers sleep in the wait table.
 *
 * An init routine that does not return, because it was cancelled (glibc's forced
 * unwind) or threw a C++ exception, leaves the once "not run" and wakes the threads
 * waiting for it, one of which runs init again; the unwind goes on to the caller
 * (POSIX for cancellation; NPTL does the same for exceptions, glibc's tst-once5).
 * Two hooks, as NPTL's pthread_once has (its "combined" cleanup), one flag so that
 * the once is reset only once:
 *  - a cleanup attribute on a variable of once_run: the landing pad that any unwind
 *    through its frame runs, an exception's included. This file is built with
 *    -fexceptions for it (Makefile), which ties libgoro.so to libgcc_s (its
 *    personality routine);
 *  - a handler on glibc's old-style per-thread list (_pthread_cleanup_push): a
 *    forced unwind that cannot get past a frame without unwind information (code
 *    built with -fno-asynchronous-unwind-tables, glibc's tst-oncey3) stops there and
 *    glibc runs every handler on that list before it jumps to the next buffer.
 * Rejected: either hook alone (glibc's setjmp-based pthread_cleanup_push, what this
 * file used before, is the second kind: an exception went through and the next
 * pthread_once waited for ever; the first alone misses tst-oncey3).
 */
#include "sched/internal.h"

#ifndef __EXCEPTIONS
#error "sched/once.c must be built with -fexceptions (an exception out of init must reset the once)"
#endif

/* glibc's old cleanup interface, still exported (no longer declared in <pthread.h>) */
extern void _pthread_cleanup_push(struct _pthread_cleanup_buffer *buffer, void (*routine)(void *), void *arg);
extern void _pthread_cleanup_pop(struct _pthread_cleanup_buffer *buffer, int execute);

#define ONCE_RUNNING 1
#define ONCE_DONE 2

struct init_guard {
	struct _pthread_cleanup_buffer registered;   /* on glibc's list while init runs */
	_Atomic uint32_t *word;
	bool settled;                /* init returned, or the once was already reset */
};

static void abandon(struct init_guard *guard)
{
	guard->settled = true;
	atomic_store(guard->word, 0);
	wake_on(guard->word, INT32_MAX);
}

/* glibc's forced unwind runs it, having taken it off its list. */
static void init_unwound(void *guard)
{
	if (!((struct init_guard *)guard)->settled)
		abandon(guard);
}

/* Runs when once_run's frame is left: by a return (settled), or by an unwind out of
 * init that glibc's list did not handle first (an exception: it is still listed). */
static void init_left(struct init_guard *guard)
{
	if (guard->settled)
		return;
	_pthread_cleanup_pop(&guard->registered, 0);
	abandon(guard);
}

int once_run(pthread_once_t *once, void (*init)(void))
{
	_Atomic uint32_t *w = (_Atomic uint32_t *)once;
	for (;;) {
		uint32_t v = atomic_load(w);
		if (v == ONCE_DONE)
			return 0;
		if (v == 0 && atomic_compare_exchange_strong(w, &v, ONCE_RUNNING)) {
			struct init_guard guard __attribute__((cleanup(init_left))) = {.word = w};
			_pthread_cleanup_push(&guard.registered, init_unwound, &guard);
			init();
			_pthread_cleanup_pop(&guard.registered, 0);
			guard.settled = true;
			atomic_store(w, ONCE_DONE);
			wake_on(w, INT32_MAX);
			return 0;
		}
		wait_on(w, ONCE_RUNNING, NO_DEADLINE, "once");
	}
}
