// c11_mutex_kinds: mtx_init's kinds as a program sees them. A plain mutex
// excludes (a counter incremented by 4 threads comes out right) and another
// thread's mtx_trylock on it says thrd_busy; a recursive one (mtx_recursive,
// and mtx_timed | mtx_recursive) is taken again by its owner, stays busy to
// others until unlocked as many times, then is free; a timed one
// (mtx_timed) gives thrd_timedout from mtx_timedlock after at least the
// timeout while another thread holds it, and thrd_success once it is free.
#define _GNU_SOURCE
#include <stdio.h>
#include <threads.h>
#include <time.h>

#include "check.h"

static int failures;

static void expect(const char *what, int got, int want)
{
	static const char *names[] = {"thrd_success", "thrd_busy", "thrd_error", "thrd_nomem", "thrd_timedout"};
	printf("%-60s %s\n", what, got >= 0 && got <= 4 ? names[got] : "?");
	if (got != want) {
		printf("  WRONG, want %s\n", names[want]);
		failures++;
	}
}

static mtx_t plain, recursive, timed_recursive, timed;
static long counter;

static int add(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		mtx_lock(&plain);
		counter++;
		mtx_unlock(&plain);
	}
	return 0;
}

static int try_other(void *m)
{
	int r = mtx_trylock(m);
	if (r == thrd_success)
		mtx_unlock(m);
	return r;
}

/* mtx_trylock from another thread */
static int trylock_elsewhere(mtx_t *m)
{
	thrd_t t;
	int r;
	thrd_create(&t, try_other, m);
	thrd_join(t, &r);
	return r;
}

static int timedlock_other(void *m)
{
	struct timespec at = deadline(CLOCK_REALTIME, 100);
	double t0 = mono();
	int r = mtx_timedlock(m, &at);
	if (r == thrd_timedout && mono() - t0 < 0.099)
		return thrd_error;   /* gave up early */
	if (r == thrd_success)
		mtx_unlock(m);
	return r;
}

static int timedlock_elsewhere(mtx_t *m)
{
	thrd_t t;
	int r;
	thrd_create(&t, timedlock_other, m);
	thrd_join(t, &r);
	return r;
}

static void check_recursive(const char *name, mtx_t *m)
{
	char what[100];
	for (int i = 1; i <= 3; i++) {
		snprintf(what, sizeof what, "%s: owner locks it (%d)", name, i);
		expect(what, i == 2 ? mtx_trylock(m) : mtx_lock(m), thrd_success);
	}
	for (int i = 3; i >= 1; i--) {
		snprintf(what, sizeof what, "%s: other thread's trylock at depth %d", name, i);
		expect(what, trylock_elsewhere(m), thrd_busy);
		mtx_unlock(m);
	}
	snprintf(what, sizeof what, "%s: other thread's trylock when free", name);
	expect(what, trylock_elsewhere(m), thrd_success);
}

int main(void)
{
	expect("mtx_init(mtx_plain)", mtx_init(&plain, mtx_plain), thrd_success);
	expect("mtx_init(mtx_recursive)", mtx_init(&recursive, mtx_plain | mtx_recursive), thrd_success);
	expect("mtx_init(mtx_timed | mtx_recursive)", mtx_init(&timed_recursive, mtx_timed | mtx_recursive), thrd_success);
	expect("mtx_init(mtx_timed)", mtx_init(&timed, mtx_timed), thrd_success);

	thrd_t t[4];
	for (int i = 0; i < 4; i++)
		thrd_create(&t[i], add, NULL);
	for (int i = 0; i < 4; i++)
		thrd_join(t[i], NULL);
	printf("%-60s %ld\n", "plain: 4 threads x 20000 increments", counter);
	if (counter != 80000)
		failures++;
	expect("plain: mtx_trylock when free", mtx_trylock(&plain), thrd_success);
	expect("plain: other thread's trylock while held", trylock_elsewhere(&plain), thrd_busy);
	expect("plain: mtx_unlock", mtx_unlock(&plain), thrd_success);
	expect("plain: other thread's trylock when free", trylock_elsewhere(&plain), thrd_success);

	check_recursive("recursive", &recursive);
	check_recursive("timed recursive", &timed_recursive);
	mtx_lock(&timed_recursive);
	expect("timed recursive: other thread's timedlock while held", timedlock_elsewhere(&timed_recursive),
	       thrd_timedout);
	mtx_unlock(&timed_recursive);

	expect("timed: mtx_lock", mtx_lock(&timed), thrd_success);
	expect("timed: other thread's timedlock (100 ms) while held", timedlock_elsewhere(&timed), thrd_timedout);
	expect("timed: mtx_unlock", mtx_unlock(&timed), thrd_success);
	expect("timed: other thread's timedlock when free", timedlock_elsewhere(&timed), thrd_success);

	mtx_destroy(&plain);
	mtx_destroy(&recursive);
	mtx_destroy(&timed_recursive);
	mtx_destroy(&timed);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
