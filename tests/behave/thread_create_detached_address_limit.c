// thread_create_detached_address_limit: two threads create 20,000 detached threads
// with 16 MiB stacks that return at once, under an address-space limit (RLIMIT_AS)
// that holds about 30 such stacks, retrying when pthread_create says EAGAIN (glibc's
// tst-create-detached, smaller). Natively the threads run and exit meanwhile and
// their stacks are reused; the creators must not keep them from running, nor hold
// the stacks of the dead ones out of reach, so every create eventually succeeds.
// goro-test: timeout=40
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>

#include "check.h"

enum { TO_CREATE = 20000, CREATORS = 2 };

static _Atomic int created;
static pthread_attr_t detached;
static pthread_barrier_t start;

static void *does_nothing(void *arg)
{
	return arg;
}

static void *creator(void *arg)
{
	pthread_barrier_wait(&start);
	while (created < TO_CREATE) {
		pthread_t t;
		if (pthread_create(&t, &detached, does_nothing, NULL) == 0)
			created++;
	}
	return arg;
}

int main(void)
{
	watchdog_start(30);
	watchdog_stage = "creating (creates keep failing?)";
	struct rlimit lim = {.rlim_cur = (rlim_t)(status_kib("VmSize") + 512L * 1024) * 1024, .rlim_max = RLIM_INFINITY};
	if (setrlimit(RLIMIT_AS, &lim) != 0) {
		perror("setrlimit");
		return 1;
	}
	pthread_attr_init(&detached);
	pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&detached, 16 << 20);
	pthread_barrier_init(&start, NULL, CREATORS);
	pthread_t creators[CREATORS];
	for (int i = 0; i < CREATORS; i++)
		if (pthread_create(&creators[i], NULL, creator, NULL) != 0) {
			printf("creator thread: create failed\n");
			return 1;
		}
	for (int i = 0; i < CREATORS; i++)
		pthread_join(creators[i], NULL);
	printf("created at least %d detached threads\n", TO_CREATE);
	return 0;
}
