/*
 * Thread life cycle and per-thread attributes. Threads goro did not create
 * (and every call when goro is not active) go to glibc.
 */
#include "shim/shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* What a pthread_attr_t asks of a new thread, read through glibc's own accessors. */
struct attr_request {
	size_t stack_size, guard_size;
	void *user_stack;            /* pthread_attr_setstack, else NULL */
	size_t user_stack_size;
	bool detached;
	bool explicit_sched;         /* PTHREAD_EXPLICIT_SCHED: policy and param below, */
	int sched_policy;            /* else the creator's */
	struct sched_param sched_param;
	bool affinity_set;           /* pthread_attr_setaffinity_np, else the creator's mask */
	cpu_set_t affinity;
	bool sigmask_set;            /* pthread_attr_setsigmask_np, else the creator's mask */
	uint64_t sigmask;
};

static void read_attr(const pthread_attr_t *attr, struct attr_request *req)
{
	memset(req, 0, sizeof *req);
	pthread_attr_getstacksize(attr, &req->stack_size);
	pthread_attr_getguardsize(attr, &req->guard_size);
	int detach = PTHREAD_CREATE_JOINABLE;
	pthread_attr_getdetachstate(attr, &detach);
	req->detached = detach == PTHREAD_CREATE_DETACHED;
	int inherit = PTHREAD_INHERIT_SCHED;
	pthread_attr_getinheritsched(attr, &inherit);
	req->explicit_sched = inherit == PTHREAD_EXPLICIT_SCHED;
	pthread_attr_getschedpolicy(attr, &req->sched_policy);
	pthread_attr_getschedparam(attr, &req->sched_param);
	/* glibc answers every CPU (all bytes 0xff) for an attribute that has no mask */
	cpu_set_t mask, every;
	memset(&every, 0xff, sizeof every);
	if (pthread_attr_getaffinity_np(attr, sizeof mask, &mask) == 0 && memcmp(&mask, &every, sizeof mask) != 0) {
		req->affinity_set = true;
		req->affinity = mask;
	}
	sigset_t sigmask;
	if (pthread_attr_getsigmask_np(attr, &sigmask) == 0) {
		req->sigmask_set = true;
		memcpy(&req->sigmask, &sigmask, sizeof req->sigmask);
	}
	/* glibc reports an unset stack as address 0 - size: top of stack NULL */
	void *low;
	size_t size;
	pthread_attr_getstack(attr, &low, &size);
	if ((uintptr_t)low + size != 0) {
		req->user_stack = low;
		req->user_stack_size = size;
	}
}

/*
 * glibc's default attribute (pthread_setattr_default_np), which a thread created
 * without attributes gets whole, as NPTL's pthread_create uses it: stack and guard
 * size, detach state, scheduling, CPU mask, signal mask. Read from glibc when it
 * changes, not at every create (pthread_getattr_default_np takes a lock and may
 * malloc): creators copy it under a sequence count (odd while it is rewritten, 0
 * before the first read), so a create never waits for another. Rejected: keeping
 * only the stack and guard sizes, as before (glibc's tst-default-attr).
 */
static struct {
	_Atomic uint32_t sequence;
	atomic_flag writing;         /* one writer at a time: read glibc's, then publish */
	struct attr_request request;
} defaults = {.writing = ATOMIC_FLAG_INIT};

static int refresh_defaults(void)
{
	while (atomic_flag_test_and_set_explicit(&defaults.writing, memory_order_acquire))
		sched_yield();
	pthread_attr_t a;
	int r = pthread_getattr_default_np(&a);
	if (r == 0) {
		struct attr_request req;
		read_attr(&a, &req);
		pthread_attr_destroy(&a);
		uint32_t s = atomic_load_explicit(&defaults.sequence, memory_order_relaxed);
		atomic_store_explicit(&defaults.sequence, s + 1, memory_order_relaxed);
		atomic_thread_fence(memory_order_release);
		defaults.request = req;
		atomic_store_explicit(&defaults.sequence, s + 2, memory_order_release);
	}
	atomic_flag_clear_explicit(&defaults.writing, memory_order_release);
	return r;
}

