// thread_user_stack_freed_after_join: a stack the program gave
// (pthread_attr_setstack) is the program's again once the thread is joined:
// unmapping it right after the join, 300 times, and going on creating
// threads, sleeping and exiting threads, never crashes.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACK (256 * 1024)
static __thread int tls_mark = 5;

static void *uses_tls(void *arg)
{
	tls_mark += (int)(long)arg;
	return (void *)(long)tls_mark;
}

int main(void)
{
	int right = 0, normal = 0;
	for (int i = 0; i < 300; i++) {
		void *stack = mmap(NULL, STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (stack == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		pthread_attr_t a;
		pthread_attr_init(&a);
		pthread_attr_setstack(&a, stack, STACK);
		pthread_t t;
		void *r = NULL;
		if (pthread_create(&t, &a, uses_tls, (void *)(long)i) == 0 && pthread_join(t, &r) == 0 && r == (void *)(long)(5 + i))
			right++;
		pthread_attr_destroy(&a);
		munmap(stack, STACK);
		if (i % 50 == 0)
			usleep(100000);   /* time for any background work on dead threads */
	}
	for (int i = 0; i < 200; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, uses_tls, (void *)1L) == 0 && pthread_join(t, &r) == 0 && r == (void *)6L)
			normal++;
	}
	printf("threads on program stacks, joined, stacks unmapped: %d of 300 right\n", right);
	printf("threads afterwards: %d of 200 right\n", normal);
	return 0;
}
