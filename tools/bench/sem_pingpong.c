/* two threads, two semaphores: ns per one-way hand-off */
#include <pthread.h>
#include <semaphore.h>
#include "bench.h"

static sem_t ping, pong;
static long rounds;

static void *ponger(void *arg)
{
	for (long i = 0; i < rounds; i++) {
		sem_wait(&ping);
		sem_post(&pong);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	rounds = bench_arg(argc, argv, 200000);
	sem_init(&ping, 0, 0);
	sem_init(&pong, 0, 0);
	pthread_t t;
	double t0 = bench_now();
	bench_spawn(&t, NULL, ponger, NULL);
	for (long i = 0; i < rounds; i++) {
		sem_post(&ping);
		sem_wait(&pong);
	}
	pthread_join(t, NULL);
	bench_report("ns_per_op", (bench_now() - t0) / (2.0 * rounds) * 1e9);
	return 0;
}
