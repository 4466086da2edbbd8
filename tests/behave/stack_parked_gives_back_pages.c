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

#include "check.h"

#define DEEP (6L << 20)
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int released, parked;

static void *deep_then_park(void *arg)
{
	long r = stack_recurse(DEEP);
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
	base = status_kib("VmRSS");
	pthread_create(&t, &a, deep_then_park, NULL);
	pthread_mutex_lock(&m);
	while (!parked)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	int touched = status_kib("VmRSS") > base + 4096;
	printf("the parked thread's deep call was resident at first: %s\n", touched ? "yes" : "NO");
	int back = rss_falls_back_to(base);
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
