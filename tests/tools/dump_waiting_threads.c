/*
 * Threads parked in different waits; SIGQUIT (argument "quit") or a dump
 * asked for from outside (argument "wait": the program waits to be killed).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int fds[2];

static void *waits_on_condition(void *arg)
{
	pthread_mutex_lock(&m);
	pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return NULL;
}

static void *reads_a_pipe(void *arg)
{
	char ch;
	return (void *)(long)read(fds[0], &ch, 1);
}

static void *sleeps(void *arg)
{
	sleep(100);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[3];
	if (pipe(fds) != 0)
		return 1;
	pthread_create(&t[0], NULL, waits_on_condition, NULL);
	pthread_create(&t[1], NULL, reads_a_pipe, NULL);
	pthread_create(&t[2], NULL, sleeps, NULL);
	usleep(200000);
	if (argc > 1 && strcmp(argv[1], "quit") == 0)
		raise(SIGQUIT);
	printf("ready\n");
	fflush(stdout);
	sleep(100);
	return 0;
}
