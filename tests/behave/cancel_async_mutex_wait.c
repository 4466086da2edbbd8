/*
 * Asynchronous cancellation of a thread waiting in pthread_mutex_lock on a
 * mutex another thread holds: the request acts in the wait (NPTL acts at
 * any instruction), the cleanup handler runs, join returns
 * PTHREAD_CANCELED, and the mutex is still held by its owner, who can
 * unlock and lock it again. (POSIX does not promise this: the mutex calls
 * are not async-cancel-safe; glibc's tst-cancel1 relies on it.)
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "check.h"

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static volatile int ready, cleanup_ran, got_lock;

static void cleanup(void *arg)
{
	cleanup_ran = 1;
}

static void *locker(void *arg)
{
	pthread_cleanup_push(cleanup, NULL);
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	ready = 1;
	pthread_mutex_lock(&held);
	got_lock = 1;   /* never: the lock is held until after the join */
	pthread_cleanup_pop(0);
	return NULL;
}

int main(void)
{
	watchdog_start(20);
	pthread_mutex_lock(&held);
	pthread_t t;
	pthread_create(&t, NULL, locker, NULL);
	while (!ready)
		usleep(1000);
	usleep(100 * 1000);   /* well inside its wait */
	printf("cancel: %s\n", en(pthread_cancel(t)));
	void *result;
	printf("join: %s\n", en(pthread_join(t, &result)));
	printf("result: %s, cleanup handler %s, lock taken: %s\n",
	       result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled", cleanup_ran ? "ran" : "did not run",
	       got_lock ? "yes" : "no");
	printf("unlock: %s\n", en(pthread_mutex_unlock(&held)));
	printf("lock again: %s\n", en(pthread_mutex_trylock(&held)));
	pthread_mutex_unlock(&held);
	return 0;
}
