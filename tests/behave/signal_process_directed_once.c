// signal_process_directed_once: a kill() of the process by a thread is
// handled once, and before the main thread (which accepts the signal, and
// which the kernel therefore picks) can see anything the sender does after
// the kill. Here the sender kills the process with SIGUSR1, then posts a
// semaphore the main thread waits on: the handler must have run by the time
// that wait returns, every round. Under goro the signal used to make a hop
// through a helper thread that let the post overtake it, so it ran "late",
// after the program had moved on (CPython's test_threadsignals, which had
// switched handlers by then, counted one kill twice).
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 1000

static sem_t go, done;
static _Atomic int handled;

static void on_usr1(int sig)
{
	handled++;
}

static void *sender(void *arg)
{
	for (int round = 0; round < ROUNDS; round++) {
		while (sem_wait(&go) != 0)
			;
		usleep(100);   /* the main thread is waiting by now */
		kill(getpid(), SIGUSR1);
		sem_post(&done);
	}
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sem_init(&go, 0, 0);
	sem_init(&done, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, sender, NULL);
	int not_yet = 0, twice = 0;
	for (int round = 0; round < ROUNDS; round++) {
		int before = handled;
		sem_post(&go);
		while (sem_wait(&done) != 0 && errno == EINTR)
			;
		int runs = handled - before;
		if (runs == 0)
			not_yet++;
		else if (runs > 1)
			twice++;
	}
	pthread_join(t, NULL);
	printf("%d kills: handler not run yet when the sender's next step was seen: %d; "
	       "run more than once: %d\n", ROUNDS, not_yet, twice);
	return 0;
}
