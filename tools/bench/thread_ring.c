/* 503 threads pass a token around a ring (semaphores): ns per pass */
#include <pthread.h>
#include <semaphore.h>
#include "bench.h"

enum { RING = 503 };
static sem_t sems[RING];
static long passes;
static volatile long token;

static void *node(void *arg)
{
	long id = (long)arg;
	for (;;) {
		sem_wait(&sems[id]);
		long t = token;
		if (t >= passes) {
			sem_post(&sems[(id + 1) % RING]);   /* let the others see the end */
			return NULL;
		}
		token = t + 1;
		sem_post(&sems[(id + 1) % RING]);
	}
}

int main(int argc, char **argv)
{
	passes = bench_arg(argc, argv, 500000);
	pthread_t t[RING];
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long i = 0; i < RING; i++) {
		sem_init(&sems[i], 0, 0);
		bench_spawn(&t[i], &attr, node, (void *)i);
	}
	double t0 = bench_now();
	sem_post(&sems[0]);
	for (int i = 0; i < RING; i++)
		pthread_join(t[i], NULL);
	bench_report("ns_per_op", (bench_now() - t0) / passes * 1e9);
	return 0;
}
