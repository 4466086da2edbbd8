// fatal_signal_status: a process with 100 threads blocked and others
// computing dies the way it would natively: a thread dereferences NULL
// (SIGSEGV), divides by zero (SIGFPE), raises SIGTERM, or kills the process
// with SIGKILL; the parent kills it with SIGTERM; each time the wait status
// is the native one. (In child processes; the parent prints their status.)
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static int variant;
static volatile int zero;
static int *volatile null_pointer;

static void *dier(void *arg)
{
	usleep(20000);
	switch (variant) {
	case 0: return (void *)(long)*null_pointer;
	case 1: return (void *)(long)(100 / zero);
	case 2: raise(SIGTERM); break;
	case 3: kill(getpid(), SIGKILL); break;
	case 4: pause(); break;   /* the parent sends SIGTERM */
	}
	usleep(1000000);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	const char *names[] = {"NULL dereference", "division by zero", "raise(SIGTERM)", "kill SIGKILL",
			       "SIGTERM from the parent"};
	int ready[2];
	for (variant = 0; variant < 5; variant++) {
		if (pipe(ready))
			return 1;
		pid_t pid = fork();
		if (pid == 0) {
			crowd_start();
			pthread_t t;
			pthread_create(&t, NULL, dier, NULL);
			close(ready[1]);
			pthread_join(t, NULL);
			_exit(1);
		}
		close(ready[1]);
		char c;
		(void)!read(ready[0], &c, 1);   /* EOF once the child runs its threads */
		close(ready[0]);
		if (variant == 4) {
			usleep(50000);
			kill(pid, SIGTERM);
		}
		int status;
		waitpid(pid, &status, 0);
		printf("%s: signaled %d, signal %s, core %d, exited %d\n", names[variant], WIFSIGNALED(status),
		       WIFSIGNALED(status) ? sigabbrev_np(WTERMSIG(status)) : "-", WCOREDUMP(status) ? 1 : 0,
		       WIFEXITED(status));
	}
	return 0;
}
