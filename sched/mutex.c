/*
 * pthread_mutex_t in glibc's own 40 bytes and encoding: __lock is the lock
 * word, __owner the owner's tid (fake for Gs), __count the recursion depth,
 * __kind the type with glibc's flag bits, so glibc's static initializers and
 * all-zero memory work. Process-shared mutexes never come here (the shim
 * sends them to glibc).
 *
 * Robust mutexes. NPTL links every robust mutex a thread holds into a list
 * in its TCB and registers that list with the kernel (set_robust_list); when
 * the thread dies the kernel marks each one "owner died" and wakes a waiter.
 * The kernel knows one list per OS thread, and an M runs many Gs, so it
 * cannot do this for a G: goro keeps the list itself. Each G holds the
 * robust mutexes it owns on g->robust_held, linked through the mutex's own
 * __list field; g_exit hands every one of them on, marked owner-died, to the
 * next locker (mutex_owner_died). The states, kept in __elision (unused by
 * goro's mutexes otherwise; __owner stays the holder's tid, so owner checks,
 * dumps and the deadlock detector keep working):
 *   consistent -> (holder exits) owner died -> (next lock: EOWNERDEAD)
 *   inconsistent -> pthread_mutex_consistent -> consistent
 *   inconsistent -> unlock -> not recoverable (every lock: ENOTRECOVERABLE)
 * Only Gs are tracked: a thread goro did not create that dies holding one
 * leaves it locked. Process-shared robust mutexes stay glibc's and the
 * kernel's: glibc links them into the running G's own TCB list, which the
 * kernel does not know (it knows the M's), and their lock word holds the G's
 * fake tid, which the kernel never matches. A G that exits walks that list
 * itself (tcb_robust_owner_died, stack/tcb.c); when the whole process dies,
 * the kernel marks only what the main G holds (its TCB is the initial
 * thread's, registered with that thread's real tid, and M0 never exits) and
 * what the forking G of a fork child holds (glibc registers the G's list in
 * the child, and the kernel wrote the child's real tid into the G's TCB).
 *
 * Priority inheritance: Gs have no kernel priorities to lend, so a PI mutex
 * is an ordinary one with NPTL's error codes: unlock by a non-owner, or of
 * an unlocked mutex, is EPERM for every type, and trylock of an
 * error-checking one its caller holds is EDEADLK (as for robust ones).
 *
 * Priority protection: the ceiling lives in __spins (NPTL keeps it in the
 * upper bits of the lock word, which goro's word lock uses whole). Locking
 * asks to raise the caller to the ceiling, which NPTL does with
 * sched_setscheduler: a thread of a non-real-time policy cannot be raised,
 * so NPTL fails with EINVAL, and so does goro; a real-time caller above the
 * ceiling is EINVAL too. goro raises nothing (Gs are not scheduled by
 * priority).
 */
#include "sched/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KIND_MASK 3
#define KIND_ROBUST 16
#define KIND_PRIO_INHERIT 32
#define KIND_PRIO_PROTECT 64
#define KIND_PSHARED 128

enum { ROBUST_CONSISTENT, ROBUST_OWNER_DIED, ROBUST_INCONSISTENT, ROBUST_NOT_RECOVERABLE };

#define LOCKWORD(m) ((_Atomic uint32_t *)&(m)->__data.__lock)
#define ROBUST_STATE(m) ((m)->__data.__elision)
#define CEILING(m) ((m)->__data.__spins)

bool mutex_is_shared(const pthread_mutex_t *m)
{
	return (m->__data.__kind & KIND_PSHARED) != 0;
}

int mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	int type = PTHREAD_MUTEX_NORMAL, robust = PTHREAD_MUTEX_STALLED, protocol = PTHREAD_PRIO_NONE, ceiling = 0;
	if (a) {
		pthread_mutexattr_gettype(a, &type);
		pthread_mutexattr_getrobust(a, &robust);
		pthread_mutexattr_getprotocol(a, &protocol);
		pthread_mutexattr_getprioceiling(a, &ceiling);
	}
	memset(m, 0, sizeof *m);
	int kind = type & KIND_MASK;
	if (robust == PTHREAD_MUTEX_ROBUST)
		kind |= KIND_ROBUST;
	if (protocol == PTHREAD_PRIO_INHERIT)
		kind |= KIND_PRIO_INHERIT;
	else if (protocol == PTHREAD_PRIO_PROTECT) {
		kind |= KIND_PRIO_PROTECT;
		CEILING(m) = (short)ceiling;
	}
	m->__data.__kind = kind;
	return 0;
}

static int kind_of(const pthread_mutex_t *m)
{
	return m->__data.__kind & KIND_MASK;
}

