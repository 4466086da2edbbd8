// fork_atfork_order: fork from a non-main thread while 100 threads are
// blocked and others compute or contend for a mutex. pthread_atfork handlers
// run in NPTL's order (prepare in reverse order of registration, parent and
// child in order); mutexes a prepare handler locked are released by the
// parent and child handlers with NPTL's results; the child's pthread_self is
// the forking thread's; the child is an ordinary threaded program again:
// threads, mutexes, condition variables, sleeps and pipes all work.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static char trace[256];
static pthread_mutex_t held_normal = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t held_recursive, held_errorcheck;

static void note(const char *s)
{
	strcat(trace, s);
	strcat(trace, " ");
}

static void prepare1(void) { note("prepare1"); }
static void prepare2(void) { note("prepare2"); }
static void prepare3(void)
{
	note("prepare3");
	pthread_mutex_lock(&held_normal);
	pthread_mutex_lock(&held_recursive);
	pthread_mutex_lock(&held_errorcheck);
}
static void parent1(void) { note("parent1"); }
static void parent2(void) { note("parent2"); }
static void parent3(void)
{
	note("parent3");
	char s[64];
	snprintf(s, sizeof s, "unlocks(%s,%s,%s)", en(pthread_mutex_unlock(&held_normal)),
		 en(pthread_mutex_unlock(&held_recursive)), en(pthread_mutex_unlock(&held_errorcheck)));
	note(s);
}
static void child1(void) { note("child1"); }
static void child2(void) { note("child2"); }
static void child3(void)
{
	note("child3");
	char s[64];
	/* NPTL: the child's thread has a new kernel id, so the owner checks of
	 * recursive and error-checking mutexes fail (EPERM) */
	snprintf(s, sizeof s, "unlocks(%s,%s,%s)", en(pthread_mutex_unlock(&held_normal)),
		 en(pthread_mutex_unlock(&held_recursive)), en(pthread_mutex_unlock(&held_errorcheck)));
	note(s);
}

/* ---- in the child ---- */

static pthread_mutex_t child_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t child_cond = PTHREAD_COND_INITIALIZER;
static int child_turn, pipe_fds[2];

static void *child_ponger(void *arg)
{
	long id = (long)arg;
	pthread_mutex_lock(&child_lock);
	while (child_turn != id)
		pthread_cond_wait(&child_cond, &child_lock);
	usleep(1000);
	char c = (char)('a' + id);
	int written = (int)write(pipe_fds[1], &c, 1);
	child_turn++;
	pthread_cond_broadcast(&child_cond);
	pthread_mutex_unlock(&child_lock);
	return written == 1 ? NULL : (void *)1;
}

static int child_main(pthread_t parent_self)
{
	int bad = 0;
	if (!pthread_equal(pthread_self(), parent_self)) {
		printf("child: pthread_self differs from the forking thread's\n");
		bad = 1;
	}
	if (pipe(pipe_fds))
		return 1;
	pthread_t t[8];
	for (long i = 7; i >= 0; i--)
		if (pthread_create(&t[i], NULL, child_ponger, (void *)i))
			return 1;
	char got[9] = {0};
	for (int i = 0; i < 8; i++)
		if (read(pipe_fds[0], &got[i], 1) != 1)
			return 1;
	for (int i = 0; i < 8; i++)
		if (pthread_join(t[i], NULL))
			return 1;
	struct timespec before, after;
	clock_gettime(CLOCK_MONOTONIC, &before);
	usleep(20000);
	clock_gettime(CLOCK_MONOTONIC, &after);
	long ms = (after.tv_sec - before.tv_sec) * 1000 + (after.tv_nsec - before.tv_nsec) / 1000000;
	printf("child: trace: %s\n", trace);
	printf("child: threads ran in turn: %s, slept: %s, same thread: %s\n",
	       strcmp(got, "abcdefgh") == 0 ? "yes" : got, ms >= 20 ? "yes" : "no", bad ? "no" : "yes");
	fflush(stdout);
	return bad;
}

static void *forker(void *arg)
{
	for (int round = 0; round < 2; round++) {
		trace[0] = 0;
		pthread_t me = pthread_self();
		watchdog_stage = "fork";
		pid_t pid = fork();
		if (pid < 0) {
			printf("fork failed\n");
			exit(1);
		}
		if (pid == 0)
			_exit(child_main(me));
		int status;
		watchdog_stage = "waitpid";
		if (waitpid(pid, &status, 0) != pid)
			printf("waitpid failed\n");
		printf("parent: trace: %s\n", trace);
		printf("parent: round %d: child status %d\n", round, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&held_recursive, &a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&held_errorcheck, &a);
	pthread_atfork(prepare1, parent1, child1);
	pthread_atfork(prepare2, parent2, child2);
	pthread_atfork(prepare3, parent3, child3);
	crowd_start();
	usleep(10000);
	pthread_t f;
	pthread_create(&f, NULL, forker, NULL);
	pthread_join(f, NULL);
	watchdog_stage = "crowd_stop";
	crowd_stop();
	printf("crowd worked: %s\n", crowd_work > 0 ? "yes" : "no");
	return 0;
}
