// thread_create_eagain_address_space: when the address space runs out
// (RLIMIT_AS), pthread_create fails with EAGAIN (never a crash or a hang);
// the threads already made run on, and once they are joined new ones can be
// made again.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"

#define MAX 10000
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int go;
static pthread_t threads[MAX];

static void *waits(void *arg)
{
	pthread_mutex_lock(&m);
	while (!go)
		pthread_cond_wait(&c, &m);
	pthread_mutex_unlock(&m);
	return arg;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	/* room for a few dozen default (8 MiB) stacks, not for MAX */
	struct rlimit lim = {.rlim_cur = (rlim_t)(status_kib("VmSize") + 300 * 1024) * 1024, .rlim_max = RLIM_INFINITY};
	if (setrlimit(RLIMIT_AS, &lim) != 0) {
		perror("setrlimit");
		return 1;
	}
	int n = 0, err = 0;
	while (n < MAX && (err = pthread_create(&threads[n], NULL, waits, (void *)(long)n)) == 0)
		n++;
	printf("pthread_create failed with: %s\n", err == EAGAIN ? "EAGAIN" : err ? strerror(err) : "(never failed)");
	printf("threads made before that: %s\n", n >= 5 && n < MAX ? "some" : "wrong count");
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	int joined = 0;
	for (int i = 0; i < n; i++) {
		void *r;
		if (pthread_join(threads[i], &r) == 0 && r == (void *)(long)i)
			joined++;
	}
	printf("all joined with their values: %s\n", joined == n ? "yes" : "NO");
	go = 0;
	int again = 0;
	for (int i = 0; i < 5; i++)
		if (pthread_create(&threads[i], NULL, waits, (void *)(long)i) == 0)
			again++;
	pthread_mutex_lock(&m);
	go = 1;
	pthread_cond_broadcast(&c);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < again; i++)
		pthread_join(threads[i], NULL);
	printf("threads made again after the joins: %d of 5\n", again);
	return 0;
}