static int copy_defaults(struct attr_request *req)
{
	for (;;) {
		uint32_t s = atomic_load_explicit(&defaults.sequence, memory_order_acquire);
		if (s == 0) {
			if (refresh_defaults() != 0)
				return EAGAIN;
			continue;
		}
		if (s & 1) {
			sched_yield();
			continue;
		}
		*req = defaults.request;
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&defaults.sequence, memory_order_relaxed) == s)
			return 0;
	}
}

/* fork child: a thread that was rewriting the copy is gone; read glibc's again */
void thread_after_fork_child(void)
{
	atomic_flag_clear(&defaults.writing);
	atomic_store(&defaults.sequence, 0);
}

/* glibc checks the attribute (EINVAL for a bad policy, priority or stack size, or a
 * stack address) and keeps it; goro then reads it back whole. */
EXPORT int pthread_setattr_default_np(const pthread_attr_t *attr)
{
	static int (*real_setattr_default)(const pthread_attr_t *);
	if (!real_setattr_default)
		real_setattr_default = (int (*)(const pthread_attr_t *))dlsym(RTLD_NEXT, "pthread_setattr_default_np");
	int r = real_setattr_default(attr);
	if (r == 0 && refresh_defaults() != 0)
		atomic_store(&defaults.sequence, 0);   /* read it again at the next create */
	return r;
}

static int check_sched(int policy, int priority);
static struct g *created_g(pthread_t t);

/* Scheduling policy and CPU mask of a new thread: the attribute's when it has them
 * (checked as NPTL checks them when it applies them), else the creator's, as a kernel
 * thread inherits them. goro records them only; nothing is pinned or prioritised. */
static int sched_from_request(const struct attr_request *req, struct g_spec *spec)
{
	struct g *creator = created_g(pthread_self());
	spec->sched_policy = creator ? creator->sched_policy : SCHED_OTHER;
	spec->sched_param.sched_priority = creator ? creator->sched_param.sched_priority : 0;
	spec->affinity_set = creator && creator->affinity_set;
	if (spec->affinity_set)
		spec->affinity = creator->affinity;
	spec->explicit_sched = req->explicit_sched;
	if (req->explicit_sched) {
		spec->sched_policy = req->sched_policy;
		spec->sched_param = req->sched_param;
		int r = check_sched(spec->sched_policy, spec->sched_param.sched_priority);
		if (r)
			return r;
	}
	if (req->affinity_set) {
		cpu_set_t allowed;
		if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
			return errno;
		CPU_AND(&allowed, &allowed, &req->affinity);
		if (CPU_COUNT(&allowed) == 0)
			return EINVAL;   /* sched_setaffinity's answer for no usable CPU */
		spec->affinity = req->affinity;
		spec->affinity_set = true;
	}
	return 0;
}

static int spec_from_attr(const pthread_attr_t *attr, struct g_spec *spec)
{
	struct attr_request req;
	if (attr)
		read_attr(attr, &req);
	else if (copy_defaults(&req) != 0)
		return EAGAIN;
	int r = sched_from_request(&req, spec);
	if (r)
		return r;
	spec->stack_size = req.stack_size;
	spec->guard_size = req.guard_size;
	spec->detached = req.detached;
	spec->sigmask_set = req.sigmask_set;
	spec->sigmask = req.sigmask;
	spec->user_stack = req.user_stack;
	spec->user_stack_size = req.user_stack_size;
	return 0;
}

EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	return thread_create(thread, attr, start, arg, (uintptr_t)__builtin_return_address(0));
}

