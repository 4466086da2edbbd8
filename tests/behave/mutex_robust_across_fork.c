// mutex_robust_across_fork: a fork child does not inherit the robust mutexes
// its parent holds: it may unmap the memory they are in and then lock robust
// mutexes of its own; and a private robust mutex in shared memory that a
// child left locked when it exited can be destroyed in the parent (NPTL never
// says EBUSY for a robust mutex). As glibc's tst-robust-fork does it.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void robust_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

static int child_status(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static pthread_mutex_t *shared_mutexes(void)
{
	void *p = mmap(NULL, 2 * sizeof(pthread_mutex_t), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void *in_thread(void *arg)
{
	(void)arg;
	/* 1: the parent holds a robust mutex in memory the child unmaps */
	pthread_mutex_t *shared = shared_mutexes();
	if (!shared)
		return "mmap failed";
	robust_init(&shared[0]);
	pthread_mutex_t own;
	robust_init(&own);
	printf("parent locks its robust mutex: %s\n", strerror(pthread_mutex_lock(&shared[0])));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		munmap(shared, 2 * sizeof(pthread_mutex_t));
		int r = pthread_mutex_lock(&own);
		if (r == 0)
			r = pthread_mutex_unlock(&own);
		_exit(r);
	}
	int status = child_status(pid);
	printf("child that unmapped it and locked its own: exited %d, signal %d\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	printf("parent unlocks: %s\n", strerror(pthread_mutex_unlock(&shared[0])));

	/* 2: a child locks a private robust mutex in shared memory and exits */
	robust_init(&shared[1]);
	pid = fork();
	if (pid == 0)
		_exit(pthread_mutex_lock(&shared[1]));
	status = child_status(pid);
	printf("child locked the other one: exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	printf("parent destroys it: %s\n", strerror(pthread_mutex_destroy(&shared[1])));
	printf("parent destroys its own: %s\n", strerror(pthread_mutex_destroy(&shared[0])));
	munmap(shared, 2 * sizeof(pthread_mutex_t));
	return NULL;
}

int main(void)
{
	/* in the main thread and in a created one */
	for (int round = 0; round < 2; round++) {
		const char *failed;
		if (round == 0) {
			failed = in_thread(NULL);
		} else {
			pthread_t t;
			void *result;
			if (pthread_create(&t, NULL, in_thread, NULL) || pthread_join(t, &result))
				failed = "pthread_create/join failed";
			else
				failed = result;
		}
		if (failed) {
			printf("%s\n", failed);
			return 1;
		}
	}
	return 0;
}
