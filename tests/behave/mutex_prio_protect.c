// mutex_prio_protect: priority-protect (ceiling) mutexes: the ceiling from
// the attribute, pthread_mutex_getprioceiling / setprioceiling (old value
// returned, range checked), EINVAL for a mutex of another protocol, and
// locking with NPTL's result for a thread of the default scheduling policy
// (its priority cannot be raised to the ceiling: EINVAL). While 100 threads are
// blocked and others compute.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

/* The first call of a fresh thread (NPTL keeps per-thread ceiling state). */
static int how;

static void *first_lock(void *arg)
{
	pthread_mutex_t *m = arg;
	struct timespec ts = deadline(CLOCK_REALTIME, 20);
	int r = how == 0 ? pthread_mutex_lock(m) : how == 1 ? pthread_mutex_trylock(m) : pthread_mutex_timedlock(m, &ts);
	int u = r == 0 ? pthread_mutex_unlock(m) : -1;
	printf("a thread of the default policy: %s %s%s%s\n", how == 0 ? "lock" : how == 1 ? "trylock" : "timedlock",
	       en(r), u < 0 ? "" : ", unlock ", u < 0 ? "" : en(u));
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	crowd_start();
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	int c = -1;
	pthread_mutexattr_getprioceiling(&a, &c);
	printf("attr: default ceiling %d\n", c);
	int p = pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_PROTECT);
	int s0 = pthread_mutexattr_setprioceiling(&a, 0);
	int s200 = pthread_mutexattr_setprioceiling(&a, 200);
	int s10 = pthread_mutexattr_setprioceiling(&a, 10);
	printf("attr: setprotocol %s, setprioceiling 0 %s, 200 %s, 10 %s\n", en(p), en(s0), en(s200), en(s10));

	pthread_mutex_t m;
	int i = pthread_mutex_init(&m, &a);
	c = -1;
	int g = pthread_mutex_getprioceiling(&m, &c);
	printf("mutex: init %s, getprioceiling %s ceiling %d\n", en(i), en(g), c);
	int old = -1;
	int s20 = pthread_mutex_setprioceiling(&m, 20, &old);
	int old20 = old;
	int sbad = pthread_mutex_setprioceiling(&m, 200, &old);
	int sbad2 = pthread_mutex_setprioceiling(&m, 0, &old);
	c = -1;
	g = pthread_mutex_getprioceiling(&m, &c);
	printf("mutex: setprioceiling 20 %s (old %d), 200 %s, 0 %s, now %d\n", en(s20), old20, en(sbad), en(sbad2), c);
	pthread_t th;
	for (how = 0; how < 3; how++) {
		pthread_create(&th, NULL, first_lock, &m);
		pthread_join(th, NULL);
	}
	c = -1;
	pthread_mutex_getprioceiling(&m, &c);
	printf("mutex: ceiling now %d, destroy %s\n", c, en(pthread_mutex_destroy(&m)));

	/* ceilings of mutexes of other protocols */
	pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
	int g2 = pthread_mutex_getprioceiling(&plain, &c);
	int s2 = pthread_mutex_setprioceiling(&plain, 10, &old);
	printf("plain mutex: getprioceiling %s, setprioceiling %s\n", en(g2), en(s2));

	/* an error-checking, recursive one */
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m, &a);
	c = -1;
	pthread_mutex_getprioceiling(&m, &c);
	printf("recursive: ceiling %d, unlock unlocked %s\n", c, en(pthread_mutex_unlock(&m)));
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	printf("errorcheck: unlock unlocked %s\n", en(pthread_mutex_unlock(&m)));
	pthread_mutexattr_destroy(&a);
	watchdog_stage = "crowd_stop";
	crowd_stop();
	return 0;
}
