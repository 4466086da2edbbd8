/*
 * Mutexes, condition variables, rwlocks, barriers, spinlocks, semaphores and
 * once, in the program's own glibc-sized storage (invariant 6). Private
 * objects are goro's for every caller, G or not, so an object never changes
 * hands between two implementations; process-shared ones go to glibc.
 * The most frequent calls are also cooperative preemption points
 * (preempt_point): a G sysmon asked to stop yields there.
 */
#include "shim/shim.h"

#include <errno.h>

/* A process-shared object blocks in glibc (a kernel futex): bracket the call
 * so the P is handed off while it waits (DESIGN.md, invariant 6). */
#define SHARED_BLOCKING(reason, call) \
	({ \
		bool in_g_ = g_current() != NULL; \
		if (in_g_) \
			syscall_enter(reason); \
		uint32_t handlers_ = signal_handlers_run(); \
		__typeof__(call) r_; \
		int errno_ = errno; \
		do {   /* sem_wait's EINTR from goro's own signal: again (see BLOCKING) */ \
			errno = 0; \
			r_ = (call); \
		} while (in_g_ && r_ == -1 && errno == EINTR && signal_handlers_run() == handlers_); \
		if (errno == 0) \
			errno = errno_; \
		if (in_g_) { \
			int e_ = errno; \
			syscall_exit(); \
			errno = e_; \
		} \
		r_; \
	})

/* ---- mutex ---- */

EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	int shared = PTHREAD_PROCESS_PRIVATE;
	if (a)
		pthread_mutexattr_getpshared(a, &shared);
	if (shared == PTHREAD_PROCESS_SHARED)
		return real.pthread_mutex_init(m, a);
	return mutex_init(m, a);
}

EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return mutex_is_shared(m) ? real.pthread_mutex_destroy(m) : mutex_destroy(m);
}

EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	preempt_point();
	return mutex_is_shared(m) ? SHARED_BLOCKING("shared mutex lock", real.pthread_mutex_lock(m)) : mutex_lock(m, NO_DEADLINE);
}

EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
	preempt_point();
	return mutex_is_shared(m) ? real.pthread_mutex_trylock(m) : mutex_trylock(m);
}

EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int r = mutex_is_shared(m) ? real.pthread_mutex_unlock(m) : mutex_unlock(m);
	preempt_point();   /* after the unlock: a preempted G should not hold the mutex */
	return r;
}

EXPORT int pthread_mutex_consistent(pthread_mutex_t *m)
{
	return mutex_is_shared(m) ? real.pthread_mutex_consistent(m) : mutex_consistent(m);
}

/* the name before POSIX: <pthread.h> redirects it, old binaries still import it */
EXPORT int pthread_mutex_consistent_np_compat(pthread_mutex_t *m) __asm__("pthread_mutex_consistent_np");
EXPORT int pthread_mutex_consistent_np_compat(pthread_mutex_t *m)
{
	return pthread_mutex_consistent(m);
}

EXPORT int pthread_mutex_getprioceiling(const pthread_mutex_t *m, int *ceiling)
{
	return mutex_is_shared(m) ? real.pthread_mutex_getprioceiling(m, ceiling) : mutex_getprioceiling(m, ceiling);
}

EXPORT int pthread_mutex_setprioceiling(pthread_mutex_t *m, int ceiling, int *old)
{
	if (mutex_is_shared(m))
		return SHARED_BLOCKING("shared mutex lock", real.pthread_mutex_setprioceiling(m, ceiling, old));
	return mutex_setprioceiling(m, ceiling, old);
}

/* As NPTL: a bad clock is always EINVAL, a bad time only when the call would block. */
static int mutex_timed(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
	if (!clock_ok_for_wait(clock))
		return EINVAL;
	int64_t deadline;
	if (deadline_from_abstime(clock, abstime, &deadline) != 0) {
		int r = mutex_trylock(m);
		return r == EBUSY ? EINVAL : r;
	}
	return mutex_lock(m, deadline);
}

EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	if (mutex_is_shared(m))
		return SHARED_BLOCKING("shared mutex lock", real.pthread_mutex_timedlock(m, abstime));
	return mutex_timed(m, CLOCK_REALTIME, abstime);
}

EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
	if (mutex_is_shared(m))
		return SHARED_BLOCKING("shared mutex lock", real.pthread_mutex_clocklock(m, clock, abstime));
	return mutex_timed(m, clock, abstime);
}

