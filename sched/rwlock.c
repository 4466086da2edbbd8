/*
 * pthread_rwlock_t in glibc's 56 bytes. A word lock guards the state; readers
 * and writers sleep on two sequence words. The owner tid sits where glibc
 * keeps __cur_writer, __shared marks process-shared locks (sent to glibc),
 * and __flags keeps glibc's preference (PREFER_WRITER_NONRECURSIVE_NP = 2
 * makes new readers wait behind waiting writers; the default prefers readers
 * as NPTL does).
 */
#include "sched/internal.h"

#include <errno.h>
#include <string.h>

struct rw {
	_Atomic uint32_t lock;
	uint32_t readers;
	uint32_t writer;
	uint32_t readers_waiting;
	uint32_t writers_waiting;
	_Atomic uint32_t read_seq;
	int cur_writer;              /* glibc's __cur_writer, offset 24 */
	int shared;                  /* glibc's __shared, offset 28 */
	_Atomic uint32_t write_seq;
	uint32_t unused[3];
	uint32_t flags;              /* glibc's __flags, offset 48 */
	uint32_t unused2;
};
_Static_assert(sizeof(struct rw) == sizeof(pthread_rwlock_t), "rwlock layout");
_Static_assert(offsetof(struct rw, flags) == 48 && offsetof(struct rw, cur_writer) == 24, "rwlock layout");

#define RW(l) ((struct rw *)(l))
#define PREFER_WRITER 2

bool rwlock_is_shared(const pthread_rwlock_t *l)
{
	return RW(l)->shared != 0;
}

int rwlock_init(pthread_rwlock_t *l, const pthread_rwlockattr_t *a)
{
	int kind = PTHREAD_RWLOCK_PREFER_READER_NP;
	if (a)
		pthread_rwlockattr_getkind_np(a, &kind);
	memset(l, 0, sizeof *l);
	RW(l)->flags = kind == PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP ? PREFER_WRITER : 0;
	return 0;
}

static bool readers_blocked(struct rw *rw)
{
	return rw->writer || (rw->flags == PREFER_WRITER && rw->writers_waiting);
}

int rwlock_tryrdlock(pthread_rwlock_t *l)
{
	struct rw *rw = RW(l);
	word_lock(&rw->lock, NO_DEADLINE, "rwlock state");
	int r = 0;
	if (readers_blocked(rw))
		r = EBUSY;
	else if (rw->readers == UINT32_MAX)
		r = EAGAIN;
	else
		rw->readers++;
	word_unlock(&rw->lock);
	return r;
}

int rwlock_rdlock(pthread_rwlock_t *l, int64_t deadline)
{
	struct rw *rw = RW(l);
	word_lock(&rw->lock, NO_DEADLINE, "rwlock state");
	if (rw->writer && rw->cur_writer == self_tid()) {
		word_unlock(&rw->lock);
		return EDEADLK;
	}
	while (readers_blocked(rw)) {
		rw->readers_waiting++;
		uint32_t seq = atomic_load(&rw->read_seq);
		word_unlock(&rw->lock);
		int r = wait_on(&rw->read_seq, seq, deadline, "rwlock read");
		word_lock(&rw->lock, NO_DEADLINE, "rwlock state");
		rw->readers_waiting--;
		if (r == ETIMEDOUT && readers_blocked(rw)) {
			word_unlock(&rw->lock);
			return ETIMEDOUT;
		}
	}
	if (rw->readers == UINT32_MAX) {
		word_unlock(&rw->lock);
		return EAGAIN;
	}
	rw->readers++;
	word_unlock(&rw->lock);
	return 0;
}

int rwlock_trywrlock(pthread_rwlock_t *l)
{
	struct rw *rw = RW(l);
	word_lock(&rw->lock, NO_DEADLINE, "rwlock state");
	int r = EBUSY;
	if (!rw->writer && rw->readers == 0) {
		rw->writer = 1;
		rw->cur_writer = self_tid();
		r = 0;
	}
	word_unlock(&rw->lock);
	return r;
}

int rwlock_wrlock(pthread_rwlock_t *l, int64_t deadline)
{
	struct rw *rw = RW(l);
	int tid = self_tid();
	word_lock(&rw->lock, NO_DEADLINE, "rwlock state");
	if (rw->writer && rw->cur_writer == tid) {
		word_unlock(&rw->lock);
		return EDEADLK;
	}
	while (rw->writer || rw->readers) {
		rw->writers_waiting++;
		uint32_t seq = atomic_load(&rw->write_seq);
		word_unlock(&rw->lock);
		int r = wait_on(&rw->write_seq, seq, deadline, "rwlock write");
		word_lock(&rw->lock, NO_DEADLINE, "rwlock state");
		rw->writers_waiting--;
		if (r == ETIMEDOUT && (rw->writer || rw->readers)) {
			/* readers held back for us may go now */
			if (rw->readers_waiting && !readers_blocked(rw)) {
				atomic_fetch_add(&rw->read_seq, 1);
				wake_on(&rw->read_seq, INT32_MAX);
			}
			word_unlock(&rw->lock);
			return ETIMEDOUT;
		}
	}
	rw->writer = 1;
	rw->cur_writer = tid;
	word_unlock(&rw->lock);
	return 0;
}

int rwlock_unlock(pthread_rwlock_t *l)
{
	struct rw *rw = RW(l);
	word_lock(&rw->lock, NO_DEADLINE, "rwlock state");
	if (rw->writer) {
		rw->writer = 0;
		rw->cur_writer = 0;
	} else if (rw->readers) {
		rw->readers--;
	} else {
		word_unlock(&rw->lock);
		return EPERM;
	}
	if (!rw->writer && !rw->readers && rw->writers_waiting) {
		atomic_fetch_add(&rw->write_seq, 1);
		wake_on(&rw->write_seq, 1);
	}
	if (rw->readers_waiting && !readers_blocked(rw)) {
		atomic_fetch_add(&rw->read_seq, 1);
		wake_on(&rw->read_seq, INT32_MAX);
	}
	word_unlock(&rw->lock);
	return 0;
}
