/*
 * A thread that disabled cancellation is not cancelled while it is disabled:
 * its sleep runs to the end, pthread_testcancel does nothing. Once it enables
 * cancellation again the request still waits for the next cancellation
 * point (mutex lock is not one), and is acted on there.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "check.h"

static volatile int ready, cancelled;
static const char *steps[8];
static int nsteps;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void cleanup(void *arg)
{
	steps[nsteps++] = "cleanup handler";
}

static void *worker(void *arg)
{
	int old;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	steps[nsteps++] = old == PTHREAD_CANCEL_ENABLE ? "was enabled" : "was disabled";
	pthread_cleanup_push(cleanup, NULL);
	ready = 1;
	while (!cancelled)
		usleep(1000);
	usleep(50000);   /* a cancellation point, but cancellation is disabled */
	steps[nsteps++] = "slept while disabled";
	pthread_testcancel();
	steps[nsteps++] = "testcancel while disabled";
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	steps[nsteps++] = old == PTHREAD_CANCEL_DISABLE ? "enabled again" : "?";
	pthread_mutex_lock(&lock);   /* not a cancellation point */
	pthread_mutex_unlock(&lock);
	steps[nsteps++] = "mutex lock is not a point";
	usleep(10 * 1000 * 1000);   /* acted on here */
	steps[nsteps++] = "slept while enabled (wrong)";
	pthread_cleanup_pop(0);
	return NULL;
}

int main(void)
{
	watchdog_start(20);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	while (!ready)
		usleep(1000);
	printf("cancel: %s\n", en(pthread_cancel(t)));
	cancelled = 1;
	void *result;
	double t0 = mono();
	printf("join: %s\n", en(pthread_join(t, &result)));
	printf("result: %s\n", result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled");
	printf("join took %s\n", mono() - t0 < 5 ? "less than 5 s" : "too long");
	for (int i = 0; i < nsteps; i++)
		printf("%s\n", steps[i]);
	return 0;
}
