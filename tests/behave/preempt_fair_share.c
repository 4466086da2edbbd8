/*
 * CPU-bound threads on fewer CPUs (or goro processors) share them fairly:
 * six threads count as fast as they can for about 0.6 s (up to three
 * tries); the most productive must not count more than three times as
 * much as the least (a loose bound: the machine running the tests may be
 * busy). The workers call nothing at all; main reads the clock between
 * loops of a million iterations.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "check.h"

#define N 6
static atomic_int stop;
static unsigned long counts[N];

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	volatile unsigned long n = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		n++;
	counts[i] = n;
	return NULL;
}

/* One measurement of about 0.6 s; true if every thread ran and the spread is within 3x. */
static bool fair_round(bool *all_ran)
{
	pthread_t t[N];
	atomic_store(&stop, 0);
	if (start_threads(t, 0, N, worker) != 0)
		return false;
	double end = mono() + 0.6;
	while (mono() < end)
		for (volatile int k = 0; k < 1000000; k++)
			;   /* main competes for the CPU too, then stops the rest */
	atomic_store(&stop, 1);
	unsigned long lo = ~0UL, hi = 0;
	for (int i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		if (counts[i] < lo)
			lo = counts[i];
		if (counts[i] > hi)
			hi = counts[i];
	}
	*all_ran = lo > 0;
	if (hi > 3 * lo)
		for (int i = 0; i < N; i++)
			fprintf(stderr, "thread %d: %lu\n", i, counts[i]);
	return lo > 0 && hi <= 3 * lo;
}

int main(void)
{
	/* A machine busy with other work can starve a native thread for a while: three tries. */
	bool all_ran = false, fair = false;
	for (int attempt = 0; attempt < 3 && !fair; attempt++)
		fair = fair_round(&all_ran);
	printf("%d CPU-bound threads all ran: %s\n", N, all_ran ? "yes" : "no");
	printf("most/least work within 3x: %s\n", fair ? "yes" : "no");
	return 0;
}
