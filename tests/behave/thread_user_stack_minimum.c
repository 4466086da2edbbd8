// thread_user_stack_minimum: threads on program-supplied stacks of exactly
// PTHREAD_STACK_MIN bytes are created (NPTL needs only its TLS and TCB plus
// 4 KiB there), run, switch back and forth, format a string and are joined.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 8

static void *works(void *arg)
{
	long sum = 0;
	for (int i = 0; i < 100; i++) {
		sum += i * (long)arg;
		sched_yield();
	}
	char line[64];
	snprintf(line, sizeof line, "%ld", sum);
	return (void *)(long)strlen(line);
}

int main(void)
{
	pthread_t t[N];
	void *stacks[N];
	int created = 0, right = 0;
	for (int i = 0; i < N; i++) {
		pthread_attr_t a;
		pthread_attr_init(&a);
		if (posix_memalign(&stacks[i], 4096, PTHREAD_STACK_MIN) != 0)
			return 1;
		int r = pthread_attr_setstack(&a, stacks[i], PTHREAD_STACK_MIN);
		if (r == 0 && pthread_create(&t[i], &a, works, (void *)(long)(i + 1)) == 0)
			created++;
		else
			printf("thread %d: %s\n", i, strerror(r ? r : EINVAL));
		pthread_attr_destroy(&a);
	}
	for (int i = 0; i < created; i++) {
		void *v;
		if (pthread_join(t[i], &v) == 0 && (long)v > 0)
			right++;
	}
	printf("threads on %ld-byte stacks: %d created, %d joined with their result\n", (long)PTHREAD_STACK_MIN, created, right);
	return 0;
}
