// blocking_waitpid: a thread blocked in waitpid() on a slow child while
// another thread keeps running and finishes first.
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int counter_done, child_done;

static void *waiter(void *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		usleep(400000);
		_exit(42);
	}
	int status = 0;
	if (waitpid(pid, &status, 0) != pid)
		printf("waitpid failed\n");
	child_done = 1;
	printf("child exited with %d; counter had finished first: %s\n", WEXITSTATUS(status),
	       counter_done ? "yes" : "no");
	return NULL;
}

static void *counter(void *arg)
{
	long spins = 0;
	for (int i = 0; i < 10; i++) {
		for (volatile int k = 0; k < 100000; k++)
			spins++;
		usleep(5000);
	}
	counter_done = 1;
	printf("counter: finished while the child ran: %s\n", child_done ? "no" : "yes");
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t w, c;
	pthread_create(&w, NULL, waiter, NULL);
	usleep(20000);
	pthread_create(&c, NULL, counter, NULL);
	pthread_join(c, NULL);
	pthread_join(w, NULL);
	return 0;
}
