// errno_per_thread: errno is private to each thread. Threads set errno, then
// yield thousands of times, sleep, and make failing system calls of their own
// while the others do the same; every thread must keep seeing its own value.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

enum { NTHREADS = 16, YIELDS = 5000 };

static pthread_barrier_t all_set, all_done;
static int *errno_addr[NTHREADS + 1];
static int lost_value[NTHREADS];     /* errno changed across yield/sleep */
static int leaked_in[NTHREADS];      /* another thread's failing call showed up here */
static int wrong_failure[NTHREADS];  /* a failing call did not set EBADF here */

static int barrier(pthread_barrier_t *b)
{
	int rc = pthread_barrier_wait(b);
	return rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : rc;
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	int mine = 1000 + id;
	errno = mine;
	errno_addr[id] = &errno;
	if (barrier(&all_set))
		return (void *)1;
	for (int i = 0; i < YIELDS; i++) {
		if (sched_yield() != 0)
			return (void *)1;
		if (errno != mine) {
			if (errno == EBADF)
				leaked_in[id]++;
			else
				lost_value[id]++;
			errno = mine;
		}
		if (i % 1000 == 500) {
			if (usleep(1000) != 0)
				return (void *)1;
			struct timespec ts = { 0, 200000 };
			if (nanosleep(&ts, NULL) != 0)
				return (void *)1;
			if (errno != mine) {
				lost_value[id]++;
				errno = mine;
			}
		}
		if (i % 250 == 0) {
			/* a failing call sets errno in this thread only */
			if (close(-1) != -1 || errno != EBADF)
				wrong_failure[id]++;
			errno = mine;
		}
	}
	if (barrier(&all_done))
		return (void *)1;
	if (errno != mine)
		lost_value[id]++;
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	int rc, fail = 0;

	if ((rc = pthread_barrier_init(&all_set, NULL, NTHREADS)) ||
	    (rc = pthread_barrier_init(&all_done, NULL, NTHREADS))) {
		printf("pthread_barrier_init: %d\n", rc);
		return 1;
	}
	for (int i = 0; i < NTHREADS; i++)
		if ((rc = pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i))) {
			printf("pthread_create: %d\n", rc);
			return 1;
		}

	/* the main thread yields alongside the workers and keeps its own value */
	int main_lost = 0;
	errno = 77;
	errno_addr[NTHREADS] = &errno;
	for (int i = 0; i < 2000; i++) {
		sched_yield();
		if (errno != 77) {
			main_lost++;
			errno = 77;
		}
	}

	int bad_exit = 0;
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;
		if ((rc = pthread_join(t[i], &ret))) {
			printf("pthread_join: %d\n", rc);
			return 1;
		}
		if (ret != NULL)
			bad_exit++;
	}
	int lost = 0, leaked = 0, wrong = 0, same_addr = 0;
	for (int i = 0; i < NTHREADS; i++) {
		lost += lost_value[i];
		leaked += leaked_in[i];
		wrong += wrong_failure[i];
	}
	for (int i = 0; i <= NTHREADS; i++)
		for (int j = i + 1; j <= NTHREADS; j++)
			if (errno_addr[i] == errno_addr[j])
				same_addr++;

	printf("threads: %d, yields per thread: %d\n", NTHREADS, YIELDS);
	printf("threads whose calls failed: %d\n", bad_exit);
	printf("errno kept its value across yields and sleeps: %s\n", lost ? "NO" : "yes");
	printf("failing calls set EBADF in the calling thread: %s\n", wrong ? "NO" : "yes");
	printf("failing calls left other threads' errno alone: %s\n", leaked ? "NO" : "yes");
	printf("errno has a distinct address in every thread: %s\n", same_addr ? "NO" : "yes");
	printf("main thread kept its errno: %s\n", main_lost ? "NO" : "yes");
	fail = bad_exit || lost || leaked || wrong || same_addr || main_lost;
	return fail;
}
