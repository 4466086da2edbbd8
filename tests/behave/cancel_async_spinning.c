/*
 * Asynchronous cancellation: a thread spinning in its own code, calling
 * nothing, is cancelled promptly; its cleanup handler runs and join returns
 * PTHREAD_CANCELED. A second thread set asynchronous cancellation, then
 * deferred again: it spins on until it reaches a cancellation point.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "check.h"

static volatile unsigned long spins;
static volatile int ready, cleanup_ran, stop, reached_testcancel;

static void cleanup(void *arg)
{
	cleanup_ran = 1;
}

static void *spinner(void *arg)
{
	pthread_cleanup_push(cleanup, NULL);
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	ready = 1;
	for (;;)
		spins++;
	pthread_cleanup_pop(0);
	return NULL;
}

static void *deferred_spinner(void *arg)
{
	int old;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old);
	ready = old == PTHREAD_CANCEL_ASYNCHRONOUS ? 1 : 2;
	while (!stop)
		spins++;
	reached_testcancel = 1;   /* not cancelled while it spun */
	pthread_testcancel();
	return (void *)1;
}

int main(void)
{
	watchdog_start(20);
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	while (!ready)
		usleep(1000);
	while (spins < 1000)
		usleep(1000);
	double t0 = mono();
	printf("cancel: %s\n", en(pthread_cancel(t)));
	void *result;
	printf("join: %s\n", en(pthread_join(t, &result)));
	printf("result: %s, cleanup handler %s, within 5 s: %s\n",
	       result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled", cleanup_ran ? "ran" : "did not run",
	       mono() - t0 < 5 ? "yes" : "no");

	ready = 0;
	pthread_create(&t, NULL, deferred_spinner, NULL);
	while (!ready)
		usleep(1000);
	printf("old type was asynchronous: %s\n", ready == 1 ? "yes" : "no");
	printf("cancel: %s\n", en(pthread_cancel(t)));
	usleep(50000);
	stop = 1;
	printf("join: %s\n", en(pthread_join(t, &result)));
	printf("result: %s, spun on to its testcancel: %s\n", result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled",
	       reached_testcancel ? "yes" : "no");
	return 0;
}
