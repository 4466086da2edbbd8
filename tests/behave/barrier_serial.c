// barrier_serial: pthread_barrier_wait returns PTHREAD_BARRIER_SERIAL_THREAD
// to exactly one thread per round and 0 to the others, and nobody leaves a
// round before everybody has arrived; also pthread_barrier_init with count 0
// is EINVAL.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

enum { NTHREADS = 6, ROUNDS = 300 };

static pthread_barrier_t b;
static int serial[ROUNDS], other_rc, early;
static int arrived[NTHREADS];

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	for (int r = 0; r < ROUNDS; r++) {
		if (r % 7 == id)
			sched_yield();
		if (r % 50 == id)
			usleep(1000);
		__atomic_store_n(&arrived[id], r + 1, __ATOMIC_SEQ_CST);
		int rc = pthread_barrier_wait(&b);
		if (rc == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serial[r], 1, __ATOMIC_RELAXED);
		else if (rc != 0)
			__atomic_fetch_add(&other_rc, 1, __ATOMIC_RELAXED);
		/* everybody must have arrived at round r */
		for (int j = 0; j < NTHREADS; j++)
			if (__atomic_load_n(&arrived[j], __ATOMIC_SEQ_CST) < r + 1)
				__atomic_fetch_add(&early, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t t[NTHREADS];
	int rc;

	pthread_barrier_t zero;
	rc = pthread_barrier_init(&zero, NULL, 0);
	printf("pthread_barrier_init with count 0: %s\n", rc == EINVAL ? "EINVAL" : "not EINVAL");

	if (pthread_barrier_init(&b, NULL, NTHREADS))
		return 1;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i))
			return 1;
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_join(t[i], NULL))
			return 1;
	int exactly_one = 0;
	for (int r = 0; r < ROUNDS; r++)
		exactly_one += serial[r] == 1;
	printf("threads: %d, rounds: %d\n", NTHREADS, ROUNDS);
	printf("rounds with exactly one serial thread: %d\n", exactly_one);
	printf("other return values: %d\n", other_rc);
	printf("threads that left a round early: %d\n", early);
	int drc = pthread_barrier_destroy(&b);
	printf("pthread_barrier_destroy: %d\n", drc);

	/* a barrier of one: every wait is serial */
	pthread_barrier_t one;
	int all_serial = 1;
	if (pthread_barrier_init(&one, NULL, 1))
		return 1;
	for (int i = 0; i < 10; i++)
		all_serial &= pthread_barrier_wait(&one) == PTHREAD_BARRIER_SERIAL_THREAD;
	printf("barrier of one: every wait serial: %s\n", all_serial ? "yes" : "NO");
	if (pthread_barrier_destroy(&one))
		return 1;
	return !(rc == EINVAL && exactly_one == ROUNDS && other_rc == 0 && early == 0 && drc == 0 && all_serial);
}
