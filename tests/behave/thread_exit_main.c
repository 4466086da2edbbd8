// thread_exit_main: main calls pthread_exit; the process keeps running until
// the last thread has finished, the last thread prints the result, and the
// process then exits with status 0.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { NTHREADS = 5 };

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int finished;
static long sum;

static void *worker(void *arg)
{
	intptr_t id = (intptr_t)arg;
	usleep(50000 * (id + 1)); /* all outlive main */
	if (pthread_mutex_lock(&m))
		exit(2);
	sum += id + 1;
	int last = ++finished == NTHREADS;
	if (pthread_mutex_unlock(&m))
		exit(2);
	if (last) {
		printf("last thread: %d threads finished after main exited, sum %ld\n", finished, sum);
		fflush(stdout);
		if (sum != NTHREADS * (NTHREADS + 1) / 2)
			exit(1);
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t;
	for (intptr_t i = 0; i < NTHREADS; i++) {
		int rc = pthread_create(&t, NULL, worker, (void *)i);
		if (rc) {
			printf("pthread_create: %d\n", rc);
			return 1;
		}
	}
	printf("main: calling pthread_exit with %d threads running\n", NTHREADS);
	fflush(stdout);
	pthread_exit(NULL);
}
