// c11_thrd_sleep_interrupted: thrd_sleep returns 0 after at least the time
// asked; -1 when a signal handler interrupts it, with the time that was left
// in *remaining (about 10 s minus the 50 ms before the signal); -2 for a bad
// duration (negative nanoseconds). Also thrd_yield returns.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <threads.h>
#include <time.h>

#include "check.h"

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	handled = 1;
}

static pthread_t sleeper;

static int interrupter(void *arg)
{
	struct timespec d = {0, 50 * 1000000};
	thrd_sleep(&d, NULL);
	pthread_kill(sleeper, SIGUSR1);
	return 0;
}

int main(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};   /* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	sleeper = pthread_self();
	int failures = 0;

	struct timespec d = {0, 30 * 1000000}, rem = {99, 99};
	double t0 = mono();
	int r = thrd_sleep(&d, &rem);
	double slept = mono() - t0;
	printf("thrd_sleep 30 ms: %d, slept at least 30 ms: %s\n", r, slept >= 0.0299 ? "yes" : "no");
	failures += r != 0 || slept < 0.0299;

	thrd_t t;
	thrd_create(&t, interrupter, NULL);
	d = (struct timespec){10, 0};
	t0 = mono();
	r = thrd_sleep(&d, &rem);
	slept = mono() - t0;
	double left = rem.tv_sec + rem.tv_nsec / 1e9;
	int left_ok = left > 9.0 && left < 10.0 && left + slept > 9.9 && left + slept < 10.1;
	printf("thrd_sleep 10 s, signal after 50 ms: %d, handler ran: %s\n", r, handled ? "yes" : "no");
	printf("  remaining about 10 s minus the time slept: %s\n", left_ok ? "yes" : "no");
	failures += r != -1 || !handled || !left_ok;
	thrd_join(t, NULL);

	d = (struct timespec){0, -1};
	r = thrd_sleep(&d, NULL);
	printf("thrd_sleep with tv_nsec -1: %d\n", r);
	failures += r != -2;
	thrd_yield();
	printf("thrd_yield returned\n");
	return failures != 0;
}
