// syscall_return_without_p: the main thread's first blocking call (waitpid)
// outlasts the grace period while another thread keeps the only processor
// busy, so when the call returns there is no free processor: the main thread
// must be queued and run again, not forgotten.
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *busy(void *arg)
{
	double end = now() + 0.4;
	while (!stop && now() < end)
		sched_yield();
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		_exit(5);
	}
	pthread_t t;
	pthread_create(&t, NULL, busy, NULL);
	int status = 0;
	waitpid(pid, &status, 0);
	stop = 1;
	pthread_join(t, NULL);
	printf("child exit status %d\n", WEXITSTATUS(status));
	return 0;
}
