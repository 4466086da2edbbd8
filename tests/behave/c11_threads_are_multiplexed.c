// goro-test: goro-env=GORO_PREEMPT_MS=0
// c11_threads_are_multiplexed: C11 threads are threads like pthreads. 10,000
// thrd_create'd threads wait in cnd_wait on one condition until all are
// there, a cnd_broadcast releases them, and thrd_join collects their int
// results (summed). Then a pthread holds a mtx_t while the main thread waits
// in mtx_lock for it and in cnd_wait for its signal: with one processor and
// no time slices (GORO_PREEMPT_MS=0) that finishes only if those waits let
// the other thread run (a C11 call that blocks the OS thread hangs there).
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>
#include <unistd.h>

#define THREADS 10000

static mtx_t lock;
static cnd_t arrived, go;
static int waiting;
static bool released;

static int waiter(void *arg)
{
	int index = (int)(long)arg;
	mtx_lock(&lock);
	if (++waiting == THREADS)
		cnd_signal(&arrived);
	while (!released)
		cnd_wait(&go, &lock);
	mtx_unlock(&lock);
	return index % 7 - 3;   /* negative results too */
}

static atomic_bool holding;
static bool signalled;

static void *holder(void *arg)
{
	mtx_lock(&lock);
	atomic_store(&holding, true);
	/* let main reach mtx_lock: it must wait, not spin on the OS thread */
	for (int i = 0; i < 100; i++)
		sched_yield();
	mtx_unlock(&lock);
	for (int i = 0; i < 100; i++)
		sched_yield();
	mtx_lock(&lock);
	signalled = true;
	cnd_signal(&go);
	mtx_unlock(&lock);
	return NULL;
}

static void on_alarm(int sig)
{
	static const char msg[] = "timed out: a C11 wait blocked the only processor\n";
	write(1, msg, sizeof msg - 1);
	_exit(1);
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(20);
	if (mtx_init(&lock, mtx_plain) != thrd_success || cnd_init(&arrived) != thrd_success ||
	    cnd_init(&go) != thrd_success)
		return 1;
	static thrd_t threads[THREADS];
	long want = 0;
	for (int i = 0; i < THREADS; i++) {
		if (thrd_create(&threads[i], waiter, (void *)(long)i) != thrd_success) {
			printf("thrd_create %d failed\n", i);
			return 1;
		}
		want += i % 7 - 3;
	}
	mtx_lock(&lock);
	while (waiting < THREADS)
		cnd_wait(&arrived, &lock);
	printf("%d threads waiting in cnd_wait\n", waiting);
	released = true;
	cnd_broadcast(&go);
	mtx_unlock(&lock);
	long sum = 0;
	for (int i = 0; i < THREADS; i++) {
		int result;
		if (thrd_join(threads[i], &result) != thrd_success) {
			printf("thrd_join %d failed\n", i);
			return 1;
		}
		sum += result;
	}
	printf("joined %d, sum of results %s\n", THREADS, sum == want ? "right" : "WRONG");

	pthread_t h;
	pthread_create(&h, NULL, holder, NULL);
	while (!atomic_load(&holding))
		thrd_yield();
	mtx_lock(&lock);
	printf("mtx_lock waited for a pthread holding it\n");
	while (!signalled)
		cnd_wait(&go, &lock);
	mtx_unlock(&lock);
	printf("cnd_wait woken by that pthread\n");
	pthread_join(h, NULL);
	return sum == want ? 0 : 1;
}
