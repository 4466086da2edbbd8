/*
 * CPU-bound threads on fewer CPUs (or goro processors) share them fairly:
 * six threads count as fast as they can for about 1.2 s; the most
 * productive must not count more than three times as much as the least
 * (a loose bound: the machine running the tests may be busy). The
 * workers call nothing at all; main reads the clock between loops of a
 * million iterations.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
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

int main(void)
{
	pthread_t t[N];
	if (start_threads(t, 0, N, worker) != 0)
		return 1;
	double end = mono() + 1.2;
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
	printf("%d CPU-bound threads all ran: %s\n", N, lo > 0 ? "yes" : "no");
	printf("most/least work within 3x: %s\n", hi <= 3 * lo ? "yes" : "no");
	if (hi > 3 * lo)
		for (int i = 0; i < N; i++)
			fprintf(stderr, "thread %d: %lu\n", i, counts[i]);
	return 0;
}
