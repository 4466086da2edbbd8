// setuid() and friends change the ids of every thread of the process
// (POSIX; glibc signals each OS thread): threads spinning, sleeping, blocked
// on a condition variable or in read() all report the new ids through the
// kernel (getresuid, getresgid, getgroups), at once and after moving about,
// as do threads created afterwards; whichever thread makes the call, before
// and after a fork. Needs root: as another user it says so and checks nothing.
#define _GNU_SOURCE
#include <grp.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

#define NOBODY 65534
#define ROUNDS 24
enum { SPINNERS = 3, SLEEPERS = 3, WAITERS = 3, READERS = 2, LATE = 3 };
#define WORKERS (SPINNERS + SLEEPERS + WAITERS + READERS)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t started;
static volatile int phase;          /* bumped once the ids changed: every worker checks */
static int pipe_fds[2];
static _Atomic int bad;

struct ids { uid_t r, e, s; gid_t rg, eg, sg; int ngroups; gid_t group0; };
static struct ids want;

static struct ids ids_now(void)
{
	struct ids i;
	getresuid(&i.r, &i.e, &i.s);
	getresgid(&i.rg, &i.eg, &i.sg);
	gid_t list[64];
	i.ngroups = getgroups(64, list);
	i.group0 = i.ngroups > 0 ? list[0] : (gid_t)-1;
	return i;
}

static void check(const char *who)
{
	struct ids i = ids_now();
	if (i.r != want.r || i.e != want.e || i.s != want.s || i.rg != want.rg || i.eg != want.eg ||
	    i.sg != want.sg || i.ngroups != want.ngroups || i.group0 != want.group0) {
		if (bad++ == 0)
			printf("%s sees uids %d %d %d gids %d %d %d groups %d (%d), wanted %d %d %d, %d %d %d, %d (%d)\n",
			       who, i.r, i.e, i.s, i.rg, i.eg, i.sg, i.ngroups, (int)i.group0, want.r, want.e, want.s,
			       want.rg, want.eg, want.sg, want.ngroups, (int)want.group0);
	}
}

static void check_moving(const char *who)
{
	for (int k = 0; k < 3; k++) {
		check(who);
		sched_yield();
	}
	usleep(200);
	check(who);
}

/* the change this round: gids in the parent (root can undo them, in four
 * ways), and in a fork child groups and uids for good */
static void change(int round, bool in_child)
{
	int failed = 0;
	if (in_child) {
		gid_t groups[1] = {NOBODY};
		failed |= round % 2 ? setgroups(1, groups) : initgroups("nobody", NOBODY);
		failed |= setresgid(NOBODY, NOBODY, NOBODY);
		if (round % 2) {
			failed |= setuid(NOBODY);
		} else {
			/* with saved uid 0, setuid(0) changes the effective uid only, once */
			failed |= setresuid(NOBODY, NOBODY, -1) || setuid(0);
			uid_t r, e, s;
			getresuid(&r, &e, &s);
			if (r != NOBODY || e != 0 || s != 0)
				printf("setuid(0) from euid %d, saved uid 0, gave %d %d %d\n", NOBODY, r, e, s);
		}
	} else {
		gid_t to = round % 2 ? 0 : NOBODY, groups[1] = {to};
		switch (round / 2 % 4) {
		case 0: failed = setegid(to); break;
		case 1: failed = setresgid(-1, to, -1); break;
		case 2: failed = setregid(-1, to); break;
		case 3: failed = setgroups(1, groups); break;
		}
	}
	if (failed)
		printf("changing the ids failed\n");
	want = ids_now();
}

static void *worker(void *arg)
{
	long n = (long)arg;
	int seen = phase;
	pthread_barrier_wait(&started);
	if (n < SPINNERS) {
		while (phase == seen)
			;
	} else if (n < SPINNERS + SLEEPERS) {
		while (phase == seen)
			usleep(300);
	} else if (n < SPINNERS + SLEEPERS + WAITERS) {
		pthread_mutex_lock(&lock);
		while (phase == seen)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
	} else {
		char c;
		if (read(pipe_fds[0], &c, 1) != 1)
			printf("read failed\n");
	}
	check_moving("a worker");
	return NULL;
}

static void *late(void *arg)
{
	check_moving("a thread created after the change");
	return NULL;
}

/* One round: workers wait in their ways, someone changes the ids, all check. */
static void round_with_threads(int round, bool in_child)
{
	pthread_t t[WORKERS], l[LATE];
	if (pipe(pipe_fds))
		exit(2);
	pthread_barrier_init(&started, NULL, WORKERS + 1);
	for (long n = 0; n < WORKERS; n++)
		pthread_create(&t[n], NULL, worker, (void *)n);
	pthread_barrier_wait(&started);
	usleep(1000);
	change(round, in_child);
	pthread_mutex_lock(&lock);
	phase++;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	if (write(pipe_fds[1], "xx", READERS) != READERS)
		printf("write failed\n");
	check_moving("the caller");
	for (int n = 0; n < LATE; n++)
		pthread_create(&l[n], NULL, late, NULL);
	for (int n = 0; n < WORKERS; n++)
		pthread_join(t[n], NULL);
	for (int n = 0; n < LATE; n++)
		pthread_join(l[n], NULL);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	pthread_barrier_destroy(&started);
}

/* The change made from a thread other than main. */
static void *round_from_thread(void *arg)
{
	long r = (long)arg;
	round_with_threads((int)(r >> 1), r & 1);
	return NULL;
}

static void one_round(int round, bool in_child)
{
	if (round % 3 == 1) {   /* from another thread than main */
		pthread_t t;
		pthread_create(&t, NULL, round_from_thread, (void *)(long)(round << 1 | in_child));
		pthread_join(t, NULL);
	} else {
		round_with_threads(round, in_child);
	}
}

int main(void)
{
	if (geteuid() != 0) {
		printf("unsupported: not run as root\n");
		return 0;
	}
	for (int round = 0; round < ROUNDS; round++)
		one_round(round, false);
	int failed_children = 0;
	for (int round = 0; round < ROUNDS; round++) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			one_round(round, true);
			fflush(stdout);
			_exit(bad ? 1 : 0);
		}
		int status;
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed_children++;
	}
	printf("%d rounds in the process: %s\n", ROUNDS, bad ? "some thread kept old ids" : "every thread saw the new ids");
	printf("%d rounds in fork children: %s\n", ROUNDS,
	       failed_children ? "some thread kept old ids" : "every thread saw the new ids");
	return bad || failed_children;
}
