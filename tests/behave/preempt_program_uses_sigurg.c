/*
 * A program that uses SIGURG itself (goro's default preemption signal) sees
 * it exactly as natively: the disposition it reads back before installing a
 * handler is the default, every SIGURG it sends (to a thread and to the
 * process) reaches its handler, and a thread spinning forever still lets
 * the others run afterwards.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

#define EACH 100
static atomic_int received;
static volatile unsigned long spins;

static void on_urg(int sig)
{
	atomic_fetch_add(&received, 1);
}

static void *spinner(void *arg)
{
	for (;;)
		spins++;
	return NULL;
}

static void *talker(void *arg)
{
	puts("a thread ran while another spins");
	return NULL;
}

static void wait_for(int n)
{
	double give_up = mono() + 10;
	while (atomic_load(&received) < n && mono() < give_up)
		usleep(1000);
}

int main(void)
{
	struct sigaction old, sa = {.sa_handler = on_urg, .sa_flags = SA_RESTART};
	sigaction(SIGURG, NULL, &old);
	printf("SIGURG before: %s\n", old.sa_handler == SIG_DFL ? "default" : "taken");
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGURG, &sa, &old) != 0)
		return 1;
	printf("previous action reported: %s\n", old.sa_handler == SIG_DFL ? "default" : "other");
	sigaction(SIGURG, NULL, &old);
	printf("SIGURG now: %s\n", old.sa_handler == on_urg ? "our handler" : "other");

	for (int i = 0; i < EACH; i++) {
		pthread_kill(pthread_self(), SIGURG);
		wait_for(i + 1);
	}
	for (int i = 0; i < EACH; i++) {
		kill(getpid(), SIGURG);
		wait_for(EACH + i + 1);
	}
	printf("received %d of %d\n", atomic_load(&received), 2 * EACH);

	pthread_t spin, talk;
	if (pthread_create(&spin, NULL, spinner, NULL) != 0)
		return 1;
	usleep(30000);
	if (pthread_create(&talk, NULL, talker, NULL) != 0 || pthread_join(talk, NULL) != 0)
		return 1;
	printf("SIGURG received while preempting: %d extra\n", atomic_load(&received) - 2 * EACH);
	return 0;
}
