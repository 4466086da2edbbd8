// sem_producer_consumer: a bounded buffer driven by two counting semaphores
// (free slots, filled slots) and a mutex; many producers and consumers; every
// item arrives exactly once (count and checksum), and the semaphores end at
// their starting values.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { NPROD = 3, NCONS = 3, PER_PRODUCER = 30000, CAP = 8 };

static sem_t free_slots, filled;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long buf[CAP];
static int in, out, errors;

static int sem_wait_retry(sem_t *s)
{
	int rc;
	do
		rc = sem_wait(s);
	while (rc == -1 && errno == EINTR);
	return rc;
}

static void put(long v)
{
	if (sem_wait_retry(&free_slots) || pthread_mutex_lock(&m))
		abort();
	buf[in] = v;
	in = (in + 1) % CAP;
	if (pthread_mutex_unlock(&m) || sem_post(&filled))
		abort();
}

static long get(void)
{
	if (sem_wait_retry(&filled) || pthread_mutex_lock(&m))
		abort();
	long v = buf[out];
	out = (out + 1) % CAP;
	if (pthread_mutex_unlock(&m) || sem_post(&free_slots))
		abort();
	return v;
}

static void *producer(void *arg)
{
	long id = (intptr_t)arg;
	for (long i = 1; i <= PER_PRODUCER; i++)
		put(id * 1000000 + i);
	return NULL;
}

struct result {
	long items, sum;
};

static void *consumer(void *arg)
{
	struct result *r = arg;
	for (;;) {
		long v = get();
		if (v < 0)
			return NULL;
		r->items++;
		r->sum += v;
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t pt[NPROD], ct[NCONS];
	struct result rs[NCONS] = { 0 };

	if (sem_init(&free_slots, 0, CAP) || sem_init(&filled, 0, 0)) {
		perror("sem_init");
		return 1;
	}
	for (int i = 0; i < NCONS; i++)
		if (pthread_create(&ct[i], NULL, consumer, &rs[i]))
			return 1;
	for (int i = 0; i < NPROD; i++)
		if (pthread_create(&pt[i], NULL, producer, (void *)(intptr_t)i))
			return 1;
	for (int i = 0; i < NPROD; i++)
		if (pthread_join(pt[i], NULL))
			return 1;
	for (int i = 0; i < NCONS; i++)
		put(-1);
	long items = 0, sum = 0, want_sum = 0;
	for (int i = 0; i < NCONS; i++) {
		if (pthread_join(ct[i], NULL))
			return 1;
		items += rs[i].items;
		sum += rs[i].sum;
	}
	for (long p = 0; p < NPROD; p++)
		for (long i = 1; i <= PER_PRODUCER; i++)
			want_sum += p * 1000000 + i;
	int vfree = -1, vfilled = -1;
	if (sem_getvalue(&free_slots, &vfree) || sem_getvalue(&filled, &vfilled))
		errors++;
	printf("producers: %d, consumers: %d, slots: %d\n", NPROD, NCONS, CAP);
	printf("items received: %ld of %d\n", items, NPROD * PER_PRODUCER);
	printf("checksum: %ld (expected %ld)\n", sum, want_sum);
	printf("semaphores at the end: free %d, filled %d\n", vfree, vfilled);
	if (sem_destroy(&free_slots) || sem_destroy(&filled))
		errors++;
	printf("errors: %d\n", errors);
	return !(items == (long)NPROD * PER_PRODUCER && sum == want_sum && vfree == CAP && vfilled == 0 &&
		 errors == 0);
}
