// exec_from_thread: a thread other than main calls execv while 100 threads
// are blocked and others compute; the new program image runs (here: this
// program again, with an argument), with the same environment (under goro:
// still preloaded), and its own threads work.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

static void *new_image_thread(void *arg)
{
	return (void *)((long)arg * 3);
}

static int new_image(const char *preload_before)
{
	const char *preload = getenv("LD_PRELOAD");
	int same = (preload == NULL && strcmp(preload_before, "-") == 0) ||
		   (preload && strcmp(preload, preload_before) == 0);
	pthread_t t;
	void *r = NULL;
	pthread_create(&t, NULL, new_image_thread, (void *)14);
	pthread_join(t, &r);
	printf("new image: runs, environment kept: %s, thread result %ld\n", same ? "yes" : "no", (long)r);
	return 0;
}

static void *execer(void *arg)
{
	usleep(20000);
	const char *preload = getenv("LD_PRELOAD");
	char *argv[] = {"exec_from_thread", "new-image", (char *)(preload ? preload : "-"), NULL};
	printf("thread: exec with %d threads alive\n", CROWD_SIZE + 2);
	execv("/proc/self/exe", argv);
	printf("execv failed\n");
	exit(1);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "new-image") == 0)
		return new_image(argv[2]);
	watchdog_start(20);
	crowd_start();
	pthread_t t;
	pthread_create(&t, NULL, execer, NULL);
	pthread_join(t, NULL);   /* never returns: the exec replaces the process */
	printf("join returned\n");
	return 1;
}
