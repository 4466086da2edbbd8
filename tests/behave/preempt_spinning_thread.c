/*
 * A thread that spins forever without calling anything must not stop the
 * others: main sleeps (the spinner has the CPU meanwhile), then starts a
 * thread that prints, joins it, and exits with the spinner still spinning.
 * Under goro with GORO_PROCS=1 this needs preemption.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

static volatile unsigned long spins;

static void *spinner(void *arg)
{
	for (;;)
		spins++;
	return NULL;
}

static void *talker(void *arg)
{
	puts("another thread ran while one spins");
	return NULL;
}

int main(void)
{
	pthread_t spin, talk;
	if (pthread_create(&spin, NULL, spinner, NULL) != 0)
		return 1;
	usleep(30000);
	if (pthread_create(&talk, NULL, talker, NULL) != 0 || pthread_join(talk, NULL) != 0)
		return 1;
	unsigned long before = spins;
	double give_up = mono() + 5;
	while (spins == before && mono() < give_up)
		usleep(10000);   /* a busy machine may not run the spinner at once */
	printf("main slept again; the spinner kept running: %s\n", spins != before ? "yes" : "no");
	return 0;   /* exit() with the spinner still running */
}
