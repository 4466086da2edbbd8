// mutex_robust_owner_dies: a thread that ends (returning, or by
// pthread_exit) while holding a robust mutex leaves it to the next locker
// with EOWNERDEAD, whether that locker comes later (lock, trylock,
// timedlock) or was already waiting; pthread_mutex_consistent makes it
// usable again; unlocking it without consistent makes it ENOTRECOVERABLE
// for everyone after. Robust mutexes are error-checking on unlock. A
// condition wait on such a mutex reports EOWNERDEAD too. A process-shared
// robust mutex in shared memory, held by a child process that dies, gives
// EOWNERDEAD in the parent (held by a thread of the child that ends, or by
// the child's only thread when the child is killed). All while 100 threads
// are blocked and others compute.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static void robust_init(pthread_mutex_t *m, int type, int pshared)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_settype(&a, type);
	pthread_mutexattr_setpshared(&a, pshared);
	if (pthread_mutex_init(m, &a))
		printf("pthread_mutex_init failed\n");
	pthread_mutexattr_destroy(&a);
}

static int exit_way;   /* 0: return, 1: pthread_exit */

static void *take_and_die(void *arg)
{
	pthread_mutex_t *m = arg;
	int r = pthread_mutex_lock(m);
	if (r)
		printf("dying thread: lock %s\n", en(r));
	if (exit_way)
		pthread_exit(NULL);
	return NULL;
}

static void *take_twice_and_die(void *arg)
{
	pthread_mutex_t *m = arg;
	pthread_mutex_lock(m);
	pthread_mutex_lock(m);   /* recursive: still held once after one unlock */
	pthread_mutex_unlock(m);
	return NULL;
}

static void die_holding(pthread_mutex_t *m, void *(*fn)(void *))
{
	pthread_t t;
	pthread_create(&t, NULL, fn, m);
	pthread_join(t, NULL);
}

static void *unlock_foreign(void *arg)
{
	return (void *)(long)pthread_mutex_unlock(arg);
}

static void later_lockers(int type, const char *type_name)
{
	for (exit_way = 0; exit_way < 2; exit_way++) {
		pthread_mutex_t m;
		robust_init(&m, type, PTHREAD_PROCESS_PRIVATE);
		die_holding(&m, take_and_die);
		int r1 = pthread_mutex_lock(&m);
		int c1 = pthread_mutex_consistent(&m);
		int c2 = pthread_mutex_consistent(&m);
		void *foreign;
		pthread_t t;
		pthread_create(&t, NULL, unlock_foreign, &m);
		pthread_join(t, &foreign);
		int u1 = pthread_mutex_unlock(&m);
		int u2 = pthread_mutex_unlock(&m);
		int r2 = pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
		printf("%s, owner %s: lock %s, consistent %s then %s, unlock by another thread %s, unlock %s then %s, lock %s\n",
		       type_name, exit_way ? "calls pthread_exit" : "returns", en(r1), en(c1), en(c2),
		       en((int)(long)foreign), en(u1), en(u2), en(r2));

		/* trylock and timedlock see the dead owner too; no consistent: not recoverable */
		die_holding(&m, take_and_die);
		int t1 = pthread_mutex_trylock(&m);
		int u3 = pthread_mutex_unlock(&m);
		int r3 = pthread_mutex_lock(&m);
		struct timespec ts = deadline(CLOCK_REALTIME, 50);
		int t3 = pthread_mutex_timedlock(&m, &ts);
		int c3 = pthread_mutex_consistent(&m);
		/* last: NPTL's trylock leaves a not-recoverable mutex locked */
		int t2 = pthread_mutex_trylock(&m);
		printf("%s, owner %s: trylock %s, unlock %s; not recoverable: lock %s, timedlock %s, consistent %s, trylock %s\n",
		       type_name, exit_way ? "calls pthread_exit" : "returns", en(t1), en(u3), en(r3), en(t3), en(c3),
		       en(t2));
	}
}

/* ---- a locker already waiting when the owner dies ---- */

static pthread_mutex_t waited;
static pthread_barrier_t owner_holds;
static volatile int waiter_result = -1;