/* pthread_create, and thrd_create (c11.c) with its caller's address for dumps */
int thread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg,
		  uintptr_t created_at)
{
	goro_init();
	if (!sched_active)
		return real.pthread_create(thread, attr, start, arg);
	/* every entry into goro is a cooperative preemption point: a G that does little
	 * but create threads (in a loop retrying EAGAIN) spends its time in goro and libc,
	 * where the preemption signal never stops it, while the threads it created wait
	 * for a P (and, under an address-space limit, hold every stack; glibc's
	 * tst-create-detached) */
	preempt_point();
	struct g_spec spec = {.start = start, .arg = arg, .thread = thread, .created_at = created_at};
	int r = spec_from_attr(attr, &spec);
	return r ? r : g_create(&spec);
}

/* Joins are cancellation points (tryjoin too, as in NPTL): g_join gives up
 * with EINTR when the caller is to act on a cancellation. */
static int join_common(pthread_t t, void **result, int64_t deadline, bool try_only)
{
	struct g *g = g_of_thread(t);
	if (!g)
		return ESRCH;
	int r;
	cancel_point();
	while ((r = g_join(g, deadline, result, try_only)) == EINTR)
		cancel_point();
	return r;
}

/* Not a live G: a thread goro did not create goes to glibc, a finished G is ESRCH. */
static bool native_thread(pthread_t t)
{
	return !g_of_thread(t) && !g_handle_released(t);
}

EXPORT int pthread_join(pthread_t t, void **result)
{
	if (native_thread(t))
		return real.pthread_join(t, result);
	return join_common(t, result, NO_DEADLINE, false);
}

EXPORT int pthread_tryjoin_np(pthread_t t, void **result)
{
	if (native_thread(t))
		return real.pthread_tryjoin_np(t, result);
	return join_common(t, result, NO_DEADLINE, true);
}

EXPORT int pthread_clockjoin_np(pthread_t t, void **result, clockid_t clock, const struct timespec *abstime)
{
	if (native_thread(t))
		return real.pthread_clockjoin_np(t, result, clock, abstime);
	if (!clock_ok_for_wait(clock))
		return EINVAL;
	int64_t deadline = NO_DEADLINE;
	if (abstime) {
		int r = deadline_from_abstime(clock, abstime, &deadline);
		if (r)
			return r;
	}
	return join_common(t, result, deadline, false);
}

EXPORT int pthread_timedjoin_np(pthread_t t, void **result, const struct timespec *abstime)
{
	if (native_thread(t))
		return real.pthread_timedjoin_np(t, result, abstime);
	return pthread_clockjoin_np(t, result, CLOCK_REALTIME, abstime);
}

EXPORT int pthread_detach(pthread_t t)
{
	if (native_thread(t))
		return real.pthread_detach(t);
	struct g *g = g_of_thread(t);
	return g ? g_detach(g) : ESRCH;
}

/* glibc's own pthread_exit on a G: it unwinds the G's stack (cleanup
 * handlers, C++ destructors) to the buffer in its first frame, where goro
 * ends the G (sched/cancel.c). */
EXPORT void pthread_exit(void *result)
{
	struct g *g = g_current();
	if (g) {
		cancel_unwinder_load();
		if (g->is_main && !cancel_main_prepare())
			g_exit(result);   /* from a constructor, before main(): nothing to unwind to */
	}
	real.pthread_exit(result);
}

EXPORT int sched_yield(void)
{
	if (!g_current())
		return real.sched_yield();
	g_yield();
	return 0;
}

/* <pthread.h> redirects pthread_yield to sched_yield; old binaries still import it. */
EXPORT int pthread_yield_compat(void) __asm__("pthread_yield");
EXPORT int pthread_yield_compat(void)
{
	return sched_yield();
}

/* A G other than main: the calls below answer from what goro recorded. */
static struct g *created_g(pthread_t t)
{
	struct g *g = g_of_thread(t);
	return g && !g->is_main ? g : NULL;
}

