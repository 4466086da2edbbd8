// exit_with_threads_running: a thread other than main calls exit(7) while
// 100 threads are blocked, others compute or contend for a mutex and main
// waits in pthread_join. The process ends at once with status 7, the atexit
// handlers run once each (on the exiting thread), stdio is flushed.
// (It runs in a child process; the parent prints the child's status.)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static pthread_t exiter_thread;

static void at_exit_first(void)
{
	printf("atexit handler 2 (registered last), on the exiting thread: %s\n",
	       pthread_equal(pthread_self(), exiter_thread) ? "yes" : "no");
}

static void at_exit_second(void)
{
	printf("atexit handler 1\n");
}

static void *exiter(void *arg)
{
	usleep(20000);
	printf("exiting, buffered line\n");   /* fully buffered: exit must flush it */
	exit(7);
}

static void child(void)
{
	setvbuf(stdout, NULL, _IOFBF, 4096);
	atexit(at_exit_second);
	atexit(at_exit_first);
	crowd_start();
	pthread_create(&exiter_thread, NULL, exiter, NULL);
	pthread_join(exiter_thread, NULL);
	printf("join returned\n");
	_exit(1);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	pid_t pid = fork();
	if (pid == 0)
		child();
	int status;
	waitpid(pid, &status, 0);
	printf("child: %s %d\n", WIFEXITED(status) ? "exit status" : "killed by signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}
