/*
 * Cleanup handlers run innermost first, when a thread is cancelled and when
 * it calls pthread_exit; pthread_cleanup_pop(1) runs one on the way; the
 * thread's key destructors run after the cleanup handlers, and join returns
 * the exit value (or PTHREAD_CANCELED).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include "check.h"

static pthread_key_t key;
static char log_buf[512];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void note(const char *s)
{
	pthread_mutex_lock(&log_lock);
	strcat(log_buf, s);
	strcat(log_buf, " ");
	pthread_mutex_unlock(&log_lock);
}

static void handler(void *arg)
{
	note(arg);
}

static void key_destructor(void *arg)
{
	note("key-destructor");
}

static volatile int started, cancelled;

static void nested(int how)
{
	pthread_cleanup_push(handler, "inner-3");
	if (how == 0) {
		started = 1;
		while (!cancelled)
			sched_yield();   /* not a cancellation point */
		pthread_testcancel();
	}
	else
		pthread_exit((void *)42);
	pthread_cleanup_pop(0);
}

static void *worker(void *arg)
{
	int how = (int)(intptr_t)arg;
	pthread_setspecific(key, (void *)1);
	pthread_cleanup_push(handler, "outer-1");
	pthread_cleanup_push(handler, "popped");
	pthread_cleanup_pop(1);
	pthread_cleanup_push(handler, "middle-2");
	nested(how);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static void run(int how)
{
	log_buf[0] = 0;
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	started = cancelled = 0;
	pthread_create(&t, &a, worker, (void *)(intptr_t)how);
	if (how == 0) {
		while (!started)
			sched_yield();
		pthread_cancel(t);   /* acted on at its pthread_testcancel */
		cancelled = 1;
	}
	void *result;
	pthread_join(t, &result);
	printf("%s: %s-> %s\n", how == 0 ? "cancelled" : "pthread_exit", log_buf,
	       result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : result == (void *)42 ? "42" : "?");
}

int main(void)
{
	watchdog_start(20);
	pthread_key_create(&key, key_destructor);
	for (int i = 0; i < 3; i++) {
		run(0);
		run(1);
	}
	return 0;
}
