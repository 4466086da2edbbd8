// signal_raise_blocked_then_unblocked: raise() of a signal the thread blocks
// leaves it pending for that thread (sigpending shows it, no handler runs);
// when the thread unblocks it, its handler runs in that thread before
// pthread_sigmask returns, however long the thread slept in between and
// whatever other threads ran meanwhile (glibc's
// tst-pthread-raise-blocked-self). Many rounds, with busy threads around,
// so that the sleeping thread comes back on another OS thread under goro.
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 40

static volatile pthread_t handled_in;
static volatile int handled;
static volatile int stop;

static void on_usr1(int sig)
{
	handled_in = pthread_self();
	handled++;
}

static void *busy(void *arg)
{
	while (!stop)
		for (volatile int i = 0; i < 100000; i++)
			;
	return NULL;
}

static void *waiter(void *arg)
{
	pause();   /* accepts SIGUSR1: a place the signal must not go */
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_t busy_threads[3], waiting;
	pthread_create(&waiting, NULL, waiter, NULL);
	for (int i = 0; i < 3; i++)
		pthread_create(&busy_threads[i], NULL, busy, NULL);

	sigset_t all, pending;
	sigfillset(&all);
	int wrong_thread = 0, not_pending = 0, early = 0, not_delivered = 0;
	for (int round = 0; round < ROUNDS; round++) {
		int before = handled;
		pthread_sigmask(SIG_BLOCK, &all, NULL);
		raise(SIGUSR1);
		if (handled != before)
			early++;
		usleep(2000 + (round % 4) * 1000);
		sigpending(&pending);
		if (!sigismember(&pending, SIGUSR1))
			not_pending++;
		if (handled != before)
			early++;
		pthread_sigmask(SIG_UNBLOCK, &all, NULL);
		if (handled != before + 1)
			not_delivered++;
		else if (!pthread_equal(handled_in, pthread_self()))
			wrong_thread++;
	}
	stop = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(busy_threads[i], NULL);
	pthread_cancel(waiting);
	pthread_join(waiting, NULL);
	printf("%d rounds: handled %d; before the unblock %d, not pending while blocked %d, "
	       "not delivered at the unblock %d, in another thread %d\n",
	       ROUNDS, handled, early, not_pending, not_delivered, wrong_thread);
	return 0;
}
