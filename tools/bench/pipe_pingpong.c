/* one byte back and forth over two pipes: ns per round trip */
#include <pthread.h>
#include <unistd.h>
#include "bench.h"

static int to_b[2], to_a[2];
static long rounds;

static void *echoer(void *arg)
{
	char c;
	for (long i = 0; i < rounds; i++) {
		if (read(to_b[0], &c, 1) != 1 || write(to_a[1], &c, 1) != 1)
			exit(1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	rounds = bench_arg(argc, argv, 50000);
	if (pipe(to_b) || pipe(to_a))
		return 1;
	pthread_t t;
	bench_spawn(&t, NULL, echoer, NULL);
	char c = 'x';
	double t0 = bench_now();
	for (long i = 0; i < rounds; i++) {
		if (write(to_b[1], &c, 1) != 1 || read(to_a[0], &c, 1) != 1)
			return 1;
	}
	double t1 = bench_now();
	pthread_join(t, NULL);
	bench_report("ns_per_op", (t1 - t0) / rounds * 1e9);
	return 0;
}
