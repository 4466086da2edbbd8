// mutex_timed: pthread_mutex_timedlock (CLOCK_REALTIME deadline) and
// pthread_mutex_clocklock (CLOCK_MONOTONIC and CLOCK_REALTIME) on a mutex held
// by another thread time out with ETIMEDOUT after at least the timeout; a bad
// clock or a bad timespec gives EINVAL; a deadline already past gives
// ETIMEDOUT at once on a held mutex and success on a free one; a wait that
// outlives the holder gets the lock; an errorcheck owner gets EDEADLK.
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

static void expect(const char *name, const char *what, int got, int want)
{
	char label[96];
	snprintf(label, sizeof label, "%s: %s", name, what);
	printf("%-58s %s\n", label, en(got));
	if (got != want) {
		printf("  WRONG: expected %s\n", en(want));
		failures++;
	}
}

/* a waited call must take at least the timeout and not wildly more */
static void expect_waited(const char *name, const char *what, double t0, double min)
{
	double d = mono() - t0;
	char label[96];
	snprintf(label, sizeof label, "%s: %s waited at least the timeout", name, what);
	printf("%-58s %s\n", label, d >= min - 0.001 && d < min + 5 ? "yes" : "NO");
	if (!(d >= min - 0.001 && d < min + 5)) {
		printf("  WRONG: waited %.3f s, timeout %.3f s\n", d, min);
		failures++;
	}
}

static pthread_mutex_t *held;
static pthread_barrier_t locked, release;
static int release_delay_ms;

static void *holder(void *arg)
{
	int rc = pthread_mutex_lock(held);
	if (rc) {
		printf("holder lock: %s\n", en(rc));
		exit(1);
	}
	pthread_barrier_wait(&locked);
	pthread_barrier_wait(&release);
	usleep(release_delay_ms * 1000);
	if ((rc = pthread_mutex_unlock(held))) {
		printf("holder unlock: %s\n", en(rc));
		exit(1);
	}
	return NULL;
}

