// signal_realtime_queued_to_process: real-time signals sent to the process
// queue: each sigqueue() is delivered once, with its own si_value, even when
// several instances of one signal are in flight together, and before the
// only thread that accepts them has finished (it is parked in a mutex lock
// while they come, then unlocked and joined). glibc's tst-signal3 lost a few
// of 10000 under goro: instances merged into one, or left behind when the
// thread went on.
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 200
#define SENT 8       /* per round, over 4 signal numbers: two instances each */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic unsigned seen;     /* bit k: the value k arrived */
static _Atomic int duplicates, wrong_signal;

static void on_rt(int sig, siginfo_t *info, void *context)
{
	int k = info->si_value.sival_int;
	if (k < 0 || k >= SENT || sig != SIGRTMIN + k % 4)
		wrong_signal++;
	else if (atomic_fetch_or(&seen, 1u << k) & (1u << k))
		duplicates++;
}

static void *accepting_thread(void *arg)
{
	sigset_t set;
	sigemptyset(&set);
	for (int i = 0; i < 4; i++)
		sigaddset(&set, SIGRTMIN + i);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(void)
{
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);   /* only the other thread takes them */
	for (int i = 0; i < 4; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = on_rt;
		sa.sa_flags = SA_SIGINFO;
		sigfillset(&sa.sa_mask);
		sigaction(SIGRTMIN + i, &sa, NULL);
	}
	int incomplete = 0;
	for (int round = 0; round < ROUNDS; round++) {
		seen = 0;
		pthread_mutex_lock(&lock);
		pthread_t t;
		pthread_create(&t, NULL, accepting_thread, NULL);
		usleep(100);
		for (int k = 0; k < SENT; k++)
			sigqueue(getpid(), SIGRTMIN + k % 4, (union sigval){.sival_int = k});
		pthread_mutex_unlock(&lock);
		pthread_join(t, NULL);
		if (seen != (1u << SENT) - 1)
			incomplete++;
	}
	printf("%d rounds of %d queued signals: rounds with some missing when the thread ended %d, "
	       "delivered twice %d, wrong value %d\n", ROUNDS, SENT, incomplete, (int)duplicates, (int)wrong_signal);
	return 0;
}
