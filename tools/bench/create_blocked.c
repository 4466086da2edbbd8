/* create N threads that all block on one condvar, until the last is blocked:
 * ns per thread (all N alive at once; then all are woken and joined, untimed) */
#include <pthread.h>
#include <sched.h>
#include "bench.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static long ready;
static int go;

static void *blocked(void *arg)
{
	pthread_mutex_lock(&m);
	ready++;
	while (!go)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return NULL;
}

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 10000);
	pthread_t *t = calloc(n, sizeof *t);
	if (!t)
		return 1;
	double t0 = bench_now();
	for (long i = 0; i < n; i++)
		bench_spawn(&t[i], NULL, blocked, NULL);
	for (;;) {
		pthread_mutex_lock(&m);
		long r = ready;
		pthread_mutex_unlock(&m);
		if (r == n)
			break;
		sched_yield();
	}
	double t1 = bench_now();
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	for (long i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	bench_report("ns_per_op", (t1 - t0) / n * 1e9);
	return 0;
}
