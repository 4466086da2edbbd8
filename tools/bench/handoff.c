/* mutex/condvar ping-pong between two threads: ns per one-way hand-off */
#include <pthread.h>
#include "bench.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int turn;
static long rounds;

static void *player(void *arg)
{
	int me = (int)(long)arg;
	pthread_mutex_lock(&m);
	for (long i = 0; i < rounds; i++) {
		while (turn != me)
			pthread_cond_wait(&c, &m);
		turn = !me;
		pthread_cond_signal(&c);
	}
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(int argc, char **argv)
{
	rounds = bench_arg(argc, argv, 200000);
	pthread_t a, b;
	double t0 = bench_now();
	bench_spawn(&a, NULL, player, (void *)0L);
	bench_spawn(&b, NULL, player, (void *)1L);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	bench_report("ns_per_op", (bench_now() - t0) / (2.0 * rounds) * 1e9);
	return 0;
}
