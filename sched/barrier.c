/*
 * Barriers in glibc's 32 bytes; offset 12 is glibc's process-shared marker
 * (0 for private ones, which are the only ones that come here).
 *
 * The serial thread may destroy and re-initialise the barrier as soon as its wait
 * returns (glibc's tst-barrier4 does, every round), while threads it released have not
 * yet run to see the round change. As in NPTL, destroy therefore waits until every
 * released thread has left barrier_wait; otherwise init's zeroed round could equal the
 * round a late leaver still waits out, and it would sleep for ever.
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
	_Atomic uint32_t leaving;    /* released or waiting, not yet out of barrier_wait */
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
	atomic_fetch_add(&b->leaving, 1);
	word_unlock(&b->lock);
	while (atomic_load(&b->round) == round)
		wait_on(&b->round, round, NO_DEADLINE, "barrier wait");
	/* Last touch of *b: after this a destroy may return and the memory be reused. */
	if (atomic_fetch_sub(&b->leaving, 1) == 1)
		wake_on(&b->leaving, INT32_MAX);
	return 0;
}

int barrier_destroy(pthread_barrier_t *pb)
{
	struct barrier *b = (struct barrier *)pb;
	word_lock(&b->lock, NO_DEADLINE, "barrier state");
	int busy = b->arrived != 0;
	word_unlock(&b->lock);
	if (busy)
		return EBUSY;
	/* Only leavers of finished rounds remain: wait for them to be out (see top). */
	for (uint32_t n; (n = atomic_load(&b->leaving)) != 0;)
		wait_on(&b->leaving, n, NO_DEADLINE, "barrier destroy");
	return 0;
}
