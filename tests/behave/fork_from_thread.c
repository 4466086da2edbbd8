// fork_from_thread: fork() from a thread while other threads run; the child
// has only that thread, can create and join threads of its own, sleep, and
// exit with a status the parent reads; system() from a thread works too.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long shared;
static volatile int stop;

static void *busy(void *arg)
{
	while (!stop) {
		pthread_mutex_lock(&lock);
		shared++;
		pthread_mutex_unlock(&lock);
		usleep(100);
	}
	return NULL;
}

static void *child_worker(void *arg)
{
	usleep(1000);
	return (void *)((long)arg * 2);
}

static void *forker(void *arg)
{
	for (int round = 0; round < 3; round++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			long sum = 0;
			pthread_t t[3];
			for (long i = 0; i < 3; i++)
				pthread_create(&t[i], NULL, child_worker, (void *)(i + 1));
			for (int i = 0; i < 3; i++) {
				void *r;
				pthread_join(t[i], &r);
				sum += (long)r;
			}
			pthread_mutex_lock(&lock);   /* usable in the child */
			pthread_mutex_unlock(&lock);
			_exit((int)sum + round);
		}
		int status;
		waitpid(pid, &status, 0);
		printf("round %d: child exit status %d\n", round, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	int r = system("exit 7");
	printf("system: %d\n", WIFEXITED(r) ? WEXITSTATUS(r) : -1);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t b[4], f;
	for (int i = 0; i < 4; i++)
		pthread_create(&b[i], NULL, busy, NULL);
	pthread_create(&f, NULL, forker, NULL);
	pthread_join(f, NULL);
	stop = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(b[i], NULL);
	printf("busy threads counted: %s\n", shared > 0 ? "yes" : "no");
	return 0;
}
