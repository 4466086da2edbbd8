// mutex_contention: N threads x M increments of shared counters under a
// mutex give the exact total: a plain default mutex, a recursive mutex taken
// twice per increment, an errorcheck mutex, and a mutex held across
// sched_yield() so that waiters really queue up behind the holder.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { NTHREADS = 8 };

struct phase {
	const char *name;
	pthread_mutex_t *m;
	int iters;
	int nested;      /* lock twice (recursive mutex) */
	int yield_every; /* sched_yield() while holding the lock every Nth time */
	long counter;
	long shadow;     /* non-atomic read-modify-write with a gap: detects overlap */
	int errors;
};

static void *worker(void *arg)
{
	struct phase *p = arg;
	for (int i = 0; i < p->iters; i++) {
		if (pthread_mutex_lock(p->m))
			goto fail;
		if (p->nested && pthread_mutex_lock(p->m))
			goto fail;
		long v = p->shadow;
		p->counter++;
		if (p->yield_every && i % p->yield_every == 0)
			sched_yield();
		__asm__ volatile("" ::: "memory");
		p->shadow = v + 1;
		if (p->nested && pthread_mutex_unlock(p->m))
			goto fail;
		if (pthread_mutex_unlock(p->m))
			goto fail;
	}
	return NULL;
fail:
	__atomic_fetch_add(&p->errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

static int run(struct phase *p)
{
	pthread_t t[NTHREADS];
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, p)) {
			printf("pthread_create failed\n");
			exit(1);
		}
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_join(t[i], NULL)) {
			printf("pthread_join failed\n");
			exit(1);
		}
	long want = (long)NTHREADS * p->iters;
	printf("%-34s %d threads x %d = %ld, counter %ld, no overlap: %s, errors: %d\n", p->name,
	       NTHREADS, p->iters, want, p->counter, p->shadow == want ? "yes" : "NO", p->errors);
	return p->counter == want && p->shadow == want && p->errors == 0;
}

static pthread_mutex_t m_default = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t m_recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t m_errorcheck = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_mutex_t m_adaptive = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t m_yield = PTHREAD_MUTEX_INITIALIZER;

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	struct phase phases[] = {
		{ "default mutex", &m_default, 200000, 0, 0 },
		{ "recursive mutex, locked twice", &m_recursive, 50000, 1, 0 },
		{ "errorcheck mutex", &m_errorcheck, 50000, 0, 0 },
		{ "adaptive mutex", &m_adaptive, 100000, 0, 0 },
		{ "yield while holding the mutex", &m_yield, 3000, 0, 1 },
	};
	int ok = 1;
	for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++)
		ok &= run(&phases[i]);
	return !ok;
}
