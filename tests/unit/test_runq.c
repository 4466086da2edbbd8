/*
 * Per-P run queues (sched/runq.c): FIFO order, the runnext slot, overflow of
 * the 256-slot ring into the global queue, stealing half, runq_empty.
 * struct p and struct g are built directly; no scheduler is running.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "sched/internal.h"
#include "tests/unit/unit_helpers.h"

#define NG (RUNQ_SIZE * 2 + 8)
static struct p p1, p2;
static struct g gs[NG];

static int reset(void **state)
{
	memset(&p1, 0, sizeof p1);
	memset(&p2, 0, sizeof p2);
	p1.id = 0;
	p2.id = 1;
	memset(gs, 0, sizeof gs);
	memset(&sched, 0, sizeof sched);
	sched_procs = 2;
	return 0;
}

/* Drains p's queue, checking it yields exactly gs[first .. first+n-1] in order. */
static void expect_local(struct p *p, int first, int n)
{
	for (int i = 0; i < n; i++)
		assert_ptr_equal(runq_get(p), &gs[first + i]);
	assert_null(runq_get(p));
}

static struct g *glob_get_one(struct p *p)
{
	spin_acquire(&sched.lock);
	struct g *g = globrunq_get(p, 1);
	spin_release(&sched.lock);
	return g;
}

static void test_runq_get_is_fifo(void **state)
{
	for (int i = 0; i < 10; i++)
		runq_put(&p1, &gs[i], false);
	expect_local(&p1, 0, 10);
}

static void test_runq_fifo_across_ring_wraparound(void **state)
{
	/* head and tail pass the ring's end several times */
	int next_in = 0, next_out = 0;
	for (int round = 0; round < 6; round++) {
		for (int i = 0; i < 200; i++)
			runq_put(&p1, &gs[(next_in++) % NG], false);
		for (int i = 0; i < 200; i++)
			assert_ptr_equal(runq_get(&p1), &gs[(next_out++) % NG]);
	}
	assert_null(runq_get(&p1));
	assert_int_equal(atomic_load(&sched.runq_size), 0);   /* nothing overflowed */
}

static void test_runq_runnext_is_taken_first(void **state)
{
	runq_put(&p1, &gs[0], false);
	runq_put(&p1, &gs[1], false);
	runq_put(&p1, &gs[2], true);
	assert_ptr_equal(runq_get(&p1), &gs[2]);
	expect_local(&p1, 0, 2);
}

static void test_runq_runnext_displaced_to_tail(void **state)
{
	runq_put(&p1, &gs[0], false);
	runq_put(&p1, &gs[1], true);
	runq_put(&p1, &gs[2], true);   /* gs[1] moves to the tail, after gs[0] */
	assert_ptr_equal(atomic_load(&p1.runnext), &gs[2]);
	assert_ptr_equal(runq_get(&p1), &gs[2]);
	assert_ptr_equal(runq_get(&p1), &gs[0]);
	assert_ptr_equal(runq_get(&p1), &gs[1]);
	assert_null(runq_get(&p1));
}

/* Two Gs handing off through runnext must not starve the queue forever. */
static void test_runq_runnext_streak_lets_the_head_run(void **state)
{
	runq_put(&p1, &gs[0], false);   /* waits at the head */
	int head_at = -1;
	for (int i = 0; i < 1000 && head_at < 0; i++) {
		struct g *next = &gs[1 + i % 2];   /* a ping-pong pair */
		runq_put(&p1, next, true);
		struct g *g = runq_get(&p1);
		if (g == &gs[0]) {
			head_at = i;
			assert_ptr_equal(runq_get(&p1), next);   /* runnext right after */
		} else {
			assert_ptr_equal(g, next);
		}
	}
	if (head_at < 0)
		fail_msg("the queue's head never ran during 1000 runnext hand-offs");
	assert_true(head_at > 0);   /* runnext is still preferred at first */
	assert_null(runq_get(&p1));
}

static void test_runq_streak_limit_with_empty_queue_still_takes_runnext(void **state)
{
	for (int i = 0; i < 1000; i++) {
		runq_put(&p1, &gs[i % 2], true);
		assert_ptr_equal(runq_get(&p1), &gs[i % 2]);
	}
	assert_true(runq_empty(&p1));
}

