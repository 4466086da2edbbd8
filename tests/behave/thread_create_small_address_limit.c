// thread_create_small_address_limit: under a 2 GiB address-space limit
// (RLIMIT_AS above what the process already uses), making a thread does not
// take a large share of it: a 1.2 GiB malloc still succeeds afterwards.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "check.h"

static void *returns(void *arg)
{
	return arg;
}

int main(void)
{
	struct rlimit lim = {.rlim_cur = (rlim_t)(status_kib("VmSize") + 2L * 1024 * 1024) * 1024, .rlim_max = RLIM_INFINITY};
	if (setrlimit(RLIMIT_AS, &lim) != 0) {
		perror("setrlimit");
		return 1;
	}
	pthread_t t;
	int created = 0;
	for (int i = 0; i < 4; i++)
		if (pthread_create(&t, NULL, returns, NULL) == 0 && pthread_join(t, NULL) == 0)
			created++;
	printf("threads made and joined: %d of 4\n", created);
	void *p = malloc(1200UL << 20);
	printf("then a 1.2 GiB malloc: %s\n", p ? "ok" : "FAILED");
	free(p);
	return 0;
}
