/* For `goro inspect`: C11 <threads.h>, which goro interposes, and a raw
 * clone, which it does not (compatible with one warning). */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <threads.h>

static mtx_t lock;
static int counter;
static char child_stack[64 * 1024];

static int work(void *arg)
{
	mtx_lock(&lock);
	counter++;
	mtx_unlock(&lock);
	return 0;
}

int main(void)
{
	thrd_t t;
	if (mtx_init(&lock, mtx_plain) != thrd_success || thrd_create(&t, work, NULL) != thrd_success)
		return 1;
	thrd_join(t, NULL);
	int pid = clone(work, child_stack + sizeof child_stack, SIGCHLD, NULL);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	printf("counter %d\n", counter);
	return 0;
}
