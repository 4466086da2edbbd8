/*
 * Threads waiting on plain flags in busy loops (no sleep, no lock, no
 * system call) finish once other threads set the flags: a relay of four
 * pollers, each setting the next one's flag, started by main. (Under goro
 * it also checks that a preemption signal chosen by setting works.)
 */
// goro-test: goro-env=GORO_PREEMPT_SIGNAL=SIGRTMAX-3
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

#define N 4
static atomic_int flags[N + 1];
static int order[N], done_count;

static void *poller(void *arg)
{
	int i = (int)(intptr_t)arg;
	while (!atomic_load_explicit(&flags[i], memory_order_acquire))
		;   /* nothing here a scheduler could stop at */
	order[i] = __atomic_fetch_add(&done_count, 1, __ATOMIC_SEQ_CST);
	atomic_store_explicit(&flags[i + 1], 1, memory_order_release);
	return NULL;
}

int main(void)
{
	pthread_t t[N];
	if (start_threads(t, 0, N, poller) != 0)
		return 1;
	usleep(20000);   /* the pollers are spinning now */
	atomic_store(&flags[0], 1);
	while (!atomic_load_explicit(&flags[N], memory_order_acquire))
		;   /* main polls too */
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < N; i++)
		printf("poller %d finished %d%s\n", i, order[i], i == 0 ? "st" : "th");
	return 0;
}
