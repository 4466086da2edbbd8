// signal_handler_sem_post: a SIGALRM handler posts a semaphore every 50 µs
// (sem_post is async-signal-safe) while threads hand a semaphore back and
// forth and another thread consumes the handler's posts: the handler may
// land anywhere, the runtime included, and nothing may hang.
// goro-test: native-args=20000
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static sem_t ping, pong, ticks;
static volatile long posted, consumed;
static volatile int stop;
static int rounds = 1000000;

static void on_alarm(int sig)
{
	int saved = errno;
	if (!stop) {
		posted++;
		sem_post(&ticks);
	}
	errno = saved;
}

static void *consumer(void *arg)
{
	for (;;) {
		if (sem_wait(&ticks) != 0)
			continue;   /* EINTR */
		if (stop)
			return NULL;
		consumed++;
	}
}

static void *ponger(void *arg)
{
	for (int i = 0; i < rounds; i++) {
		while (sem_wait(&ping) != 0 && errno == EINTR)
			;
		sem_post(&pong);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1)
		rounds = atoi(argv[1]);
	sem_init(&ping, 0, 0);
	sem_init(&pong, 0, 0);
	sem_init(&ticks, 0, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pthread_t c, p;
	pthread_create(&c, NULL, consumer, NULL);
	pthread_create(&p, NULL, ponger, NULL);
	struct itimerval every = {{0, 50}, {0, 50}}, off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &every, NULL);
	for (int i = 0; i < rounds; i++) {
		sem_post(&ping);
		while (sem_wait(&pong) != 0 && errno == EINTR)
			;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	usleep(50000);
	stop = 1;
	sem_post(&ticks);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	printf("hand-offs done; the handler ran and its posts were consumed: %s\n",
	       posted > 0 && consumed > 0 ? "yes" : "no");
	struct sigaction back;
	sigaction(SIGALRM, NULL, &back);
	printf("sigaction reports the program's own handler: %s\n", back.sa_handler == on_alarm ? "yes" : "no");
	return 0;
}
