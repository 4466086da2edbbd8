/*
 * A signal sent to a thread that blocks it waits for that thread: it does
 * not cut short the thread's sleep, the thread's sigpending shows it (the
 * main thread's does not, before or after that thread ran), other threads
 * do not run its handler, and it is
 * delivered, once and in that thread, before the unblocking call returns.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

static pthread_t target;
static atomic_int handled, in_target;
static sem_t sent, checked, slept, main_looked;

static void on_signal(int sig)
{
	atomic_fetch_add(&handled, 1);
	if (pthread_equal(pthread_self(), target))
		atomic_fetch_add(&in_target, 1);
}

static void *other(void *arg)
{
	for (int i = 0; i < 200; i++) {
		sched_yield();
		usleep(100);
	}
	return NULL;
}

static void *run(void *arg)
{
	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sem_post(&sent);        /* main: send now */
	sem_wait(&checked);     /* main sent it and looked at its own sigpending */
	double t0 = mono();
	usleep(50000);
	printf("target: slept the whole 50 ms: %s\n", mono() - t0 >= 0.049 ? "yes" : "no");
	sigpending(&pending);
	printf("target: sigpending shows SIGUSR1: %d\n", sigismember(&pending, SIGUSR1));
	printf("target: handler ran before unblocking: %d\n", atomic_load(&handled));
	sem_post(&slept);
	sem_wait(&main_looked);   /* main looked at its sigpending again, after this thread ran */
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	printf("target: after unblocking: ran %d, in target %d\n", atomic_load(&handled), atomic_load(&in_target));
	sigpending(&pending);
	printf("target: sigpending shows SIGUSR1: %d\n", sigismember(&pending, SIGUSR1));
	return NULL;
}

int main(void)
{
	watchdog_start(20);
	signal(SIGUSR1, on_signal);
	sem_init(&sent, 0, 0);
	sem_init(&checked, 0, 0);
	sem_init(&slept, 0, 0);
	sem_init(&main_looked, 0, 0);
	pthread_t others[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&others[i], NULL, other, NULL);
	pthread_create(&target, NULL, run, NULL);
	sem_wait(&sent);
	pthread_kill(target, SIGUSR1);
	sigset_t pending;
	sigpending(&pending);
	printf("main: sigpending shows SIGUSR1: %d\n", sigismember(&pending, SIGUSR1));
	sem_post(&checked);
	sem_wait(&slept);
	sigpending(&pending);
	printf("main: sigpending shows SIGUSR1 after the target ran: %d\n", sigismember(&pending, SIGUSR1));
	sem_post(&main_looked);
	pthread_join(target, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(others[i], NULL);
	printf("handled %d, in target %d\n", atomic_load(&handled), atomic_load(&in_target));
	return 0;
}
