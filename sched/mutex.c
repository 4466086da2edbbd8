/*
 * pthread_mutex_t in glibc's own 40 bytes and encoding: __lock is the lock
 * word, __owner the owner's tid (fake for Gs), __count the recursion depth,
 * __kind the type with glibc's flag bits, so glibc's static initializers and
 * all-zero memory work. Process-shared mutexes never come here (the shim
 * sends them to glibc).
 */
#include "sched/internal.h"

#include <errno.h>
#include <string.h>

#define KIND_MASK 3
#define KIND_ROBUST 16
#define KIND_PRIO_INHERIT 32
#define KIND_PRIO_PROTECT 64
#define KIND_PSHARED 128

#define LOCKWORD(m) ((_Atomic uint32_t *)&(m)->__data.__lock)

bool mutex_is_shared(const pthread_mutex_t *m)
{
	return (m->__data.__kind & KIND_PSHARED) != 0;
}

int mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	int type = PTHREAD_MUTEX_NORMAL, robust = PTHREAD_MUTEX_STALLED, protocol = PTHREAD_PRIO_NONE;
	if (a) {
		pthread_mutexattr_gettype(a, &type);
		pthread_mutexattr_getrobust(a, &robust);
		pthread_mutexattr_getprotocol(a, &protocol);
	}
	memset(m, 0, sizeof *m);
	int kind = type & KIND_MASK;
	if (robust == PTHREAD_MUTEX_ROBUST)
		kind |= KIND_ROBUST;
	if (protocol == PTHREAD_PRIO_INHERIT)
		kind |= KIND_PRIO_INHERIT;
	else if (protocol == PTHREAD_PRIO_PROTECT)
		kind |= KIND_PRIO_PROTECT;
	m->__data.__kind = kind;
	return 0;
}

static int kind_of(const pthread_mutex_t *m)
{
	return m->__data.__kind & KIND_MASK;
}

static void took(pthread_mutex_t *m, int tid)
{
	m->__data.__owner = tid;
	m->__data.__count = 1;
	m->__data.__nusers++;
}

int mutex_lock(pthread_mutex_t *m, int64_t deadline)
{
	int kind = kind_of(m), tid = self_tid();
	if (kind != PTHREAD_MUTEX_NORMAL && kind != PTHREAD_MUTEX_ADAPTIVE_NP && m->__data.__owner == tid) {
		if (kind == PTHREAD_MUTEX_ERRORCHECK)
			return EDEADLK;
		if (m->__data.__count + 1 == 0)
			return EAGAIN;
		m->__data.__count++;
		return 0;
	}
	int r = word_lock(LOCKWORD(m), deadline, "mutex lock");
	if (r)
		return r;
	took(m, tid);
	return 0;
}

int mutex_trylock(pthread_mutex_t *m)
{
	int kind = kind_of(m), tid = self_tid();
	if (kind == PTHREAD_MUTEX_RECURSIVE && m->__data.__owner == tid) {
		if (m->__data.__count + 1 == 0)
			return EAGAIN;
		m->__data.__count++;
		return 0;
	}
	if (!word_trylock(LOCKWORD(m)))
		return EBUSY;
	took(m, tid);
	return 0;
}

int mutex_unlock(pthread_mutex_t *m)
{
	int kind = kind_of(m);
	if (kind == PTHREAD_MUTEX_RECURSIVE || kind == PTHREAD_MUTEX_ERRORCHECK) {
		if (m->__data.__owner != self_tid() || atomic_load(LOCKWORD(m)) == 0)
			return EPERM;
		if (--m->__data.__count != 0)
			return 0;
	}
	m->__data.__owner = 0;
	m->__data.__nusers--;
	word_unlock(LOCKWORD(m));
	return 0;
}

int mutex_destroy(pthread_mutex_t *m)
{
	if (atomic_load(LOCKWORD(m)) != 0)
		return EBUSY;
	return 0;
}