EXPORT int pthread_getattr_np(pthread_t t, pthread_attr_t *attr)
{
	struct g *g = created_g(t);
	if (!g)
		return real.pthread_getattr_np(t, attr);
	int r = pthread_attr_init(attr);
	if (r)
		return r;
	/* NPTL reports a user-supplied stack whole, though its TCB sits at the top of it;
	 * and its own stacks as the requested size aligned down to the static TLS alignment,
	 * ending at the top of the block, TCB included (glibc's tst-default-attr checks it).
	 * goro's mapping above the guard page is at least that big (stack_map adds the TCB
	 * and TLS and rounds up to a page). */
	size_t size = g->stack.map_size;
	char *low = g->stack.lo;
	if (!g->stack.user) {
		size = g->stack_size & ~(tls_layout.static_align - 1);
		low = g->stack.map + g->stack.map_size - size;
	}
	pthread_attr_setstack(attr, low, size);
	pthread_attr_setguardsize(attr, g->stack.guard);
	pthread_attr_setdetachstate(attr, (atomic_load(&g->life) & LIFE_DETACHED) ? PTHREAD_CREATE_DETACHED
										    : PTHREAD_CREATE_JOINABLE);
	pthread_attr_setinheritsched(attr, g->explicit_sched ? PTHREAD_EXPLICIT_SCHED : PTHREAD_INHERIT_SCHED);
	pthread_attr_setschedpolicy(attr, g->sched_policy);
	pthread_attr_setschedparam(attr, &g->sched_param);
	cpu_set_t mask;   /* NPTL always reports the thread's mask */
	if (pthread_getaffinity_np(t, sizeof mask, &mask) == 0)
		pthread_attr_setaffinity_np(attr, sizeof mask, &mask);
	return 0;
}

EXPORT int pthread_setname_np(pthread_t t, const char *name)
{
	struct g *g = g_of_thread(t);
	if (!g)
		return real.pthread_setname_np(t, name);
	size_t len = strlen(name);
	if (len >= sizeof g->name)
		return ERANGE;
	if (g->is_main) {
		int r = real.pthread_setname_np(t, name);
		if (r)
			return r;
	}
	memcpy(g->name, name, len + 1);
	return 0;
}

EXPORT int pthread_getname_np(pthread_t t, char *buf, size_t len)
{
	struct g *g = g_of_thread(t);
	if (!g)
		return real.pthread_getname_np(t, buf, len);
	size_t n = strlen(g->name);
	if (len < n + 1)
		return ERANGE;
	memcpy(buf, g->name, n + 1);
	return 0;
}

EXPORT int pthread_setaffinity_np(pthread_t t, size_t size, const cpu_set_t *set)
{
	struct g *g = created_g(t);
	if (!g)
		return real.pthread_setaffinity_np(t, size, set);
	cpu_set_t allowed, wanted;
	CPU_ZERO(&wanted);
	memcpy(&wanted, set, size < sizeof wanted ? size : sizeof wanted);
	for (size_t i = sizeof wanted; i < size; i++)
		if (((const unsigned char *)set)[i])
			return EINVAL;   /* CPUs beyond what the kernel knows */
	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		return errno;
	CPU_AND(&allowed, &allowed, &wanted);
	if (CPU_COUNT(&allowed) == 0)
		return EINVAL;
	g->affinity = wanted;
	g->affinity_set = true;
	return 0;
}

EXPORT int pthread_getaffinity_np(pthread_t t, size_t size, cpu_set_t *set)
{
	struct g *g = created_g(t);
	if (!g)
		return real.pthread_getaffinity_np(t, size, set);
	cpu_set_t mask;
	if (g->affinity_set)
		mask = g->affinity;
	else if (sched_getaffinity(0, sizeof mask, &mask) != 0)
		return errno;
	if (size < sizeof mask) {
		for (size_t i = size; i < sizeof mask; i++)
			if (((unsigned char *)&mask)[i])
				return EINVAL;
		memcpy(set, &mask, size);
	} else {
		memset(set, 0, size);
		memcpy(set, &mask, sizeof mask);
	}
	return 0;
}

static int check_sched(int policy, int priority)
{
	if (policy != SCHED_OTHER && policy != SCHED_BATCH && policy != SCHED_IDLE &&
	    policy != SCHED_FIFO && policy != SCHED_RR)
		return EINVAL;
	if (priority < sched_get_priority_min(policy) || priority > sched_get_priority_max(policy))
		return EINVAL;
	if ((policy == SCHED_FIFO || policy == SCHED_RR) && geteuid() != 0)
		return EPERM;
	return 0;
}

