// blocking_epoll_wait: the program's own epoll set, waited on by several
// threads at once (EPOLLONESHOT pipes re-armed after each byte, so every
// byte is handled exactly once, in order per pipe); a level-triggered stop
// pipe ends them all. Then epoll_wait, epoll_pwait and epoll_pwait2
// timeouts, EINTR from a signal handler even with SA_RESTART, a set nested
// in another set, and the errors (EINVAL, EBADF).
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "check.h"


enum { PIPES = 16, THREADS = 4, BYTES = 400 };
static int ep, pipes[PIPES][2], stop[2];
static _Atomic int consumed, bad;
static unsigned char next_byte[PIPES];

static void *worker(void *arg)
{
	for (;;) {
		struct epoll_event ev;
		int n = epoll_wait(ep, &ev, 1, -1);
		if (n != 1) {
			atomic_fetch_add(&bad, 1);
			continue;
		}
		int i = ev.data.u32;
		if (i == PIPES)
			return NULL;   /* stop: level-triggered, every worker sees it */
		unsigned char c;
		if (read(pipes[i][0], &c, 1) != 1 || c != next_byte[i])
			atomic_fetch_add(&bad, 1);
		next_byte[i]++;
		atomic_fetch_add(&consumed, 1);
		struct epoll_event re = {.events = EPOLLIN | EPOLLONESHOT, .data.u32 = i};
		epoll_ctl(ep, EPOLL_CTL_MOD, pipes[i][0], &re);
	}
}

struct job {
	int ep, timeout, result, err;
	struct epoll_event ev[4];
	double took;
	volatile int started;
};

static void *waiter(void *arg)
{
	struct job *j = arg;
	double t0 = mono();
	j->started = 1;
	errno = 0;
	j->result = epoll_wait(j->ep, j->ev, 4, j->timeout);
	j->err = errno;
	j->took = mono() - t0;
	return NULL;
}

/* starts a thread in epoll_wait on j's set and lets it block */
static pthread_t start(struct job *j)
{
	pthread_t t;
	pthread_create(&t, NULL, waiter, j);
	while (!j->started)
		usleep(1000);
	usleep(50000);
	return t;
}

static int handled;
static void on_usr1(int sig) { handled++; }

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(60);

	watchdog_stage = "workers";
	ep = epoll_create1(0);
	for (int i = 0; i < PIPES; i++) {
		pipe(pipes[i]);
		struct epoll_event ev = {.events = EPOLLIN | EPOLLONESHOT, .data.u32 = i};
		epoll_ctl(ep, EPOLL_CTL_ADD, pipes[i][0], &ev);
	}
	pipe(stop);
	struct epoll_event sev = {.events = EPOLLIN, .data.u32 = PIPES};
	epoll_ctl(ep, EPOLL_CTL_ADD, stop[0], &sev);
	pthread_t t[THREADS];
	if (start_threads(t, 0, THREADS, worker))
		return 1;
	usleep(50000);
	unsigned char sent[PIPES] = {0};
	for (int k = 0; k < BYTES; k++) {
		int i = (k * 7 + k / PIPES) % PIPES;
		write(pipes[i][1], &sent[i], 1);
		sent[i]++;
		if (k % 50 == 49)
			usleep(2000);
	}
	while (atomic_load(&consumed) < BYTES && !atomic_load(&bad))
		usleep(1000);
	write(stop[1], "s", 1);
	join_threads(t, THREADS);
	printf("%d threads on one epoll set: %d bytes handled, each once and in order: %s\n", THREADS,
	       atomic_load(&consumed), atomic_load(&bad) ? "NO" : "yes");

	watchdog_stage = "timeouts";
	int idle[2];
	pipe(idle);
	int ep2 = epoll_create1(0);
	struct epoll_event iev = {.events = EPOLLIN, .data.u32 = 7};
	epoll_ctl(ep2, EPOLL_CTL_ADD, idle[0], &iev);
	struct epoll_event ev[4];
	double t0 = mono();
	int r = epoll_wait(ep2, ev, 4, 80);
	printf("epoll_wait 80 ms on an idle set: %d, waited: %s\n", r, mono() - t0 >= 0.079 ? "yes" : "NO");
	sigset_t mask;
	sigemptyset(&mask);
	t0 = mono();
	r = epoll_pwait(ep2, ev, 4, 60, &mask);
	printf("epoll_pwait 60 ms with a mask: %d, waited: %s\n", r, mono() - t0 >= 0.059 ? "yes" : "NO");
	struct timespec ts = {0, 70000000};
	t0 = mono();
	r = epoll_pwait2(ep2, ev, 4, &ts, NULL);
	printf("epoll_pwait2 70 ms: %d, waited: %s\n", r, mono() - t0 >= 0.069 ? "yes" : "NO");
	r = epoll_wait(ep2, ev, 4, 0);
	printf("epoll_wait timeout 0: %d\n", r);

	watchdog_stage = "wake-up";
	struct job j = {.ep = ep2, .timeout = 10000};
	pthread_t th = start(&j);
	write(idle[1], "x", 1);
	pthread_join(th, NULL);
	printf("blocked epoll_wait, then data: %d, data %u, events %#x\n", j.result, j.ev[0].data.u32, j.ev[0].events);
	char c;
	read(idle[0], &c, 1);

	watchdog_stage = "nested";
	int outer = epoll_create1(0);
	struct epoll_event oev = {.events = EPOLLIN, .data.u32 = 99};
	epoll_ctl(outer, EPOLL_CTL_ADD, ep2, &oev);
	j = (struct job){.ep = outer, .timeout = 10000};
	th = start(&j);
	write(idle[1], "y", 1);
	pthread_join(th, NULL);
	printf("set inside a set: %d, data %u\n", j.result, j.ev[0].data.u32);
	read(idle[0], &c, 1);

	watchdog_stage = "EINTR";
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	j = (struct job){.ep = ep2, .timeout = 10000};
	th = start(&j);
	pthread_kill(th, SIGUSR1);
	pthread_join(th, NULL);
	printf("signal handler with SA_RESTART: %d %s, handler ran %d, before the timeout: %s\n", j.result, en(j.err),
	       handled, j.took < 5 ? "yes" : "NO");

	watchdog_stage = "errors";
	errno = 0;
	r = epoll_wait(idle[0], ev, 4, 100);
	printf("epoll_wait on a pipe: %d %s\n", r, en(errno));
	errno = 0;
	r = epoll_wait(ep2, ev, 0, 100);
	printf("epoll_wait with maxevents 0: %d %s\n", r, en(errno));
	int gone = epoll_create1(0);
	close(gone);
	errno = 0;
	r = epoll_wait(gone, ev, 4, 100);
	printf("epoll_wait on a closed descriptor: %d %s\n", r, en(errno));

	return 0;
}
