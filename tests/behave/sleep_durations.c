// sleep_durations: sleep, usleep, nanosleep and clock_nanosleep (relative and
// absolute, CLOCK_MONOTONIC and CLOCK_REALTIME) sleep at least as long as
// asked (and not absurdly longer); bad arguments are EINVAL; sleeping threads
// do not hold each other up: 100 threads sleeping 200 ms together finish in
// well under the 20 s they would need one after another.
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

static void check(const char *what, int rc_ok, double t0, double min)
{
	double d = mono() - t0;
	int ok = rc_ok && d >= min - 0.0005 && d < min + 3;
	printf("%-52s %s\n", what, ok ? "ok" : "WRONG");
	if (!ok) {
		printf("  returned %s, slept %.4f s, asked %.4f s\n", rc_ok ? "ok" : "an error", d, min);
		failures++;
	}
}

static void expect_rc(const char *what, int got, int want)
{
	printf("%-52s %s\n", what, got ? strerrorname_np(got) : "0");
	if (got != want) {
		printf("  WRONG: expected %s\n", want ? strerrorname_np(want) : "0");
		failures++;
	}
}

static void *sleeper(void *arg)
{
	struct timespec ts = { 0, 200000000L };
	while (nanosleep(&ts, &ts) == -1)
		if (errno != EINTR)
			return (void *)1;
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	double t0;
	struct timespec ts, rem;

	t0 = mono();
	check("sleep(1)", sleep(1) == 0, t0, 1.0);
	t0 = mono();
	check("usleep(50000)", usleep(50000) == 0, t0, 0.05);
	t0 = mono();
	ts = (struct timespec){ 0, 30000000L };
	rem = (struct timespec){ 99, 99 };
	check("nanosleep 30 ms", nanosleep(&ts, &rem) == 0, t0, 0.03);
	t0 = mono();
	ts = (struct timespec){ 0, 40000000L };
	check("clock_nanosleep MONOTONIC relative 40 ms", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) == 0, t0, 0.04);
	t0 = mono();
	check("clock_nanosleep REALTIME relative 40 ms", clock_nanosleep(CLOCK_REALTIME, 0, &ts, NULL) == 0, t0, 0.04);

	t0 = mono();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 60000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	check("clock_nanosleep MONOTONIC absolute +60 ms", rc == 0 &&
	      (now.tv_sec > ts.tv_sec || (now.tv_sec == ts.tv_sec && now.tv_nsec >= ts.tv_nsec)), t0, 0.06);

	t0 = mono();
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 60000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
	clock_gettime(CLOCK_REALTIME, &now);
	check("clock_nanosleep REALTIME absolute +60 ms", rc == 0 &&
	      (now.tv_sec > ts.tv_sec || (now.tv_sec == ts.tv_sec && now.tv_nsec >= ts.tv_nsec)), t0, 0.06);

	t0 = mono();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec -= 1;
	check("clock_nanosleep absolute in the past returns at once",
	      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == 0 && mono() - t0 < 1, t0, 0);
	t0 = mono();
	check("sleep(0), usleep(0), zero nanosleep", sleep(0) == 0 && usleep(0) == 0 &&
	      nanosleep(&(struct timespec){ 0, 0 }, NULL) == 0, t0, 0);

	ts = (struct timespec){ 0, 1000000000L };
	errno = 0;
	expect_rc("nanosleep tv_nsec = 1000000000", nanosleep(&ts, NULL) == -1 ? errno : 0, EINVAL);
	ts = (struct timespec){ -1, 0 };
	errno = 0;
	expect_rc("nanosleep tv_sec = -1", nanosleep(&ts, NULL) == -1 ? errno : 0, EINVAL);
	ts = (struct timespec){ 0, 1000000000L };
	expect_rc("clock_nanosleep tv_nsec = 1000000000", clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL), EINVAL);
	ts = (struct timespec){ 0, 1000000L };
	expect_rc("clock_nanosleep CLOCK_THREAD_CPUTIME_ID", clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL),
		  EINVAL);
	expect_rc("clock_nanosleep clock id 12345", clock_nanosleep((clockid_t)12345, 0, &ts, NULL), EINVAL);

	/* many sleepers at once */
	enum { N = 100 };
	pthread_t t[N];
	int errors = 0;
	t0 = mono();
	for (int i = 0; i < N; i++)
		if (pthread_create(&t[i], NULL, sleeper, NULL)) {
			printf("pthread_create failed\n");
			return 1;
		}
	for (int i = 0; i < N; i++) {
		void *ret;
		if (pthread_join(t[i], &ret)) {
			printf("pthread_join failed\n");
			return 1;
		}
		errors += ret != NULL;
	}
	double d = mono() - t0;
	int ok = errors == 0 && d >= 0.2 - 0.0005 && d < 5;
	printf("%-52s %s\n", "100 threads sleep 200 ms together, done in < 5 s", ok ? "ok" : "WRONG");
	if (!ok) {
		printf("  took %.3f s, errors %d\n", d, errors);
		failures++;
	}
	printf("failures: %d\n", failures);
	return failures != 0;
}
