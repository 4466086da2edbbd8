// once_init_cancelled: a pthread_once init routine cancelled at a
// cancellation point leaves the once "not run": a thread already waiting in
// pthread_once and later callers are not stuck, one of them runs init again
// (POSIX; as glibc's tst-once3 and tst-once4).
#define _GNU_SOURCE
#include "check.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static _Atomic int runs;
static pthread_barrier_t in_init;

static void init(void)
{
	if (runs++ == 0) {
		pthread_barrier_wait(&in_init);
		for (;;)
			sleep(10);   /* a cancellation point */
	}
}

static void *calls_once(void *arg)
{
	pthread_once(&once, init);
	return arg;
}

int main(void)
{
	watchdog_start(20);
	pthread_barrier_init(&in_init, NULL, 2);
	pthread_t first, waiter;
	if (pthread_create(&first, NULL, calls_once, NULL) != 0)
		return 1;
	pthread_barrier_wait(&in_init);
	if (pthread_create(&waiter, NULL, calls_once, (void *)1) != 0)
		return 1;
	usleep(100 * 1000);   /* the waiter waits for the first run to end */
	pthread_cancel(first);
	void *result;
	watchdog_stage = "join of the cancelled thread";
	pthread_join(first, &result);
	printf("first caller: %s\n", result == PTHREAD_CANCELED ? "cancelled" : "returned");
	watchdog_stage = "join of the waiting thread (once stuck?)";
	pthread_join(waiter, &result);
	printf("waiting caller: %s\n", result == (void *)1 ? "returned" : "?");
	watchdog_stage = "pthread_once after the cancellation";
	pthread_once(&once, init);
	printf("init ran %d times\n", (int)runs);
	return 0;
}
