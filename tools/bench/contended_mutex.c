/* 64 threads increment one counter under one mutex: ns per increment */
#include <pthread.h>
#include "bench.h"

enum { THREADS = 64 };
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter, per_thread;

static void *adder(void *arg)
{
	for (long i = 0; i < per_thread; i++) {
		pthread_mutex_lock(&m);
		counter++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	per_thread = bench_arg(argc, argv, 20000);
	pthread_t t[THREADS];
	double t0 = bench_now();
	for (int i = 0; i < THREADS; i++)
		bench_spawn(&t[i], NULL, adder, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	if (counter != THREADS * per_thread)
		return 1;
	bench_report("ns_per_op", (bench_now() - t0) / counter * 1e9);
	return 0;
}