static void test_runq_overflow_moves_half_to_global(void **state)
{
	for (int i = 0; i < RUNQ_SIZE; i++)
		runq_put(&p1, &gs[i], false);
	assert_int_equal(atomic_load(&sched.runq_size), 0);   /* exactly full: no overflow yet */
	runq_put(&p1, &gs[RUNQ_SIZE], false);
	/* the older half and the newcomer went to the global queue */
	assert_int_equal(atomic_load(&sched.runq_size), RUNQ_SIZE / 2 + 1);
	for (int i = 0; i < RUNQ_SIZE / 2; i++)
		assert_ptr_equal(glob_get_one(&p2), &gs[i]);
	assert_ptr_equal(glob_get_one(&p2), &gs[RUNQ_SIZE]);
	assert_null(glob_get_one(&p2));
	assert_int_equal(atomic_load(&sched.runq_size), 0);
	assert_null(sched.runq_head);
	assert_null(sched.runq_tail);
	/* globrunq_get(max 1) put nothing on p2; p1 kept the newer half, in order */
	assert_true(runq_empty(&p2));
	expect_local(&p1, RUNQ_SIZE / 2, RUNQ_SIZE / 2);
}

static void test_globrunq_get_moves_a_share_to_local(void **state)
{
	spin_acquire(&sched.lock);
	for (int i = 0; i < 10; i++)
		globrunq_put(&gs[i]);
	struct g *g = globrunq_get(&p2, 0);   /* 10 / 2 procs + 1 = 6 taken */
	spin_release(&sched.lock);
	assert_ptr_equal(g, &gs[0]);
	assert_int_equal(atomic_load(&sched.runq_size), 4);
	expect_local(&p2, 1, 5);
	for (int i = 6; i < 10; i++)
		assert_ptr_equal(glob_get_one(&p1), &gs[i]);
	assert_null(glob_get_one(&p1));
}

static void test_runq_steal_takes_half(void **state)
{
	for (int i = 0; i < 10; i++)
		runq_put(&p1, &gs[i], false);
	/* the thief takes the oldest five and returns the last of them to run */
	assert_ptr_equal(runq_steal(&p2, &p1, false), &gs[4]);
	expect_local(&p2, 0, 4);
	expect_local(&p1, 5, 5);
}

static void test_runq_steal_rounds_half_up(void **state)
{
	for (int i = 0; i < 7; i++)
		runq_put(&p1, &gs[i], false);
	assert_ptr_equal(runq_steal(&p2, &p1, false), &gs[3]);
	expect_local(&p2, 0, 3);
	expect_local(&p1, 4, 3);
}

static void test_runq_steal_from_empty_is_null(void **state)
{
	assert_null(runq_steal(&p2, &p1, false));
	assert_null(runq_steal(&p2, &p1, true));
	assert_true(runq_empty(&p2));
}

static void test_runq_steal_runnext_only_when_asked(void **state)
{
	runq_put(&p1, &gs[7], true);
	assert_null(runq_steal(&p2, &p1, false));
	assert_ptr_equal(atomic_load(&p1.runnext), &gs[7]);   /* still the victim's */
	assert_false(runq_empty(&p1));
	assert_ptr_equal(runq_steal(&p2, &p1, true), &gs[7]);
	assert_null(atomic_load(&p1.runnext));
	assert_true(runq_empty(&p1));
	assert_true(runq_empty(&p2));   /* the stolen G is returned, not queued */
}

static void test_runq_steal_prefers_queue_over_runnext(void **state)
{
	runq_put(&p1, &gs[0], false);
	runq_put(&p1, &gs[1], false);
	runq_put(&p1, &gs[9], true);
	assert_ptr_equal(runq_steal(&p2, &p1, true), &gs[0]);
	assert_ptr_equal(atomic_load(&p1.runnext), &gs[9]);
	assert_ptr_equal(runq_get(&p1), &gs[9]);
	expect_local(&p1, 1, 1);
}

static void test_runq_empty(void **state)
{
	assert_true(runq_empty(&p1));
	runq_put(&p1, &gs[0], true);          /* runnext only */
	assert_false(runq_empty(&p1));
	assert_ptr_equal(runq_get(&p1), &gs[0]);
	assert_true(runq_empty(&p1));
	runq_put(&p1, &gs[1], false);         /* ring only */
	assert_false(runq_empty(&p1));
	assert_ptr_equal(runq_get(&p1), &gs[1]);
	assert_true(runq_empty(&p1));
}

/*
 * The lock-free protocol under real concurrency: an owner thread puts
 * (sometimes as runnext, sometimes overflowing) and gets on its P while two
 * thieves, each owning a P of its own, steal from it (sometimes runnext).
 * Every G must come out exactly once, whoever takes it.
 */
