// mutex_prio_inherit_errors: priority-inheritance mutexes of every type
// lock and unlock like ordinary ones, with NPTL's error codes: trylock of a
// held one EBUSY (EDEADLK for an error-checking one its caller holds),
// relock EDEADLK (error-checking), recursion (recursive), unlock by another
// thread or of an unlocked one EPERM (every type), timedlock ETIMEDOUT.
// Several threads contend for one while 100 threads are blocked and others
// compute, and the count comes out right.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static void pi_init(pthread_mutex_t *m, int type)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	int r = pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutexattr_settype(&a, type);
	int r2 = pthread_mutex_init(m, &a);
	int protocol = -1;
	pthread_mutexattr_getprotocol(&a, &protocol);
	if (r || r2 || protocol != PTHREAD_PRIO_INHERIT)
		printf("init: %s %s\n", en(r), en(r2));
	pthread_mutexattr_destroy(&a);
}

static void *try_other(void *arg)
{
	return (void *)(long)pthread_mutex_trylock(arg);
}

static void *unlock_other(void *arg)
{
	return (void *)(long)pthread_mutex_unlock(arg);
}

static void *timed_other(void *arg)
{
	struct timespec ts = deadline(CLOCK_REALTIME, 30);
	return (void *)(long)pthread_mutex_timedlock(arg, &ts);
}

static int in_thread(void *(*fn)(void *), pthread_mutex_t *m)
{
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, fn, m);
	pthread_join(t, &r);
	return (int)(long)r;
}

static long counter;
static pthread_mutex_t contended;

static void *contender(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&contended);
		counter++;
		pthread_mutex_unlock(&contended);
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	crowd_start();
	const int types[] = {PTHREAD_MUTEX_NORMAL, PTHREAD_MUTEX_ERRORCHECK, PTHREAD_MUTEX_RECURSIVE};
	const char *names[] = {"normal", "errorcheck", "recursive"};
	for (int i = 0; i < 3; i++) {
		pthread_mutex_t m;
		pi_init(&m, types[i]);
		int unlocked = pthread_mutex_unlock(&m);
		int l1 = pthread_mutex_lock(&m);
		int other_try = in_thread(try_other, &m);
		int other_unlock = in_thread(unlock_other, &m);
		int other_timed = in_thread(timed_other, &m);
		int self_try = pthread_mutex_trylock(&m);
		int relock = types[i] == PTHREAD_MUTEX_NORMAL ? -1 : pthread_mutex_lock(&m);
		int u1 = pthread_mutex_unlock(&m);
		int u2 = pthread_mutex_unlock(&m);
		int u3 = pthread_mutex_unlock(&m);
		int d = pthread_mutex_destroy(&m);
		printf("%s: unlock unlocked %s, lock %s, other: trylock %s unlock %s timedlock %s; self trylock %s, relock %s, unlocks %s %s %s, destroy %s\n",
		       names[i], en(unlocked), en(l1), en(other_try), en(other_unlock), en(other_timed), en(self_try),
		       relock < 0 ? "-" : en(relock), en(u1), en(u2), en(u3), en(d));
	}
	pi_init(&contended, PTHREAD_MUTEX_NORMAL);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, contender, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("contended: %ld\n", counter);
	watchdog_stage = "crowd_stop";
	crowd_stop();
	return 0;
}
