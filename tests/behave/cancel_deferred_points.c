/*
 * pthread_cancel of a thread blocked at a cancellation point: the call is
 * abandoned, the thread's cleanup handler runs and join returns
 * PTHREAD_CANCELED. One thread per kind of blocking call: read on a pipe,
 * cond_wait (the cleanup handler finds the mutex locked again, as POSIX
 * says), sleep, nanosleep, sem_wait, join, accept, poll, select, pause and
 * waitpid (the last two block in the kernel).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "check.h"

static int pipefd[2], listener;
static pthread_mutex_t lock;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static sem_t sem;
static pthread_t forever;
static pid_t child;
static volatile int blocked;
static int cleanup_ran;
static int unlock_in_cleanup = -1;

static void cleanup(void *arg)
{
	cleanup_ran = 1;
}

static void cleanup_cond(void *arg)
{
	cleanup_ran = 1;
	unlock_in_cleanup = pthread_mutex_unlock(&lock);   /* errorcheck: EPERM if not held */
}

static void *block_forever(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void *blocker(void *arg)
{
	const char *what = arg;
	char c;
	pthread_cleanup_push(cleanup, NULL);
	blocked = 1;
	if (!strcmp(what, "read")) {
		(void)!read(pipefd[0], &c, 1);
	} else if (!strcmp(what, "cond_wait")) {
		pthread_cleanup_push(cleanup_cond, NULL);
		pthread_mutex_lock(&lock);
		blocked = 2;
		for (;;)
			pthread_cond_wait(&cond, &lock);
		pthread_cleanup_pop(0);
	} else if (!strcmp(what, "sleep")) {
		sleep(100);
	} else if (!strcmp(what, "nanosleep")) {
		struct timespec ts = {100, 0};
		nanosleep(&ts, NULL);
	} else if (!strcmp(what, "sem_wait")) {
		sem_wait(&sem);
	} else if (!strcmp(what, "join")) {
		pthread_join(forever, NULL);
	} else if (!strcmp(what, "accept")) {
		accept(listener, NULL, NULL);
	} else if (!strcmp(what, "poll")) {
		struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
		poll(&p, 1, -1);
	} else if (!strcmp(what, "select")) {
		fd_set r;
		FD_ZERO(&r);
		FD_SET(pipefd[0], &r);
		select(pipefd[0] + 1, &r, NULL, NULL, NULL);
	} else if (!strcmp(what, "pause")) {
		pause();
	} else if (!strcmp(what, "waitpid")) {
		waitpid(child, NULL, 0);
	}
	printf("%s: returned instead of being cancelled\n", what);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void try(const char *what)
{
	watchdog_stage = what;
	pthread_t t;
	blocked = 0;
	cleanup_ran = 0;
	pthread_create(&t, NULL, blocker, (void *)what);
	while (!blocked)
		usleep(1000);
	usleep(30000);   /* let it block */
	int rc = pthread_cancel(t);
	void *result = NULL;
	int jr = pthread_join(t, &result);
	printf("%-10s cancel %s, join %s, %s, cleanup handler %s\n", what, en(rc), en(jr),
	       result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled", cleanup_ran ? "ran" : "did not run");
}

static void ignore(int sig)
{
}

int main(void)
{
	watchdog_start(20);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGUSR1, ignore);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&lock, &a);
	if (pipe(pipefd) != 0)
		return 1;
	sem_init(&sem, 0, 0);
	listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(listener, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(listener, 4) != 0)
		return 1;
	pthread_create(&forever, NULL, block_forever, NULL);
	child = fork();
	if (child == 0) {
		sleep(30);
		_exit(0);
	}
	const char *calls[] = {"read", "cond_wait", "sleep", "nanosleep", "sem_wait", "join", "accept",
			       "poll", "select", "pause", "waitpid"};
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
		try(calls[i]);
	printf("cond_wait cleanup: mutex held by the cancelled thread, unlock %s\n", en(unlock_in_cleanup));
	/* the mutex is free again */
	printf("mutex trylock after cancel: %s\n", en(pthread_mutex_trylock(&lock)));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
