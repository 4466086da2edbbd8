/*
 * aio_suspend is a cancellation point: a thread waiting in it for a read
 * from an empty pipe is cancelled (its cleanup handler runs once, join
 * returns PTHREAD_CANCELED), before or after it started waiting. Then the
 * read completes once data is written.
 */
#define _GNU_SOURCE
#include <aio.h>
#include <errno.h>
#include <stdlib.h>
#include "check.h"

static pthread_barrier_t barrier;
static volatile int cleanups, returned;

static void cleanup(void *arg)
{
	cleanups++;
}

static void *suspender(void *arg)
{
	pthread_barrier_wait(&barrier);
	pthread_cleanup_push(cleanup, NULL);
	const struct aiocb *list[1] = {arg};
	while (aio_suspend(list, 1, NULL) != 0 && errno == EINTR)
		;
	returned = 1;
	pthread_cleanup_pop(0);
	return NULL;
}

static void one(const char *what, struct aiocb *a, int early)
{
	cleanups = returned = 0;
	pthread_t t;
	pthread_create(&t, NULL, suspender, a);
	if (early)
		printf("%s: cancel: %s\n", what, en(pthread_cancel(t)));
	pthread_barrier_wait(&barrier);
	if (!early) {
		usleep(100 * 1000);   /* inside aio_suspend */
		printf("%s: cancel: %s\n", what, en(pthread_cancel(t)));
	}
	void *result;
	printf("%s: join: %s\n", what, en(pthread_join(t, &result)));
	printf("%s: result: %s, cleanup handler ran %d time(s), returned: %s\n", what,
	       result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled", cleanups, returned ? "yes" : "no");
}

int main(void)
{
	watchdog_start(20);
	int fds[2];
	if (pipe(fds) != 0)
		return 1;
	char c;
	struct aiocb a;
	memset(&a, 0, sizeof a);
	a.aio_fildes = fds[0];
	a.aio_buf = &c;
	a.aio_nbytes = 1;
	if (aio_read(&a) != 0)
		return 1;
	pthread_barrier_init(&barrier, NULL, 2);
	one("waiting", &a, 0);
	one("early", &a, 1);
	printf("write: %zd\n", write(fds[1], "x", 1));
	const struct aiocb *list[1] = {&a};
	while (aio_suspend(list, 1, NULL) != 0 && errno == EINTR)
		;
	printf("read: %zd '%c'\n", aio_return(&a), c);
	return 0;
}
