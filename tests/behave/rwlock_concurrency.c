// rwlock_concurrency: readers hold a pthread_rwlock at the same time (four
// readers all inside at once), writers are exclusive (no reader or other
// writer inside while a writer is, and readers never see a half-written
// record), with the default lock kind and with
// PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"

enum { NREADERS = 4, NWRITERS = 2, READ_ITERS = 20000, WRITE_ITERS = 5000, WORDS = 8 };

static pthread_rwlock_t rw;
static int readers_in, writers_in, max_readers, violations, errors, timeouts;
static long data[WORDS];
static long writes;

static void *together(void *arg)
{
	if (pthread_rwlock_rdlock(&rw)) {
		__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	int n = __atomic_add_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
	double end = mono() + 10;
	/* wait, holding the read lock, until every reader is inside */
	while ((n = __atomic_load_n(&readers_in, __ATOMIC_SEQ_CST)) < NREADERS && mono() < end)
		sched_yield();
	if (n < NREADERS)
		__atomic_fetch_add(&timeouts, 1, __ATOMIC_RELAXED);
	int seen = n, max = __atomic_load_n(&max_readers, __ATOMIC_RELAXED);
	while (seen > max && !__atomic_compare_exchange_n(&max_readers, &max, seen, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		;
	/* leave only after everyone has seen everyone */
	static int leaving;
	__atomic_add_fetch(&leaving, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&leaving, __ATOMIC_SEQ_CST) % NREADERS != 0 && mono() < end)
		sched_yield();
	__atomic_sub_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
	if (pthread_rwlock_unlock(&rw))
		__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *reader(void *arg)
{
	for (int i = 0; i < READ_ITERS; i++) {
		if (pthread_rwlock_rdlock(&rw)) {
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
			return NULL;
		}
		__atomic_add_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&writers_in, __ATOMIC_SEQ_CST) != 0)
			__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
		long first = data[0];
		for (int w = 1; w < WORDS; w++)
			if (data[w] != first)
				__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
		if (i % 1000 == 0)
			sched_yield();
		__atomic_sub_fetch(&readers_in, 1, __ATOMIC_SEQ_CST);
		if (pthread_rwlock_unlock(&rw))
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void *writer(void *arg)
{
	for (int i = 0; i < WRITE_ITERS; i++) {
		if (pthread_rwlock_wrlock(&rw)) {
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
			return NULL;
		}
		if (__atomic_add_fetch(&writers_in, 1, __ATOMIC_SEQ_CST) != 1 ||
		    __atomic_load_n(&readers_in, __ATOMIC_SEQ_CST) != 0)
			__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
		writes++;
		for (int w = 0; w < WORDS; w++) {
			data[w] = writes;
			if (i % 500 == 0 && w == WORDS / 2)
				sched_yield(); /* half-written: nobody may look now */
		}
		__atomic_sub_fetch(&writers_in, 1, __ATOMIC_SEQ_CST);
		if (pthread_rwlock_unlock(&rw))
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int run(const char *kind_name, int kind)
{
	pthread_rwlockattr_t a;
	pthread_t t[NREADERS + NWRITERS];
	int rc;

	if ((rc = pthread_rwlockattr_init(&a)) || (rc = pthread_rwlockattr_setkind_np(&a, kind)) ||
	    (rc = pthread_rwlock_init(&rw, &a)) || (rc = pthread_rwlockattr_destroy(&a))) {
		printf("rwlock init: %d\n", rc);
		exit(1);
	}
	readers_in = writers_in = max_readers = violations = errors = timeouts = 0;
	writes = 0;
	for (int w = 0; w < WORDS; w++)
		data[w] = 0;

	for (int i = 0; i < NREADERS; i++)
		if (pthread_create(&t[i], NULL, together, NULL))
			exit(1);
	for (int i = 0; i < NREADERS; i++)
		if (pthread_join(t[i], NULL))
			exit(1);
	printf("%s: %d readers inside at once: %s\n", kind_name, NREADERS,
	       max_readers == NREADERS && timeouts == 0 ? "yes" : "NO");

	for (int i = 0; i < NREADERS; i++)
		if (pthread_create(&t[i], NULL, reader, NULL))
			exit(1);
	for (int i = 0; i < NWRITERS; i++)
		if (pthread_create(&t[NREADERS + i], NULL, writer, NULL))
			exit(1);
	for (int i = 0; i < NREADERS + NWRITERS; i++)
		if (pthread_join(t[i], NULL))
			exit(1);
	printf("%s: %d readers x %d, %d writers x %d: writes %ld, exclusion violations %d, errors %d\n",
	       kind_name, NREADERS, READ_ITERS, NWRITERS, WRITE_ITERS, writes, violations, errors);
	if ((rc = pthread_rwlock_destroy(&rw))) {
		printf("rwlock_destroy: %d\n", rc);
		return 0;
	}
	return max_readers == NREADERS && timeouts == 0 && writes == (long)NWRITERS * WRITE_ITERS &&
	       violations == 0 && errors == 0;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	int ok = run("default", PTHREAD_RWLOCK_DEFAULT_NP);
	ok &= run("prefer-writer", PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	return !ok;
}
