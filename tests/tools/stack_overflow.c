/* A thread named "deep" overflows its 64 KiB stack by ~16 KiB and returns.
 * "guard": it hits its guard page. "canary": first 12,000 threads take the
 * guard-page budget (vm.max_map_count/6 under goro), so the overflowing one
 * has no guard and goro catches it by the canary at its next switch. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;

static void *blocked(void *arg)
{
	pthread_mutex_lock(&m);
	for (;;)
		pthread_cond_wait(&c, &m);
	return NULL;
}

static int recurse(int depth)
{
	volatile char frame[1024];
	memset((char *)frame, 0x5a, sizeof frame);
	if (depth == 80)
		return frame[3];
	return recurse(depth + 1) + frame[depth];
}

static void *deep(void *arg)
{
	pthread_setname_np(pthread_self(), "deep");
	int r = recurse(0);
	for (int i = 0; i < 10; i++)
		sched_yield();
	return (void *)(long)r;
}

int main(int argc, char **argv)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	if (argc > 1 && strcmp(argv[1], "canary") == 0)
		for (int i = 0; i < 12000; i++) {
			pthread_t t;
			if (pthread_create(&t, &a, blocked, NULL) != 0) {
				perror("pthread_create");
				return 1;
			}
		}
	pthread_t t;
	pthread_create(&t, &a, deep, NULL);
	pthread_join(t, NULL);
	printf("survived the overflow\n");
	return 0;
}
