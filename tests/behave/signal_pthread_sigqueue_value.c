/*
 * pthread_sigqueue reaches the thread it names with its value: a real-time
 * signal queued five times to a thread that blocks it waits there, in order;
 * sigwaitinfo in that thread takes the first two (SI_QUEUE, the sender's
 * pid, the value), and the other three run the handler in that thread, in
 * order, when it unblocks the signal. A thread that does not block it gets
 * it at once, wherever it waits.
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
static sem_t ready, sent;
static int values[16], nvalues, wrong_thread;
static atomic_int handled;

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
	if (!pthread_equal(pthread_self(), target))
		wrong_thread++;
	if (info->si_code != SI_QUEUE || info->si_pid != getpid())
		wrong_thread += 100;
	if (nvalues < 16)
		values[nvalues++] = info->si_value.sival_int;
	atomic_fetch_add(&handled, 1);
}

static void *run(void *arg)
{
	int sig = SIGRTMIN + 1;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sem_post(&ready);
	sem_wait(&sent);
	for (int i = 0; i < 2; i++) {
		siginfo_t info;
		int r = sigwaitinfo(&set, &info);
		printf("sigwaitinfo: %s, code SI_QUEUE %d, pid ours %d, value %d\n", r == sig ? "the signal" : "?",
		       info.si_code == SI_QUEUE, info.si_pid == getpid(), info.si_value.sival_int);
	}
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	printf("after unblocking: %d handled:", nvalues);
	for (int i = 0; i < nvalues; i++)
		printf(" %d", values[i]);
	printf(" (wrong thread or siginfo: %d)\n", wrong_thread);
	/* unblocked: delivered while this thread waits in a semaphore */
	nvalues = 0;
	sem_post(&ready);
	while (atomic_load(&handled) < 4)
		sem_wait(&sent);
	printf("while waiting: value %d (wrong thread or siginfo: %d)\n", values[0], wrong_thread);
	return NULL;
}

int main(void)
{
	watchdog_start(20);
	struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN + 1, &sa, NULL);
	sem_init(&ready, 0, 0);
	sem_init(&sent, 0, 0);
	pthread_create(&target, NULL, run, NULL);
	sem_wait(&ready);
	for (int i = 1; i <= 5; i++) {
		int r = pthread_sigqueue(target, SIGRTMIN + 1, (union sigval){.sival_int = i * 11});
		if (r)
			printf("pthread_sigqueue: %s\n", en(r));
	}
	sem_post(&sent);
	sem_wait(&ready);
	usleep(20000);   /* the target waits in sem_wait */
	pthread_sigqueue(target, SIGRTMIN + 1, (union sigval){.sival_int = 77});
	while (atomic_load(&handled) < 4)
		usleep(1000);
	sem_post(&sent);
	pthread_join(target, NULL);
	return 0;
}
