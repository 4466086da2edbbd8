// stack_overflow_kills: a thread that recurses without end on a 64 KiB stack
// kills its process with SIGSEGV, as under NPTL (the guard page), whether or
// not the program asked for a guard size, and the parent sees that status.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int bottomless = 1;

static int recurse(int depth)
{
	volatile char frame[512];
	memset((char *)frame, depth & 0xff, sizeof frame);
	if (!bottomless)
		return frame[0];
	return recurse(depth + 1) + frame[depth % sizeof frame];
}

static void *deep(void *arg)
{
	return (void *)(long)recurse(0);
}

static int child(size_t guard)
{
	pthread_attr_t a;
	pthread_t t;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	if (guard)
		pthread_attr_setguardsize(&a, guard);
	if (pthread_create(&t, &a, deep, NULL) != 0)
		return 3;
	pthread_join(t, NULL);
	return 4;   /* not reached: the overflow kills the process */
}

static void run(const char *what, size_t guard)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(2);   /* goro's report is checked by tests/tools/reports.sh */
		_exit(child(guard));
	}
	int status;
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return;
	}
	printf("%s: child %s\n", what,
	       WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? "killed by SIGSEGV"
	       : WIFSIGNALED(status)                              ? "killed by another signal"
								  : "exited");
}

int main(void)
{
	run("default guard", 0);
	run("16 KiB guard", 16 * 1024);
	return 0;
}
