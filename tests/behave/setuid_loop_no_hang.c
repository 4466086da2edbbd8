// setuid() (to the uid the process already has: any user may) from several
// threads at once, while threads are being created, joined and sleeping,
// returns every time, in the process and in the child of a fork made by the
// main thread or by another one (glibc's tst-pthread-setuid-loop, which runs
// in a fork child). A child that does not finish in time is killed by its
// alarm and reported.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

enum { CALLERS = 4, ITERATIONS = 150, SLEEPERS = 2, FORKS = 8 };

static uid_t uid;
static _Atomic int failures;
static volatile int stop;

static void *call_setuid(void *arg)
{
	if (setuid(uid) != 0)
		failures++;
	return NULL;
}

static void *sleeper(void *arg)
{
	while (!stop)
		usleep(100);
	return NULL;
}

static void *spinner(void *arg)
{
	while (!stop)
		;
	return NULL;
}

/* glibc's tst-pthread-setuid-loop, shorter, with sleeping threads about */
static int setuid_loop(void)
{
	pthread_t s[SLEEPERS];
	stop = 0;
	for (int i = 0; i < SLEEPERS; i++)
		pthread_create(&s[i], NULL, sleeper, NULL);
	for (int i = 0; i < ITERATIONS; i++) {
		pthread_t t[CALLERS];
		for (int j = 0; j < CALLERS; j++)
			pthread_create(&t[j], NULL, call_setuid, NULL);
		if (i % 3 == 0 && setuid(uid) != 0)
			failures++;
		for (int j = 0; j < CALLERS; j++)
			pthread_join(t[j], NULL);
	}
	stop = 1;
	for (int i = 0; i < SLEEPERS; i++)
		pthread_join(s[i], NULL);
	return failures;
}

/* Forks, runs the loop in the child; "ok", or what went wrong. */
static const char *in_child(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(8);
		_exit(setuid_loop() ? 1 : 0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return "waitpid failed";
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return "hung";
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return "failed";
	return "ok";
}

static void *fork_from_thread(void *arg)
{
	return (void *)in_child();
}

int main(void)
{
	uid = getuid();
	alarm(55);
	int bad = setuid_loop() != 0;
	printf("in the process: %s\n", bad ? "setuid failed" : "ok");
	for (int i = 0; i < FORKS; i++) {
		const char *r;
		if (i % 2 == 0) {
			/* busy threads about, so that the main thread may run on any OS thread */
			pthread_t spin[2];
			stop = 0;
			for (int k = 0; k < 2; k++)
				pthread_create(&spin[k], NULL, spinner, NULL);
			usleep(2000 + 1000 * i);
			r = in_child();
			stop = 1;
			for (int k = 0; k < 2; k++)
				pthread_join(spin[k], NULL);
		} else {
			pthread_t t;
			void *res;
			pthread_create(&t, NULL, fork_from_thread, NULL);
			pthread_join(t, &res);
			r = res;
		}
		printf("fork %d (%s thread): %s\n", i, i % 2 == 0 ? "main" : "another", r);
		bad |= strcmp(r, "ok") != 0;
	}
	return bad;
}
