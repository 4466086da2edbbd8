/*
 * The timer heap and deadline conversion (sched/timer.c). Timers here use
 * small made-up deadlines; timers_run is called with an explicit "now", so
 * nothing depends on the clock except the deadline_from_abstime tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sched/internal.h"
#include "tests/unit/unit_helpers.h"

#define MAXT 5000
static struct timer tm[MAXT];
static int fired[MAXT], nfired;

static void record(struct timer *t)
{
	/* fire runs with the timer FIRING and must set it idle itself */
	if (atomic_load(&t->state) != TIMER_FIRING || t->heap_index != -1)
		fired[nfired++] = -1;
	else
		fired[nfired++] = (int)(intptr_t)t->arg;
	atomic_store(&t->state, TIMER_IDLE);
}

static void start(int id, int64_t when)
{
	tm[id].fire = record;
	tm[id].arg = (void *)(intptr_t)id;
	tm[id].heap_index = -1;
	timer_start(&tm[id], when);
}

static int reset(void **state)
{
	timers_reset();   /* a failed test must not leave its timers behind */
	memset(tm, 0, sizeof tm);
	nfired = 0;
	return 0;
}

/* A fixed permutation of 0..n-1 (n prime to 37). */
static int perm(int i, int n) { return (i * 37 + 11) % n; }

static void test_timers_run_fires_due_timers_in_deadline_order(void **state)
{
	enum { N = 64 };
	const int64_t base = 1000000;
	for (int i = 0; i < N; i++) {
		int k = perm(i, N);
		start(k, base + 10 * k);
	}
	assert_int_equal(timers_next(), base);
	timers_run(base + 10 * 31 + 5);   /* due: k = 0..31 */
	assert_int_equal(nfired, 32);
	for (int k = 0; k < 32; k++)
		assert_int_equal(fired[k], k);
	for (int k = 32; k < N; k++)
		assert_int_equal(atomic_load(&tm[k].state), TIMER_QUEUED);
	assert_int_equal(timers_next(), base + 320);
	timers_run(base + 10 * N);
	assert_int_equal(nfired, N);
	for (int k = 32; k < N; k++)
		assert_int_equal(fired[k], k);
	assert_int_equal(timers_next(), INT64_MAX);
}

static void test_timers_run_fires_nothing_before_deadline(void **state)
{
	start(0, 500);
	start(1, 501);
	timers_run(499);
	assert_int_equal(nfired, 0);
	assert_int_equal(atomic_load(&tm[0].state), TIMER_QUEUED);
	timers_run(500);   /* a deadline equal to now is due */
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], 0);
	assert_int_equal(atomic_load(&tm[0].state), TIMER_IDLE);
	assert_int_equal(timers_next(), 501);
}

static void test_timers_order_survives_heap_growth(void **state)
{
	/* more timers than the heap's first mapping (4096), started latest first */
	for (int k = MAXT - 1; k >= 0; k--)
		start(k, 1000 + k);
	assert_int_equal(timers_next(), 1000);
	timers_run(1000 + MAXT);
	assert_int_equal(nfired, MAXT);
	for (int k = 0; k < MAXT; k++)
		if (fired[k] != k)
			fail_msg("timer %d fired in position %d", fired[k], k);
}

static void test_timer_stop_removes_queued_timer(void **state)
{
	for (int k = 0; k < 8; k++)
		start(k, 100 + 10 * perm(k, 8));   /* deadline of k: 100 + 10*perm(k) */
	int earliest = -1, middle = -1;
	for (int k = 0; k < 8; k++) {
		if (perm(k, 8) == 0) earliest = k;
		if (perm(k, 8) == 4) middle = k;
	}
	timer_stop(&tm[middle]);
	assert_int_equal(atomic_load(&tm[middle].state), TIMER_IDLE);
	assert_int_equal(tm[middle].heap_index, -1);
	assert_int_equal(timers_next(), 100);
	timer_stop(&tm[earliest]);
	assert_int_equal(timers_next(), 110);
	timer_stop(&tm[earliest]);   /* stopping an idle timer changes nothing */
	assert_int_equal(timers_next(), 110);
	timers_run(1000);
	assert_int_equal(nfired, 6);
	for (int i = 0, want = 1; i < nfired; i++, want++) {
		if (want == 4)
			want++;
		assert_int_equal(perm(fired[i], 8), want);   /* the others, in deadline order */
	}
}

