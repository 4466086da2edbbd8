// preempt_reused_thread: threads created after others have exited (under
// goro they reuse the exited threads' stacks and descriptors) are still
// interrupted when they compute without end: with more spinning threads
// than CPUs, a thread created later to set the flag they wait for still
// gets to run.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "check.h"

static volatile int flag;

static void *quick(void *arg)
{
	return arg;
}

static void *spin_until_flag(void *arg)
{
	while (!flag)
		;
	return NULL;
}

static void *set_flag(void *arg)
{
	flag = 1;
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	pthread_t t[64];
	if (start_threads(t, 0, 64, quick) || join_threads(t, 64))
		return 1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n = cpus < 60 ? (int)cpus + 1 : 61;
	watchdog_stage = "spinning threads";
	if (start_threads(t, 0, n, spin_until_flag))
		return 1;
	usleep(20000);
	pthread_t setter;
	pthread_create(&setter, NULL, set_flag, NULL);
	pthread_join(setter, NULL);
	if (join_threads(t, n))
		return 1;
	printf("%d spinning threads on %ld CPUs gave way to a new one: yes\n", n, cpus > 0 ? cpus : 1);
	return 0;
}
