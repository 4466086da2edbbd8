// goro-test: timeout=120
// goro-test: native-args=20000 100000
// create_join_million: 1,000,000 create/join cycles, one thread at a time,
// each thread using a little malloc and thread-local storage; resident memory
// (VmRSS) after the last cycle is within 4 MiB of what it was after 100,000
// cycles: nothing leaks per thread. Arguments: checkpoint and total cycles.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static __thread long tls_counter;

static void *worker(void *arg)
{
	char *p = malloc(64 + ((intptr_t)arg & 255));
	if (!p)
		return NULL;
	memset(p, 1, 64);
	tls_counter += (intptr_t)arg;
	intptr_t r = p[0] + tls_counter;
	free(p);
	return (void *)r;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep what was printed if the program dies */
	long checkpoint = argc > 2 ? atol(argv[1]) : 100000;
	long total = argc > 2 ? atol(argv[2]) : 1000000;
	long rss_at_checkpoint = -1, wrong = 0;

	for (long i = 1; i <= total; i++) {
		pthread_t t;
		void *ret;
		int rc = pthread_create(&t, NULL, worker, (void *)(intptr_t)i);
		if (rc == 0)
			rc = pthread_join(t, &ret);
		if (rc) {
			printf("create/join failed at cycle %ld: %s\n", i, strerror(rc));
			return 1;
		}
		if (ret != (void *)(intptr_t)(i + 1))
			wrong++;
		if (i == checkpoint)
			rss_at_checkpoint = status_kib("VmRSS");
	}
	long rss_end = status_kib("VmRSS");
	long growth = rss_end - rss_at_checkpoint;
	printf("create/join cycles completed, every thread's result right: %s\n", wrong ? "NO" : "yes");
	printf("VmRSS readable: %s\n", rss_at_checkpoint > 0 && rss_end > 0 ? "yes" : "NO");
	printf("VmRSS growth from the checkpoint to the end below 4 MiB: %s\n", growth < 4096 ? "yes" : "NO");
	if (growth >= 4096)
		fprintf(stderr, "VmRSS %ld kB after %ld cycles, %ld kB after %ld\n", rss_at_checkpoint, checkpoint,
			rss_end, total);
	return !(wrong == 0 && rss_at_checkpoint > 0 && rss_end > 0 && growth < 4096);
}
