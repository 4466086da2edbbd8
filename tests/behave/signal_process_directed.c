/*
 * Signals sent to the process (an interval timer's SIGALRM, kill from
 * another thread) reach the main thread while it waits, as Linux delivers
 * them: a blocking read is interrupted (EINTR without SA_RESTART, restarted
 * with it), a sleep ends early, and the handler runs in the main thread.
 * Other threads are busy or asleep meanwhile, so the signal could as well
 * land on them. The signals repeat until the call returns, so a main
 * thread that reaches its call late (a busy machine) is still found waiting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"

static pthread_t main_thread;
static atomic_int handled, in_main, stop;
static int fds[2];

static void on_signal(int sig, siginfo_t *info, void *ctx)
{
	atomic_fetch_add(&handled, 1);
	if (pthread_equal(pthread_self(), main_thread))
		atomic_fetch_add(&in_main, 1);
}

static void set_handler(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* SIGALRM every ms milliseconds (0: stop): one of them finds the main thread
 * waiting however late it gets there on a busy machine. */
static void alarm_every_ms(int ms)
{
	struct itimerval it = {.it_value = {0, ms * 1000}, .it_interval = {0, ms * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static const char *all_in_main(void)
{
	return atomic_load(&handled) > 0 && atomic_load(&in_main) == atomic_load(&handled) ? "yes" : "no";
}

static void *busy(void *arg)
{
	volatile unsigned long n = 0;
	while (!atomic_load(&stop)) {
		for (int i = 0; i < 100000; i++)
			n++;
		usleep(100);
	}
	return NULL;
}

static void *late_writer(void *arg)
{
	usleep(300000);
	return (void *)(intptr_t)write(fds[1], "x", 1);
}

static atomic_int waited;

static void *killer(void *arg)
{
	while (!atomic_load(&waited)) {
		usleep(50000);
		kill(getpid(), SIGUSR1);
	}
	return NULL;
}

int main(void)
{
	main_thread = pthread_self();
	pthread_t t[3];
	if (start_threads(t, 0, 2, busy) != 0 || pipe(fds) != 0)
		return 1;
	char c;

	set_handler(SIGALRM, 0);
	alarm_every_ms(100);
	ssize_t n = read(fds[0], &c, 1);
	int e = errno;
	alarm_every_ms(0);
	printf("read, no SA_RESTART: %zd %s; handlers all ran in main: %s\n", n, n < 0 ? en(e) : "", all_in_main());

	set_handler(SIGALRM, SA_RESTART);
	alarm_every_ms(100);
	pthread_create(&t[2], NULL, late_writer, NULL);
	n = read(fds[0], &c, 1);
	alarm_every_ms(0);
	pthread_join(t[2], NULL);
	printf("read, SA_RESTART: %zd (restarted until the write); handlers all ran in main: %s\n", n, all_in_main());

	alarm_every_ms(100);
	double t0 = mono();
	int r = usleep(2000000);
	e = errno;
	alarm_every_ms(0);
	printf("usleep(2 s): %d %s, ended early: %s\n", r, r < 0 ? en(e) : "", mono() - t0 < 1.5 ? "yes" : "no");

	set_handler(SIGUSR1, SA_RESTART);
	pthread_create(&t[2], NULL, killer, NULL);
	sem_t never;
	sem_init(&never, 0, 0);
	struct timespec ts = deadline(CLOCK_REALTIME, 5000);
	r = sem_timedwait(&never, &ts);
	e = errno;
	atomic_store(&waited, 1);
	pthread_join(t[2], NULL);
	printf("sem_timedwait, kill(getpid()) from a thread: %s; handlers all ran in main: %s\n", r < 0 ? en(e) : "0",
	       all_in_main());

	atomic_store(&stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	return 0;
}
