/*
 * A crowd of threads for tests that check something "while many threads are
 * alive": CROWD_BLOCKED threads wait on a condition variable, CROWD_SPINNING
 * threads compute and CROWD_CONTENDING threads take a mutex in turns, until
 * crowd_stop(). Include after check.h.
 */
#ifndef GORO_BEHAVE_CROWD_H
#define GORO_BEHAVE_CROWD_H
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { CROWD_BLOCKED = 100, CROWD_SPINNING = 2, CROWD_CONTENDING = 4,
       CROWD_SIZE = CROWD_BLOCKED + CROWD_SPINNING + CROWD_CONTENDING };

static pthread_mutex_t crowd_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t crowd_cond = PTHREAD_COND_INITIALIZER;
static volatile int crowd_stopping;
static volatile unsigned long crowd_work;
static pthread_t crowd_threads[CROWD_SIZE];

static void *crowd_blocked(void *arg)
{
	pthread_mutex_lock(&crowd_lock);
	while (!crowd_stopping)
		pthread_cond_wait(&crowd_cond, &crowd_lock);
	pthread_mutex_unlock(&crowd_lock);
	return NULL;
}

static void *crowd_spinning(void *arg)
{
	unsigned long x = 1;
	while (!crowd_stopping)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return (void *)x;
}

static void *crowd_contending(void *arg)
{
	do {   /* at least once, however late it starts */
		pthread_mutex_lock(&crowd_lock);
		crowd_work++;
		pthread_mutex_unlock(&crowd_lock);
		usleep(200);
	} while (!crowd_stopping);
	return NULL;
}

static inline void crowd_start(void)
{
	int n = 0;
	for (int i = 0; i < CROWD_BLOCKED; i++, n++)
		if (pthread_create(&crowd_threads[n], NULL, crowd_blocked, NULL))
			goto fail;
	for (int i = 0; i < CROWD_SPINNING; i++, n++)
		if (pthread_create(&crowd_threads[n], NULL, crowd_spinning, NULL))
			goto fail;
	for (int i = 0; i < CROWD_CONTENDING; i++, n++)
		if (pthread_create(&crowd_threads[n], NULL, crowd_contending, NULL))
			goto fail;
	return;
fail:
	printf("crowd: pthread_create failed\n");
	exit(1);
}

static inline void crowd_stop(void)
{
	pthread_mutex_lock(&crowd_lock);
	crowd_stopping = 1;
	pthread_cond_broadcast(&crowd_cond);
	pthread_mutex_unlock(&crowd_lock);
	for (int i = 0; i < CROWD_SIZE; i++)
		pthread_join(crowd_threads[i], NULL);
}

#endif
