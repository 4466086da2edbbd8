// goro-test: goro-only
// stack_parked_gives_back_pages: a thread that recursed 6 MiB deep and then
// parks for long (a condition wait) gives back the stack pages below it in
// the background: resident memory falls back to within 2 MiB of where it was
// before it started, within 3 s, while it stays parked, and it then finishes
// normally. (NPTL gives stack pages back only at thread exit, so this runs
// under goro only.)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEEP (6L << 20)
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int released, parked;

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

static void *deep_then_park(void *arg)
{
	long r = recurse(DEEP);
	pthread_mutex_lock(&m);
	parked = 1;
	pthread_cond_broadcast(&c);
	while (!released)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return (void *)r;
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
	long base;
	base = rss_kib();
	pthread_create(&t, &a, deep_then_park, NULL);
	pthread_mutex_lock(&m);
	while (!parked)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	int touched = rss_kib() > base + 4096;
	printf("the parked thread's deep call was resident at first: %s\n", touched ? "yes" : "NO");
	int back = falls_back_to(base);
	pthread_mutex_lock(&m);
	released = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	void *r;
	pthread_join(t, &r);
	printf("given back while it stays parked: %s\n", back ? "yes" : "NO");
	printf("it finished with the right value: %s\n", (long)r == DEEP / 4096 ? "yes" : "NO");
	return 0;
}
