// barrier_reinit_by_serial: the thread that gets PTHREAD_BARRIER_SERIAL_THREAD may
// destroy and re-initialise the barrier at once, every round, while the threads it
// released are still on their way out of pthread_barrier_wait (glibc's tst-barrier4
// does this). Every thread must get through every round; pthread_barrier_destroy
// returns 0 each time.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"

enum { NTHREADS = 12, ROUNDS = 200 };

static pthread_barrier_t barriers[2];
static int destroy_failures;

static void *run_rounds(void *arg)
{
	for (int round = 0; round < ROUNDS; round++)
		for (int i = 0; i < 2; i++)
			if (pthread_barrier_wait(&barriers[i]) == PTHREAD_BARRIER_SERIAL_THREAD) {
				destroy_failures += pthread_barrier_destroy(&barriers[i]) != 0;
				pthread_barrier_init(&barriers[i], NULL, NTHREADS);
			}
	return NULL;
}

int main(void)
{
	watchdog_start(20);
	for (int i = 0; i < 2; i++)
		pthread_barrier_init(&barriers[i], NULL, NTHREADS);
	pthread_t t[NTHREADS - 1];
	for (int i = 0; i < NTHREADS - 1; i++)
		pthread_create(&t[i], NULL, run_rounds, NULL);
	run_rounds(NULL);
	for (int i = 0; i < NTHREADS - 1; i++)
		pthread_join(t[i], NULL);
	printf("%d threads through %d rounds of two re-initialised barriers, destroy failures %d\n",
	       NTHREADS, ROUNDS, destroy_failures);
	return 0;
}
