/* Per-P run queues: order, runnext, overflow to the global queue, stealing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "sched/internal.h"

static struct p p1, p2;
static struct g gs[600];

static int setup(void **state)
{
	memset(&p1, 0, sizeof p1);
	memset(&p2, 0, sizeof p2);
	memset(gs, 0, sizeof gs);
	memset(&sched, 0, sizeof sched);
	sched_procs = 2;
	return 0;
}

static void test_fifo_order(void **state)
{
	for (int i = 0; i < 10; i++)
		runq_put(&p1, &gs[i], false);
	for (int i = 0; i < 10; i++)
		assert_ptr_equal(runq_get(&p1), &gs[i]);
	assert_null(runq_get(&p1));
	assert_true(runq_empty(&p1));
}

static void test_runnext_first_and_displaced(void **state)
{
	runq_put(&p1, &gs[0], false);
	runq_put(&p1, &gs[1], true);
	runq_put(&p1, &gs[2], true);   /* displaces gs[1] to the tail */
	assert_ptr_equal(runq_get(&p1), &gs[2]);
	assert_ptr_equal(runq_get(&p1), &gs[0]);
	assert_ptr_equal(runq_get(&p1), &gs[1]);
	assert_null(runq_get(&p1));
}

static void test_overflow_moves_half_to_global(void **state)
{
	for (int i = 0; i < RUNQ_SIZE + 1; i++)
		runq_put(&p1, &gs[i], false);
	/* the 257th put moved the older half plus itself to the global queue */
	assert_int_equal(atomic_load(&sched.runq_size), RUNQ_SIZE / 2 + 1);
	int local = 0;
	while (runq_get(&p1))
		local++;
	assert_int_equal(local, RUNQ_SIZE / 2);
	spin_acquire(&sched.lock);
	struct g *g = globrunq_get(&p2, 1);
	spin_release(&sched.lock);
	assert_ptr_equal(g, &gs[0]);   /* oldest first */
}

static void test_steal_takes_half(void **state)
{
	for (int i = 0; i < 10; i++)
		runq_put(&p1, &gs[i], false);
	struct g *g = runq_steal(&p2, &p1, false);
	assert_ptr_equal(g, &gs[4]);   /* thief runs the last of the five it took */
	int left_victim = 0, got_thief = 0;
	while (runq_get(&p2))
		got_thief++;
	while (runq_get(&p1))
		left_victim++;
	assert_int_equal(got_thief, 4);
	assert_int_equal(left_victim, 5);
}

static void test_runnext_stolen_only_when_asked(void **state)
{
	runq_put(&p1, &gs[7], true);
	assert_null(runq_steal(&p2, &p1, false));
	assert_ptr_equal(runq_steal(&p2, &p1, true), &gs[7]);
	assert_true(runq_empty(&p1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fifo_order, setup),
		cmocka_unit_test_setup(test_runnext_first_and_displaced, setup),
		cmocka_unit_test_setup(test_overflow_moves_half_to_global, setup),
		cmocka_unit_test_setup(test_steal_takes_half, setup),
		cmocka_unit_test_setup(test_runnext_stolen_only_when_asked, setup),
	};
	return cmocka_run_group_tests_name("runq", tests, NULL, NULL);
}
