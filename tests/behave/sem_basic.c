// sem_basic: unnamed semaphores: sem_trywait EAGAIN on zero, sem_post and
// sem_getvalue counts, sem_timedwait ETIMEDOUT (CLOCK_REALTIME) and
// sem_clockwait ETIMEDOUT (CLOCK_MONOTONIC, CLOCK_REALTIME) after at least the
// timeout, EINVAL for a bad clock or timespec, and sem_wait/sem_timedwait/
// sem_clockwait woken by a post from another thread.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
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

/* rc is a sem_* return value: 0, or -1 with errno */
static void expect(const char *what, int rc, int want_errno)
{
	int got = rc == 0 ? 0 : rc == -1 ? errno : -12345;
	verdict(what, rc == -1 || rc == 0 ? en(got) : "bad return value", got == want_errno);
	if (got != want_errno)
		printf("  expected %s\n", en(want_errno));
}

static void expect_value(sem_t *s, int want)
{
	int v = -1;
	char label[64], got[32];
	if (sem_getvalue(s, &v) != 0)
		v = -1000;
	snprintf(label, sizeof label, "  sem_getvalue (expect %d)", want);
	snprintf(got, sizeof got, "%d", v);
	verdict(label, got, v == want);
}

static void waited(double t0, double min)
{
	double d = mono() - t0;
	int ok = d >= min - 0.001 && d < min + 5;
	verdict("  ...waited at least the timeout", ok ? "yes" : "NO", ok);
	if (!ok)
		printf("  waited %.3f s for a %.3f s timeout\n", d, min);
}

static sem_t s;

static void *poster(void *arg)
{
	usleep(100000);
	if (sem_post(&s))
		exit(1);
	return NULL;
}

static int with_poster(int how)
{
	pthread_t t;
	struct timespec ts;
	int rc;
	if (pthread_create(&t, NULL, poster, NULL))
		exit(1);
	switch (how) {
	case 0:
		do
			rc = sem_wait(&s);
		while (rc == -1 && errno == EINTR);
		break;
	case 1:
		ts = deadline(CLOCK_REALTIME, 10000);
		rc = sem_timedwait(&s, &ts);
		break;
	default:
		ts = deadline(CLOCK_MONOTONIC, 10000);
		rc = sem_clockwait(&s, CLOCK_MONOTONIC, &ts);
		break;
	}
	int saved = errno;
	if (pthread_join(t, NULL))
		exit(1);
	errno = saved;
	return rc;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	struct timespec ts;
	double t0;

	expect("sem_init value 0", sem_init(&s, 0, 0), 0);
	expect_value(&s, 0);
	expect("sem_trywait on 0", sem_trywait(&s), EAGAIN);
	expect("sem_post", sem_post(&s), 0);
	expect("sem_post", sem_post(&s), 0);
	expect_value(&s, 2);
	expect("sem_trywait", sem_trywait(&s), 0);
	expect("sem_wait", sem_wait(&s), 0);
	expect_value(&s, 0);
	expect("sem_trywait on 0", sem_trywait(&s), EAGAIN);

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 150);
	expect("sem_timedwait 150 ms", sem_timedwait(&s, &ts), ETIMEDOUT);
	waited(t0, 0.15);
	t0 = mono();
	ts = deadline(CLOCK_MONOTONIC, 150);
	expect("sem_clockwait MONOTONIC 150 ms", sem_clockwait(&s, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	waited(t0, 0.15);
	t0 = mono();
	ts = deadline(CLOCK_REALTIME, 150);
	expect("sem_clockwait REALTIME 150 ms", sem_clockwait(&s, CLOCK_REALTIME, &ts), ETIMEDOUT);
	waited(t0, 0.15);

	t0 = mono();
	ts = deadline(CLOCK_REALTIME, -10);
	expect("sem_timedwait, deadline passed", sem_timedwait(&s, &ts), ETIMEDOUT);
	verdict("  ...returned at once", mono() - t0 < 2 ? "yes" : "NO", mono() - t0 < 2);

	ts = deadline(CLOCK_MONOTONIC, 100);
	expect("sem_clockwait CLOCK_PROCESS_CPUTIME_ID", sem_clockwait(&s, CLOCK_PROCESS_CPUTIME_ID, &ts), EINVAL);
	expect("sem_clockwait clock id 12345", sem_clockwait(&s, (clockid_t)12345, &ts), EINVAL);
	ts = deadline(CLOCK_REALTIME, 100);
	ts.tv_nsec = 1000000000L;
	expect("sem_timedwait tv_nsec = 1000000000", sem_timedwait(&s, &ts), EINVAL);
	ts.tv_nsec = -1;
	expect("sem_timedwait tv_nsec = -1", sem_timedwait(&s, &ts), EINVAL);
	ts = deadline(CLOCK_MONOTONIC, 100);
	ts.tv_nsec = 1000000000L;
	expect("sem_clockwait MONOTONIC tv_nsec = 1000000000", sem_clockwait(&s, CLOCK_MONOTONIC, &ts), EINVAL);
	expect_value(&s, 0);

	t0 = mono();
	expect("sem_wait, posted by another thread after 100 ms", with_poster(0), 0);
	expect("sem_timedwait 10 s, posted after 100 ms", with_poster(1), 0);
	expect("sem_clockwait MONOTONIC 10 s, posted after 100 ms", with_poster(2), 0);
	verdict("  ...all before their deadlines", mono() - t0 < 9 ? "yes" : "NO", mono() - t0 < 9);
	expect_value(&s, 0);

	/* a post with nobody waiting, then a timed wait that need not block */
	expect("sem_post", sem_post(&s), 0);
	ts = deadline(CLOCK_REALTIME, -10);
	expect("sem_timedwait, value 1, deadline passed", sem_timedwait(&s, &ts), 0);
	expect("sem_destroy", sem_destroy(&s), 0);

	sem_t big;
	expect("sem_init value 1000", sem_init(&big, 0, 1000), 0);
	int rc = 0;
	for (int i = 0; i < 1000; i++)
		rc |= sem_trywait(&big);
	expect("sem_trywait x1000", rc, 0);
	expect("sem_trywait 1001st", sem_trywait(&big), EAGAIN);
	expect("sem_destroy", sem_destroy(&big), 0);

	printf("failures: %d\n", failures);
	return failures != 0;
}
