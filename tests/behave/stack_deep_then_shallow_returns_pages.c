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

#define DEEP (6L << 20)

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static long recurse(long left)
{
	volatile char frame[4096];
	memset((char *)frame, 1, sizeof frame);
	return left <= (long)sizeof frame ? frame[7] : recurse(left - (long)sizeof frame) + frame[9];
}

static void *deep(void *arg)
{
	return (void *)recurse(DEEP);
}

static void *shallow(void *arg)
{
	return arg;
}

/* Waits up to 3 s for resident memory to come within 2 MiB of base. */
static int falls_back_to(long base)
{
	for (int i = 0; i < 60; i++) {
		if (rss_kib() < base + 2048)
			return 1;
		usleep(50000);
	}
	fprintf(stderr, "VmRSS %ld kB, was %ld kB before\n", rss_kib(), base);
	return 0;
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
	long base = rss_kib();
	pthread_create(&t, &a, deep, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 2000; i++) {
		pthread_create(&t, &a, shallow, NULL);
		pthread_join(t, NULL);
	}
	printf("deep pages of an exited thread given back: %s\n", falls_back_to(base) ? "yes" : "NO");

	return 0;
}
