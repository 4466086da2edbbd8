// keys_destructors: thread-specific data. Values are per thread; at thread
// exit (return or pthread_exit) each key's destructor runs once with that
// thread's non-NULL value; a destructor that sets a value again gets another
// round, up to PTHREAD_DESTRUCTOR_ITERATIONS; a deleted key's destructor does
// not run, and a new key starts out NULL in every thread.
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { NTHREADS = 8, NMANY = 64 };

static pthread_key_t k_value, k_again, k_forever, k_deleted, k_many[NMANY];
static int value_calls[NTHREADS], value_wrong, again_calls[NTHREADS], forever_calls[NTHREADS];
static int deleted_calls, many_calls, errors, not_own_value;
static int slot[NTHREADS];
static pthread_barrier_t set_b, deleted_b;

static void err(void)
{
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
}

static void value_dtor(void *v)
{
	int *p = v;
	int id = (int)(p - slot);
	if (id < 0 || id >= NTHREADS) {
		__atomic_fetch_add(&value_wrong, 1, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_add(&value_calls[id], 1, __ATOMIC_RELAXED);
	if (pthread_getspecific(k_value) != NULL) /* cleared before the call */
		__atomic_fetch_add(&value_wrong, 1, __ATOMIC_RELAXED);
}

/* sets itself again twice: called 3 times in all */
static void again_dtor(void *v)
{
	/* value: round * 100 + id + 1 */
	int id = (int)((intptr_t)v % 100) - 1, round = (int)((intptr_t)v / 100);
	if (id < 0 || id >= NTHREADS) {
		err();
		return;
	}
	__atomic_fetch_add(&again_calls[id], 1, __ATOMIC_RELAXED);
	if (round < 2 && pthread_setspecific(k_again, (void *)(intptr_t)((round + 1) * 100 + id + 1)))
		err();
}

/* always sets itself again: NPTL gives up after PTHREAD_DESTRUCTOR_ITERATIONS rounds */
static void forever_dtor(void *v)
{
	int id = (int)(intptr_t)v - 1;
	__atomic_fetch_add(&forever_calls[id], 1, __ATOMIC_RELAXED);
	if (pthread_setspecific(k_forever, v))
		err();
}

static void deleted_dtor(void *v)
{
	__atomic_fetch_add(&deleted_calls, 1, __ATOMIC_RELAXED);
}

static void many_dtor(void *v)
{
	__atomic_fetch_add(&many_calls, 1, __ATOMIC_RELAXED);
}

static pthread_key_t k_new;

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	if (pthread_getspecific(k_value) != NULL || pthread_getspecific(k_again) != NULL)
		err(); /* every key starts NULL in a new thread */
	if (pthread_setspecific(k_value, &slot[id]) ||
	    pthread_setspecific(k_again, (void *)(intptr_t)(id + 1)) ||
	    pthread_setspecific(k_forever, (void *)(intptr_t)(id + 1)) ||
	    pthread_setspecific(k_deleted, &slot[id]))
		err();
	for (int i = 0; i < NMANY; i++)
		if (pthread_setspecific(k_many[i], &slot[id]))
			err();
	int rc = pthread_barrier_wait(&set_b);
	if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		err();
	for (int i = 0; i < 200; i++) {
		sched_yield();
		if (pthread_getspecific(k_value) != &slot[id]) {
			__atomic_fetch_add(&not_own_value, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	/* main deletes k_deleted and creates k_new meanwhile */
	rc = pthread_barrier_wait(&deleted_b);
	if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		err();
	if (pthread_getspecific(k_new) != NULL)
		err();
	if (id % 2)
		pthread_exit(NULL);
	return NULL;
}

/* a thread that never sets a value: no destructor runs for it */
static void *idle_worker(void *arg)
{
	sched_yield();
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	int rc;

	if (pthread_key_create(&k_value, value_dtor) || pthread_key_create(&k_again, again_dtor) ||
	    pthread_key_create(&k_forever, forever_dtor) || pthread_key_create(&k_deleted, deleted_dtor)) {
		printf("pthread_key_create failed\n");
		return 1;
	}
	for (int i = 0; i < NMANY; i++)
		if (pthread_key_create(&k_many[i], many_dtor)) {
			printf("pthread_key_create failed\n");
			return 1;
		}
	if (pthread_barrier_init(&set_b, NULL, NTHREADS + 1) || pthread_barrier_init(&deleted_b, NULL, NTHREADS + 1))
		return 1;

	/* main's own value is independent of the threads' */
	if (pthread_setspecific(k_value, &rc))
		err();
	for (int i = 0; i < NTHREADS; i++)
		if ((rc = pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i))) {
			printf("pthread_create: %d\n", rc);
			return 1;
		}
	rc = pthread_barrier_wait(&set_b);
	if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		err();
	if ((rc = pthread_key_delete(k_deleted)))
		printf("pthread_key_delete: %d\n", rc);
	if (pthread_key_create(&k_new, NULL))
		err();
	rc = pthread_barrier_wait(&deleted_b);
	if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		err();
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_join(t[i], NULL)) {
			printf("pthread_join failed\n");
			return 1;
		}
	pthread_t idle;
	if (pthread_create(&idle, NULL, idle_worker, NULL) || pthread_join(idle, NULL))
		return 1;

	int once = 1, three = 1, max_rounds = 1;
	for (int i = 0; i < NTHREADS; i++) {
		once &= value_calls[i] == 1;
		three &= again_calls[i] == 3;
		max_rounds &= forever_calls[i] == PTHREAD_DESTRUCTOR_ITERATIONS;
	}
	printf("threads: %d (half end with pthread_exit, one more sets nothing)\n", NTHREADS);
	printf("each value seen only by its own thread: %s\n", not_own_value ? "NO" : "yes");
	printf("destructor ran once per thread with its value: %s\n", once && !value_wrong ? "yes" : "NO");
	printf("destructor that sets the value twice ran 3 times per thread: %s\n", three ? "yes" : "NO");
	printf("destructor that always sets the value ran PTHREAD_DESTRUCTOR_ITERATIONS (%d) times: %s\n",
	       PTHREAD_DESTRUCTOR_ITERATIONS, max_rounds ? "yes" : "NO");
	printf("destructor of a deleted key ran: %d times\n", deleted_calls);
	printf("destructors of %d keys: %d calls (expected %d)\n", NMANY, many_calls, NMANY * NTHREADS);
	printf("main thread's value untouched: %s\n", pthread_getspecific(k_value) == &rc ? "yes" : "NO");
	printf("errors: %d\n", errors);
	int ok = once && !value_wrong && three && max_rounds && deleted_calls == 0 &&
		 many_calls == NMANY * NTHREADS && pthread_getspecific(k_value) == &rc && !not_own_value && !errors;
	if (pthread_key_delete(k_value) || pthread_key_delete(k_new))
		ok = 0;
	return !ok;
}
