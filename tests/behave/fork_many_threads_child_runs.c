// fork_many_threads_child_runs: with 100 threads blocked and others
// computing, fork from main and from several threads at once; each child
// runs on (it allocates, prints, makes threads of its own) and ends with
// exit(), which runs its atexit handler; the parent reads each status.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

enum { FORKERS = 4 };
static int child_number = -1;

static void child_atexit(void)
{
	printf("child %d: atexit\n", child_number);
}

static void *child_thread(void *arg)
{
	char *p = malloc(1000);
	memset(p, 1, 1000);
	free(p);
	return (void *)((long)arg + 1);
}

static void child_run(int number)
{
	child_number = number;
	atexit(child_atexit);
	long sum = 0;
	for (long i = 0; i < 10; i++) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, child_thread, (void *)i) || pthread_join(t, &r))
			exit(100);
		sum += (long)r;
	}
	printf("child %d: sum %ld\n", number, sum);
	exit(10 + number);
}

/* The children's lines go through one pipe, collected in order by the parent. */
static int out_pipe[2];

static int fork_one(int number)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out_pipe[1], 1);
		child_run(number);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

static int statuses[FORKERS + 1];

static void *forker(void *arg)
{
	long number = (long)arg;
	statuses[number] = fork_one((int)number);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	if (pipe(out_pipe))
		return 1;
	crowd_start();
	usleep(10000);
	watchdog_stage = "fork from main";
	statuses[0] = fork_one(0);
	watchdog_stage = "fork from threads";
	pthread_t t[FORKERS];
	for (long i = 1; i <= FORKERS; i++)
		pthread_create(&t[i - 1], NULL, forker, (void *)i);
	for (int i = 0; i < FORKERS; i++)
		pthread_join(t[i], NULL);
	close(out_pipe[1]);
	char buf[4096];
	ssize_t n = read(out_pipe[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = 0;
	/* the children ran at once: count their lines instead of printing them in order */
	int sums = 0, atexits = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		sums += strstr(line, ": sum 55") != NULL;
		atexits += strstr(line, ": atexit") != NULL;
	}
	for (int i = 0; i <= FORKERS; i++)
		printf("child %d: exit status %d\n", i, statuses[i]);
	printf("children that computed: %d, atexit handlers run: %d\n", sums, atexits);
	watchdog_stage = "crowd_stop";
	crowd_stop();
	return 0;
}
