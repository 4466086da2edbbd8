/*
 * C11 <threads.h>: thrd_*, mtx_*, cnd_*, call_once, tss_*.
 *
 * What: each C11 call is the pthread call NPTL's C11 makes, but goro's:
 * thrd_create makes a G, mtx_lock/cnd_wait/thrd_join/thrd_sleep/call_once
 * park it, and the pthread error is mapped to a thrd_* result as NPTL maps
 * it (0 success, ENOMEM nomem, ETIMEDOUT timedout, EBUSY busy, anything
 * else error).
 *
 * Why: glibc 2.34+ implements C11 threads by calling its internal pthread
 * functions directly, not through the PLT, so without these a thrd_create'd
 * thread is an OS thread goro never schedules, and a G in mtx_lock or
 * cnd_wait blocks its M inside libc, where goro sees no wait: no hand-off,
 * no dump entry, no deadlock detection, no 100,000 threads.
 *
 * The C11 objects are glibc's pthread objects under another name (glibc
 * asserts it: mtx_t is a pthread_mutex_t, cnd_t a pthread_cond_t,
 * once_flag a pthread_once_t, tss_t a pthread_key_t, thrd_t a pthread_t),
 * so an object may be used by C11 and pthread calls alike, from Gs and from
 * threads goro did not create (goro's pthread calls already handle those).
 *
 * A C11 start routine returns int. NPTL's start_thread calls it through the
 * right type when the thread was made with C11's marker attribute; goro's
 * G entry knows only void *(*)(void *), and calling an int function through
 * that pointer leaves the high half of the result undefined. So thrd_create
 * starts the G on c11_thread_start with a small heap record {routine, arg}
 * that the G frees first thing (malloc on the creating G, free on the new
 * one: ordinary program-side allocations, never on a scheduling path).
 * Rejected: a flag in struct g read by the G entry in sched/proc.c (a
 * scheduler change for a shim concern), and handing the pair over on the
 * creator's stack (the creator would have to wait for the new G to run).
 * The G's recorded start routine is set back to the program's routine as
 * soon as it runs, so dumps name the program's function.
 *
 * When goro is not active every call goes to glibc's own C11 function.
 */
#include "shim/shim.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t is a pthread_t");
_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t) && _Alignof(mtx_t) == _Alignof(pthread_mutex_t),
	       "mtx_t is a pthread_mutex_t");
_Static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t) && _Alignof(cnd_t) == _Alignof(pthread_cond_t),
	       "cnd_t is a pthread_cond_t");
_Static_assert(sizeof(once_flag) == sizeof(pthread_once_t) && _Alignof(once_flag) == _Alignof(pthread_once_t),
	       "once_flag is a pthread_once_t");
_Static_assert(sizeof(tss_t) == sizeof(pthread_key_t), "tss_t is a pthread_key_t");
_Static_assert(TSS_DTOR_ITERATIONS == PTHREAD_DESTRUCTOR_ITERATIONS, "tss destructors run as key destructors");

/* NPTL's mapping of a pthread error to a C11 result */
static int thrd_result(int error)
{
	switch (error) {
	case 0:
		return thrd_success;
	case ENOMEM:
		return thrd_nomem;
	case ETIMEDOUT:
		return thrd_timedout;
	case EBUSY:
		return thrd_busy;
	default:
		return thrd_error;
	}
}

/* ---- threads ---- */

struct c11_start {
	thrd_start_t routine;
	void *arg;
};

static void *c11_thread_start(void *record)
{
	struct c11_start start = *(struct c11_start *)record;
	free(record);
	struct g *g = g_current();
	if (g)
		g->start = (void *(*)(void *))(void (*)(void))start.routine;   /* what dumps name */
	return (void *)(uintptr_t)start.routine(start.arg);
}

EXPORT int thrd_create(thrd_t *thread, thrd_start_t routine, void *arg)
{
	REAL(thrd_create);
	goro_init();
	if (!sched_active)
		return real_thrd_create(thread, routine, arg);
	struct c11_start *record = malloc(sizeof *record);
	if (!record)
		return thrd_nomem;
	*record = (struct c11_start){routine, arg};
	/* NULL: the default attribute, which NPTL's C11 marker attribute also stands for */
	int r = thread_create(thread, NULL, c11_thread_start, record, (uintptr_t)__builtin_return_address(0));
	if (r)
		free(record);
	return thrd_result(r);
}

