// goro-test: goro-only
// goro-test: timeout=300
// million_threads_blocked_condvar: 1,000,000 threads (default attributes,
// so 8 MiB stacks each) alive at once, all blocked on one condition variable,
// in under 8.1 KiB of resident memory (VmRSS) per thread, 7.7 GiB in all (two
// pages each, whatever the stack size); one broadcast wakes them all,
// and all are joined. (Beyond pid_max natively, so it runs only under goro;
// an optional argument sets a smaller count for trying it natively.)
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t all_waiting = PTHREAD_COND_INITIALIZER;
static long n_threads, waiting, woken;
static int go, errors;

static void *worker(void *arg)
{
	if (pthread_mutex_lock(&m))
		goto fail;
	if (++waiting == n_threads && pthread_cond_signal(&all_waiting))
		goto fail;
	while (!go)
		if (pthread_cond_wait(&go_cv, &m))
			goto fail;
	woken++;
	if (pthread_mutex_unlock(&m))
		goto fail;
	return arg;
fail:
	__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED);
	return NULL;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	n_threads = argc > 1 ? atol(argv[1]) : 1000000;
	pthread_t *t = calloc(n_threads, sizeof *t);
	if (!t || n_threads <= 0)
		return 1;
	for (long i = 0; i < n_threads; i++) {
		int rc = pthread_create(&t[i], NULL, worker, (void *)(intptr_t)(i + 1));
		if (rc) {
			printf("pthread_create failed after %ld threads: %s\n", i, strerror(rc));
			return 1;
		}
	}
	if (pthread_mutex_lock(&m))
		return 1;
	while (waiting < n_threads)
		if (pthread_cond_wait(&all_waiting, &m))
			return 1;
	printf("threads alive and waiting on one condvar: %ld\n", waiting);
	long rss = status_kib("VmRSS");
	printf("resident memory under 8.1 KiB per thread: %s\n", rss > 0 && rss < n_threads * 81 / 10 ? "yes" : "NO");
	fprintf(stderr, "VmRSS %ld KiB: %.2f KiB per thread\n", rss, (double)rss / n_threads);
	go = 1;
	if (pthread_cond_broadcast(&go_cv) || pthread_mutex_unlock(&m))
		return 1;
	long joined = 0, right = 0;
	for (long i = 0; i < n_threads; i++) {
		void *ret;
		if (pthread_join(t[i], &ret)) {
			printf("pthread_join failed\n");
			return 1;
		}
		joined++;
		right += ret == (void *)(intptr_t)(i + 1);
	}
	printf("woken by one broadcast: %ld\n", woken);
	printf("joined with the right value: %ld of %ld\n", right, joined);
	printf("errors: %d\n", errors);
	free(t);
	return !(woken == n_threads && right == n_threads && errors == 0);
}
