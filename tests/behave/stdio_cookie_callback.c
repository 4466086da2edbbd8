// stdio_cookie_callback: a stdio stream whose write callback blocks in the
// kernel and then waits for a mutex another thread holds while it keeps the
// processor busy (fopencookie): nested blocking inside a stdio call.
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int callbacks;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static ssize_t cookie_write(void *cookie, const char *buf, size_t n)
{
	poll(NULL, 0, 10);   /* blocks in the kernel long enough for a hand-off */
	pthread_mutex_lock(&mu);
	callbacks++;
	pthread_mutex_unlock(&mu);
	return (ssize_t)n;
}

static void *holder(void *arg)
{
	pthread_mutex_lock(&mu);
	usleep(2000);
	double end = now() + 0.05;
	while (now() < end)
		;   /* keeps the processor */
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void)
{
	cookie_io_functions_t io = {.write = cookie_write};
	FILE *s = fopencookie(NULL, "w", io);
	setvbuf(s, NULL, _IONBF, 0);
	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	usleep(1000);
	fputs("x", s);
	pthread_join(t, NULL);
	fclose(s);
	printf("callbacks ran: %d\n", callbacks);
	return callbacks != 1;
}
