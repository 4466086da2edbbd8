// thread_join_values: pthread_join returns each thread's return value (also
// for threads that ended long before the join, and values passed to
// pthread_exit from a nested call); joining yourself is EDEADLK;
// pthread_self/pthread_equal identify threads.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { NTHREADS = 20 };

static pthread_t self_seen[NTHREADS];
static int self_join_rc = -1;

static void *square(void *arg)
{
	intptr_t i = (intptr_t)arg;
	self_seen[i] = pthread_self();
	return (void *)(i * i);
}

static void nested_exit(int depth, intptr_t v)
{
	if (depth < 0)
		return;
	if (depth == 0)
		pthread_exit((void *)v);
	nested_exit(depth - 1, v);
}

static void *exits_deep(void *arg)
{
	nested_exit(10, (intptr_t)arg + 1000);
	return NULL; /* not reached */
}

static void *quick(void *arg)
{
	return arg;
}

static void *joins_itself(void *arg)
{
	self_join_rc = pthread_join(pthread_self(), NULL);
	return (void *)7;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	int rc, ok = 1;

	for (int i = 0; i < NTHREADS; i++)
		if ((rc = pthread_create(&t[i], NULL, square, (void *)(intptr_t)i))) {
			printf("pthread_create: %s\n", en(rc));
			return 1;
		}
	int right = 0, equal = 0, distinct = 1;
	for (int i = NTHREADS - 1; i >= 0; i--) { /* reverse order */
		void *ret = NULL;
		if ((rc = pthread_join(t[i], &ret))) {
			printf("pthread_join: %s\n", en(rc));
			return 1;
		}
		right += ret == (void *)(intptr_t)(i * i);
		equal += pthread_equal(self_seen[i], t[i]) != 0;
	}
	for (int i = 0; i < NTHREADS; i++)
		for (int j = i + 1; j < NTHREADS; j++)
			if (pthread_equal(t[i], t[j]))
				distinct = 0;
	printf("join returned the right value: %d of %d\n", right, NTHREADS);
	printf("pthread_self in the thread equals the id from pthread_create: %d of %d\n", equal, NTHREADS);
	printf("thread ids of threads alive together differ: %s\n", distinct ? "yes" : "NO");
	ok &= right == NTHREADS && equal == NTHREADS && distinct;

	for (int i = 0; i < NTHREADS; i++)
		if ((rc = pthread_create(&t[i], NULL, exits_deep, (void *)(intptr_t)i))) {
			printf("pthread_create: %s\n", en(rc));
			return 1;
		}
	right = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		if ((rc = pthread_join(t[i], &ret))) {
			printf("pthread_join: %s\n", en(rc));
			return 1;
		}
		right += ret == (void *)(intptr_t)(i + 1000);
	}
	printf("pthread_exit from a nested call, join got its value: %d of %d\n", right, NTHREADS);
	ok &= right == NTHREADS;

	/* threads that finished well before anyone joins them */
	for (int i = 0; i < NTHREADS; i++)
		if ((rc = pthread_create(&t[i], NULL, quick, (void *)(intptr_t)(i + 5)))) {
			printf("pthread_create: %s\n", en(rc));
			return 1;
		}
	usleep(100000);
	right = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret = NULL;
		if ((rc = pthread_join(t[i], &ret))) {
			printf("pthread_join: %s\n", en(rc));
			return 1;
		}
		right += ret == (void *)(intptr_t)(i + 5);
	}
	printf("join after the thread already ended: %d of %d\n", right, NTHREADS);
	ok &= right == NTHREADS;

	/* a NULL result pointer is fine */
	if ((rc = pthread_create(&t[0], NULL, quick, NULL)) || (rc = pthread_join(t[0], NULL))) {
		printf("create/join with NULL result: %s\n", en(rc));
		return 1;
	}

	rc = pthread_join(pthread_self(), NULL);
	printf("main joins itself: %s\n", en(rc));
	ok &= rc == EDEADLK;
	void *ret = NULL;
	if ((rc = pthread_create(&t[0], NULL, joins_itself, NULL)) || (rc = pthread_join(t[0], &ret))) {
		printf("create/join: %s\n", en(rc));
		return 1;
	}
	printf("a thread joins itself: %s, then returns normally: %s\n", en(self_join_rc),
	       ret == (void *)7 ? "yes" : "NO");
	ok &= self_join_rc == EDEADLK && ret == (void *)7;

	pthread_t me = pthread_self();
	printf("pthread_equal(self, self): %s\n", pthread_equal(me, pthread_self()) ? "nonzero" : "0");
	printf("pthread_equal(self, a joined thread's id): %s\n", pthread_equal(me, t[0]) ? "nonzero" : "0");
	ok &= pthread_equal(me, pthread_self()) && !pthread_equal(me, t[0]);
	return !ok;
}
