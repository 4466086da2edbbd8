// stack_burst_churn_flat_rss: bursts of 1,000 threads that all meet (so all
// are alive at once), then exit and are joined, 12 times over: resident
// memory after the last burst is within 8 MiB of what it was after the
// third (what a burst needs is kept or reused, nothing accumulates).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define BURST 1000
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int arrived, round_no;
static pthread_t threads[BURST];

static void *meets(void *arg)
{
	volatile char scratch[2048];   /* some stack in use, as real threads have */
	memset((char *)scratch, 3, sizeof scratch);
	pthread_mutex_lock(&m);
	int mine = round_no;
	if (++arrived == BURST)
		pthread_cond_broadcast(&c);
	while (arrived < BURST && round_no == mine)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return (void *)(long)scratch[5];
}

int main(void)
{
	long after_third = 0, errors = 0;
	for (int r = 1; r <= 12; r++) {
		pthread_mutex_lock(&m);
		arrived = 0;
		round_no = r;
		pthread_mutex_unlock(&m);
		for (int i = 0; i < BURST; i++)
			if (pthread_create(&threads[i], NULL, meets, NULL) != 0)
				errors++;
		for (int i = 0; i < BURST; i++) {
			void *v;
			if (pthread_join(threads[i], &v) != 0 || v != (void *)3L)
				errors++;
		}
		if (r == 3)
			after_third = status_kib("VmRSS");
	}
	long growth = status_kib("VmRSS") - after_third;
	printf("errors: %ld\n", errors);
	printf("resident memory flat from the 3rd burst to the 12th (within 8 MiB): %s\n", growth < 8192 ? "yes" : "NO");
	if (growth >= 8192)
		fprintf(stderr, "grew by %ld KiB\n", growth);
	return 0;
}