/* ---- condition variables ---- */

EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	int shared = PTHREAD_PROCESS_PRIVATE;
	if (a)
		pthread_condattr_getpshared(a, &shared);
	if (shared == PTHREAD_PROCESS_SHARED)
		return real.pthread_cond_init(c, a);
	return cond_init(c, a);
}

EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
	return cond_is_shared(c) ? real.pthread_cond_destroy(c) : cond_destroy(c);
}

EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
	preempt_point();
	return cond_is_shared(c) ? real.pthread_cond_signal(c) : cond_signal(c);
}

EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
	preempt_point();
	return cond_is_shared(c) ? real.pthread_cond_broadcast(c) : cond_broadcast(c);
}

/* Condition waits are cancellation points: a G acts on the way in, or on
 * the way out (pthread_cancel ends the wait as a spurious wake-up), with the
 * mutex locked again, as POSIX requires of the cleanup handlers. */
static int cond_wait_point(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock, const struct timespec *abstime)
{
	cancel_point();
	int r = cond_wait(c, m, clock, abstime);
	cancel_point();
	return r;
}

EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	if (cond_is_shared(c))
		return SHARED_BLOCKING("shared cond wait", real.pthread_cond_wait(c, m));
	return cond_wait_point(c, m, CLOCK_REALTIME, NULL);
}

EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	if (cond_is_shared(c))
		return SHARED_BLOCKING("shared cond wait", real.pthread_cond_timedwait(c, m, abstime));
	return cond_wait_point(c, m, cond_clock(c), abstime);
}

EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
				  const struct timespec *abstime)
{
	if (cond_is_shared(c))
		return SHARED_BLOCKING("shared cond wait", real.pthread_cond_clockwait(c, m, clock, abstime));
	if (!clock_ok_for_wait(clock))
		return EINVAL;
	return cond_wait_point(c, m, clock, abstime);
}

/* ---- rwlocks ---- */

EXPORT int pthread_rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
	int shared = PTHREAD_PROCESS_PRIVATE;
	if (a)
		pthread_rwlockattr_getpshared(a, &shared);
	if (shared == PTHREAD_PROCESS_SHARED)
		return real.pthread_rwlock_init(l, a);
	return rwlock_init(l, a);
}

EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	return rwlock_is_shared(l) ? real.pthread_rwlock_destroy(l) : 0;
}

static int rw_deadline(clockid_t clock, const struct timespec *abstime, int64_t *deadline)
{
	if (!clock_ok_for_wait(clock))
		return EINVAL;
	return deadline_from_abstime(clock, abstime, deadline);
}

EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	preempt_point();
	return rwlock_is_shared(l) ? SHARED_BLOCKING("shared rwlock read", real.pthread_rwlock_rdlock(l)) : rwlock_rdlock(l, NO_DEADLINE);
}

EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	preempt_point();
	return rwlock_is_shared(l) ? real.pthread_rwlock_tryrdlock(l) : rwlock_tryrdlock(l);
}

EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l, clockid_t clock, const struct timespec *abstime)
{
	if (rwlock_is_shared(l))
		return SHARED_BLOCKING("shared rwlock read", real.pthread_rwlock_clockrdlock(l, clock, abstime));
	int64_t deadline;
	int r = rw_deadline(clock, abstime, &deadline);
	return r ? r : rwlock_rdlock(l, deadline);
}

EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	if (rwlock_is_shared(l))
		return SHARED_BLOCKING("shared rwlock read", real.pthread_rwlock_timedrdlock(l, abstime));
	return pthread_rwlock_clockrdlock(l, CLOCK_REALTIME, abstime);
}

EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	preempt_point();
	return rwlock_is_shared(l) ? SHARED_BLOCKING("shared rwlock write", real.pthread_rwlock_wrlock(l)) : rwlock_wrlock(l, NO_DEADLINE);
}

EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	preempt_point();
	return rwlock_is_shared(l) ? real.pthread_rwlock_trywrlock(l) : rwlock_trywrlock(l);
}

EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l, clockid_t clock, const struct timespec *abstime)
{
	if (rwlock_is_shared(l))
		return SHARED_BLOCKING("shared rwlock write", real.pthread_rwlock_clockwrlock(l, clock, abstime));
	int64_t deadline;
	int r = rw_deadline(clock, abstime, &deadline);
	return r ? r : rwlock_wrlock(l, deadline);
}

EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l, const struct timespec *abstime)
{
	if (rwlock_is_shared(l))
		return SHARED_BLOCKING("shared rwlock write", real.pthread_rwlock_timedwrlock(l, abstime));
	return pthread_rwlock_clockwrlock(l, CLOCK_REALTIME, abstime);
}

EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	return rwlock_is_shared(l) ? real.pthread_rwlock_unlock(l) : rwlock_unlock(l);
}

/* ---- barriers ---- */

EXPORT int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count)
{
	int shared = PTHREAD_PROCESS_PRIVATE;
	if (a)
		pthread_barrierattr_getpshared(a, &shared);
	if (shared == PTHREAD_PROCESS_SHARED)
		return real.pthread_barrier_init(b, a, count);
	return barrier_init(b, count);
}

EXPORT int pthread_barrier_wait(pthread_barrier_t *b)
{
	return barrier_is_private(b) ? barrier_wait(b) : SHARED_BLOCKING("shared barrier wait", real.pthread_barrier_wait(b));
}

EXPORT int pthread_barrier_destroy(pthread_barrier_t *b)
{
	return barrier_is_private(b) ? barrier_destroy(b) : real.pthread_barrier_destroy(b);
}

/* ---- spinlocks ---- */

EXPORT int pthread_spin_init(pthread_spinlock_t *l, int pshared)
{
	*l = 0;
	return 0;
}

EXPORT int pthread_spin_destroy(pthread_spinlock_t *l)
{
	return 0;
}

EXPORT int pthread_spin_lock(pthread_spinlock_t *l)
{
	preempt_point();
	return spin_lock(l);
}

EXPORT int pthread_spin_trylock(pthread_spinlock_t *l)
{
	preempt_point();
	return spin_trylock(l);
}

EXPORT int pthread_spin_unlock(pthread_spinlock_t *l)
{
	return spin_unlock(l);
}

/* ---- once ---- */

EXPORT int pthread_once(pthread_once_t *once, void (*init)(void))
{
	return once_run(once, init);
}

/* ---- unnamed semaphores (errno-style returns) ---- */

static int errno_result(int r)
{
	if (r == 0)
		return 0;
	errno = r;
	return -1;
}

EXPORT int sem_init(sem_t *s, int pshared, unsigned value)
{
	if (pshared)
		return real.sem_init(s, pshared, value);
	return errno_result(sem_init_private(s, value));
}

EXPORT int sem_destroy(sem_t *s)
{
	return sem_is_private(s) ? 0 : real.sem_destroy(s);
}

/* Semaphore waits are cancellation points: on the way in, and when
 * pthread_cancel ended the wait (EINTR). */
static int sem_wait_point(void *s, int64_t deadline)
{
	cancel_point();
	int r = sem_wait_until(s, deadline);
	cancel_point_after(r == EINTR);
	return errno_result(r);
}

EXPORT int sem_wait(sem_t *s)
{
	return sem_is_private(s) ? sem_wait_point(s, NO_DEADLINE) : SHARED_BLOCKING("shared semaphore wait", real.sem_wait(s));
}

EXPORT int sem_trywait(sem_t *s)
{
	preempt_point();
	return sem_is_private(s) ? errno_result(sem_trywait_private(s)) : real.sem_trywait(s);
}

EXPORT int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
	if (!sem_is_private(s))
		return SHARED_BLOCKING("shared semaphore wait", real.sem_clockwait(s, clock, abstime));
	if (!clock_ok_for_wait(clock))
		return errno_result(EINVAL);
	int64_t deadline;
	int r = deadline_from_abstime(clock, abstime, &deadline);
	return r ? errno_result(r) : sem_wait_point(s, deadline);
}

EXPORT int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
	if (!sem_is_private(s))
		return SHARED_BLOCKING("shared semaphore wait", real.sem_timedwait(s, abstime));
	return sem_clockwait(s, CLOCK_REALTIME, abstime);
}

EXPORT int sem_post(sem_t *s)
{
	preempt_point();
	return sem_is_private(s) ? errno_result(sem_post_private(s)) : real.sem_post(s);
}

EXPORT int sem_getvalue(sem_t *s, int *value)
{
	return sem_is_private(s) ? errno_result(sem_getvalue_private(s, value)) : real.sem_getvalue(s, value);
}