static bool has(const pthread_mutex_t *m, int flag)
{
	return (m->__data.__kind & flag) != 0;
}

/* ---- the robust list of the running G ---- */

typedef struct __pthread_internal_list list_node;

static list_node *held_list(struct g *g)
{
	list_node *head = &g->robust_held;
	if (!head->__next)
		head->__next = head->__prev = head;   /* the main G's, first use */
	return head;
}

static void held_add(pthread_mutex_t *m)
{
	struct g *g = g_self;
	if (!g)
		return;   /* a thread goro did not create: not tracked */
	list_node *head = held_list(g), *node = &m->__data.__list;
	node->__next = head->__next;
	node->__prev = head;
	head->__next->__prev = node;
	head->__next = node;
}

static void held_remove(pthread_mutex_t *m)
{
	list_node *node = &m->__data.__list;
	if (!node->__next)
		return;
	node->__prev->__next = node->__next;
	node->__next->__prev = node->__prev;
	node->__next = node->__prev = NULL;
}

/* The lock word is ours and the holder recorded: what the robust state makes of it. */
static int robust_taken(pthread_mutex_t *m)
{
	switch (ROBUST_STATE(m)) {
	case ROBUST_CONSISTENT:
		held_add(m);
		return 0;
	case ROBUST_OWNER_DIED:
		ROBUST_STATE(m) = ROBUST_INCONSISTENT;
		held_add(m);
		return EOWNERDEAD;
	case ROBUST_NOT_RECOVERABLE:
		m->__data.__owner = 0;
		m->__data.__count = 0;
		m->__data.__nusers--;
		word_unlock(LOCKWORD(m));
		return ENOTRECOVERABLE;
	}
	fatal("robust_taken: a robust mutex taken in an impossible state");
}

/* g exits: each robust mutex it still holds goes to the next locker with EOWNERDEAD. */
void mutex_owner_died(struct g *g)
{
	list_node *head = held_list(g);
	while (head->__next != head) {
		list_node *node = head->__next;
		pthread_mutex_t *m = container_of(node, pthread_mutex_t, __data.__list);
		held_remove(m);
		if (ROBUST_STATE(m) != ROBUST_NOT_RECOVERABLE)
			ROBUST_STATE(m) = ROBUST_OWNER_DIED;
		m->__data.__owner = 0;
		m->__data.__count = 0;
		m->__data.__nusers--;
		word_unlock(LOCKWORD(m));
	}
}

/* fork child: the forking G does not inherit ownership of the robust mutexes
 * it held in the parent (NPTL empties the child's robust list the same way);
 * they stay locked by the parent's tid. The list's nodes live in the mutexes,
 * which the child may unmap or reuse: the next lock must not touch them. */
void mutex_forget_held_after_fork(struct g *self)
{
	self->robust_held.__next = self->robust_held.__prev = &self->robust_held;
}

int mutex_consistent(pthread_mutex_t *m)
{
	if (!has(m, KIND_ROBUST) || ROBUST_STATE(m) != ROBUST_INCONSISTENT)
		return EINVAL;
	ROBUST_STATE(m) = ROBUST_CONSISTENT;
	return 0;
}

/* ---- priority ceilings ---- */

/* The caller's real-time priority, -1 for a policy without priorities. */
static int caller_rt_priority(void)
{
	struct g *g = g_self;
	int policy;
	struct sched_param param;
	if (g && !g->is_main) {
		policy = g->sched_policy;
		param = g->sched_param;
	} else {
		pid_t tid = g ? g->tid : 0;   /* the main G: the initial thread's settings, the kernel's */
		policy = (int)SYS1(SYS_sched_getscheduler, tid);
		if (policy < 0 || SYS2(SYS_sched_getparam, tid, &param) != 0)
			return -1;
	}
	policy &= ~SCHED_RESET_ON_FORK;
	return policy == SCHED_FIFO || policy == SCHED_RR ? param.sched_priority : -1;
}

static int ceiling_allows_caller(const pthread_mutex_t *m)
{
	int priority = caller_rt_priority();
	return priority < 0 || priority > CEILING(m) ? EINVAL : 0;
}

int mutex_getprioceiling(const pthread_mutex_t *m, int *ceiling)
{
	if (!has(m, KIND_PRIO_PROTECT))
		return EINVAL;
	*ceiling = CEILING(m);
	return 0;
}

