/* A few threads and a mutex; prints whether they ran on real kernel threads. */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static int distinct_tids, counter;

static void *work(void *arg)
{
	pthread_mutex_lock(&m);
	counter++;
	if (syscall(SYS_gettid) != getpid())
		distinct_tids++;
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("counter %d, threads on their own kernel thread: %d\n", counter, distinct_tids);
	return 0;
}