/*
 * Random (but fixed-seed) starts, stops and runs with close and equal
 * deadlines, checked against a plain list of what should be queued: every
 * run fires exactly the due timers, in nondecreasing deadline order, and
 * timers_next is always the smallest queued deadline.
 */
static uint32_t rng = 12345;
static uint32_t rnd(uint32_t n) { rng = rng * 1103515245 + 12345; return (rng >> 8) % n; }

static void test_timers_match_a_model_under_random_start_stop_run(void **state)
{
	enum { N = 300, OPS = 20000 };
	bool queued[N] = {false};
	int64_t now = 0;
	for (int op = 0; op < OPS; op++) {
		int k = (int)rnd(N);
		switch (rnd(4)) {
		case 0:
		case 1:
			if (!queued[k]) {
				start(k, now + rnd(64));
				queued[k] = true;
			}
			break;
		case 2:
			timer_stop(&tm[k]);
			queued[k] = false;
			break;
		case 3: {
			now += rnd(16);
			int due = 0;
			for (int i = 0; i < N; i++)
				due += queued[i] && tm[i].when <= now;
			nfired = 0;
			timers_run(now);
			assert_int_equal(nfired, due);
			for (int i = 0; i < nfired; i++) {
				assert_in_range(fired[i], 0, N - 1);
				assert_true(queued[fired[i]]);
				assert_true(tm[fired[i]].when <= now);
				if (i > 0)
					assert_true(tm[fired[i - 1]].when <= tm[fired[i]].when);
				queued[fired[i]] = false;
			}
			break;
		}
		}
		int64_t min = INT64_MAX;
		for (int i = 0; i < N; i++)
			if (queued[i] && tm[i].when < min)
				min = tm[i].when;
		if (timers_next() != min)
			fail_msg("op %d: timers_next %lld, earliest queued %lld", op,
				 (long long)timers_next(), (long long)min);
	}
}

static void test_timers_next_reports_earliest(void **state)
{
	assert_int_equal(timers_next(), INT64_MAX);
	assert_false(timers_due(INT64_MAX - 1));
	start(0, 3000);
	assert_int_equal(timers_next(), 3000);
	start(1, 5000);   /* later: no change */
	assert_int_equal(timers_next(), 3000);
	start(2, 2000);   /* earlier: new earliest */
	assert_int_equal(timers_next(), 2000);
	assert_false(timers_due(1999));
	assert_true(timers_due(2000));
	timer_stop(&tm[2]);
	assert_int_equal(timers_next(), 3000);
	timers_run(3000);
	assert_int_equal(timers_next(), 5000);
	timer_stop(&tm[1]);
	assert_int_equal(timers_next(), INT64_MAX);
	assert_int_equal(nfired, 1);
}

/* ---- deadline_from_abstime ---- */

static int64_t ts_ns(struct timespec ts) { return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec; }

static void test_deadline_rejects_bad_nsec(void **state)
{
	const long bad[] = {-1, 1000000000, LONG_MIN, LONG_MAX};
	const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC};
	for (size_t c = 0; c < 2; c++)
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			struct timespec ts = {time(NULL) + 10, bad[i]};
			int64_t d = 12345;
			assert_int_equal(deadline_from_abstime(clocks[c], &ts, &d), EINVAL);
			assert_int_equal(d, 12345);   /* untouched */
		}
	struct timespec edge = {0, 999999999};
	int64_t d;
	assert_int_equal(deadline_from_abstime(CLOCK_MONOTONIC, &edge, &d), 0);
}

