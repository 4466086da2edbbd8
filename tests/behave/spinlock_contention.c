// spinlock_contention: pthread_spin_lock under contention gives the exact
// count, including while the holder yields inside the critical section (a
// runtime with a single OS thread must still let the holder finish, not spin
// forever); pthread_spin_trylock returns EBUSY on a held lock.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NTHREADS = 4, ITERS = 100000, YIELD_ITERS = 300 };

static pthread_spinlock_t sl;
static long counter, shadow;
static int errors;

struct job {
	int iters, yield_inside;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	for (int i = 0; i < j->iters; i++) {
		if (pthread_spin_lock(&sl)) {
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
			return NULL;
		}
		long v = shadow;
		counter++;
		if (j->yield_inside)
			sched_yield();
		__asm__ volatile("" ::: "memory");
		shadow = v + 1;
		if (pthread_spin_unlock(&sl))
			__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int run(const char *name, int iters, int yield_inside)
{
	pthread_t t[NTHREADS];
	struct job j = { iters, yield_inside };
	counter = shadow = 0;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, &j))
			exit(1);
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_join(t[i], NULL))
			exit(1);
	long want = (long)NTHREADS * iters;
	printf("%s: %d threads x %d = %ld, counter %ld, no overlap: %s\n", name, NTHREADS, iters, want,
	       counter, shadow == want ? "yes" : "NO");
	return counter == want && shadow == want;
}

static void *try_other(void *arg)
{
	return (void *)(long)pthread_spin_trylock(&sl);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	int rc, ok = 1;
	if ((rc = pthread_spin_init(&sl, PTHREAD_PROCESS_PRIVATE))) {
		printf("pthread_spin_init: %d\n", rc);
		return 1;
	}
	ok &= run("plain", ITERS, 0);
	ok &= run("holder yields inside", YIELD_ITERS, 1);

	pthread_t t;
	void *ret;
	if (pthread_spin_lock(&sl) || pthread_create(&t, NULL, try_other, NULL) || pthread_join(t, &ret))
		return 1;
	rc = (int)(long)ret;
	printf("trylock by another thread while held: %s\n", rc == EBUSY ? "EBUSY" : rc ? strerror(rc) : "0");
	ok &= rc == EBUSY;
	rc = pthread_spin_trylock(&sl);
	printf("trylock by the holder: %s\n", rc == EBUSY ? "EBUSY" : rc ? strerror(rc) : "0");
	ok &= rc == EBUSY;
	if (pthread_spin_unlock(&sl))
		return 1;
	rc = pthread_spin_trylock(&sl);
	printf("trylock when free: %s\n", rc == EBUSY ? "EBUSY" : rc ? strerror(rc) : "0");
	ok &= rc == 0;
	if (pthread_spin_unlock(&sl) || pthread_spin_destroy(&sl))
		return 1;
	printf("errors: %d\n", errors);
	return !(ok && errors == 0);
}
