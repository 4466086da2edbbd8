/* create + join one thread at a time */
#include <pthread.h>
#include "bench.h"

static void *nothing(void *arg) { return arg; }

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 100000);
	double t0 = bench_now();
	for (long i = 0; i < n; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, nothing, NULL) != 0 || pthread_join(t, NULL) != 0)
			return 1;
	}
	bench_report("ns_per_op", (bench_now() - t0) / n * 1e9);
	return 0;
}
