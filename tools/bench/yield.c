/* two threads calling sched_yield: ns per yield */
#include <pthread.h>
#include <sched.h>
#include "bench.h"

static long n;

static void *yielder(void *arg)
{
	for (long i = 0; i < n; i++)
		sched_yield();
	return NULL;
}

int main(int argc, char **argv)
{
	n = bench_arg(argc, argv, 1000000);
	pthread_t a, b;
	double t0 = bench_now();
	bench_spawn(&a, NULL, yielder, NULL);
	bench_spawn(&b, NULL, yielder, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	bench_report("ns_per_op", (bench_now() - t0) / (2.0 * n) * 1e9);
	return 0;
}
