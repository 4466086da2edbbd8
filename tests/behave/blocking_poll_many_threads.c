// blocking_poll_many_threads: 1,000 threads each blocked in poll() on its own
// pipe (under goro with one OS thread for them all: poll must park the thread,
// not hold the OS thread). The main thread wakes them one at a time in a
// scrambled order by writing a byte to each pipe; every thread must wake when
// its own byte arrives and not before, and read the right byte.
// goro-test: timeout=120
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"

enum { WANT = 1000 };
static int nthreads;
static int pipes[WANT][2];
static _Atomic int woken_count;
static _Atomic int woke_order[WANT];  /* slot k: 1 + the thread that woke k-th */
static int bad_byte, bad_revents, bad_return;
static const char *stage = "start";

static void on_alarm(int sig)
{
	char msg[128];
	int n = snprintf(msg, sizeof msg, "timed out (hang?) at: %s, %d woken\n", stage, atomic_load(&woken_count));
	(void)!write(2, msg, n);
	_exit(3);
}

static unsigned char byte_for(int i) { return (unsigned char)(i * 7 + 3); }

static void *waiter(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct pollfd p = {.fd = pipes[i][0], .events = POLLIN};
	int r = poll(&p, 1, -1);
	if (r != 1)
		bad_return++;
	if (p.revents != POLLIN)
		bad_revents++;
	unsigned char c;
	if (read(pipes[i][0], &c, 1) != 1 || c != byte_for(i))
		bad_byte++;
	int k = atomic_fetch_add(&woken_count, 1);
	atomic_store(&woke_order[k], i + 1);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(100);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	nthreads = WANT;
	if ((long)rl.rlim_cur < 2 * WANT + 64)
		nthreads = ((int)rl.rlim_cur - 64) / 2;   /* not printed: output stays the same */
	for (int i = 0; i < nthreads; i++)
		if (pipe(pipes[i]) != 0) {
			printf("pipe: %s\n", strerror(errno));
			return 1;
		}
	stage = "creating threads";
	static pthread_t t[WANT];
	if (start_threads(t, 0, nthreads, waiter))
		return 1;
	usleep(200000);   /* let them all block */
	printf("woken before any write: %d\n", atomic_load(&woken_count));

	/* wake them in a scrambled order: i -> (i * 389 + 17) mod n visits all when gcd(389, n) = 1 */
	int step = 389;
	while (nthreads % step == 0 || step % 2 == 0)
		step += 2;
	stage = "waking one by one";
	int out_of_order = 0;
	for (int k = 0; k < nthreads; k++) {
		int i = (int)(((long)k * step + 17) % nthreads);
		unsigned char c = byte_for(i);
		if (write(pipes[i][1], &c, 1) != 1) {
			printf("write: %s\n", strerror(errno));
			return 1;
		}
		while (atomic_load(&woke_order[k]) == 0)
			sched_yield();
		if (atomic_load(&woke_order[k]) != i + 1)
			out_of_order++;
	}
	stage = "joining";
	if (join_threads(t, nthreads))
		return 1;
	printf("threads woken, each by its own byte and in the order written: %s\n",
	       out_of_order == 0 && atomic_load(&woken_count) == nthreads ? "yes" : "NO");
	printf("poll returned 1 with POLLIN in every thread: %s\n", bad_return + bad_revents == 0 ? "yes" : "NO");
	printf("every byte right: %s\n", bad_byte == 0 ? "yes" : "NO");
	return 0;
}
