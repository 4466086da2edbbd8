// pthread_exit_main_then_others_finish: main calls pthread_exit while 100
// threads are blocked and others compute; the last of them releases the
// blocked ones; the process lives on until every thread has finished (the
// last one by returning, or by pthread_exit), then exits with status 0 and
// runs its atexit handlers once. (In a child process; the parent prints
// its status.)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static int finished_last_way;   /* 0: return, 1: pthread_exit */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int finished;

static void at_exit(void)
{
	printf("atexit: %d threads finished after main\n", finished);
}

static void *releaser(void *arg)
{
	usleep(30000);
	pthread_mutex_lock(&crowd_lock);
	crowd_stopping = 1;
	pthread_cond_broadcast(&crowd_cond);
	pthread_mutex_unlock(&crowd_lock);
	return NULL;
}

static void *counted(void *arg)
{
	void *(*body)(void *) = arg;
	body(NULL);
	pthread_mutex_lock(&count_lock);
	finished++;
	pthread_mutex_unlock(&count_lock);
	if (finished_last_way)
		pthread_exit(NULL);
	return NULL;
}

static void child(int way)
{
	finished_last_way = way;
	atexit(at_exit);
	pthread_t t;
	for (int i = 0; i < CROWD_BLOCKED; i++)
		pthread_create(&t, NULL, counted, crowd_blocked);
	for (int i = 0; i < CROWD_SPINNING; i++)
		pthread_create(&t, NULL, counted, crowd_spinning);
	pthread_create(&t, NULL, counted, releaser);
	pthread_exit(NULL);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	for (int way = 0; way < 2; way++) {
		pid_t pid = fork();
		if (pid == 0)
			child(way);
		int status;
		waitpid(pid, &status, 0);
		printf("child (threads %s): %s %d\n", way ? "call pthread_exit" : "return",
		       WIFEXITED(status) ? "exit status" : "killed by signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	return 0;
}
