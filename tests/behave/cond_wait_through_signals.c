// cond_wait_through_signals: a thread in pthread_cond_wait or pthread_cond_timedwait
// that gets signals (pthread_kill, with a handler) runs the handler and goes on
// waiting: the call returns only when the condition variable is signalled (or the
// timeout passes), as with NPTL (glibc's tst-eintr5), not early as a spurious wake-up.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include "check.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static volatile sig_atomic_t handled;
static int signalled;                 /* under m: the waker's pthread_cond_signal was sent */
static int early_returns, timed;

static void on_usr1(int sig)
{
	handled++;
}

static void *wait_once(void *arg)
{
	pthread_mutex_lock(&m);
	if (timed) {
		struct timespec ts = deadline(CLOCK_REALTIME, 10000);
		pthread_cond_timedwait(&c, &m, &ts);
	} else {
		pthread_cond_wait(&c, &m);   /* once, no predicate loop: to see every return */
	}
	early_returns += !signalled;
	pthread_mutex_unlock(&m);
	return NULL;
}

static void run(int timed_wait)
{
	timed = timed_wait;
	signalled = 0;
	pthread_t t;
	pthread_create(&t, NULL, wait_once, NULL);
	struct timespec pause = {0, 2000000};
	for (int i = 0; i < 30; i++) {
		pthread_kill(t, SIGUSR1);
		nanosleep(&pause, NULL);
	}
	pthread_mutex_lock(&m);
	signalled = 1;
	pthread_cond_signal(&c);
	pthread_mutex_unlock(&m);
	pthread_join(t, NULL);
}

int main(void)
{
	watchdog_start(20);
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	run(0);
	run(1);
	printf("handlers ran %d, waits that returned before the condition was signalled: %d\n",
	       handled > 0, early_returns);
	return 0;
}
