/*
 * The wait table (sched/waittable.c) on the path of threads goro did not
 * create: the shim is not linked in, so pthread_create is glibc's and every
 * thread here is a plain OS thread (g_current() == NULL), which blocks in
 * futex(2) on its own wait record.
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

static void test_wait_on_returns_eagain_when_value_differs(void **state)
{
	_Atomic uint32_t word = 7;
	int64_t start = nanotime();
	/* a finite deadline, so a wrongly blocking wait fails instead of hanging */
	assert_int_equal(wait_on(&word, 6, start + 2000 * MS, "test"), EAGAIN);
	assert_int_equal(wait_on(&word, 8, NO_DEADLINE, "test"), EAGAIN);
	assert_int_equal(wait_on(&word, 6, start - 1, "test"), EAGAIN);   /* past deadline too */
	assert_true(nanotime() - start < 1000 * MS);
	assert_int_equal(wake_on(&word, 1), 0);   /* nothing was left queued */
}

static void test_wait_on_times_out_at_deadline(void **state)
{
	assert_null(g_current());
	_Atomic uint32_t word = 1;
	int64_t start = nanotime();
	assert_int_equal(wait_on(&word, 1, start + 30 * MS, "test"), ETIMEDOUT);
	int64_t took = nanotime() - start;
	assert_true(took >= 30 * MS);
	assert_true(took < 2000 * MS);
	/* the timed-out waiter left the table: a wake finds nobody */
	assert_int_equal(wake_on(&word, 1), 0);
	start = nanotime();
	assert_int_equal(wait_on(&word, 1, start, "test"), ETIMEDOUT);   /* already due */
	assert_true(nanotime() - start < 1000 * MS);
}

/* A waiter that timed out must have left the table. The thread stays alive
 * and spins without calls afterwards, so a record wrongly left queued would
 * still look valid on its stack, and wake_on would count it. */
static _Atomic int timed_out_result = -1;
static _Atomic bool release_spinner;
static _Atomic uint32_t timeout_word = 1;

static void *time_out_then_spin(void *arg)
{
	atomic_store(&timed_out_result, wait_on(&timeout_word, 1, nanotime() + 20 * MS, "test"));
	while (!atomic_load(&release_spinner))
		cpu_relax();
	return NULL;
}

static void test_timed_out_waiter_leaves_the_table(void **state)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, time_out_then_spin, NULL), 0);
	int64_t until = nanotime() + 5000 * MS;
	while (atomic_load(&timed_out_result) == -1 && nanotime() < until)
		unit_sleep_ms(1);
	int woken = wake_on(&timeout_word, 10);
	atomic_store(&release_spinner, true);
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&timed_out_result), ETIMEDOUT);
	assert_int_equal(woken, 0);
}

/* ---- waking exactly n ---- */

enum { NWAIT = 5 };
struct waiter_arg {
	_Atomic uint32_t *word;
	uint32_t val, bitset;
	_Atomic int tid;
	_Atomic int returned;
	int result;
	bool was_g;
};

static void *waiter(void *p)
{
	struct waiter_arg *a = p;
	a->was_g = g_current() != NULL;
	atomic_store(&a->tid, unit_gettid());
	/* 5 s, so a wake-up that never comes fails the test instead of hanging it */
	a->result = wait_on_bitset(a->word, a->val, nanotime() + 5000 * MS, "test", a->bitset);
	atomic_store(&a->returned, 1);
	return NULL;
}

static void start_waiters(pthread_t *t, struct waiter_arg *a, int n, _Atomic uint32_t *word, uint32_t bitset)
{
	for (int i = 0; i < n; i++) {
		a[i] = (struct waiter_arg){.word = word, .val = atomic_load(word), .bitset = bitset, .result = -1};
		assert_int_equal(pthread_create(&t[i], NULL, waiter, &a[i]), 0);
	}
	for (int i = 0; i < n; i++) {
		while (atomic_load(&a[i].tid) == 0)
			unit_sleep_ms(1);
		assert_true(unit_wait_in_futex(a[i].tid, 5000));
	}
}

