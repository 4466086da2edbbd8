// yield_waits_for_io: a thread spinning on sched_yield() until another thread
// has read from a pipe must not keep that reader from ever being woken
// (the netpoller still runs while a processor always has work).
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];
static volatile int got;

static void *reader(void *arg)
{
	char c;
	if (read(fds[0], &c, 1) == 1)
		got = 1;
	return NULL;
}

int main(void)
{
	pipe(fds);
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	usleep(10000);   /* the reader blocks */
	(void)!write(fds[1], "x", 1);
	long spins = 0;
	while (!got && spins < 100000000)
		sched_yield(), spins++;
	pthread_join(t, NULL);
	printf("reader woke while the main thread yielded: %s\n", got ? "yes" : "no");
	return !got;
}
