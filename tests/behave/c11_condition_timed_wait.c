// c11_condition_timed_wait: cnd_timedwait (CLOCK_REALTIME, absolute) gives
// thrd_timedout after at least its timeout when nobody signals, and
// thrd_success when another thread signals before the deadline; a deadline
// already past times out at once; in every case the mutex is held again on
// return (another thread's mtx_trylock is thrd_busy).
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <threads.h>
#include <time.h>

#include "check.h"

static int failures;
static mtx_t lock;
static cnd_t cond;
static bool ready;

static void show(const char *what, const char *got, bool ok)
{
	printf("%-60s %s\n", what, got);
	if (!ok) {
		printf("  WRONG\n");
		failures++;
	}
}

static int try_other(void *arg)
{
	int r = mtx_trylock(&lock);
	if (r == thrd_success)
		mtx_unlock(&lock);
	return r;
}

static bool held_by_me(void)
{
	thrd_t t;
	int r;
	thrd_create(&t, try_other, NULL);
	thrd_join(t, &r);
	return r == thrd_busy;
}

static int signaller(void *arg)
{
	struct timespec d = {0, 30 * 1000000};
	thrd_sleep(&d, NULL);
	mtx_lock(&lock);
	ready = true;
	cnd_signal(&cond);
	mtx_unlock(&lock);
	return 0;
}

int main(void)
{
	mtx_init(&lock, mtx_timed);
	cnd_init(&cond);

	mtx_lock(&lock);
	struct timespec at = deadline(CLOCK_REALTIME, 150);
	double t0 = mono();
	int r = cnd_timedwait(&cond, &lock, &at);
	double waited = mono() - t0;
	show("cnd_timedwait with nobody signalling", r == thrd_timedout ? "thrd_timedout" : "other", r == thrd_timedout);
	show("  waited at least 150 ms", waited >= 0.149 ? "yes" : "no", waited >= 0.149);
	show("  mutex held again", held_by_me() ? "yes" : "no", held_by_me());

	struct timespec past;
	clock_gettime(CLOCK_REALTIME, &past);
	past.tv_sec -= 1;
	t0 = mono();
	r = cnd_timedwait(&cond, &lock, &past);
	show("cnd_timedwait with a deadline past", r == thrd_timedout ? "thrd_timedout" : "other", r == thrd_timedout);
	show("  at once", mono() - t0 < 0.1 ? "yes" : "no", mono() - t0 < 0.1);
	show("  mutex held again", held_by_me() ? "yes" : "no", held_by_me());

	thrd_t t;
	thrd_create(&t, signaller, NULL);
	at = deadline(CLOCK_REALTIME, 5000);
	r = thrd_success;
	while (!ready && r == thrd_success)
		r = cnd_timedwait(&cond, &lock, &at);
	show("cnd_timedwait signalled after 30 ms of 5 s", r == thrd_success ? "thrd_success" : "other",
	     r == thrd_success && ready);
	show("  mutex held again", held_by_me() ? "yes" : "no", held_by_me());
	mtx_unlock(&lock);
	thrd_join(t, NULL);
	cnd_destroy(&cond);
	mtx_destroy(&lock);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
