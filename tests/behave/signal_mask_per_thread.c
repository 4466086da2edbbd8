/*
 * Each thread has its own signal mask: two threads block different signals
 * and switch back and forth many times; each reads back only its own mask
 * (including a signal it blocked that a runtime might want for itself,
 * SIGURG), a thread it creates starts with its mask, and a signal sent to
 * each arrives or waits according to that thread's mask alone.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define SWITCHES 3000

static pthread_barrier_t barrier;
static pthread_t threads[2];
static atomic_int usr1_in[2], usr2_in[2];
static char report[2][512];   /* each thread's lines, printed by main in order */
#define say(me, ...) snprintf(report[me] + strlen(report[me]), sizeof report[me] - strlen(report[me]), __VA_ARGS__)

static void on_signal(int sig)
{
	for (int i = 0; i < 2; i++)
		if (pthread_equal(pthread_self(), threads[i]))
			atomic_fetch_add(sig == SIGUSR1 ? &usr1_in[i] : &usr2_in[i], 1);
}

static int mask_is(int me, int blocked, int unblocked, const char *who)
{
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	if (sigismember(&cur, blocked) != 1 || sigismember(&cur, unblocked) != 0) {
		say(me, "%s: wrong mask: sig %d blocked %d, sig %d blocked %d\n", who, blocked,
		       sigismember(&cur, blocked), unblocked, sigismember(&cur, unblocked));
		return 0;
	}
	return 1;
}

static void *child(void *arg)
{
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return (void *)(intptr_t)(sigismember(&cur, SIGUSR1) * 2 + sigismember(&cur, SIGUSR2));
}

static void *run(void *arg)
{
	int me = (int)(intptr_t)arg;
	const char *name = me ? "B" : "A";
	int mine = me ? SIGUSR2 : SIGUSR1, other = me ? SIGUSR1 : SIGUSR2;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, mine);
	if (me == 0)
		sigaddset(&set, SIGURG);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (sigismember(&old, mine) || sigismember(&old, other))
		say(me, "%s: started with a signal blocked\n", name);
	pthread_barrier_wait(&barrier);
	int good = 1;
	for (int i = 0; i < SWITCHES && good; i++) {
		sched_yield();
		good = mask_is(me, mine, other, name);
	}
	if (good)
		say(me, "%s: own mask after %d switches\n", name, SWITCHES);
	sigset_t cur;
	pthread_sigmask(SIG_SETMASK, NULL, &cur);
	say(me, "%s: SIGURG reads back blocked: %d\n", name, sigismember(&cur, SIGURG));
	pthread_t c;
	void *r;
	pthread_create(&c, NULL, child, NULL);
	pthread_join(c, &r);
	say(me, "%s: child inherits: SIGUSR1 %d SIGUSR2 %d\n", name, (int)(intptr_t)r / 2, (int)(intptr_t)r % 2);
	pthread_barrier_wait(&barrier);   /* main sends both signals to both */
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < 100; i++)
		sched_yield();
	say(me, "%s: got SIGUSR1 %d SIGUSR2 %d while one is blocked\n", name, atomic_load(&usr1_in[me]),
	       atomic_load(&usr2_in[me]));
	pthread_barrier_wait(&barrier);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	say(me, "%s: after unblocking: SIGUSR1 %d SIGUSR2 %d\n", name, atomic_load(&usr1_in[me]),
	       atomic_load(&usr2_in[me]));
	return NULL;
}

int main(void)
{
	watchdog_start(20);
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	pthread_barrier_init(&barrier, NULL, 3);
	for (int i = 0; i < 2; i++)
		pthread_create(&threads[i], NULL, run, (void *)(intptr_t)i);
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < 2; i++) {
		pthread_kill(threads[i], SIGUSR1);
		pthread_kill(threads[i], SIGUSR2);
	}
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < 2; i++) {
		pthread_join(threads[i], NULL);
		fputs(report[i], stdout);
	}
	sigset_t cur;
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	printf("main: SIGUSR1 %d SIGUSR2 %d SIGURG %d blocked\n", sigismember(&cur, SIGUSR1),
	       sigismember(&cur, SIGUSR2), sigismember(&cur, SIGURG));
	return 0;
}