enum { CG = 20000, THIEVES = 2 };
static struct g cgs[CG];
static struct p thief_p[THIEVES];
static _Atomic int taken[CG];
static _Atomic bool owner_done;
static _Atomic int bad_g;

static void take(struct g *g)
{
	if (g < cgs || g >= cgs + CG)
		atomic_fetch_add(&bad_g, 1);
	else
		atomic_fetch_add(&taken[g - cgs], 1);
}

static void *owner(void *arg)
{
	for (int i = 0; i < CG; i++) {
		runq_put(&p1, &cgs[i], i % 5 == 0);
		if (i % 3 == 0) {
			struct g *g = runq_get(&p1);
			if (g)
				take(g);
		}
		if (i % 1000 == 999) {   /* now and then a burst that overflows */
			for (int k = 0; k < 300 && i + 1 < CG; k++) {
				i++;
				runq_put(&p1, &cgs[i], false);
			}
		}
	}
	atomic_store(&owner_done, true);
	return NULL;
}

static void *thief(void *arg)
{
	struct p *me = arg;
	for (uint32_t k = 0;; k++) {
		bool done = atomic_load(&owner_done);
		struct g *g = runq_steal(me, &p1, k % 4 == 0);
		if (g)
			take(g);
		while ((g = runq_get(me)))
			take(g);
		if (done && !g && runq_empty(&p1))
			return NULL;
	}
}

static void concurrent_round(void)
{
	memset(&p1, 0, sizeof p1);
	memset(&sched, 0, sizeof sched);
	memset(cgs, 0, sizeof cgs);
	memset(thief_p, 0, sizeof thief_p);
	for (int i = 0; i < CG; i++)
		atomic_store(&taken[i], 0);
	atomic_store(&owner_done, false);
	atomic_store(&bad_g, 0);
	sched_procs = 1 + THIEVES;
	pthread_t o, t[THIEVES];
	for (int i = 0; i < THIEVES; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thief, &thief_p[i]), 0);
	assert_int_equal(pthread_create(&o, NULL, owner, NULL), 0);
	pthread_join(o, NULL);
	for (int i = 0; i < THIEVES; i++)
		pthread_join(t[i], NULL);
	/* whatever is left: p1 (the thieves stop only once it looked empty) and the global queue */
	struct g *g;
	while ((g = runq_get(&p1)))
		take(g);
	while ((g = glob_get_one(&p1)))
		take(g);
	assert_int_equal(atomic_load(&bad_g), 0);
	int missing = 0, dup = 0;
	for (int i = 0; i < CG; i++) {
		missing += atomic_load(&taken[i]) == 0;
		dup += atomic_load(&taken[i]) > 1;
	}
	if (missing || dup)
		fail_msg("%d Gs never came out, %d came out more than once", missing, dup);
	assert_true(atomic_load(&sched.runq_size) == 0);
}

static void test_runq_concurrent_put_get_steal_delivers_each_g_once(void **state)
{
	for (int round = 0; round < 10; round++)
		concurrent_round();
}

int main(void)
{
	unit_watchdog(20);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_runq_get_is_fifo, reset),
		cmocka_unit_test_setup(test_runq_fifo_across_ring_wraparound, reset),
		cmocka_unit_test_setup(test_runq_runnext_is_taken_first, reset),
		cmocka_unit_test_setup(test_runq_runnext_displaced_to_tail, reset),
		cmocka_unit_test_setup(test_runq_runnext_streak_lets_the_head_run, reset),
		cmocka_unit_test_setup(test_runq_streak_limit_with_empty_queue_still_takes_runnext, reset),
		cmocka_unit_test_setup(test_runq_overflow_moves_half_to_global, reset),
		cmocka_unit_test_setup(test_globrunq_get_moves_a_share_to_local, reset),
		cmocka_unit_test_setup(test_runq_steal_takes_half, reset),
		cmocka_unit_test_setup(test_runq_steal_rounds_half_up, reset),
		cmocka_unit_test_setup(test_runq_steal_from_empty_is_null, reset),
		cmocka_unit_test_setup(test_runq_steal_runnext_only_when_asked, reset),
		cmocka_unit_test_setup(test_runq_steal_prefers_queue_over_runnext, reset),
		cmocka_unit_test_setup(test_runq_empty, reset),
		cmocka_unit_test_setup(test_runq_concurrent_put_get_steal_delivers_each_g_once, reset),
	};
	return cmocka_run_group_tests_name("runq", tests, NULL, NULL);
}
