/*
 * A thread may cancel itself: the request waits for the next cancellation
 * point (deferred) or acts at once (asynchronous). A detached thread can be
 * cancelled. The main thread can be cancelled too: its cleanup handler runs,
 * the other threads go on, and a thread joining main gets PTHREAD_CANCELED.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <semaphore.h>
#include "check.h"

static pthread_t main_thread;
static sem_t detached_done;
static volatile int after_cancel, self_rc = -1;

static const char *cleaned;

/* no output here: a cleanup handler of an asynchronously cancelled thread
 * must not call cancellation points such as write (NPTL hangs there) */
static void note(void *arg)
{
	cleaned = arg;
}

static void main_cleanup(void *arg)
{
	printf("cleanup: main\n");
}

static void *self_deferred(void *arg)
{
	pthread_cleanup_push(note, "self, deferred");
	self_rc = pthread_cancel(pthread_self());   /* no output until testcancel: printf is a cancellation point */
	after_cancel = 1;   /* still running: deferred */
	pthread_testcancel();
	after_cancel = 2;
	pthread_cleanup_pop(0);
	return NULL;
}

static void *self_async(void *arg)
{
	pthread_cleanup_push(note, "self, asynchronous");
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	pthread_cancel(pthread_self());
	after_cancel = 3;
	pthread_cleanup_pop(0);
	return NULL;
}

static void detached_cleanup(void *arg)
{
	sem_post(&detached_done);
}

static void *detached(void *arg)
{
	pthread_cleanup_push(detached_cleanup, NULL);
	for (;;)
		sleep(1);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *joins_main(void *arg)
{
	void *result;
	int rc = pthread_join(main_thread, &result);
	printf("join main: %s, %s\n", en(rc), result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled");
	exit(0);
}

int main(void)
{
	watchdog_start(20);
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t t;
	void *result;
	pthread_create(&t, NULL, self_deferred, NULL);
	pthread_join(t, &result);
	printf("pthread_cancel(self): %s\n", en(self_rc));
	printf("deferred: reached %d, cleanup: %s, %s\n", after_cancel, cleaned, result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled");

	after_cancel = 0;
	pthread_create(&t, NULL, self_async, NULL);
	pthread_join(t, &result);
	printf("asynchronous: reached %d, cleanup: %s, %s\n", after_cancel, cleaned, result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled");

	sem_init(&detached_done, 0, 0);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_create(&t, &a, detached, NULL);
	usleep(20000);
	printf("cancel detached: %s\n", en(pthread_cancel(t)));
	sem_wait(&detached_done);
	printf("detached thread's cleanup ran\n");

	main_thread = pthread_self();
	pthread_create(&t, NULL, joins_main, NULL);
	pthread_cleanup_push(main_cleanup, NULL);
	pthread_cancel(pthread_self());
	for (;;)
		pause();   /* a cancellation point */
	pthread_cleanup_pop(0);
	return 1;
}
