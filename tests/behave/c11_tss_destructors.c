// c11_tss_destructors: tss_t values are per thread; when a thread ends
// (returning or by thrd_exit) each non-NULL value's destructor runs with it,
// and a destructor that sets a value again is called again, at most
// TSS_DTOR_ITERATIONS rounds in all; NULL values get no call; the main thread's
// value is untouched by the others and tss_delete runs no destructor.
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <threads.h>

static tss_t plain_key, sticky_key, unset_key;
static atomic_int plain_calls, plain_sum, sticky_calls, unset_calls;

static void plain_dtor(void *value)
{
	atomic_fetch_add(&plain_calls, 1);
	atomic_fetch_add(&plain_sum, (int)(long)value);
	if (tss_get(plain_key) != NULL)
		printf("value still set inside its destructor\n");
}

/* sets itself again every time: called TSS_DTOR_ITERATIONS times */
static void sticky_dtor(void *value)
{
	atomic_fetch_add(&sticky_calls, 1);
	tss_set(sticky_key, value);
}

static void unset_dtor(void *value)
{
	atomic_fetch_add(&unset_calls, 1);
}

static int worker(void *arg)
{
	int n = (int)(long)arg;
	tss_set(plain_key, (void *)(long)n);
	tss_set(unset_key, (void *)1L);
	tss_set(unset_key, NULL);
	if (tss_get(plain_key) != (void *)(long)n)
		printf("worker %d reads another value\n", n);
	if (n == 1)
		tss_set(sticky_key, (void *)1L);
	if (n % 2)
		thrd_exit(n);
	return n;
}

int main(void)
{
	if (tss_create(&plain_key, plain_dtor) != thrd_success || tss_create(&sticky_key, sticky_dtor) != thrd_success ||
	    tss_create(&unset_key, unset_dtor) != thrd_success)
		return 1;
	tss_set(plain_key, (void *)1000L);
	thrd_t t[4];
	for (int i = 0; i < 4; i++)
		thrd_create(&t[i], worker, (void *)(long)(i + 1));
	int results = 0;
	for (int i = 0; i < 4; i++) {
		int r;
		thrd_join(t[i], &r);
		results += r;
	}
	printf("results joined: %d\n", results);
	printf("destructor calls: %d, sum of their values: %d\n", atomic_load(&plain_calls), atomic_load(&plain_sum));
	printf("re-setting destructor called %d times (TSS_DTOR_ITERATIONS %d)\n", atomic_load(&sticky_calls),
	       TSS_DTOR_ITERATIONS);
	printf("destructor calls for NULL values: %d\n", atomic_load(&unset_calls));
	printf("main's value: %ld\n", (long)tss_get(plain_key));
	tss_delete(plain_key);
	printf("destructor calls after tss_delete: %d\n", atomic_load(&plain_calls));
	return !(results == 10 && atomic_load(&plain_calls) == 4 && atomic_load(&plain_sum) == 10 &&
		 atomic_load(&sticky_calls) == TSS_DTOR_ITERATIONS && atomic_load(&unset_calls) == 0);
}
