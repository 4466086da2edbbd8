/*
 * For tests/tools/gdb.sh: threads parked in different ways while a debugger
 * looks at them. One waits on a condition variable, one reads stdin (a FIFO
 * the test holds open), one sleeps, one spins, and main joins the sleeper.
 * When a byte arrives on stdin the reader wakes the condition waiter, joins
 * it and ends the process with status 0: the process came through the
 * debugger's visits intact.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int parked, woken;
static volatile int spin_stop;
static pthread_t waiter;

static void arrive(void)
{
	pthread_mutex_lock(&mu);
	parked++;
	pthread_mutex_unlock(&mu);
}

__attribute__((noinline)) static void wait_for_wakeup(void)
{
	pthread_mutex_lock(&mu);
	parked++;
	while (!woken)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void *cond_waiter(void *arg)
{
	pthread_setname_np(pthread_self(), "condwaiter");
	wait_for_wakeup();
	return NULL;
}

__attribute__((noinline)) static void read_one_byte(void)
{
	char c;
	if (read(0, &c, 1) != 1) {
		puts("reader: no byte on stdin");
		exit(1);
	}
}

static void *stdin_reader(void *arg)
{
	pthread_setname_np(pthread_self(), "reader");
	arrive();
	read_one_byte();
	pthread_mutex_lock(&mu);
	woken = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(waiter, NULL);
	puts("done");
	exit(0);
}

static void *sleeper(void *arg)
{
	pthread_setname_np(pthread_self(), "sleeper");
	arrive();
	sleep(600);
	return NULL;
}

__attribute__((noinline)) static void spin_until_stopped(void)
{
	while (!spin_stop)
		;
}

static void *spinner(void *arg)
{
	pthread_setname_np(pthread_self(), "spinner");
	arrive();
	spin_until_stopped();
	return NULL;
}

/* A breakpoint target for running the program under gdb instead of attaching. */
__attribute__((noinline)) void gdb_threads_ready(void)
{
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	pthread_t t[3];
	if (pthread_create(&waiter, NULL, cond_waiter, NULL) ||
	    pthread_create(&t[0], NULL, stdin_reader, NULL) ||
	    pthread_create(&t[1], NULL, sleeper, NULL) ||
	    pthread_create(&t[2], NULL, spinner, NULL)) {
		puts("pthread_create failed");
		return 1;
	}
	for (;;) {
		pthread_mutex_lock(&mu);
		int n = parked;
		pthread_mutex_unlock(&mu);
		if (n == 4)
			break;
		usleep(10000);
	}
	usleep(200000);   /* the reader and the sleeper reach their calls */
	puts("ready");
	fflush(stdout);
	gdb_threads_ready();
	pthread_join(t[1], NULL);
	return 0;
}
