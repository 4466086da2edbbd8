// pshared_objects: process-shared mutex and semaphore in shared memory,
// used across fork(); a thread waiting on one held by the other process must
// not stop this process's other threads.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct shared {
	pthread_mutex_t mutex;
	sem_t sem;
	int value;
};
static struct shared *sh;
static volatile int ticker_done, locker_done;

static void *locker(void *arg)
{
	pthread_mutex_lock(&sh->mutex);   /* held by the child for 300 ms */
	locker_done = 1;
	int v = sh->value;
	pthread_mutex_unlock(&sh->mutex);
	sem_wait(&sh->sem);
	printf("locker: value %d set by the child; ticker had finished first: %s\n", v, ticker_done ? "yes" : "no");
	return NULL;
}

static void *ticker(void *arg)
{
	for (int i = 0; i < 10; i++)
		usleep(5000);
	ticker_done = 1;
	printf("ticker: finished while the mutex was held elsewhere: %s\n", locker_done ? "no" : "yes");
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->mutex, &ma);
	sem_init(&sh->sem, 1, 0);
	int go[2];
	pipe(go);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(&sh->mutex);
		sh->value = 42;
		(void)!write(go[1], "g", 1);
		usleep(300000);
		pthread_mutex_unlock(&sh->mutex);
		sem_post(&sh->sem);
		_exit(0);
	}
	char c;
	(void)!read(go[0], &c, 1);   /* the child holds the mutex now */
	pthread_t l, t;
	pthread_create(&l, NULL, locker, NULL);
	usleep(10000);
	pthread_create(&t, NULL, ticker, NULL);
	pthread_join(t, NULL);
	pthread_join(l, NULL);
	int status;
	waitpid(pid, &status, 0);
	return 0;
}
