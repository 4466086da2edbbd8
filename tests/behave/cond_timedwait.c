// cond_timedwait: pthread_cond_timedwait times out with ETIMEDOUT after at
// least the timeout, on a default (CLOCK_REALTIME) condvar and on one whose
// condattr selects CLOCK_MONOTONIC; pthread_cond_clockwait does the same with
// either clock; a bad clock or timespec gives EINVAL; a signal before the
// deadline returns 0; in every case the mutex is held again on return.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static int failures;

static void verdict(const char *what, const char *got, int ok)
{
	printf("%-60s %s\n", what, got);
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

/* errorcheck mutex: unlock succeeds only if we own it */
static pthread_mutex_t m = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;

static void owned_again(const char *what)
{
	char label[96];
	snprintf(label, sizeof label, "  ...mutex held again after %s", what);
	int rc = pthread_mutex_unlock(&m);
	verdict(label, rc == 0 ? "yes" : en(rc), rc == 0);
	if (rc == 0 && (rc = pthread_mutex_lock(&m))) {
		printf("relock: %s\n", en(rc));
		exit(1);
	}
}

static void waited(double t0, double min)
{
	double d = mono() - t0;
	int ok = d >= min - 0.001 && d < min + 5;
	verdict("  ...waited at least the timeout", ok ? "yes" : "NO", ok);
	if (!ok)
		printf("  waited %.3f s for a %.3f s timeout\n", d, min);
}

static pthread_cond_t *sig_cv;
static int flag;

static void *signaller(void *arg)
{
	usleep(100000);
	if (pthread_mutex_lock(&m))
		exit(1);
	flag = 1;
	if (pthread_cond_signal(sig_cv))
		exit(1);
	if (pthread_mutex_unlock(&m))
		exit(1);
	return NULL;
}

/* waits for the flag with the given timed wait; a signaller sets it after 100 ms */
static int wait_signalled(pthread_cond_t *cv, int use_clockwait, clockid_t clk)
{
	pthread_t t;
	int rc = 0;
	flag = 0;
	sig_cv = cv;
	if (pthread_create(&t, NULL, signaller, NULL))
		exit(1);
	struct timespec ts = deadline(clk, 10000);
	while (!flag && rc == 0)
		rc = use_clockwait ? pthread_cond_clockwait(cv, &m, clk, &ts) : pthread_cond_timedwait(cv, &m, &ts);
	if (pthread_mutex_unlock(&m) || pthread_join(t, NULL) || pthread_mutex_lock(&m))
		exit(1);
	return rc;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_cond_t cv_rt = PTHREAD_COND_INITIALIZER, cv_mono;
	pthread_condattr_t ca;
	struct timespec ts;
	clockid_t clk = -1;
	double t0;

	expect("condattr_init", pthread_condattr_init(&ca), 0);
	expect("condattr_getclock (default)", pthread_condattr_getclock(&ca, &clk), 0);
	verdict("  ...is CLOCK_REALTIME", clk == CLOCK_REALTIME ? "yes" : "NO", clk == CLOCK_REALTIME);
	expect("condattr_setclock CLOCK_MONOTONIC", pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
	expect("condattr_getclock", pthread_condattr_getclock(&ca, &clk), 0);
	verdict("  ...is CLOCK_MONOTONIC", clk == CLOCK_MONOTONIC ? "yes" : "NO", clk == CLOCK_MONOTONIC);
	expect("condattr_setclock CLOCK_PROCESS_CPUTIME_ID",
	       pthread_condattr_setclock(&ca, CLOCK_PROCESS_CPUTIME_ID), EINVAL);
	expect("cond_init with the MONOTONIC condattr", pthread_cond_init(&cv_mono, &ca), 0);
	expect("condattr_destroy", pthread_condattr_destroy(&ca), 0);

	if (pthread_mutex_lock(&m))
		return 1;

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 150);
	expect("cond_timedwait, REALTIME condvar, 150 ms", pthread_cond_timedwait(&cv_rt, &m, &ts), ETIMEDOUT);
	waited(t0, 0.15);
	owned_again("ETIMEDOUT");

	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 150);
	expect("cond_timedwait, MONOTONIC condvar, 150 ms", pthread_cond_timedwait(&cv_mono, &m, &ts), ETIMEDOUT);
	waited(t0, 0.15);
	owned_again("ETIMEDOUT");

	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 150);
	expect("cond_clockwait MONOTONIC, 150 ms", pthread_cond_clockwait(&cv_rt, &m, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	waited(t0, 0.15);
	owned_again("ETIMEDOUT");

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 150);
	expect("cond_clockwait REALTIME on the MONOTONIC condvar, 150 ms",
	       pthread_cond_clockwait(&cv_mono, &m, CLOCK_REALTIME, &ts), ETIMEDOUT);
	waited(t0, 0.15);
	owned_again("ETIMEDOUT");

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, -10);
	expect("cond_timedwait, deadline passed", pthread_cond_timedwait(&cv_rt, &m, &ts), ETIMEDOUT);
	ts = deadline(CLOCK_MONOTONIC, -10);
	expect("cond_clockwait MONOTONIC, deadline passed",
	       pthread_cond_clockwait(&cv_rt, &m, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	verdict("  ...returned at once", mono() - t0 < 2 ? "yes" : "NO", mono() - t0 < 2);
	owned_again("a passed deadline");

	ts = deadline(CLOCK_MONOTONIC, 100);
	expect("cond_clockwait CLOCK_PROCESS_CPUTIME_ID",
	       pthread_cond_clockwait(&cv_rt, &m, CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
	expect("cond_clockwait clock id 12345", pthread_cond_clockwait(&cv_rt, &m, (clockid_t)12345, &ts), EINVAL);
	ts = deadline(CLOCK_REALTIME, 100);
	ts.tv_nsec = 1000000000L;
	expect("cond_timedwait tv_nsec = 1000000000", pthread_cond_timedwait(&cv_rt, &m, &ts), EINVAL);
	ts.tv_nsec = -1;
	expect("cond_timedwait tv_nsec = -1", pthread_cond_timedwait(&cv_mono, &m, &ts), EINVAL);
	ts = deadline(CLOCK_MONOTONIC, 100);
	ts.tv_nsec = 1000000000L;
	expect("cond_clockwait MONOTONIC tv_nsec = 1000000000",
	       pthread_cond_clockwait(&cv_rt, &m, CLOCK_MONOTONIC, &ts), EINVAL);
	owned_again("EINVAL");

	t0 = mono();
	expect("cond_timedwait 10 s, REALTIME condvar, signalled after 100 ms", wait_signalled(&cv_rt, 0, CLOCK_REALTIME), 0);
	expect("cond_timedwait 10 s, MONOTONIC condvar, signalled after 100 ms",
	       wait_signalled(&cv_mono, 0, CLOCK_MONOTONIC), 0);
	expect("cond_clockwait MONOTONIC 10 s, signalled after 100 ms", wait_signalled(&cv_rt, 1, CLOCK_MONOTONIC), 0);
	expect("cond_clockwait REALTIME 10 s, signalled after 100 ms", wait_signalled(&cv_mono, 1, CLOCK_REALTIME), 0);
	verdict("  ...all before their deadlines", mono() - t0 < 9 ? "yes" : "NO", mono() - t0 < 9);
	owned_again("a signal");

	if (pthread_mutex_unlock(&m))
		return 1;
	expect("cond_destroy (REALTIME)", pthread_cond_destroy(&cv_rt), 0);
	expect("cond_destroy (MONOTONIC)", pthread_cond_destroy(&cv_mono), 0);
	printf("failures: %d\n", failures);
	return failures != 0;
}
