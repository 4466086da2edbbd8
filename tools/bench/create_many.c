/* create N threads, then join them all: ns per thread (create + join) */
#include <pthread.h>
#include "bench.h"

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 10000);
	pthread_t *t = malloc(sizeof *t * n);
	if (!t)
		return 1;
	double t0 = bench_now();
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, nothing, NULL) != 0)
			return 1;
	for (long i = 0; i < n; i++)
		if (pthread_join(t[i], NULL) != 0)
			return 1;
	bench_report("ns_per_op", (bench_now() - t0) / n * 1e9);
	free(t);
	return 0;
}
