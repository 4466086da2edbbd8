// setuid_with_threads: setuid(), setgid() and seteuid() (here to the current ids, so any
// user may run it) return 0 while other threads are blocked, sleeping or running, from
// the main thread and from another thread (glibc's tst-setuid3: glibc signals every
// thread it knows and waits until each has switched its ids; one that never answers
// hangs the call for ever).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>
#include "check.h"

static int fds[2];
static atomic_int stop;

static void *blocked_reader(void *arg)
{
	char c;
	return (void *)(long)read(fds[0], &c, 1);
}

static void *sleeper(void *arg)
{
	while (!atomic_load(&stop))
		usleep(1000);
	return NULL;
}

static void *spinner(void *arg)
{
	volatile unsigned long n = 0;
	while (!atomic_load(&stop))
		n++;
	return NULL;
}

static void *change_ids(void *arg)
{
	printf("%s: setuid %d, setgid %d, seteuid %d\n", (const char *)arg, setuid(getuid()),
	       setgid(getgid()), seteuid(geteuid()));
	return NULL;
}

int main(void)
{
	watchdog_start(20);
	if (pipe(fds) != 0)
		return 1;
	pthread_t t[4];
	pthread_create(&t[0], NULL, blocked_reader, NULL);
	pthread_create(&t[1], NULL, sleeper, NULL);
	pthread_create(&t[2], NULL, spinner, NULL);
	usleep(20000);
	change_ids("main thread");
	pthread_create(&t[3], NULL, change_ids, "other thread");
	pthread_join(t[3], NULL);
	atomic_store(&stop, 1);
	(void)!write(fds[1], "x", 1);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}
