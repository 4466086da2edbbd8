/*
 * A thread that spends its time inside libc — big memcpy calls, then a
 * qsort of a large array — does not keep the other threads from running,
 * and its results are right. Under goro the first cannot be stopped inside
 * libc (libc's internal locks would be held across the stop), so its
 * processor is handed to another OS thread instead; the comparisons of the
 * qsort are program code, where it can be stopped.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define BYTES (64 << 20)
#define INTS (2 << 20)
static atomic_int phase;           /* 1: copying, 2: sorting, 3: done */
static int ticks[4];               /* the other thread's progress seen in each phase */
static unsigned char *src, *dst;
static int *numbers;

static int compare(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void *libc_worker(void *arg)
{
	memset(src, 0x5a, BYTES);
	atomic_store(&phase, 1);
	double end = mono() + 0.6;
	bool copies_ok = true;
	unsigned char v = 0;
	while (mono() < end) {
		src[v * 1000] = v;
		memcpy(dst, src, BYTES);
		copies_ok &= dst[v * 1000] == v && dst[BYTES - 1] == 0x5a;
		v++;
	}
	atomic_store(&phase, 2);
	for (int i = 0; i < INTS; i++)
		numbers[i] = (int)((i * 2654435761u) % INTS);
	qsort(numbers, INTS, sizeof numbers[0], compare);
	bool sorted = true;
	for (int i = 1; i < INTS; i++)
		sorted &= numbers[i - 1] <= numbers[i];
	atomic_store(&phase, 3);
	printf("copies right: %s, array sorted: %s\n", copies_ok ? "yes" : "no", sorted ? "yes" : "no");
	return NULL;
}

static void *ticker(void *arg)
{
	while (atomic_load(&phase) < 3) {
		ticks[atomic_load(&phase)]++;
		usleep(1000);
	}
	return NULL;
}

int main(void)
{
	src = malloc(BYTES);
	dst = malloc(BYTES);
	numbers = malloc(INTS * sizeof numbers[0]);
	if (!src || !dst || !numbers)
		return 1;
	pthread_t w, t;
	if (pthread_create(&w, NULL, libc_worker, NULL) != 0)
		return 1;
	while (atomic_load(&phase) == 0)
		usleep(1000);
	if (pthread_create(&t, NULL, ticker, NULL) != 0)
		return 1;
	pthread_join(w, NULL);
	pthread_join(t, NULL);
	printf("another thread ran during the copies: %s\n", ticks[1] >= 20 ? "yes" : "no");
	printf("another thread ran during the sort: %s\n", ticks[2] >= 5 ? "yes" : "no");
	if (ticks[1] < 20 || ticks[2] < 5)
		fprintf(stderr, "ticks: copying %d, sorting %d\n", ticks[1], ticks[2]);
	return 0;
}
