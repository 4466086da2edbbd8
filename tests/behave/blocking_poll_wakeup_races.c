// blocking_poll_wakeup_races: threads in poll() on two pipes each, with a
// short timeout, while two writer threads write into both pipes of a
// thread at about the same moment and a third thread sends signals (with an
// SA_RESTART handler) to random pollers: the wake-ups of one poll by its two
// descriptors, its timeout and a signal race with one another. Every byte
// must arrive exactly once, no poll may return anything but 0, 1, 2 or -1
// with EINTR, and nothing may hang.
// goro-test: timeout=120
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

enum { POLLERS = 64, ROUNDS = 2000 };
static int pa[POLLERS][2], pb[POLLERS][2];
static _Atomic long received, bad;
static _Atomic int pollers_done;
static pthread_t pollers[POLLERS];

static void on_alarm(int sig)
{
	char msg[160];
	int n = snprintf(msg, sizeof msg, "timed out (hang?): %ld bytes received, %d pollers done\n",
			 atomic_load(&received), atomic_load(&pollers_done));
	(void)!write(2, msg, n);
	_exit(3);
}

static void on_usr1(int sig) {}

static void *poller(void *arg)
{
	int i = (int)(intptr_t)arg;
	long got = 0;
	unsigned char next_a = 0, next_b = 0;
	while (got < 2 * ROUNDS) {
		struct pollfd p[2] = {{pa[i][0], POLLIN}, {pb[i][0], POLLIN}};
		int r = poll(p, 2, 1 + (int)(got % 4));
		if (r < 0 && errno != EINTR)
			atomic_fetch_add(&bad, 1);
		if (r < -1 || r > 2)
			atomic_fetch_add(&bad, 1);
		unsigned char buf[64];
		ssize_t n;
		/* the read ends are non-blocking: take whatever is there */
		while ((n = read(pa[i][0], buf, sizeof buf)) > 0)
			for (ssize_t k = 0; k < n; k++, got++)
				if (buf[k] != next_a++)
					atomic_fetch_add(&bad, 1);
		while ((n = read(pb[i][0], buf, sizeof buf)) > 0)
			for (ssize_t k = 0; k < n; k++, got++)
				if (buf[k] != next_b++)
					atomic_fetch_add(&bad, 1);
	}
	atomic_fetch_add(&received, got);
	atomic_fetch_add(&pollers_done, 1);
	return NULL;
}

static void *writer(void *arg)
{
	int which = (int)(intptr_t)arg;
	unsigned seed = 1234 + which;
	unsigned char next[POLLERS] = {0};
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < POLLERS; i++) {
			int fd = which ? pb[i][1] : pa[i][1];
			write(fd, &next[i], 1);
			next[i]++;
		}
		if (rand_r(&seed) % 8 == 0)
			usleep(rand_r(&seed) % 2000);
	}
	return NULL;
}

static _Atomic int stop_signals;
static void *signaller(void *arg)
{
	unsigned seed = 99;
	while (!atomic_load(&stop_signals)) {
		pthread_kill(pollers[rand_r(&seed) % POLLERS], SIGUSR1);
		usleep(200);
	}
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(100);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	for (int i = 0; i < POLLERS; i++) {
		pipe(pa[i]);
		pipe(pb[i]);
		fcntl(pa[i][0], F_SETFL, O_NONBLOCK);
		fcntl(pb[i][0], F_SETFL, O_NONBLOCK);
	}
	if (start_threads(pollers, 0, POLLERS, poller))
		return 1;
	pthread_t w[2], s;
	pthread_create(&w[0], NULL, writer, (void *)0);
	pthread_create(&w[1], NULL, writer, (void *)1);
	pthread_create(&s, NULL, signaller, NULL);
	join_threads(w, 2);
	while (atomic_load(&pollers_done) < POLLERS)
		usleep(1000);
	atomic_store(&stop_signals, 1);   /* before any poller is joined: pthread_kill needs a live handle */
	pthread_join(s, NULL);
	join_threads(pollers, POLLERS);
	printf("%d pollers, two pipes each: every byte received once and in order: %s, poll results sane: %s\n", POLLERS,
	       atomic_load(&received) == 2L * ROUNDS * POLLERS ? "yes" : "NO", atomic_load(&bad) ? "NO" : "yes");
	return 0;
}
