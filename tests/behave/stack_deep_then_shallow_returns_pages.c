// stack_deep_then_shallow_returns_pages: a thread that recursed 6 MiB deep
// and exited does not pin those pages: after it is joined and 2,000 shallow
// threads come and go (reusing its stack, as both NPTL and goro do), resident
// memory falls back to within 2 MiB of where it was before the deep thread
// (within 3 s: goro gives pages back in the background).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define DEEP (6L << 20)

static void *deep(void *arg)
{
	return (void *)stack_recurse(DEEP);
}

static void *shallow(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 8L << 20);
	pthread_t t;
	for (int i = 0; i < 20; i++) {   /* warm up: pools, malloc arenas */
		pthread_create(&t, &a, shallow, NULL);
		pthread_join(t, NULL);
	}
	long base = status_kib("VmRSS");
	pthread_create(&t, &a, deep, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 2000; i++) {
		pthread_create(&t, &a, shallow, NULL);
		pthread_join(t, NULL);
	}
	printf("deep pages of an exited thread given back: %s\n", rss_falls_back_to(base) ? "yes" : "NO");

	return 0;
}
