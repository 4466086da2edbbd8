/*
 * Barriers in glibc's 32 bytes; offset 12 is glibc's process-shared marker
 * (0 for private ones, which are the only ones that come here).
 */
#include "sched/internal.h"

#include <errno.h>
#include <string.h>

struct barrier {
	_Atomic uint32_t lock;
	uint32_t arrived;
	uint32_t count;
	int shared;
	_Atomic uint32_t round;
};
_Static_assert(sizeof(struct barrier) <= sizeof(pthread_barrier_t), "barrier layout");

bool barrier_is_private(const pthread_barrier_t *b)
{
	return ((const struct barrier *)b)->shared == 0;
}

int barrier_init(pthread_barrier_t *b, unsigned count)
{
	if (count == 0 || count > INT32_MAX)
		return EINVAL;
	memset(b, 0, sizeof *b);
	((struct barrier *)b)->count = count;
	return 0;
}

int barrier_wait(pthread_barrier_t *pb)
{
	struct barrier *b = (struct barrier *)pb;
	word_lock(&b->lock, NO_DEADLINE, "barrier state");
	if (++b->arrived == b->count) {
		b->arrived = 0;
		atomic_fetch_add(&b->round, 1);
		wake_on(&b->round, INT32_MAX);
		word_unlock(&b->lock);
		return PTHREAD_BARRIER_SERIAL_THREAD;
	}
	uint32_t round = atomic_load(&b->round);
	word_unlock(&b->lock);
	while (atomic_load(&b->round) == round)
		wait_on(&b->round, round, NO_DEADLINE, "barrier wait");
	return 0;
}

int barrier_destroy(pthread_barrier_t *pb)
{
	struct barrier *b = (struct barrier *)pb;
	word_lock(&b->lock, NO_DEADLINE, "barrier state");
	int busy = b->arrived != 0;
	word_unlock(&b->lock);
	return busy ? EBUSY : 0;
}
