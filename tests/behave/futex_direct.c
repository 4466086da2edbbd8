// futex_direct: a program that calls syscall(SYS_futex) itself, as Rust's std
// and libstdc++'s atomic wait do: a futex-based lock under contention, a
// timed wait, a wait on a changed value, wake counts, and bitset wake-ups.
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(atomic_uint *addr, int op, unsigned val, const struct timespec *t, unsigned bitset)
{
	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, t, NULL, bitset);
}

/* Drepper's mutex: 0 free, 1 locked, 2 locked with waiters */
static atomic_uint lockword;
static long counter;

static void lock(void)
{
	unsigned c = 0;
	if (atomic_compare_exchange_strong(&lockword, &c, 1))
		return;
	if (c != 2)
		c = atomic_exchange(&lockword, 2);
	while (c != 0) {
		futex(&lockword, FUTEX_WAIT, 2, NULL, 0);
		c = atomic_exchange(&lockword, 2);
	}
}

static void unlock(void)
{
	if (atomic_exchange(&lockword, 0) == 2)
		futex(&lockword, FUTEX_WAKE, 1, NULL, 0);
}

static void *adder(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		lock();
		counter++;
		if (i % 1000 == 0)
			usleep(100);   /* hold the lock while parked: others must wait in the futex */
		unlock();
	}
	return NULL;
}

static atomic_uint gate, woken_a, woken_b;

static void *bitset_waiter(void *arg)
{
	unsigned mask = (unsigned)(uintptr_t)arg;
	while (atomic_load(&gate) == 0)
		futex(&gate, FUTEX_WAIT_BITSET, 0, NULL, mask);
	atomic_fetch_add(mask == 1 ? &woken_a : &woken_b, 1);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, adder, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	printf("futex lock: counter %ld (expected 160000)\n", counter);

	atomic_uint word = 5;
	errno = 0;
	long r = futex(&word, FUTEX_WAIT, 4, NULL, 0);
	printf("wait on a changed value: %ld %s\n", r, errno == EAGAIN ? "EAGAIN" : "other");
	struct timespec rel = {0, 50 * 1000 * 1000};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = 0;
	r = futex(&word, FUTEX_WAIT, 5, &rel, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double took = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
	printf("timed wait: %ld %s, waited 50 ms: %s\n", r, errno == ETIMEDOUT ? "ETIMEDOUT" : "other",
	       took >= 0.049 && took < 2 ? "yes" : "NO");
	printf("wake with nobody waiting: %ld\n", futex(&word, FUTEX_WAKE, 1, NULL, 0));

	pthread_t a[3], b[3];
	for (int i = 0; i < 3; i++) {
		pthread_create(&a[i], NULL, bitset_waiter, (void *)(uintptr_t)1);
		pthread_create(&b[i], NULL, bitset_waiter, (void *)(uintptr_t)2);
	}
	usleep(100000);   /* let all six block */
	atomic_store(&gate, 1);
	long n = futex(&gate, FUTEX_WAKE_BITSET, 100, NULL, 1);
	usleep(100000);
	printf("wake bitset 1: woke %ld; A woken %u, B woken %u\n", n, atomic_load(&woken_a), atomic_load(&woken_b));
	n = futex(&gate, FUTEX_WAKE_BITSET, 100, NULL, 2);
	for (int i = 0; i < 3; i++) {
		pthread_join(a[i], NULL);
		pthread_join(b[i], NULL);
	}
	printf("wake bitset 2: woke %ld; A woken %u, B woken %u\n", n, atomic_load(&woken_a), atomic_load(&woken_b));
	return counter != 160000;
}
