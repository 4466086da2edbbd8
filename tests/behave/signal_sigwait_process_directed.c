/*
 * Every thread blocks SIGUSR1 and one takes it with sigwait/sigwaitinfo:
 * each of many kill(getpid()) reaches that thread (SI_USER, our pid), while
 * other threads keep switching; nobody dies of the signal, and a
 * sigtimedwait with nothing pending times out with EAGAIN.
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

#define ROUNDS 300

static sem_t ack;
static atomic_int stop;
static int got, wrong_info;

static void *waiter(void *arg)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 2) {
			int sig;
			if (sigwait(&set, &sig) == 0 && sig == SIGUSR1)
				got++;
		} else {
			siginfo_t info;
			if (sigwaitinfo(&set, &info) == SIGUSR1) {
				got++;
				if (info.si_code != SI_USER || info.si_pid != getpid())
					wrong_info++;
			}
		}
		sem_post(&ack);
	}
	struct timespec t = {0, 20000000};
	int r = sigtimedwait(&set, NULL, &t);
	printf("sigtimedwait with nothing pending: %d %s\n", r, r < 0 ? en(errno) : "");
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
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* every thread inherits it */
	sem_init(&ack, 0, 0);
	pthread_t w, b[2];
	pthread_create(&w, NULL, waiter, NULL);
	for (int i = 0; i < 2; i++)
		pthread_create(&b[i], NULL, busy, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		kill(getpid(), SIGUSR1);
		watchdog_stage = "waiting for the sigwait thread";
		sem_wait(&ack);
	}
	pthread_join(w, NULL);
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(b[i], NULL);
	printf("sent %d, taken %d, wrong siginfo %d\n", ROUNDS, got, wrong_info);
	return 0;
}
