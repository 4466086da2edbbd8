// cond_producer_consumer: many producers and consumers share a small bounded
// buffer guarded by one mutex and two condition variables. Every item arrives
// exactly once (count and checksum), and each consumer sees every producer's
// items in the order that producer made them.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { NPROD = 4, NCONS = 4, PER_PRODUCER = 25000, CAP = 16 };

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long buf[CAP];
static int head, count;

struct consumer {
	long items, sum;
	long last[NPROD];
	int out_of_order, errors;
};

static int put(long v)
{
	if (pthread_mutex_lock(&m))
		return -1;
	while (count == CAP)
		if (pthread_cond_wait(&not_full, &m))
			return -1;
	buf[(head + count) % CAP] = v;
	count++;
	if (pthread_cond_signal(&not_empty))
		return -1;
	return pthread_mutex_unlock(&m);
}

static int get(long *v)
{
	if (pthread_mutex_lock(&m))
		return -1;
	while (count == 0)
		if (pthread_cond_wait(&not_empty, &m))
			return -1;
	*v = buf[head];
	head = (head + 1) % CAP;
	count--;
	if (pthread_cond_signal(&not_full))
		return -1;
	return pthread_mutex_unlock(&m);
}

static void *producer(void *arg)
{
	long id = (intptr_t)arg;
	for (long i = 1; i <= PER_PRODUCER; i++)
		if (put(id * 1000000 + i))
			return (void *)1;
	return NULL;
}

static void *consumer(void *arg)
{
	struct consumer *c = arg;
	for (int p = 0; p < NPROD; p++)
		c->last[p] = 0;
	for (;;) {
		long v;
		if (get(&v)) {
			c->errors++;
			return NULL;
		}
		if (v < 0)
			return NULL;
		int p = (int)(v / 1000000);
		long seq = v % 1000000;
		if (p < 0 || p >= NPROD || seq <= c->last[p])
			c->out_of_order++;
		else
			c->last[p] = seq;
		c->items++;
		c->sum += v;
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	pthread_t pt[NPROD], ct[NCONS];
	struct consumer cs[NCONS] = { 0 };
	int rc, errors = 0;

	for (int i = 0; i < NCONS; i++)
		if ((rc = pthread_create(&ct[i], NULL, consumer, &cs[i]))) {
			printf("pthread_create: %d\n", rc);
			return 1;
		}
	for (int i = 0; i < NPROD; i++)
		if ((rc = pthread_create(&pt[i], NULL, producer, (void *)(intptr_t)i))) {
			printf("pthread_create: %d\n", rc);
			return 1;
		}
	for (int i = 0; i < NPROD; i++) {
		void *ret;
		if ((rc = pthread_join(pt[i], &ret))) {
			printf("pthread_join: %d\n", rc);
			return 1;
		}
		errors += ret != NULL;
	}
	for (int i = 0; i < NCONS; i++)
		if (put(-1)) /* one end marker per consumer */
			errors++;
	long items = 0, sum = 0;
	int disorder = 0;
	for (int i = 0; i < NCONS; i++) {
		if ((rc = pthread_join(ct[i], NULL))) {
			printf("pthread_join: %d\n", rc);
			return 1;
		}
		items += cs[i].items;
		sum += cs[i].sum;
		disorder += cs[i].out_of_order;
		errors += cs[i].errors;
	}
	long want_items = (long)NPROD * PER_PRODUCER, want_sum = 0;
	for (long p = 0; p < NPROD; p++)
		for (long i = 1; i <= PER_PRODUCER; i++)
			want_sum += p * 1000000 + i;
	printf("producers: %d, consumers: %d, buffer: %d\n", NPROD, NCONS, CAP);
	printf("items received: %ld of %ld\n", items, want_items);
	printf("checksum: %ld (expected %ld)\n", sum, want_sum);
	printf("per-producer order kept: %s\n", disorder ? "NO" : "yes");
	printf("errors: %d\n", errors);
	return !(items == want_items && sum == want_sum && !disorder && !errors);
}