static int count_returned(struct waiter_arg *a, int n)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += atomic_load(&a[i].returned);
	return c;
}

static void wait_returned(struct waiter_arg *a, int n, int want)
{
	int64_t until = nanotime() + 5000 * MS;
	while (count_returned(a, n) < want && nanotime() < until)
		unit_sleep_ms(1);
}

static void test_wake_on_wakes_exactly_n(void **state)
{
	static _Atomic uint32_t word;
	pthread_t t[NWAIT];
	static struct waiter_arg a[NWAIT];   /* static: outlives a failed assertion */
	start_waiters(t, a, NWAIT, &word, ~0u);

	assert_int_equal(wake_on(&word, 2), 2);
	wait_returned(a, NWAIT, 2);
	unit_sleep_ms(50);   /* time for a wrongly woken third one to show up */
	assert_int_equal(count_returned(a, NWAIT), 2);
	for (int i = 0; i < NWAIT; i++) {
		if (atomic_load(&a[i].returned))
			assert_int_equal(a[i].result, 0);
		else
			assert_true(unit_in_futex(a[i].tid));   /* still asleep */
	}

	assert_int_equal(wake_on(&word, 100), NWAIT - 2);
	for (int i = 0; i < NWAIT; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].result, 0);
		assert_false(a[i].was_g);
	}
	assert_int_equal(wake_on(&word, 100), 0);
}

/* Two words that hash to the same bucket (the hash of waittable.c's bucket_of;
 * if it changes, the test still checks the address filter, less sharply). */
static uint32_t hash_bucket(void *addr)
{
	return (uint32_t)((((uintptr_t)addr >> 2) * 0x9e3779b97f4a7c15ULL) >> (64 - 12));
}

static void test_wake_on_other_address_in_same_bucket_wakes_nobody(void **state)
{
	static _Atomic uint32_t words[8192];
	_Atomic uint32_t *x = &words[0], *y = NULL;
	for (int i = 1; i < 8192 && !y; i++)
		if (hash_bucket((void *)&words[i]) == hash_bucket((void *)x))
			y = &words[i];
	assert_non_null(y);
	pthread_t t;
	static struct waiter_arg a[1];
	start_waiters(&t, a, 1, y, ~0u);
	assert_int_equal(wake_on(x, 10), 0);
	unit_sleep_ms(20);
	assert_int_equal(atomic_load(&a[0].returned), 0);
	assert_int_equal(wake_on(y, 10), 1);
	pthread_join(t, NULL);
	assert_int_equal(a[0].result, 0);
}

static void test_wake_on_bitset_selects_waiters(void **state)
{
	static _Atomic uint32_t word;
	pthread_t t[2];
	static struct waiter_arg a[2];
	start_waiters(&t[0], &a[0], 1, &word, 1);
	start_waiters(&t[1], &a[1], 1, &word, 6);
	assert_int_equal(wake_on_bitset(&word, 10, 8), 0);
	assert_int_equal(wake_on_bitset(&word, 10, 1), 1);
	pthread_join(t[0], NULL);
	unit_sleep_ms(20);
	assert_int_equal(atomic_load(&a[1].returned), 0);
	assert_int_equal(wake_on_bitset(&word, 10, 2), 1);
	pthread_join(t[1], NULL);
	assert_int_equal(a[0].result, 0);
	assert_int_equal(a[1].result, 0);
}

/* ---- no lost wake-ups ---- */

/*
 * Every wait has a 1 s deadline. The partner always wakes within
 * microseconds, so a wait that lasts even half that long (whether it reports
 * ETIMEDOUT or a late wake-up) means a wake-up was lost; it is counted and
 * every loop gives up instead of hanging the test.
 */
#define STRESS_DEADLINE (1000 * MS)
static _Atomic int lost;

/* false once any wake-up was lost. spin: pause-loops to poll the word
 * before waiting, so that the partner, still awake, often changes it and
 * wakes right while this thread is entering wait_on. */