EXPORT int thrd_join(thrd_t thread, int *result)
{
	void *value = NULL;
	int r = pthread_join(thread, &value);
	if (result && r == 0)
		*result = (int)(uintptr_t)value;
	return thrd_result(r);
}

EXPORT _Noreturn void thrd_exit(int result)
{
	pthread_exit((void *)(uintptr_t)result);
}

EXPORT int thrd_detach(thrd_t thread)
{
	return thrd_result(pthread_detach(thread));
}

EXPORT thrd_t thrd_current(void)
{
	return pthread_self();
}

EXPORT int thrd_equal(thrd_t a, thrd_t b)
{
	return a == b;
}

/* 0 when the whole time passed, -1 when a signal ended it (remaining set), -2 on error */
EXPORT int thrd_sleep(const struct timespec *duration, struct timespec *remaining)
{
	switch (clock_nanosleep(CLOCK_REALTIME, 0, duration, remaining)) {
	case 0:
		return 0;
	case EINTR:
		return -1;
	default:
		return -2;
	}
}

EXPORT void thrd_yield(void)
{
	sched_yield();
}

/* ---- mutexes ---- */

/* mtx_timed adds nothing (every pthread mutex has timedlock); an unknown type
 * is a plain mutex, as in NPTL. */
EXPORT int mtx_init(mtx_t *mutex, int type)
{
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	switch (type) {
	case mtx_plain | mtx_recursive:
	case mtx_timed | mtx_recursive:
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
		break;
	default:
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_NORMAL);
		break;
	}
	return thrd_result(pthread_mutex_init((pthread_mutex_t *)mutex, &attr));
}

EXPORT int mtx_lock(mtx_t *mutex)
{
	return thrd_result(pthread_mutex_lock((pthread_mutex_t *)mutex));
}

EXPORT int mtx_timedlock(mtx_t *restrict mutex, const struct timespec *restrict abstime)
{
	return thrd_result(pthread_mutex_timedlock((pthread_mutex_t *)mutex, abstime));
}

EXPORT int mtx_trylock(mtx_t *mutex)
{
	return thrd_result(pthread_mutex_trylock((pthread_mutex_t *)mutex));
}

EXPORT int mtx_unlock(mtx_t *mutex)
{
	return thrd_result(pthread_mutex_unlock((pthread_mutex_t *)mutex));
}

EXPORT void mtx_destroy(mtx_t *mutex)
{
	pthread_mutex_destroy((pthread_mutex_t *)mutex);
}

/* ---- condition variables (CLOCK_REALTIME, as a default pthread condvar) ---- */

EXPORT int cnd_init(cnd_t *cond)
{
	return thrd_result(pthread_cond_init((pthread_cond_t *)cond, NULL));
}

EXPORT int cnd_signal(cnd_t *cond)
{
	return thrd_result(pthread_cond_signal((pthread_cond_t *)cond));
}

EXPORT int cnd_broadcast(cnd_t *cond)
{
	return thrd_result(pthread_cond_broadcast((pthread_cond_t *)cond));
}

EXPORT int cnd_wait(cnd_t *cond, mtx_t *mutex)
{
	return thrd_result(pthread_cond_wait((pthread_cond_t *)cond, (pthread_mutex_t *)mutex));
}

EXPORT int cnd_timedwait(cnd_t *restrict cond, mtx_t *restrict mutex, const struct timespec *restrict abstime)
{
	return thrd_result(pthread_cond_timedwait((pthread_cond_t *)cond, (pthread_mutex_t *)mutex, abstime));
}

EXPORT void cnd_destroy(cnd_t *cond)
{
	pthread_cond_destroy((pthread_cond_t *)cond);
}

/* ---- once, thread-specific storage (glibc's keys, in each G's own TCB) ---- */

EXPORT void call_once(once_flag *flag, void (*routine)(void))
{
	pthread_once((pthread_once_t *)flag, routine);
}

EXPORT int tss_create(tss_t *key, tss_dtor_t destructor)
{
	return thrd_result(pthread_key_create(key, destructor));
}

EXPORT void tss_delete(tss_t key)
{
	pthread_key_delete(key);
}

EXPORT void *tss_get(tss_t key)
{
	return pthread_getspecific(key);
}

EXPORT int tss_set(tss_t key, void *value)
{
	return thrd_result(pthread_setspecific(key, value));
}
