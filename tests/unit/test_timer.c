/* The timer heap and deadline conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>

#include "sched/internal.h"

static int fired[16], nfired;

static void record(struct timer *t)
{
	fired[nfired++] = (int)(intptr_t)t->arg;
	atomic_store(&t->state, TIMER_IDLE);
}

static void start(struct timer *t, int id, int64_t when)
{
	t->fire = record;
	t->arg = (void *)(intptr_t)id;
	t->heap_index = -1;
	timer_start(t, when);
}

static void test_fire_in_deadline_order_only_due(void **state)
{
	struct timer t[5];
	nfired = 0;
	int64_t base = 1000000;
	start(&t[0], 0, base + 50);
	start(&t[1], 1, base + 10);
	start(&t[2], 2, base + 40);
	start(&t[3], 3, base + 20);
	start(&t[4], 4, base + 1000);
	assert_int_equal(timers_next(), base + 10);
	timers_run(base + 45);
	assert_int_equal(nfired, 3);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 3);
	assert_int_equal(fired[2], 2);
	assert_int_equal(timers_next(), base + 50);
	timers_run(base + 2000);
	assert_int_equal(nfired, 5);
	assert_int_equal(fired[3], 0);
	assert_int_equal(fired[4], 4);
	assert_int_equal(timers_next(), INT64_MAX);
}

static void test_stop_removes_queued_timer(void **state)
{
	struct timer a, b;
	nfired = 0;
	start(&a, 1, 100);
	start(&b, 2, 200);
	timer_stop(&a);
	assert_int_equal(atomic_load(&a.state), TIMER_IDLE);
	assert_int_equal(timers_next(), 200);
	timers_run(1000);
	assert_int_equal(nfired, 1);
	assert_int_equal(fired[0], 2);
}

static void test_deadline_conversion(void **state)
{
	int64_t d;
	struct timespec bad = {0, 1000000000};
	assert_int_equal(deadline_from_abstime(CLOCK_REALTIME, &bad, &d), EINVAL);
	struct timespec neg = {0, -1};
	assert_int_equal(deadline_from_abstime(CLOCK_MONOTONIC, &neg, &d), EINVAL);

	struct timespec past = {1, 0};
	int64_t before = nanotime();
	assert_int_equal(deadline_from_abstime(CLOCK_REALTIME, &past, &d), 0);
	assert_true(d >= before && d <= nanotime());

	struct timespec now_rt;
	clock_gettime(CLOCK_REALTIME, &now_rt);
	now_rt.tv_sec += 2;
	assert_int_equal(deadline_from_abstime(CLOCK_REALTIME, &now_rt, &d), 0);
	int64_t delta = d - nanotime();
	assert_true(delta > 1900000000LL && delta <= 2000000000LL);

	struct timespec now_mono;
	clock_gettime(CLOCK_MONOTONIC, &now_mono);
	now_mono.tv_sec += 1;
	assert_int_equal(deadline_from_abstime(CLOCK_MONOTONIC, &now_mono, &d), 0);
	int64_t expect = (int64_t)now_mono.tv_sec * 1000000000 + now_mono.tv_nsec;
	assert_true(d - expect < 1000000 && expect - d < 1000000);
}

static int reset(void **state)
{
	timers_reset();   /* a failed test must not leave its timers behind */
	nfired = 0;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fire_in_deadline_order_only_due, reset),
		cmocka_unit_test_setup(test_stop_removes_queued_timer, reset),
		cmocka_unit_test(test_deadline_conversion),
	};
	return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
