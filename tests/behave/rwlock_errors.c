// rwlock_errors: pthread_rwlock return codes as NPTL gives them:
// tryrdlock/trywrlock EBUSY, timed and clock variants ETIMEDOUT after at least
// the timeout, EINVAL for a bad clock or timespec, EDEADLK for a writer that
// locks again, and timed waits that succeed when the holder lets go.
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
	printf("%-58s %s\n", what, got);
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

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t locked, release;
static int hold_write;

static void *holder(void *arg)
{
	int rc = hold_write ? pthread_rwlock_wrlock(&rw) : pthread_rwlock_rdlock(&rw);
	if (rc) {
		printf("holder lock: %s\n", en(rc));
		exit(1);
	}
	pthread_barrier_wait(&locked);
	pthread_barrier_wait(&release);
	usleep(100000);
	if ((rc = pthread_rwlock_unlock(&rw))) {
		printf("holder unlock: %s\n", en(rc));
		exit(1);
	}
	return NULL;
}

static pthread_t start_holder(int write)
{
	pthread_t t;
	hold_write = write;
	if (pthread_create(&t, NULL, holder, NULL))
		exit(1);
	pthread_barrier_wait(&locked);
	return t;
}

static void join(pthread_t t)
{
	if (pthread_join(t, NULL))
		exit(1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	struct timespec ts;
	double t0;
	pthread_t t;

	if (pthread_barrier_init(&locked, NULL, 2) || pthread_barrier_init(&release, NULL, 2))
		return 1;

	/* another thread holds the write lock */
	t = start_holder(1);
	expect("write-locked elsewhere: tryrdlock", pthread_rwlock_tryrdlock(&rw), EBUSY);
	expect("write-locked elsewhere: trywrlock", pthread_rwlock_trywrlock(&rw), EBUSY);
	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 100);
	expect("write-locked elsewhere: timedrdlock 100 ms", pthread_rwlock_timedrdlock(&rw, &ts), ETIMEDOUT);
	waited(t0, 0.1);
	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 100);
	expect("write-locked elsewhere: timedwrlock 100 ms", pthread_rwlock_timedwrlock(&rw, &ts), ETIMEDOUT);
	waited(t0, 0.1);
	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 100);
	expect("write-locked elsewhere: clockrdlock MONOTONIC 100 ms",
	       pthread_rwlock_clockrdlock(&rw, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	waited(t0, 0.1);
	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 100);
	expect("write-locked elsewhere: clockwrlock MONOTONIC 100 ms",
	       pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	waited(t0, 0.1);
	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 100);
	expect("write-locked elsewhere: clockwrlock REALTIME 100 ms",
	       pthread_rwlock_clockwrlock(&rw, CLOCK_REALTIME, &ts), ETIMEDOUT);
	waited(t0, 0.1);
	ts = deadline(CLOCK_REALTIME, -10);
	expect("write-locked elsewhere: timedrdlock, deadline passed", pthread_rwlock_timedrdlock(&rw, &ts), ETIMEDOUT);
	ts = deadline(CLOCK_MONOTONIC, 100);
	expect("write-locked elsewhere: clockrdlock CLOCK_PROCESS_CPUTIME_ID",
	       pthread_rwlock_clockrdlock(&rw, CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
	expect("write-locked elsewhere: clockwrlock clock id 12345",
	       pthread_rwlock_clockwrlock(&rw, (clockid_t)12345, &ts), EINVAL);
	ts = deadline(CLOCK_REALTIME, 100);
	ts.tv_nsec = 1000000000L;
	expect("write-locked elsewhere: timedrdlock tv_nsec = 1000000000", pthread_rwlock_timedrdlock(&rw, &ts), EINVAL);
	expect("write-locked elsewhere: timedwrlock tv_nsec = 1000000000", pthread_rwlock_timedwrlock(&rw, &ts), EINVAL);
	pthread_barrier_wait(&release);
	ts = deadline(CLOCK_REALTIME, 10000);
	expect("timedrdlock 10 s, writer unlocks after 100 ms", pthread_rwlock_timedrdlock(&rw, &ts), 0);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);
	join(t);

	/* another thread holds a read lock */
	t = start_holder(0);
	expect("read-locked elsewhere: tryrdlock", pthread_rwlock_tryrdlock(&rw), 0);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);
	expect("read-locked elsewhere: trywrlock", pthread_rwlock_trywrlock(&rw), EBUSY);
	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 100);
	expect("read-locked elsewhere: timedwrlock 100 ms", pthread_rwlock_timedwrlock(&rw, &ts), ETIMEDOUT);
	waited(t0, 0.1);
	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 100);
	expect("read-locked elsewhere: clockwrlock MONOTONIC 100 ms",
	       pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	waited(t0, 0.1);
	ts = deadline(CLOCK_REALTIME, 10000);
	expect("read-locked elsewhere: timedrdlock", pthread_rwlock_timedrdlock(&rw, &ts), 0);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);
	pthread_barrier_wait(&release);
	ts = deadline(CLOCK_MONOTONIC, 10000);
	expect("clockwrlock MONOTONIC 10 s, reader unlocks after 100 ms",
	       pthread_rwlock_clockwrlock(&rw, CLOCK_MONOTONIC, &ts), 0);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);
	join(t);

	/* this thread holds the write lock */
	expect("wrlock", pthread_rwlock_wrlock(&rw), 0);
	expect("own write lock: wrlock again", pthread_rwlock_wrlock(&rw), EDEADLK);
	expect("own write lock: rdlock", pthread_rwlock_rdlock(&rw), EDEADLK);
	ts = deadline(CLOCK_REALTIME, 100);
	expect("own write lock: timedwrlock", pthread_rwlock_timedwrlock(&rw, &ts), EDEADLK);
	expect("own write lock: trywrlock", pthread_rwlock_trywrlock(&rw), EBUSY);
	expect("own write lock: tryrdlock", pthread_rwlock_tryrdlock(&rw), EBUSY);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);

	/* this thread holds a read lock twice */
	expect("rdlock", pthread_rwlock_rdlock(&rw), 0);
	expect("rdlock again", pthread_rwlock_rdlock(&rw), 0);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);
	expect("trywrlock while still read-locked once", pthread_rwlock_trywrlock(&rw), EBUSY);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);
	expect("trywrlock when free", pthread_rwlock_trywrlock(&rw), 0);
	expect("unlock", pthread_rwlock_unlock(&rw), 0);
	expect("destroy", pthread_rwlock_destroy(&rw), 0);

	printf("failures: %d\n", failures);
	return failures != 0;
}
