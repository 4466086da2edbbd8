/*
 * A signal sent to the process runs its handler in the one thread that does
 * not block it (pthread_self() in the handler says which), whether that
 * thread waits in a semaphore or runs, while the main thread and others that
 * block it keep running and switching. Then, when no thread accepts it, the
 * signal stays pending for the process (sigpending shows it) until a thread
 * unblocks it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "check.h"

#define PARKED_ROUNDS 100
#define RUNNING_ROUNDS 10

static pthread_t catcher;
static sem_t ack, wake;
static atomic_int handled, elsewhere, phase, stop;

static void on_signal(int sig)
{
	if (pthread_equal(pthread_self(), catcher))
		atomic_fetch_add(&handled, 1);
	else
		atomic_fetch_add(&elsewhere, 1);
	sem_post(&ack);
}

static void *catch(void *arg)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	sem_post(&ack);
	while (atomic_load(&phase) == 0)
		sem_wait(&wake);   /* parked; EINTR on each signal */
	while (atomic_load(&phase) == 1)
		;                  /* running program code */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sem_post(&ack);
	return NULL;
}

static void *busy(void *arg)
{
	while (!atomic_load(&stop)) {
		sched_yield();
		usleep(50);
	}
	return NULL;
}

int main(void)
{
	watchdog_start(30);
	signal(SIGUSR1, on_signal);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* every thread inherits it */
	sem_init(&ack, 0, 0);
	sem_init(&wake, 0, 0);
	pthread_t b[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&b[i], NULL, busy, NULL);
	pthread_create(&catcher, NULL, catch, NULL);
	sem_wait(&ack);
	watchdog_stage = "signals to a waiting thread";
	for (int i = 0; i < PARKED_ROUNDS; i++) {
		kill(getpid(), SIGUSR1);
		sem_wait(&ack);
	}
	atomic_store(&phase, 1);
	sem_post(&wake);
	watchdog_stage = "signals to a running thread";
	for (int i = 0; i < RUNNING_ROUNDS; i++) {
		kill(getpid(), SIGUSR1);
		sem_wait(&ack);
	}
	atomic_store(&phase, 2);
	sem_wait(&ack);    /* the catcher blocks it again */
	pthread_join(catcher, NULL);
	printf("handled in the unblocked thread %d, elsewhere %d\n", atomic_load(&handled), atomic_load(&elsewhere));
	kill(getpid(), SIGUSR1);
	usleep(20000);
	sigset_t pending;
	sigpending(&pending);
	printf("nobody accepts it: handled %d, pending %d\n", atomic_load(&handled) + atomic_load(&elsewhere),
	       sigismember(&pending, SIGUSR1));
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	printf("main unblocks it: handled in main %d\n", atomic_load(&elsewhere));
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(b[i], NULL);
	return 0;
}