static bool wait_until_equal(_Atomic uint32_t *w, uint32_t want, int spin)
{
	for (int i = 0; i < spin; i++) {
		if (atomic_load(w) == want)
			return true;
		cpu_relax();
	}
	uint32_t v;
	while ((v = atomic_load(w)) != want) {
		int64_t start = nanotime();
		wait_on(w, v, start + STRESS_DEADLINE, "test");
		if (nanotime() - start >= STRESS_DEADLINE / 2)
			atomic_fetch_add(&lost, 1);
		if (atomic_load(&lost))
			return false;
	}
	return true;
}

static _Atomic uint32_t turn;
static bool pingpong_spins;
static int pingpong_rounds;

static int spin_for_round(int i) { return pingpong_spins ? (i * 37) % 300 : 0; }

static void *pong(void *arg)
{
	for (int i = 0; i < pingpong_rounds; i++) {
		if (!wait_until_equal(&turn, 1, spin_for_round(i)))
			break;
		atomic_store(&turn, 0);
		wake_on(&turn, 1);
	}
	return NULL;
}

static void run_ping_pong(bool spins, int rounds)
{
	pthread_t t;
	pingpong_spins = spins;
	pingpong_rounds = rounds;
	atomic_store(&turn, 0);
	atomic_store(&lost, 0);
	assert_int_equal(pthread_create(&t, NULL, pong, NULL), 0);
	for (int i = 0; i < rounds; i++) {
		atomic_store(&turn, 1);
		wake_on(&turn, 1);
		if (!wait_until_equal(&turn, 0, spin_for_round(i * 3)))
			break;
	}
	pthread_join(t, NULL);
	assert_int_equal(atomic_load(&lost), 0);
}

/* both sides block in the kernel every round */
static void test_no_lost_wakeup_ping_pong(void **state) { run_ping_pong(false, 5000); }
/* both sides first poll for a varying while: wake-ups race with entering the wait */
static void test_no_lost_wakeup_ping_pong_racing(void **state) { run_ping_pong(true, 30000); }

/* Several waiters on one word, woken all at once, round after round. */
enum { BCAST_THREADS = 4, BCAST_ROUNDS = 1000 };
static _Atomic uint32_t generation, acks;

static void *bcast_worker(void *arg)
{
	for (uint32_t r = 1; r <= BCAST_ROUNDS; r++) {
		if (!wait_until_equal(&generation, r, (int)(r * 13) % 200))
			break;
		if (atomic_fetch_add(&acks, 1) + 1 == r * BCAST_THREADS)
			wake_on(&acks, 1);
	}
	return NULL;
}

static void test_no_lost_wakeup_broadcast(void **state)
{
	pthread_t t[BCAST_THREADS];
	atomic_store(&generation, 0);
	atomic_store(&acks, 0);
	atomic_store(&lost, 0);
	for (int i = 0; i < BCAST_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, bcast_worker, NULL), 0);
	for (uint32_t r = 1; r <= BCAST_ROUNDS; r++) {
		atomic_store(&generation, r);
		wake_on(&generation, 1 << 30);
		if (!wait_until_equal(&acks, r * BCAST_THREADS, 0))
			break;
	}
	for (int i = 0; i < BCAST_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&lost), 0);
	assert_int_equal(atomic_load(&acks), BCAST_ROUNDS * BCAST_THREADS);
}

int main(void)
{
	unit_watchdog(20);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_on_returns_eagain_when_value_differs),
		cmocka_unit_test(test_wait_on_times_out_at_deadline),
		cmocka_unit_test(test_timed_out_waiter_leaves_the_table),
		cmocka_unit_test(test_wake_on_wakes_exactly_n),
		cmocka_unit_test(test_wake_on_other_address_in_same_bucket_wakes_nobody),
		cmocka_unit_test(test_wake_on_bitset_selects_waiters),
		cmocka_unit_test(test_no_lost_wakeup_ping_pong),
		cmocka_unit_test(test_no_lost_wakeup_ping_pong_racing),
		cmocka_unit_test(test_no_lost_wakeup_broadcast),
	};
	return cmocka_run_group_tests_name("waittable", tests, NULL, NULL);
}