static void *hold_then_die(void *arg)
{
	pthread_mutex_lock(&waited);
	pthread_barrier_wait(&owner_holds);
	usleep(30000);   /* the waiter is blocked in pthread_mutex_lock by now */
	return NULL;
}

static void *waiter(void *arg)
{
	pthread_barrier_wait(&owner_holds);
	waiter_result = pthread_mutex_lock(&waited);
	if (waiter_result == EOWNERDEAD)
		pthread_mutex_consistent(&waited);
	pthread_mutex_unlock(&waited);
	return NULL;
}

static void waiting_locker(void)
{
	robust_init(&waited, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_PRIVATE);
	pthread_barrier_init(&owner_holds, NULL, 2);
	pthread_t o, w;
	pthread_create(&o, NULL, hold_then_die, NULL);
	pthread_create(&w, NULL, waiter, NULL);
	pthread_join(o, NULL);
	pthread_join(w, NULL);
	printf("waiting locker: lock %s\n", en(waiter_result));
	pthread_barrier_destroy(&owner_holds);
}

/* ---- a condition wait whose mutex owner died ---- */

static pthread_mutex_t cond_mutex;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static volatile int cond_waiting;

static void *grab_signal_die(void *arg)
{
	while (!cond_waiting)
		usleep(1000);
	pthread_mutex_lock(&cond_mutex);   /* the waiter has released it */
	pthread_cond_signal(&cond);
	return NULL;                       /* dies holding it */
}

static void cond_wait_owner_dies(void)
{
	robust_init(&cond_mutex, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_PRIVATE);
	pthread_mutex_lock(&cond_mutex);
	pthread_t t;
	pthread_create(&t, NULL, grab_signal_die, NULL);
	cond_waiting = 1;
	int r = pthread_cond_wait(&cond, &cond_mutex);
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(&cond_mutex);
	pthread_mutex_unlock(&cond_mutex);
	pthread_join(t, NULL);
	printf("condition wait: %s\n", en(r));
}

/* ---- process-shared, across fork ---- */

/* in_thread: a thread of the child takes it and ends, then the child is
 * killed; else the child's only thread takes it and the child is killed. */
static void shared_child_dies(int in_thread)
{
	pthread_mutex_t *m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	robust_init(m, PTHREAD_MUTEX_NORMAL, PTHREAD_PROCESS_SHARED);
	int ready[2];
	if (pipe(ready))
		return;
	pid_t pid = fork();
	if (pid == 0) {
		if (in_thread) {
			pthread_t t;
			pthread_create(&t, NULL, take_and_die, m);
			pthread_join(t, NULL);
		} else {
			pthread_mutex_lock(m);
		}
		(void)!write(ready[1], "x", 1);
		pause();
	}
	char c;
	(void)!read(ready[0], &c, 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	struct timespec ts = deadline(CLOCK_REALTIME, 2000);
	int r = pthread_mutex_timedlock(m, &ts);
	int c1 = r == EOWNERDEAD ? pthread_mutex_consistent(m) : -1;
	int u = pthread_mutex_unlock(m);
	printf("process-shared, %s: lock %s, consistent %s, unlock %s\n",
	       in_thread ? "a thread of the child ends" : "the child is killed", en(r), en(c1), en(u));
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	crowd_start();
	later_lockers(PTHREAD_MUTEX_NORMAL, "normal");
	later_lockers(PTHREAD_MUTEX_ERRORCHECK, "errorcheck");
	later_lockers(PTHREAD_MUTEX_RECURSIVE, "recursive");
	pthread_mutex_t m;
	robust_init(&m, PTHREAD_MUTEX_RECURSIVE, PTHREAD_PROCESS_PRIVATE);
	die_holding(&m, take_twice_and_die);
	int r = pthread_mutex_lock(&m);
	printf("recursive held twice, unlocked once: lock %s\n", en(r));
	watchdog_stage = "waiting locker";
	waiting_locker();
	watchdog_stage = "condition wait";
	cond_wait_owner_dies();
	watchdog_stage = "process-shared";
	shared_child_dies(1);
	shared_child_dies(0);
	watchdog_stage = "crowd_stop";
	crowd_stop();
	return 0;
}
