// abort_status: a thread calls abort() while 100 threads are blocked and
// others compute: the process dies of SIGABRT (core dumped or not as
// natively), and at once. Also with a SIGABRT handler that returns (abort
// still kills), and with SIGABRT blocked by the caller (abort unblocks it).
// (In child processes; the parent prints their wait status.)
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

static void on_abort(int sig)
{
	static const char msg[] = "handler ran\n";
	(void)!write(1, msg, sizeof msg - 1);
}

static void *aborter(void *arg)
{
	usleep(20000);
	if (variant == 1)
		signal(SIGABRT, on_abort);
	if (variant == 2) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGABRT);
		pthread_sigmask(SIG_BLOCK, &s, NULL);
	}
	abort();
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	const char *names[] = {"plain", "handler returns", "SIGABRT blocked"};
	for (variant = 0; variant < 3; variant++) {
		pid_t pid = fork();
		if (pid == 0) {
			crowd_start();
			pthread_t t;
			pthread_create(&t, NULL, aborter, NULL);
			pthread_join(t, NULL);
			_exit(1);
		}
		int status;
		waitpid(pid, &status, 0);
		printf("%s: signaled %d, signal %s, core %d\n", names[variant], WIFSIGNALED(status),
		       WIFSIGNALED(status) ? sigabbrev_np(WTERMSIG(status)) : "-", WCOREDUMP(status) ? 1 : 0);
	}
	return 0;
}
