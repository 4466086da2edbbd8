// signal_pthread_kill_exited_thread: pthread_kill of a thread that has returned
// but is not yet joined succeeds and sends nothing (glibc 2.34 and later: the
// thread's ID stays valid until it is joined), for a signal and for signal 0.
// (Whether the handler ran is not printed: on a loaded machine the thread may
// natively still be on its way out after the sleep.)
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static void *returns_at_once(void *arg)
{
	return arg;
}

int main(void)
{
	signal(SIGUSR1, on_usr1);
	for (int round = 0; round < 3; round++) {
		pthread_t thread;
		if (pthread_create(&thread, NULL, returns_at_once, NULL) != 0) {
			printf("pthread_create failed\n");
			return 1;
		}
		usleep(100 * 1000);     /* long enough for it to be gone */
		int with_signal = pthread_kill(thread, SIGUSR1);
		int with_zero = pthread_kill(thread, 0);
		printf("round %d: pthread_kill(SIGUSR1) = %s, pthread_kill(0) = %s\n", round,
		       with_signal ? strerror(with_signal) : "0", with_zero ? strerror(with_zero) : "0");
		if (pthread_join(thread, NULL) != 0) {
			printf("pthread_join failed\n");
			return 1;
		}
	}
	return 0;
}
