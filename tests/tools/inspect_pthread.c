/* For `goro inspect`: threads, a mutex, a condition variable, a pipe between
 * two threads and a sleep — every call one goro interposes (compatible). */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int fds[2], ready;

static void *writer(void *arg)
{
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_signal(&changed);
	pthread_mutex_unlock(&lock);
	usleep(1000);
	return write(fds[1], "x", 1) == 1 ? NULL : arg;
}

int main(void)
{
	pthread_t t;
	char c;
	if (pipe(fds) || pthread_create(&t, NULL, writer, NULL))
		return 1;
	pthread_mutex_lock(&lock);
	while (!ready)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
	ssize_t n = read(fds[0], &c, 1);
	pthread_join(t, NULL);
	printf("read %zd byte\n", n);
	return 0;
}