int mutex_setprioceiling(pthread_mutex_t *m, int ceiling, int *old)
{
	if (!has(m, KIND_PRIO_PROTECT) || ceiling < sched_get_priority_min(SCHED_FIFO) ||
	    ceiling > sched_get_priority_max(SCHED_FIFO))
		return EINVAL;
	bool held = m->__data.__owner == self_tid() && atomic_load(LOCKWORD(m)) != 0;
	if (held && kind_of(m) == PTHREAD_MUTEX_ERRORCHECK)
		return EDEADLK;
	if (!held) {
		int r = word_lock(LOCKWORD(m), NO_DEADLINE, "mutex lock");
		if (r)
			return r;
	}
	if (old)
		*old = CEILING(m);
	CEILING(m) = (short)ceiling;
	if (!held)
		word_unlock(LOCKWORD(m));
	return 0;
}

/* ---- lock and unlock ---- */

static void took(pthread_mutex_t *m, int tid)
{
	m->__data.__owner = tid;
	m->__data.__count = 1;
	m->__data.__nusers++;
}

static int lock(pthread_mutex_t *m, int64_t deadline, bool async_cancel)
{
	int kind = kind_of(m), tid = self_tid();
	if (has(m, KIND_PRIO_PROTECT)) {
		int r = ceiling_allows_caller(m);
		if (r)
			return r;
	}
	if (kind != PTHREAD_MUTEX_NORMAL && kind != PTHREAD_MUTEX_ADAPTIVE_NP && m->__data.__owner == tid) {
		if (kind == PTHREAD_MUTEX_ERRORCHECK)
			return EDEADLK;
		if (m->__data.__count + 1 == 0)
			return EAGAIN;
		m->__data.__count++;
		return 0;
	}
	int r = async_cancel ? word_lock_async_cancel(LOCKWORD(m), deadline, "mutex lock")
			     : word_lock(LOCKWORD(m), deadline, "mutex lock");
	if (r)
		return r;
	took(m, tid);
	return has(m, KIND_ROBUST) ? robust_taken(m) : 0;
}

int mutex_lock(pthread_mutex_t *m, int64_t deadline)
{
	return lock(m, deadline, true);
}

int mutex_relock(pthread_mutex_t *m)
{
	return lock(m, NO_DEADLINE, false);
}

int mutex_trylock(pthread_mutex_t *m)
{
	int kind = kind_of(m), tid = self_tid();
	if (has(m, KIND_PRIO_PROTECT)) {
		int r = ceiling_allows_caller(m);
		if (r)
			return r;
	}
	if (m->__data.__owner == tid) {
		if (kind == PTHREAD_MUTEX_RECURSIVE) {
			if (m->__data.__count + 1 == 0)
				return EAGAIN;
			m->__data.__count++;
			return 0;
		}
		if (kind == PTHREAD_MUTEX_ERRORCHECK && has(m, KIND_ROBUST | KIND_PRIO_INHERIT))
			return EDEADLK;
	}
	if (!word_trylock(LOCKWORD(m)))
		return EBUSY;
	took(m, tid);
	return has(m, KIND_ROBUST) ? robust_taken(m) : 0;
}

/* NPTL checks the owner on unlock for these kinds: error-checking and
 * recursive ones, and every robust or priority-inheritance one. */
static bool unlock_checks_owner(const pthread_mutex_t *m)
{
	int kind = kind_of(m);
	return kind == PTHREAD_MUTEX_RECURSIVE || kind == PTHREAD_MUTEX_ERRORCHECK ||
	       has(m, KIND_ROBUST | KIND_PRIO_INHERIT);
}

int mutex_unlock(pthread_mutex_t *m)
{
	if (unlock_checks_owner(m)) {
		if (m->__data.__owner != self_tid() || atomic_load(LOCKWORD(m)) == 0)
			return EPERM;
		if (kind_of(m) == PTHREAD_MUTEX_RECURSIVE && --m->__data.__count != 0)
			return 0;
	}
	if (has(m, KIND_ROBUST)) {
		held_remove(m);
		if (ROBUST_STATE(m) == ROBUST_INCONSISTENT)
			ROBUST_STATE(m) = ROBUST_NOT_RECOVERABLE;
	}
	m->__data.__owner = 0;
	m->__data.__nusers--;
	word_unlock(LOCKWORD(m));
	return 0;
}

/* As NPTL's: a robust mutex is never EBUSY. Its holder may be a process that
 * died holding it (a fork child): natively the kernel marked it, goro's private
 * robust mutexes get no mark, and NPTL does not look. Like NPTL's, destroy
 * leaves the holder's list alone: destroying a mutex a live thread holds is
 * undefined. */
int mutex_destroy(pthread_mutex_t *m)
{
	if (has(m, KIND_ROBUST))
		return 0;
	if (atomic_load(LOCKWORD(m)) != 0)
		return EBUSY;
	return 0;
}
