/*
 * shim/ — the symbols libgoro.so exports in place of glibc's. Each one
 * decides "is the caller a G, is goro active, is the object ours?" and
 * either calls into sched/ or hands the call to glibc's own function.
 */
#ifndef GORO_SHIM_H
#define GORO_SHIM_H
#include <pthread.h>
#include <semaphore.h>
#include <dlfcn.h>
#include <errno.h>
#include <time.h>

#include "sched/sched.h"

#define EXPORT __attribute__((visibility("default")))

/* glibc's own functions, for callers and objects goro does not take over */
struct real_functions {
	int (*pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
	int (*pthread_join)(pthread_t, void **);
	int (*pthread_tryjoin_np)(pthread_t, void **);
	int (*pthread_timedjoin_np)(pthread_t, void **, const struct timespec *);
	int (*pthread_clockjoin_np)(pthread_t, void **, clockid_t, const struct timespec *);
	int (*pthread_detach)(pthread_t);
	void (*pthread_exit)(void *) __attribute__((noreturn));
	int (*pthread_getattr_np)(pthread_t, pthread_attr_t *);
	int (*pthread_setname_np)(pthread_t, const char *);
	int (*pthread_getname_np)(pthread_t, char *, size_t);
	int (*pthread_setaffinity_np)(pthread_t, size_t, const cpu_set_t *);
	int (*pthread_getaffinity_np)(pthread_t, size_t, cpu_set_t *);
	int (*pthread_setschedparam)(pthread_t, int, const struct sched_param *);
	int (*pthread_getschedparam)(pthread_t, int *, struct sched_param *);
	int (*pthread_setschedprio)(pthread_t, int);
	int (*pthread_kill)(pthread_t, int);
	int (*pthread_cancel)(pthread_t);
	int (*pthread_mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
	int (*pthread_mutex_lock)(pthread_mutex_t *);
	int (*pthread_mutex_trylock)(pthread_mutex_t *);
	int (*pthread_mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
	int (*pthread_mutex_clocklock)(pthread_mutex_t *, clockid_t, const struct timespec *);
	int (*pthread_mutex_unlock)(pthread_mutex_t *);
	int (*pthread_mutex_destroy)(pthread_mutex_t *);
	int (*pthread_mutex_consistent)(pthread_mutex_t *);
	int (*pthread_mutex_getprioceiling)(const pthread_mutex_t *, int *);
	int (*pthread_mutex_setprioceiling)(pthread_mutex_t *, int, int *);
	int (*pthread_cond_init)(pthread_cond_t *, const pthread_condattr_t *);
	int (*pthread_cond_wait)(pthread_cond_t *, pthread_mutex_t *);
	int (*pthread_cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
	int (*pthread_cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
	int (*pthread_cond_signal)(pthread_cond_t *);
	int (*pthread_cond_broadcast)(pthread_cond_t *);
	int (*pthread_cond_destroy)(pthread_cond_t *);
	int (*pthread_rwlock_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
	int (*pthread_rwlock_destroy)(pthread_rwlock_t *);
	int (*pthread_rwlock_rdlock)(pthread_rwlock_t *);
	int (*pthread_rwlock_tryrdlock)(pthread_rwlock_t *);
	int (*pthread_rwlock_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
	int (*pthread_rwlock_clockrdlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	int (*pthread_rwlock_wrlock)(pthread_rwlock_t *);
	int (*pthread_rwlock_trywrlock)(pthread_rwlock_t *);
	int (*pthread_rwlock_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
	int (*pthread_rwlock_clockwrlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
	int (*pthread_rwlock_unlock)(pthread_rwlock_t *);
	int (*pthread_barrier_init)(pthread_barrier_t *, const pthread_barrierattr_t *, unsigned);
	int (*pthread_barrier_wait)(pthread_barrier_t *);
	int (*pthread_barrier_destroy)(pthread_barrier_t *);
	int (*sem_init)(sem_t *, int, unsigned);
	int (*sem_destroy)(sem_t *);
	int (*sem_wait)(sem_t *);
	int (*sem_trywait)(sem_t *);
	int (*sem_timedwait)(sem_t *, const struct timespec *);
	int (*sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
	int (*sem_post)(sem_t *);
	int (*sem_getvalue)(sem_t *, int *);
	int (*nanosleep)(const struct timespec *, struct timespec *);
	int (*clock_nanosleep)(clockid_t, int, const struct timespec *, struct timespec *);
	int (*usleep)(useconds_t);
	unsigned (*sleep)(unsigned);
	int (*sched_yield)(void);
};
extern struct real_functions real;

/* Starts goro if the library constructor has not run yet (a constructor of
 * another library may create threads first). */
void goro_init(void);

/* A timed wait's clock must be one of these two (NPTL's EINVAL otherwise). */
static inline bool clock_ok_for_wait(clockid_t c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC;
}

/* dlopen.c: remember the TLS modules present at start-up */
void dlopen_note_startup_modules(void);

/* glibc's own function. Each REAL registers its pointer in the section
 * goro_real_symbols, and goro_init looks them all up at start-up: a lookup
 * on first use takes the dynamic loader's lock, and a G may make its first
 * stdio call while another G, parked, holds that lock in dlopen or dlclose
 * (a library's constructor that starts a thread, its destructor that joins
 * it: glibc's tst-join7). The lock's owner is a tid, so the G blocks its OS
 * thread and the holder never gets past its join. A call before goro_init
 * still looks itself up. */
struct real_symbol {
	const char *name;
	void **slot;
};
#define REAL(name) \
	static __typeof__(name) *real_##name; \
	static struct real_symbol real_symbol_##name \
		__attribute__((section("goro_real_symbols"), used)) = {#name, (void **)&real_##name}; \
	if (__builtin_expect(!real_##name, 0)) \
		real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/*
 * Cancellation points (POSIX's list, the calls goro itself makes wait): a G
 * with an enabled cancellation request acts on it on the way in, and on the
 * way out of a wait that pthread_cancel ended with EINTR (sched/cancel.c).
 * glibc's own cancellation points (pthread_testcancel, the libc calls goro
 * does not wrap or hands on) check the same word themselves.
 */
static inline void cancel_point(void)
{
	struct g *g = g_current();
	if (g && __builtin_expect(cancel_requested_in(atomic_load_explicit(tcb_cancelhandling(g->tcb),
									     memory_order_relaxed)), 0))
		g_cancel_act();
}
/*
 * After raise, pthread_kill, pthread_sigqueue, kill or sigqueue from a G:
 * a signal it sent itself hit goro's own code on the way out of the system
 * call and was kept for the next safe point (sched/signal.c); natively its
 * handler has run before the call returns (glibc's tst-raise1 counts).
 */
static inline void signals_sent_to_self_run(void)
{
	struct g *g = g_current();
	if (g)
		g_raise_if_pending(g);
}
/* After a call that failed: an EINTR may be a cancellation to act on. */
static inline void cancel_point_after(bool failed_with_eintr)
{
	if (__builtin_expect(failed_with_eintr, 0))
		cancel_point();
}
/* cancel.c: load the unwinder through goro's dlopen (the preemption map must know it) */
void cancel_unwinder_load(void);

/* Calls real_<name>(args) inside syscall_enter/exit when the caller is a G;
 * errno is kept as the call left it (syscall_exit may run scheduler code).
 * An EINTR that no handler of the program's caused came from goro's own
 * preemption signal racing with the call (even SA_RESTART does not restart
 * poll, sigtimedwait, pause...): the call is made again (invariant 5), unless
 * retrying could repeat work (stdio: BLOCKING_ONCE). errno is cleared before
 * each try that may be repeated, so a stale EINTR is never taken for the
 * call's; a call made once starts with the program's errno, as natively
 * (printf's %m prints the errno it is called with). Each is also a
 * cancellation point: on the way in, and when the call ended with EINTR (a
 * call made once, stdio, when errno is EINTR after it: a cancellation that
 * came while fgets waited in glibc's read)
 * (SIGCANCEL counts as a handler that ran, so it is not made again); except
 * the calls NPTL's are not points of (BLOCKING_NOT_A_POINT: glibc's
 * posix_spawn disables cancellation, its flock and syncfs are plain system
 * calls). */
#define BLOCKING_CALL(type, name, reason, args, retry, point) \
	REAL(name); \
	if (!g_current()) \
		return real_##name args; \
	if (point) \
		cancel_point(); \
	g_cancel_async_point();   /* asynchronous cancellation acts in any call, on the way in or out */ \
	syscall_enter(reason); \
	uint32_t handlers_before = signal_handlers_run(); \
	int errno_before = errno; \
	type result; \
	for (;;) { \
		errno = (retry) ? 0 : errno_before; \
		result = real_##name args; \
		if (!(retry) || result != (type)-1 || errno != EINTR || signal_handlers_run() != handlers_before) \
			break; \
	} \
	int saved_errno = errno ? errno : errno_before; \
	syscall_exit(); \
	g_cancel_async_point(); \
	/* stdio reports failure with NULL or EOF or a short count, not -1 */ \
	cancel_point_after((point) && (!(retry) || result == (type)-1) && saved_errno == EINTR); \
	errno = saved_errno; \
	return result
#define BLOCKING(type, name, reason, args) BLOCKING_CALL(type, name, reason, args, true, true)
#define BLOCKING_ONCE(type, name, reason, args) BLOCKING_CALL(type, name, reason, args, false, true)
#define BLOCKING_NOT_A_POINT(type, name, reason, args, retry) BLOCKING_CALL(type, name, reason, args, retry, false)

/* thread.c: pthread_create, recording created_at (a return address) as where the thread was made */
int thread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg,
		  uintptr_t created_at);

/* sigaction.c */
void sigquit_before_exec(void);
/* pthread_atfork child handler of thread.c (its copy of the default attribute) */
void thread_after_fork_child(void);

/* set in the child of vfork, which shares the G's TLS: act as a thread goro did not create */
extern __thread bool vfork_child;
void sigquit_after_failed_exec(void);
void sigaction_init(void);

/* setxid.c */
void setxid_wrap_install(void);

#endif
