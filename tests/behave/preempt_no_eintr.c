/*
 * Calls that no signal restarts (poll, select, sigtimedwait) and a blocking
 * pipe read, made over and over while CPU-bound threads keep the scheduler
 * busy stopping them: no call ever fails with EINTR, since the program
 * itself sends no signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/select.h>
#include <unistd.h>

#include "check.h"

static atomic_int stop, eintr, calls;
static int pipefd[2];

static void *cpu(void *arg)
{
	volatile unsigned long n = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		n++;
	return NULL;
}

static void count(int r)
{
	atomic_fetch_add(&calls, 1);
	if (r < 0 && errno == EINTR)
		atomic_fetch_add(&eintr, 1);
}

static void *waiter(void *arg)
{
	int kind = (int)(intptr_t)arg - 3;
	sigset_t none;
	sigemptyset(&none);
	sigaddset(&none, SIGUSR2);   /* never sent */
	while (!atomic_load(&stop)) {
		if (kind == 0) {
			struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
			count(poll(&p, 1, 1));
		} else if (kind == 1) {
			fd_set r;
			FD_ZERO(&r);
			FD_SET(pipefd[0], &r);
			struct timeval tv = {0, 1000};
			count(select(pipefd[0] + 1, &r, NULL, NULL, &tv));
		} else {
			struct timespec ts = {0, 1000000};
			int rc = sigtimedwait(&none, NULL, &ts);
			count(rc < 0 && errno == EAGAIN ? 0 : rc);
		}
	}
	return NULL;
}

static void *reader(void *arg)
{
	char c;
	for (;;) {
		ssize_t n = read(pipefd[1 - 1], &c, 1);
		count((int)n);
		if (n <= 0 || c == 'q')
			return NULL;
	}
}

int main(void)
{
	sigset_t usr2;
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);   /* inherited: sigtimedwait waits for it */
	if (pipe(pipefd) != 0)
		return 1;
	pthread_t t[8];
	if (start_threads(t, 0, 3, cpu) != 0 || start_threads(t, 3, 6, waiter) != 0)
		return 1;
	pthread_t r;
	if (pthread_create(&r, NULL, reader, NULL) != 0)
		return 1;
	for (int i = 0; i < 200; i++) {
		usleep(5000);
		if (write(pipefd[1], i == 199 ? "q" : "x", 1) != 1)
			return 1;
	}
	pthread_join(r, NULL);
	atomic_store(&stop, 1);
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	printf("calls made: %s\n", atomic_load(&calls) > 200 ? "many" : "few");
	printf("calls that failed with EINTR: %d\n", atomic_load(&eintr));
	return 0;
}
