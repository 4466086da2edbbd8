/*
 * The signalfd pattern: every thread blocks SIGUSR2 and a real-time signal,
 * one thread reads them from a signalfd it waits on with poll (and one
 * blocking read), others keep switching; each of many kill(getpid()) and
 * sigqueue(getpid()) is read once, with its sender and value, and nobody
 * dies of them.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "check.h"

#define ROUNDS 200

static int sfd;
static sem_t ack;
static atomic_int stop;
static int usr2, rt, wrong;

static void *reader(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 4) {
			struct pollfd p = {.fd = sfd, .events = POLLIN};
			if (poll(&p, 1, -1) != 1 || !(p.revents & POLLIN))
				wrong++;
		}
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof si) != sizeof si) {
			wrong++;
		} else if ((int)si.ssi_signo == SIGUSR2) {
			usr2++;
			if (si.ssi_code != SI_USER || (pid_t)si.ssi_pid != getpid())
				wrong++;
		} else if ((int)si.ssi_signo == SIGRTMIN + 2) {
			rt++;
			if (si.ssi_code != SI_QUEUE || si.ssi_int != i)
				wrong++;
		}
		sem_post(&ack);
	}
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
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* every thread inherits it */
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	sem_init(&ack, 0, 0);
	pthread_t r, b[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&b[i], NULL, busy, NULL);
	pthread_create(&r, NULL, reader, NULL);
	for (int i = 0; i < ROUNDS; i++) {
		if (i % 2)
			sigqueue(getpid(), SIGRTMIN + 2, (union sigval){.sival_int = i});
		else
			kill(getpid(), SIGUSR2);
		watchdog_stage = "waiting for the signalfd reader";
		sem_wait(&ack);
	}
	pthread_join(r, NULL);
	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(b[i], NULL);
	sigset_t pending;
	sigpending(&pending);
	printf("read SIGUSR2 %d, real-time %d, wrong %d; still pending: %d\n", usr2, rt, wrong,
	       sigismember(&pending, SIGUSR2) + sigismember(&pending, SIGRTMIN + 2));
	return 0;
}
