// thread_tryjoin_timedjoin: pthread_tryjoin_np is EBUSY while the thread runs
// and then succeeds with its value; pthread_timedjoin_np (CLOCK_REALTIME) and
// pthread_clockjoin_np (CLOCK_MONOTONIC, CLOCK_REALTIME) time out with
// ETIMEDOUT after at least the timeout and later succeed; a bad clock is
// EINVAL.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int failures;

static void verdict(const char *what, const char *got, int ok)
{
	printf("%-56s %s\n", what, got);
	if (!ok) {
		printf("  WRONG\n");
		failures++;
	}
}

static void expect(const char *what, int got, int want)
{
	verdict(what, en(got), got == want);
	if (got != want)
		printf("  expected %s\n", en(want));
}

static void waited(double t0, double min)
{
	double d = mono() - t0;
	int ok = d >= min - 0.001 && d < min + 5;
	verdict("  ...waited at least the timeout", ok ? "yes" : "NO", ok);
	if (!ok)
		printf("  waited %.3f s for a %.3f s timeout\n", d, min);
}

static sem_t go;

static void *blocked(void *arg)
{
	while (sem_wait(&go))
		if (errno != EINTR)
			exit(1);
	return arg;
}

static pthread_t start(intptr_t v)
{
	pthread_t t;
	int rc = pthread_create(&t, NULL, blocked, (void *)v);
	if (rc) {
		printf("pthread_create: %s\n", en(rc));
		exit(1);
	}
	return t;
}

static void release(void)
{
	if (sem_post(&go))
		exit(1);
}

static void check_value(void *ret, intptr_t want)
{
	verdict("  ...with the thread's return value", ret == (void *)want ? "yes" : "NO", ret == (void *)want);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t;
	void *ret;
	struct timespec ts;
	double t0;
	int rc;

	if (sem_init(&go, 0, 0))
		return 1;

	t = start(11);
	expect("tryjoin while the thread runs", pthread_tryjoin_np(t, &ret), EBUSY);
	release();
	t0 = mono();
	do {
		ret = NULL;
		rc = pthread_tryjoin_np(t, &ret);
		if (rc == EBUSY)
			usleep(1000);
	} while (rc == EBUSY && mono() - t0 < 10);
	expect("tryjoin after the thread ended (retrying while EBUSY)", rc, 0);
	check_value(ret, 11);

	t = start(22);
	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 150);
	expect("timedjoin 150 ms while the thread runs", pthread_timedjoin_np(t, &ret, &ts), ETIMEDOUT);
	waited(t0, 0.15);
	ts = deadline(CLOCK_REALTIME, -10);
	expect("timedjoin, deadline passed", pthread_timedjoin_np(t, &ret, &ts), ETIMEDOUT);
	release();
	ts = deadline(CLOCK_REALTIME, 10000);
	ret = NULL;
	expect("timedjoin 10 s after release", pthread_timedjoin_np(t, &ret, &ts), 0);
	check_value(ret, 22);

	t = start(33);
	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 150);
	expect("clockjoin MONOTONIC 150 ms while the thread runs", pthread_clockjoin_np(t, &ret, CLOCK_MONOTONIC, &ts),
	       ETIMEDOUT);
	waited(t0, 0.15);
	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 150);
	expect("clockjoin REALTIME 150 ms while the thread runs", pthread_clockjoin_np(t, &ret, CLOCK_REALTIME, &ts),
	       ETIMEDOUT);
	waited(t0, 0.15);
	ts = deadline(CLOCK_MONOTONIC, 100);
	expect("clockjoin CLOCK_PROCESS_CPUTIME_ID", pthread_clockjoin_np(t, &ret, CLOCK_PROCESS_CPUTIME_ID, &ts),
	       EINVAL);
	expect("tryjoin still", pthread_tryjoin_np(t, &ret), EBUSY);
	release();
	ts = deadline(CLOCK_MONOTONIC, 10000);
	ret = NULL;
	expect("clockjoin MONOTONIC 10 s after release", pthread_clockjoin_np(t, &ret, CLOCK_MONOTONIC, &ts), 0);
	check_value(ret, 33);

	/* a thread that ended before the timed join: succeeds even with a past deadline */
	t = start(44);
	release();
	usleep(100000);
	ts = deadline(CLOCK_REALTIME, -10);
	ret = NULL;
	expect("timedjoin of an ended thread, deadline passed", pthread_timedjoin_np(t, &ret, &ts), 0);
	check_value(ret, 44);

	printf("failures: %d\n", failures);
	return failures != 0;
}
