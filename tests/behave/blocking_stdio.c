// blocking_stdio: a thread whose stdio output blocks inside glibc (a stream
// on a pipe nobody reads yet), and a thread waiting for a stream lock
// another thread holds while it sleeps, must not stop the other threads.
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fds[2];
static volatile int counter_done;

static void *stuffer(void *arg)
{
	FILE *f = fdopen(fds[1], "w");
	for (int i = 0; i < 20000; i++)
		fprintf(f, "line %05d of a long stream that fills the pipe buffer\n", i);
	fclose(f);
	return NULL;
}

static void *counter(void *arg)
{
	for (int i = 0; i < 10; i++)
		usleep(2000);
	counter_done = 1;
	return NULL;
}

static void *lock_holder(void *arg)
{
	flockfile(stdout);
	usleep(50000);
	fputs("holder: done\n", stdout);
	funlockfile(stdout);
	return NULL;
}

static void *lock_waiter(void *arg)
{
	usleep(10000);
	printf("waiter: printed after the holder let go\n");
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pipe(fds);
	pthread_t s, c;
	pthread_create(&s, NULL, stuffer, NULL);
	usleep(20000);   /* the stuffer fills the pipe and blocks inside fprintf */
	pthread_create(&c, NULL, counter, NULL);
	pthread_join(c, NULL);
	printf("counter finished while the writer was blocked: %s\n", counter_done ? "yes" : "no");
	char buf[4096];
	long total = 0;
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof buf)) > 0)
		total += n;
	pthread_join(s, NULL);
	printf("read %ld bytes from the pipe\n", total);

	pthread_t h, w;
	pthread_create(&h, NULL, lock_holder, NULL);
	pthread_create(&w, NULL, lock_waiter, NULL);
	pthread_join(h, NULL);
	pthread_join(w, NULL);
	return 0;
}
