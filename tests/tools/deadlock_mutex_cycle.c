/* Two threads take two mutexes in opposite orders and deadlock; main joins one of them. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER, second = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_hold_one;

static void *forward(void *arg)
{
	pthread_mutex_lock(&first);
	pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(&second);
	return NULL;
}

static void *backward(void *arg)
{
	pthread_mutex_lock(&second);
	pthread_barrier_wait(&both_hold_one);
	pthread_mutex_lock(&first);
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	pthread_barrier_init(&both_hold_one, NULL, 2);
	pthread_create(&a, NULL, forward, NULL);
	pthread_create(&b, NULL, backward, NULL);
	pthread_join(a, NULL);
	puts("not reached");
	return 0;
}
