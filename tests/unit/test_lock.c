/*
 * The word lock (sched/lock.c) from plain threads: mutual exclusion under
 * contention (with and without the multi-P spin), trylock, timed lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>

#include "sched/internal.h"
#include "tests/unit/unit_helpers.h"

#define MS 1000000LL

enum { THREADS = 4, ROUNDS = 20000 };
static _Atomic uint32_t lockword;
static volatile long counter;      /* only the lock protects it */
static _Atomic int inside, overlaps, lock_errors;

static void *adder(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		/* every holder lets go within microseconds: a 2 s timeout means a
		 * lost wake-up, and the thread gives up rather than hang the test */
		if (word_lock(&lockword, nanotime() + 2000 * MS, "test") != 0) {
			atomic_fetch_add(&lock_errors, 1);
			break;
		}
		if (atomic_fetch_add(&inside, 1) != 0)
			atomic_fetch_add(&overlaps, 1);
		long v = counter;             /* a wide read-modify-write window */
		for (int k = 0; k < 20; k++)
			cpu_relax();
		if (i % 64 == 0) {            /* now and then hold it long enough that */
			int64_t until = nanotime() + 50000;   /* the others sleep in the table */
			while (nanotime() < until)
				cpu_relax();
		}
		counter = v + 1;
		atomic_fetch_sub(&inside, 1);
		word_unlock(&lockword);
	}
	return NULL;
}

static void run_contention(int procs)
{
	sched_procs = procs;   /* > 1 lets word_lock spin before waiting */
	atomic_store(&lockword, 0);
	counter = 0;
	atomic_store(&overlaps, 0);
	atomic_store(&lock_errors, 0);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, adder, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&lock_errors), 0);
	assert_int_equal(atomic_load(&overlaps), 0);
	assert_int_equal(counter, (long)THREADS * ROUNDS);
	assert_int_equal(atomic_load(&lockword), 0);   /* free, no waiter mark left */
}

static void test_word_lock_mutual_exclusion_one_proc(void **state) { run_contention(1); }
static void test_word_lock_mutual_exclusion_spinning(void **state) { run_contention(4); }

static void test_word_trylock(void **state)
{
	_Atomic uint32_t w = 0;
	assert_true(word_trylock(&w));
	assert_int_equal(atomic_load(&w), 1);
	assert_false(word_trylock(&w));
	assert_int_equal(atomic_load(&w), 1);   /* a failed trylock changes nothing */
	word_unlock(&w);
	assert_int_equal(atomic_load(&w), 0);
	atomic_store(&w, 2);                    /* held, with waiters */
	assert_false(word_trylock(&w));
	assert_int_equal(atomic_load(&w), 2);
}

static void test_word_lock_times_out_while_held(void **state)
{
	sched_procs = 2;
	_Atomic uint32_t w = 0;
	assert_true(word_trylock(&w));
	int64_t start = nanotime();
	assert_int_equal(word_lock(&w, start + 30 * MS, "test"), ETIMEDOUT);
	int64_t took = nanotime() - start;
	assert_true(took >= 30 * MS);
	assert_true(took < 2000 * MS);
	start = nanotime();
	assert_int_equal(word_lock(&w, start - 1, "test"), ETIMEDOUT);   /* deadline already past */
	assert_true(nanotime() - start < 1000 * MS);
	assert_int_not_equal(atomic_load(&w), 0);   /* still held */
	word_unlock(&w);
	assert_int_equal(atomic_load(&w), 0);
	assert_int_equal(word_lock(&w, nanotime() - 1, "test"), 0);   /* free: no wait needed */
	word_unlock(&w);
}

struct timed_arg {
	_Atomic uint32_t *w;
	_Atomic int tid;
	int result;
	int64_t took;
};

static void *timed_locker(void *p)
{
	struct timed_arg *a = p;
	atomic_store(&a->tid, unit_gettid());
	int64_t start = nanotime();
	a->result = word_lock(a->w, start + 5000 * MS, "test");
	a->took = nanotime() - start;
	if (a->result == 0)
		word_unlock(a->w);
	return NULL;
}

static void test_word_unlock_wakes_timed_waiter_before_deadline(void **state)
{
	sched_procs = 1;
	static _Atomic uint32_t w;
	atomic_store(&w, 0);
	assert_true(word_trylock(&w));
	struct timed_arg a = {.w = &w};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, timed_locker, &a), 0);
	while (atomic_load(&a.tid) == 0)
		unit_sleep_ms(1);
	assert_true(unit_wait_in_futex(a.tid, 5000));
	assert_int_equal(atomic_load(&w), 2);   /* the waiter marked the lock contended */
	word_unlock(&w);
	pthread_join(t, NULL);
	assert_int_equal(a.result, 0);
	assert_true(a.took < 4000 * MS);
	assert_int_equal(atomic_load(&w), 0);
}

int main(void)
{
	unit_watchdog(20);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_word_lock_mutual_exclusion_one_proc),
		cmocka_unit_test(test_word_lock_mutual_exclusion_spinning),
		cmocka_unit_test(test_word_trylock),
		cmocka_unit_test(test_word_lock_times_out_while_held),
		cmocka_unit_test(test_word_unlock_wakes_timed_waiter_before_deadline),
	};
	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