static void check(const char *name, int type)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;
	pthread_t t;
	struct timespec ts;
	double t0;
	int rc;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, type);
	if ((rc = pthread_mutex_init(&m, &a))) {
		printf("mutex_init: %s\n", en(rc));
		exit(1);
	}
	pthread_mutexattr_destroy(&a);

	/* free mutex: a past deadline still locks, as POSIX requires */
	ts = deadline(CLOCK_REALTIME, -1000);
	expect(name, "timedlock, free mutex, deadline passed", pthread_mutex_timedlock(&m, &ts), 0);
	if (type == PTHREAD_MUTEX_ERRORCHECK) {
		ts = deadline(CLOCK_REALTIME, 100);
		expect(name, "timedlock by the owner", pthread_mutex_timedlock(&m, &ts), EDEADLK);
		ts = deadline(CLOCK_MONOTONIC, 100);
		expect(name, "clocklock MONOTONIC by the owner",
		       pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), EDEADLK);
	}
	if (type == PTHREAD_MUTEX_RECURSIVE) {
		ts = deadline(CLOCK_REALTIME, 100);
		expect(name, "timedlock by the owner", pthread_mutex_timedlock(&m, &ts), 0);
		expect(name, "unlock", pthread_mutex_unlock(&m), 0);
	}
	expect(name, "unlock", pthread_mutex_unlock(&m), 0);
	ts = deadline(CLOCK_MONOTONIC, 100);
	expect(name, "clocklock MONOTONIC, free mutex", pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), 0);
	expect(name, "unlock", pthread_mutex_unlock(&m), 0);

	/* now another thread holds it */
	held = &m;
	release_delay_ms = 100;
	if ((rc = pthread_create(&t, NULL, holder, NULL))) {
		printf("pthread_create: %s\n", en(rc));
		exit(1);
	}
	pthread_barrier_wait(&locked);

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 100);
	expect(name, "timedlock (REALTIME) 100 ms", pthread_mutex_timedlock(&m, &ts), ETIMEDOUT);
	expect_waited(name, "timedlock", t0, 0.1);

	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 100);
	expect(name, "clocklock MONOTONIC 100 ms", pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	expect_waited(name, "clocklock MONOTONIC", t0, 0.1);

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 100);
	expect(name, "clocklock REALTIME 100 ms", pthread_mutex_clocklock(&m, CLOCK_REALTIME, &ts), ETIMEDOUT);
	expect_waited(name, "clocklock REALTIME", t0, 0.1);

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, -5);
	expect(name, "timedlock, deadline passed", pthread_mutex_timedlock(&m, &ts), ETIMEDOUT);
	ts = deadline(CLOCK_MONOTONIC, -5);
	expect(name, "clocklock MONOTONIC, deadline passed",
	       pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	printf("%-58s %s\n", "  ...and returned at once", mono() - t0 < 2 ? "yes" : "NO");
	if (mono() - t0 >= 2)
		failures++;

	ts = deadline(CLOCK_MONOTONIC, 100);
	expect(name, "clocklock CLOCK_PROCESS_CPUTIME_ID",
	       pthread_mutex_clocklock(&m, CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
	expect(name, "clocklock clock id 12345", pthread_mutex_clocklock(&m, (clockid_t)12345, &ts), EINVAL);
	ts = deadline(CLOCK_REALTIME, 100);
	ts.tv_nsec = 1000000000L;
	expect(name, "timedlock tv_nsec = 1000000000", pthread_mutex_timedlock(&m, &ts), EINVAL);
	ts.tv_nsec = -1;
	expect(name, "timedlock tv_nsec = -1", pthread_mutex_timedlock(&m, &ts), EINVAL);
	ts = deadline(CLOCK_MONOTONIC, 100);
	ts.tv_nsec = 1000000000L;
	expect(name, "clocklock MONOTONIC tv_nsec = 1000000000",
	       pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), EINVAL);

	/* the holder lets go 100 ms from now; a 10 s wait gets the lock */
	t0 = mono();
	pthread_barrier_wait(&release);
	ts = deadline(CLOCK_REALTIME, 10000);
	expect(name, "timedlock 10 s, holder unlocks after 100 ms", pthread_mutex_timedlock(&m, &ts), 0);
	printf("%-58s %s\n", "  ...before the deadline", mono() - t0 < 5 ? "yes" : "NO");
	if (mono() - t0 >= 5)
		failures++;
	expect(name, "unlock", pthread_mutex_unlock(&m), 0);
	if ((rc = pthread_join(t, NULL))) {
		printf("pthread_join: %s\n", en(rc));
		exit(1);
	}

	/* and the same for clocklock MONOTONIC */
	if ((rc = pthread_create(&t, NULL, holder, NULL))) {
		printf("pthread_create: %s\n", en(rc));
		exit(1);
	}
	pthread_barrier_wait(&locked);
	pthread_barrier_wait(&release);
	ts = deadline(CLOCK_MONOTONIC, 10000);
	expect(name, "clocklock MONOTONIC 10 s, holder unlocks after 100 ms",
	       pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), 0);
	expect(name, "unlock", pthread_mutex_unlock(&m), 0);
	if ((rc = pthread_join(t, NULL))) {
		printf("pthread_join: %s\n", en(rc));
		exit(1);
	}
	expect(name, "destroy", pthread_mutex_destroy(&m), 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	if (pthread_barrier_init(&locked, NULL, 2) || pthread_barrier_init(&release, NULL, 2)) {
		printf("pthread_barrier_init failed\n");
		return 1;
	}
	check("normal", PTHREAD_MUTEX_NORMAL);
	check("recursive", PTHREAD_MUTEX_RECURSIVE);
	check("errorcheck", PTHREAD_MUTEX_ERRORCHECK);
	check("adaptive", PTHREAD_MUTEX_ADAPTIVE_NP);
	printf("failures: %d\n", failures);
	return failures != 0;
}
