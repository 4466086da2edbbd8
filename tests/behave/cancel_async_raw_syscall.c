/*
 * Asynchronous cancellation of a thread blocked in a raw system call made
 * with syscall(SYS_pause) (not a cancellation point, but asynchronous
 * cancellation acts anywhere): the pause ends, the thread does not return
 * from it, its cleanup handler runs and join returns PTHREAD_CANCELED.
 * The same for a thread in syscall(SYS_futex, FUTEX_WAIT) on a private word.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include "check.h"

static volatile int ready, cleanup_ran, returned;
static unsigned int word;

static void cleanup(void *arg)
{
	cleanup_ran = 1;
}

static void *pauser(void *arg)
{
	pthread_cleanup_push(cleanup, NULL);
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	ready = 1;
	if (arg)
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	else
		syscall(SYS_pause);
	returned = 1;
	pthread_cleanup_pop(0);
	return NULL;
}

static void one(const char *what, void *arg)
{
	ready = cleanup_ran = returned = 0;
	pthread_t t;
	pthread_create(&t, NULL, pauser, arg);
	while (!ready)
		usleep(1000);
	usleep(100 * 1000);   /* inside its call */
	printf("%s: cancel: %s\n", what, en(pthread_cancel(t)));
	void *result;
	printf("%s: join: %s\n", what, en(pthread_join(t, &result)));
	printf("%s: result: %s, cleanup handler %s, call returned: %s\n", what,
	       result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled", cleanup_ran ? "ran" : "did not run",
	       returned ? "yes" : "no");
}

int main(void)
{
	watchdog_start(20);
	one("pause", NULL);
	one("futex wait", &word);
	return 0;
}
