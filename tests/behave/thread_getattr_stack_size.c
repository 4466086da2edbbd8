// thread_getattr_stack_size: pthread_getattr_np in a thread reports the stack size it
// was created with, as NPTL does (glibc's tst-default-attr checks it): the default, the
// minimum, sizes that are not a multiple of the page, and a new default set with
// pthread_setattr_default_np; and the thread's own stack variables lie in the bounds.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include "check.h"

static void *report(void *arg)
{
	pthread_attr_t a;
	void *low = NULL;
	size_t size = 0;
	int local;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		pthread_attr_getstack(&a, &low, &size);
		pthread_attr_destroy(&a);
	}
	printf("%zu bytes, a local inside %d\n", size,
	       (char *)&local >= (char *)low && (char *)&local < (char *)low + size);
	return NULL;
}

static void create_with(size_t stack_size)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	if (stack_size)
		pthread_attr_setstacksize(&a, stack_size);
	pthread_t t;
	printf("requested %zu: ", stack_size);
	fflush(stdout);
	if (pthread_create(&t, stack_size ? &a : NULL, report, NULL) == 0)
		pthread_join(t, NULL);
	pthread_attr_destroy(&a);
}

int main(void)
{
	/* growing: NPTL hands a new thread a cached stack at least as big as asked, and
	 * reports that one's size */
	size_t sizes[] = {16384, 16385, 100000, 1 << 20, (1 << 20) + 100, (1 << 20) + 4096, 0};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		create_with(sizes[i]);
	pthread_attr_t a;
	pthread_getattr_default_np(&a);
	pthread_attr_setstacksize(&a, (1 << 20) + 4096);
	pthread_setattr_default_np(&a);
	pthread_attr_destroy(&a);
	printf("new default, ");
	create_with(0);
	return 0;
}
