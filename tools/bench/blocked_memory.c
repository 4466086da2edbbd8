/* N threads blocked on one condvar: resident bytes per blocked thread (or, built
 * as create_blocked, the time to create them all until the last is blocked) */
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include "bench.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static long ready;
static int go;

static long rss_bytes(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb * 1024;
}

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
	pthread_t *t = malloc(sizeof *t * n);
	if (!t)
		return 1;
	memset(t, 0, sizeof *t * n);	/* its pages are not the threads' cost */
	long before = rss_bytes();
	double t0 = bench_now();
	long created = 0;
	for (; created < n; created++)
		if (pthread_create(&t[created], NULL, blocked, NULL) != 0)
			break;
	for (;;) {
		pthread_mutex_lock(&m);
		long r = ready;
		pthread_mutex_unlock(&m);
		if (r == created)
			break;
		sched_yield();
	}
	double t1 = bench_now();
	long after = rss_bytes();
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	for (long i = 0; i < created; i++)
		pthread_join(t[i], NULL);
	if (created < n) {
		fprintf(stderr, "only %ld of %ld threads could be created\n", created, n);
		return 1;
	}
#ifdef REPORT_CREATE_TIME
	(void)before, (void)after;
	bench_report("ns_per_op", (t1 - t0) / n * 1e9);
#else
	(void)t0, (void)t1;
	if (before < 0 || after < 0)
		return 1;
	bench_report("bytes_per_thread", (double)(after - before) / n);
#endif
	return 0;
}
