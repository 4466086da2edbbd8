/* The word lock under contention, and its timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <pthread.h>

#include "sched/internal.h"

static _Atomic uint32_t lockword;
static long counter;   /* plain: only the lock protects it */
enum { THREADS = 4, ROUNDS = 50000 };

static void *adder(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		word_lock(&lockword, NO_DEADLINE, "test");
		counter++;
		word_unlock(&lockword);
	}
	return NULL;
}

static void test_mutual_exclusion(void **state)
{
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, adder, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(counter, (long)THREADS * ROUNDS);
	assert_int_equal(atomic_load(&lockword), 0);
}

static void test_trylock_and_timeout(void **state)
{
	_Atomic uint32_t w = 0;
	assert_true(word_trylock(&w));
	assert_false(word_trylock(&w));
	int64_t start = nanotime();
	assert_int_equal(word_lock(&w, start + 20000000, "test"), ETIMEDOUT);
	assert_true(nanotime() - start >= 20000000);
	word_unlock(&w);
	assert_int_equal(word_lock(&w, nanotime() + 20000000, "test"), 0);
	word_unlock(&w);
	assert_int_equal(atomic_load(&w), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutual_exclusion),
		cmocka_unit_test(test_trylock_and_timeout),
	};
	return cmocka_run_group_tests_name("lock", tests, NULL, NULL);
}
