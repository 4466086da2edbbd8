/* All threads wait on goro objects, but a signal handler will wake them: not a deadlock. */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static sem_t wake;

static void on_alarm(int sig)
{
	sem_post(&wake);
}

static void *waiter(void *arg)
{
	sem_wait(&wake);
	return NULL;
}

int main(void)
{
	sem_init(&wake, 0, 0);
	signal(SIGALRM, on_alarm);
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	alarm(1);
	pthread_join(t, NULL);
	puts("woken by the signal");
	return 0;
}