static void test_deadline_rejects_bad_clock(void **state)
{
	struct timespec ts = {1, 0};
	int64_t d;
	assert_int_equal(deadline_from_abstime((clockid_t)12345, &ts, &d), EINVAL);
}

static void test_deadline_in_the_past_expires_now(void **state)
{
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	struct timespec cases[] = {
		{1, 0},                         /* 1970 on CLOCK_REALTIME */
		{rt.tv_sec - 5, rt.tv_nsec},
		{-3, 0},                        /* negative seconds */
	};
	for (size_t i = 0; i < 3; i++) {
		int64_t before = nanotime(), d = 0;
		assert_int_equal(deadline_from_abstime(CLOCK_REALTIME, &cases[i], &d), 0);
		int64_t after = nanotime();
		assert_in_range(d, before, after);
	}
	struct timespec mpast = {mono.tv_sec - 1, mono.tv_nsec};
	int64_t before = nanotime(), d = 0;
	assert_int_equal(deadline_from_abstime(CLOCK_MONOTONIC, &mpast, &d), 0);
	assert_in_range(d, before, nanotime());
}

static void test_deadline_realtime_converts_to_monotonic(void **state)
{
	struct timespec rt;
	int64_t m0 = nanotime();
	clock_gettime(CLOCK_REALTIME, &rt);
	rt.tv_sec += 2;
	int64_t d = 0;
	assert_int_equal(deadline_from_abstime(CLOCK_REALTIME, &rt, &d), 0);
	int64_t m1 = nanotime();
	/* d = (monotonic now) + 2 s - (time spent since rt was read); the slack
	 * covers only the two clocks' rates drifting apart meanwhile */
	const int64_t slack = 1000000;   /* 1 ms */
	assert_in_range(d, m0 + 2000000000 - slack, m1 + 2000000000 + slack);
}

static void test_deadline_monotonic_is_the_same_instant(void **state)
{
	struct timespec mono;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	mono.tv_sec += 1;
	mono.tv_nsec = mono.tv_nsec >= 500000000 ? mono.tv_nsec - 500000000 : mono.tv_nsec + 500000000;
	int64_t want = ts_ns(mono), d = 0;
	int64_t before = nanotime();
	assert_int_equal(deadline_from_abstime(CLOCK_MONOTONIC, &mono, &d), 0);
	int64_t after = nanotime();
	/* exact but for the time between the function's own two clock reads */
	assert_in_range(d, want, want + (after - before));
}

static void test_deadline_far_future_does_not_overflow(void **state)
{
	struct timespec far = {LONG_MAX, 999999999};
	int64_t d = 0;
	assert_int_equal(deadline_from_abstime(CLOCK_REALTIME, &far, &d), 0);
	assert_true(d > nanotime() + 1000000000LL * 3600 * 24 * 365 * 100);
	assert_true(d != NO_DEADLINE);   /* still a finite, timed wait */
}

int main(void)
{
	unit_watchdog(20);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_timers_run_fires_due_timers_in_deadline_order, reset),
		cmocka_unit_test_setup(test_timers_run_fires_nothing_before_deadline, reset),
		cmocka_unit_test_setup(test_timers_order_survives_heap_growth, reset),
		cmocka_unit_test_setup(test_timer_stop_removes_queued_timer, reset),
		cmocka_unit_test_setup(test_timers_match_a_model_under_random_start_stop_run, reset),
		cmocka_unit_test_setup(test_timers_next_reports_earliest, reset),
		cmocka_unit_test(test_deadline_rejects_bad_nsec),
		cmocka_unit_test(test_deadline_rejects_bad_clock),
		cmocka_unit_test(test_deadline_in_the_past_expires_now),
		cmocka_unit_test(test_deadline_realtime_converts_to_monotonic),
		cmocka_unit_test(test_deadline_monotonic_is_the_same_instant),
		cmocka_unit_test(test_deadline_far_future_does_not_overflow),
	};
	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
