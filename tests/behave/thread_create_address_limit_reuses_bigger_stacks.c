// thread_create_address_limit_reuses_bigger_stacks: under an address-space limit
// (RLIMIT_AS) with room for about ten 64 MiB stacks, 8 threads with 64 MiB stacks
// live at once and are joined; then 8 threads with 32 MiB stacks live at once. The
// second round needs the address space the first round's dead threads held (NPTL
// frees its cached stacks; goro, whose stack arenas stay mapped, reuses the bigger
// stacks): no create fails with EAGAIN.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>

#include "check.h"

enum { THREADS = 8 };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released = PTHREAD_COND_INITIALIZER;
static int round_over;

static void *waits(void *arg)
{
	pthread_mutex_lock(&lock);
	while (!round_over)
		pthread_cond_wait(&released, &lock);
	pthread_mutex_unlock(&lock);
	return arg;
}

/* THREADS threads with this stack size alive at once: how many could be created */
static int round_of(size_t stack_size)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, stack_size);
	pthread_t t[THREADS];
	int made = 0;
	round_over = 0;
	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&t[made], &a, waits, NULL) == 0)
			made++;
	pthread_mutex_lock(&lock);
	round_over = 1;
	pthread_cond_broadcast(&released);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < made; i++)
		pthread_join(t[i], NULL);
	pthread_attr_destroy(&a);
	return made;
}

int main(void)
{
	watchdog_start(20);
	struct rlimit lim = {.rlim_cur = (rlim_t)(status_kib("VmSize") + 640L * 1024) * 1024, .rlim_max = RLIM_INFINITY};
	if (setrlimit(RLIMIT_AS, &lim) != 0) {
		perror("setrlimit");
		return 1;
	}
	int big = round_of(64 << 20);
	printf("64 MiB stacks: %d of %d alive at once\n", big, THREADS);
	int small = round_of(32 << 20);
	printf("then 32 MiB stacks: %d of %d alive at once\n", small, THREADS);
	return 0;
}