EXPORT int pthread_setschedparam(pthread_t t, int policy, const struct sched_param *param)
{
	struct g *g = created_g(t);
	if (!g)
		return real.pthread_setschedparam(t, policy, param);
	int r = check_sched(policy, param->sched_priority);
	if (r)
		return r;
	g->sched_policy = policy;
	g->sched_param = *param;
	return 0;
}

EXPORT int pthread_getschedparam(pthread_t t, int *policy, struct sched_param *param)
{
	struct g *g = created_g(t);
	if (!g)
		return real.pthread_getschedparam(t, policy, param);
	*policy = g->sched_policy;
	*param = g->sched_param;
	return 0;
}

EXPORT int pthread_setschedprio(pthread_t t, int priority)
{
	struct g *g = created_g(t);
	if (!g)
		return real.pthread_setschedprio(t, priority);
	int r = check_sched(g->sched_policy, priority);
	if (r)
		return r;
	g->sched_param.sched_priority = priority;
	return 0;
}

/* The G a signal to t goes to, the main G included: glibc would send it to
 * the OS thread the main thread's TCB names, which runs whichever G it runs
 * by then (in a fork child, the one that forked: glibc's tst-cancel21). */
static struct g *signal_target(pthread_t t)
{
	return sched_active ? g_of_thread(t) : NULL;
}

/* Signals to one G: see sched/signal.c. A thread that has exited but is not
 * yet joined still has a valid ID: as NPTL since glibc 2.34 (pthread_kill@@GLIBC_2.34),
 * the call succeeds and sends nothing (ESRCH was the old symbol version's). */
EXPORT int pthread_kill(pthread_t t, int sig)
{
	struct g *g = signal_target(t);
	if (!g)
		return real.pthread_kill(t, sig);
	if (sig < 0 || sig >= NSIG)
		return EINVAL;
	if (sig == 0 || (atomic_load(&g->life) & LIFE_EXITED))
		return 0;
	int r = g_signal(g, sig, NULL);
	signals_sent_to_self_run();
	return r;
}

/* raise: as NPTL's, pthread_kill of the calling thread, not a tgkill of its
 * M's OS thread: a signal the G blocks is then held for the G, and delivered
 * in it when it unblocks it on whatever M it runs by then (glibc's
 * tst-pthread-raise-blocked-self); an unblocked one still runs its handler
 * before raise returns. glibc's internal signals and a vfork child (which
 * shares its parent's G) go to glibc's. */
EXPORT int raise(int sig)
{
	struct g *g = sched_active && !vfork_child ? g_current() : NULL;
	if (!g || sig == 32 || sig == 33) {
		REAL(raise);
		return real_raise(sig);
	}
	int r = 0;
	if (sig < 0 || sig >= NSIG)
		r = EINVAL;
	else if (sig != 0)
		r = g_signal(g, sig, NULL);
	signals_sent_to_self_run();
	if (r) {
		errno = r;
		return -1;
	}
	return 0;
}

/* pthread_sigqueue: as pthread_kill, the value travels in its siginfo. */
EXPORT int pthread_sigqueue(pthread_t t, int sig, const union sigval value)
{
	struct g *g = signal_target(t);
	if (!g) {
		REAL(pthread_sigqueue);   /* resolved at start-up, as every wrapped call */
		return real_pthread_sigqueue(t, sig, value);
	}
	if (sig < 0 || sig >= NSIG || sig == 32 || sig == 33)
		return EINVAL;
	if (atomic_load(&g->life) & LIFE_EXITED)
		return ESRCH;
	if (sig == 0)
		return 0;
	siginfo_t info;
	memset(&info, 0, sizeof info);
	info.si_signo = sig;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value = value;
	int r = g_signal(g, sig, &info);
	signals_sent_to_self_run();
	return r;
}
