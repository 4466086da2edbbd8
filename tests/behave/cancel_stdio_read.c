// cancel_stdio_read: pthread_cancel of a thread blocked in fgets, getc and
// fread on an empty pipe (stdio reads are cancellation points in NPTL: glibc's
// read inside them is): each thread's cleanup handler runs and join returns
// PTHREAD_CANCELED. As glibc's tst-cancel6.
#define _GNU_SOURCE
#include "check.h"

enum { CALLS = 3 };
static FILE *streams[CALLS];
static _Atomic int cleanups;

static void cleanup(void *arg)
{
	(void)arg;
	cleanups++;
}

static void *reads(void *arg)
{
	int call = (int)(intptr_t)arg;
	char buffer[64];
	pthread_cleanup_push(cleanup, NULL);
	if (call == 0)
		fgets(buffer, sizeof buffer, streams[call]);
	else if (call == 1)
		getc(streams[call]);
	else
		fread(buffer, 1, sizeof buffer, streams[call]);
	pthread_cleanup_pop(0);
	return NULL;   /* the read returned: not cancelled */
}

int main(void)
{
	watchdog_start(20);
	static const char *const names[CALLS] = {"fgets", "getc", "fread"};
	pthread_t threads[CALLS];
	int writers[CALLS];
	for (int i = 0; i < CALLS; i++) {
		int fds[2];
		if (pipe(fds) != 0 || !(streams[i] = fdopen(fds[0], "r")))
			return 1;
		writers[i] = fds[1];
		if (pthread_create(&threads[i], NULL, reads, (void *)(intptr_t)i) != 0)
			return 1;
	}
	usleep(200 * 1000);   /* let them block in the kernel */
	watchdog_stage = "join after cancel";
	for (int i = 0; i < CALLS; i++) {
		pthread_cancel(threads[i]);
		void *result;
		pthread_join(threads[i], &result);
		printf("%s: %s\n", names[i], result == PTHREAD_CANCELED ? "cancelled" : "returned");
		close(writers[i]);
	}
	printf("cleanup handlers run: %d\n", (int)cleanups);
	return 0;
}
