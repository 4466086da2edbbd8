// once_contention: pthread_once runs the init routine exactly once even when
// many threads arrive together and the routine is slow (it sleeps and
// yields); every caller returns only after the routine has finished.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

enum { NONCES = 10, NTHREADS = 16 };

static pthread_once_t once[NONCES];
static int runs[NONCES], finished[NONCES], early_return, errors;
static pthread_barrier_t start;

#define INIT_FN(i)                                                      \
	static void init##i(void)                                       \
	{                                                               \
		__atomic_fetch_add(&runs[i], 1, __ATOMIC_SEQ_CST);      \
		for (int k = 0; k < 5; k++)                             \
			sched_yield();                                  \
		usleep(5000);                                           \
		__atomic_store_n(&finished[i], 1, __ATOMIC_SEQ_CST);    \
	}
INIT_FN(0) INIT_FN(1) INIT_FN(2) INIT_FN(3) INIT_FN(4)
INIT_FN(5) INIT_FN(6) INIT_FN(7) INIT_FN(8) INIT_FN(9)
static void (*const inits[NONCES])(void) = { init0, init1, init2, init3, init4,
					     init5, init6, init7, init8, init9 };

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	int rc = pthread_barrier_wait(&start);
	if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
		__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	for (int k = 0; k < NONCES; k++) {
		int i = (k + id) % NONCES; /* threads take the onces in different orders */
		if (pthread_once(&once[i], inits[i]))
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
		if (!__atomic_load_n(&finished[i], __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&early_return, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	for (int i = 0; i < NONCES; i++)
		once[i] = (pthread_once_t)PTHREAD_ONCE_INIT;
	if (pthread_barrier_init(&start, NULL, NTHREADS))
		return 1;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i % NONCES)))
			return 1;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_join(t[i], NULL))
			return 1;
	int exactly_once = 0;
	for (int i = 0; i < NONCES; i++)
		exactly_once += runs[i] == 1;
	printf("threads: %d, once controls: %d\n", NTHREADS, NONCES);
	printf("init routines that ran exactly once: %d\n", exactly_once);
	printf("calls that returned before init finished: %d\n", early_return);
	/* a later call does not run it again */
	if (pthread_once(&once[0], init0))
		errors++;
	printf("init 0 runs after one more call: %d\n", runs[0]);
	printf("errors: %d\n", errors);
	return !(exactly_once == NONCES && early_return == 0 && runs[0] == 1 && errors == 0);
}
