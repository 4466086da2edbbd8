// tls_dlopen_initial_exec: a library with initial-exec TLS, loaded with
// dlopen() by its bare name (found through the program's RUNPATH $ORIGIN)
// while threads are already running. Every thread, old or new, must see the
// initial values and keep its own copy.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { NOLD = 4, NNEW = 4 };
static pthread_barrier_t started, loaded;
static int (*get)(void);
static const char *(*get_str)(void);
static void (*set)(int);
static int wrong;

static void check(long id)
{
	if (get() != 777 || strcmp(get_str(), "static") != 0) {
		printf("thread %ld sees %d \"%s\" instead of 777 \"static\"\n", id, get(), get_str());
		__atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
	}
	set(1000 + (int)id);
	for (int i = 0; i < 100; i++)
		sched_yield();
	if (get() != 1000 + id) {
		printf("thread %ld lost its own value\n", id);
		__atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
	}
}

static void *old_thread(void *arg)
{
	pthread_barrier_wait(&started);
	pthread_barrier_wait(&loaded);
	check((long)(intptr_t)arg);
	return NULL;
}

static void *new_thread(void *arg)
{
	check((long)(intptr_t)arg);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	pthread_t t[NOLD + NNEW];
	pthread_barrier_init(&started, NULL, NOLD + 1);
	pthread_barrier_init(&loaded, NULL, NOLD + 1);
	for (long i = 0; i < NOLD; i++)
		pthread_create(&t[i], NULL, old_thread, (void *)(intptr_t)i);
	pthread_barrier_wait(&started);
	void *h = dlopen("libtls_initial_exec.so", RTLD_NOW);
	if (!h) {
		printf("dlopen failed: %s\n", dlerror());
		return 1;
	}
	get = (int (*)(void))dlsym(h, "ie_get");
	get_str = (const char *(*)(void))dlsym(h, "ie_str_get");
	set = (void (*)(int))dlsym(h, "ie_set");
	pthread_barrier_wait(&loaded);
	for (long i = NOLD; i < NOLD + NNEW; i++)
		pthread_create(&t[i], NULL, new_thread, (void *)(intptr_t)i);
	for (int i = 0; i < NOLD + NNEW; i++)
		pthread_join(t[i], NULL);
	check(99);
	printf("%d threads checked, %d wrong\n", NOLD + NNEW + 1, wrong);
	return wrong != 0;
}
