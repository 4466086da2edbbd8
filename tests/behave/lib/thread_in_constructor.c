// libthread_in_constructor.so, for dlclose_joins_thread_from_constructor: its
// constructor starts a thread that waits, without calling into libc, until
// the destructor (run inside dlclose) tells it to finish; only then does it
// make its first stdio calls of the process. The destructor joins it.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_t thread;
static _Atomic int running = 1;

static void *waits_for_destructor(void *arg)
{
	while (running)
		sched_yield();
	puts("thread: told to finish by the destructor");
	fflush(stdout);
	return arg;
}

__attribute__((constructor)) static void start(void)
{
	if (pthread_create(&thread, NULL, waits_for_destructor, NULL) != 0)
		abort();
}

__attribute__((destructor)) static void finish(void)
{
	running = 0;
	if (pthread_join(thread, NULL) != 0)
		abort();
}
