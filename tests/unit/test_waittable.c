/* The wait table, driven from plain threads (the path of threads goro did not create). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>

#include "sched/internal.h"

static void test_value_differs_is_eagain(void **state)
{
	_Atomic uint32_t word = 7;
	assert_int_equal(wait_on(&word, 6, NO_DEADLINE, "test"), EAGAIN);
}

static void test_deadline_is_etimedout(void **state)
{
	_Atomic uint32_t word = 1;
	int64_t start = nanotime();
	assert_int_equal(wait_on(&word, 1, start + 30000000, "test"), ETIMEDOUT);
	assert_true(nanotime() - start >= 30000000);
	assert_int_equal(wait_on(&word, 1, start, "test"), ETIMEDOUT);   /* already past */
}

static _Atomic uint32_t gate;
static _Atomic int done, parked;

static void *waiter(void *arg)
{
	atomic_fetch_add(&parked, 1);
	while (atomic_load(&gate) == 0)
		wait_on(&gate, 0, NO_DEADLINE, "test");
	atomic_fetch_add(&done, 1);
	return NULL;
}

static void test_wake_wakes_exactly_n(void **state)
{
	pthread_t t[4];
	atomic_store(&gate, 0);
	atomic_store(&done, 0);
	atomic_store(&parked, 0);
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	while (atomic_load(&parked) < 4)
		usleep(1000);
	usleep(50000);   /* all four are asleep in the table */
	assert_int_equal(wake_on(&gate, 1), 1);   /* gate still 0: that one waits again */
	usleep(50000);
	assert_int_equal(atomic_load(&done), 0);
	atomic_store(&gate, 1);
	assert_int_equal(wake_on(&gate, 2), 2);
	usleep(50000);
	assert_int_equal(atomic_load(&done), 2);
	assert_int_equal(wake_on(&gate, 100), 2);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&done), 4);
	assert_int_equal(wake_on(&gate, 1), 0);
}

/* Ping-pong through one word: a lost wake-up hangs (and the test times out). */
static _Atomic uint32_t turn;
enum { ROUNDS = 20000 };

static void *pong(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		while (atomic_load(&turn) != 1)
			wait_on(&turn, 0, NO_DEADLINE, "test");
		atomic_store(&turn, 0);
		wake_on(&turn, 1);
	}
	return NULL;
}

static void test_no_lost_wakeups(void **state)
{
	pthread_t t;
	atomic_store(&turn, 0);
	pthread_create(&t, NULL, pong, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		atomic_store(&turn, 1);
		wake_on(&turn, 1);
		while (atomic_load(&turn) != 0)
			wait_on(&turn, 1, NO_DEADLINE, "test");
	}
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&turn), 0);
}

static _Atomic uint32_t bitword;
static _Atomic int woke_mask1, woke_mask2, bit_parked;

static void *bit_waiter(void *arg)
{
	uint32_t mask = (uint32_t)(uintptr_t)arg;
	atomic_fetch_add(&bit_parked, 1);
	while (atomic_load(&bitword) == 0)
		wait_on_bitset(&bitword, 0, NO_DEADLINE, "test", mask);
	atomic_fetch_add(mask == 1 ? &woke_mask1 : &woke_mask2, 1);
	return NULL;
}

static void test_bitset_selects_waiters(void **state)
{
	pthread_t a, b;
	pthread_create(&a, NULL, bit_waiter, (void *)(uintptr_t)1);
	pthread_create(&b, NULL, bit_waiter, (void *)(uintptr_t)2);
	while (atomic_load(&bit_parked) < 2)
		usleep(1000);
	usleep(50000);
	atomic_store(&bitword, 1);
	assert_int_equal(wake_on_bitset(&bitword, 10, 1), 1);
	pthread_join(a, NULL);
	assert_int_equal(atomic_load(&woke_mask1), 1);
	assert_int_equal(atomic_load(&woke_mask2), 0);
	assert_int_equal(wake_on_bitset(&bitword, 10, 2), 1);
	pthread_join(b, NULL);
	assert_int_equal(atomic_load(&woke_mask2), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_differs_is_eagain),
		cmocka_unit_test(test_deadline_is_etimedout),
		cmocka_unit_test(test_wake_wakes_exactly_n),
		cmocka_unit_test(test_no_lost_wakeups),
		cmocka_unit_test(test_bitset_selects_waiters),
	};
	return cmocka_run_group_tests_name("waittable", tests, NULL, NULL);
}
