// return_from_main_threads_running: main returns 5 while 100 threads are
// blocked and others compute or contend for a mutex: the process ends with
// status 5, atexit handlers and static destructors run once, stdio is
// flushed. (In a child process; the parent prints its status.)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static int atexit_runs, destructor_runs;

static void at_exit(void)
{
	printf("atexit handler run %d\n", ++atexit_runs);
}

__attribute__((destructor)) static void destructor(void)
{
	if (getenv("IN_CHILD"))
		printf("destructor run %d\n", ++destructor_runs);
}

static int child(void)
{
	setenv("IN_CHILD", "1", 1);
	setvbuf(stdout, NULL, _IOFBF, 4096);
	atexit(at_exit);
	crowd_start();
	usleep(20000);
	printf("main returns, buffered line\n");
	return 5;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	pid_t pid = fork();
	if (pid == 0)
		return child();
	int status;
	waitpid(pid, &status, 0);
	printf("child: %s %d\n", WIFEXITED(status) ? "exit status" : "killed by signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}
