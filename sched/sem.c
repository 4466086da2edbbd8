/*
 * Unnamed semaphores in glibc's own sem_t layout: the value in the low word,
 * the number of sleepers in the next, and glibc's "private" field (0 for a
 * process-private semaphore; shared ones are sent to glibc by the shim).
 */
#include "sched/internal.h"

#include <errno.h>
#include <limits.h>
#include <semaphore.h>
#include <string.h>

struct sem {
	_Atomic uint32_t value;
	_Atomic uint32_t waiters;
	int shared;
	int pad;
};
_Static_assert(sizeof(struct sem) <= sizeof(sem_t), "sem layout");

bool sem_is_private(const void *s)
{
	return ((const struct sem *)s)->shared == 0;
}

int sem_init_private(void *s, unsigned value)
{
	if (value > SEM_VALUE_MAX)
		return EINVAL;
	memset(s, 0, sizeof(sem_t));
	((struct sem *)s)->value = value;
	return 0;
}

int sem_trywait_private(void *s)
{
	struct sem *sem = s;
	uint32_t v = atomic_load(&sem->value);
	while (v > 0)
		if (atomic_compare_exchange_weak(&sem->value, &v, v - 1))
			return 0;
	return EAGAIN;
}

int sem_wait_until(void *s, int64_t deadline)
{
	struct sem *sem = s;
	for (;;) {
		if (sem_trywait_private(s) == 0)
			return 0;
		atomic_fetch_add(&sem->waiters, 1);
		int r = wait_on(&sem->value, 0, deadline, "semaphore wait");
		atomic_fetch_sub(&sem->waiters, 1);
		if (r == ETIMEDOUT)
			return sem_trywait_private(s) == 0 ? 0 : ETIMEDOUT;
		/* The kernel restarts glibc's futex wait under SA_RESTART only without a
		 * timeout; a timed wait always ends with EINTR when a handler ran. */
		if (r == EINTR && (!g_restart_after_signal() || deadline != NO_DEADLINE))
			return EINTR;
	}
}

int sem_post_private(void *s)
{
	struct sem *sem = s;
	uint32_t v = atomic_load(&sem->value);
	do {
		if (v >= SEM_VALUE_MAX)
			return EOVERFLOW;
	} while (!atomic_compare_exchange_weak(&sem->value, &v, v + 1));
	if (atomic_load(&sem->waiters))
		wake_on(&sem->value, 1);
	return 0;
}

int sem_getvalue_private(void *s, int *value)
{
	*value = (int)atomic_load(&((struct sem *)s)->value);
	return 0;
}
