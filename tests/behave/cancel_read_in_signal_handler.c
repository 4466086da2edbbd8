/*
 * A thread blocked in read() gets a signal whose handler blocks in another
 * read(); it is cancelled there. The cleanup handlers of the handler's
 * frames and of the interrupted frames all run, innermost first, and join
 * returns PTHREAD_CANCELED. Then the same again, several rounds: every new
 * thread still gets its signal (no OS thread is left with the handler's
 * signal blocked), and closing the pipes the cancelled thread had waited on
 * is harmless. Also with the main thread as the one signalled and
 * cancelled, from a fork child (glibc's tst-cancel20 and tst-cancel21).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/wait.h>
#include "check.h"

static int fd[4];
static pthread_barrier_t barrier;
static volatile int in_handler_read;
static volatile unsigned long cleanups;

static void cleanup(void *arg)
{
	cleanups = (cleanups << 4) | (long)arg;
}

static void __attribute__((noinline)) handler_body(void)
{
	char c;
	pthread_cleanup_push(cleanup, (void *)1L);
	in_handler_read = 1;
	if (read(fd[2], &c, 1) == 1)
		puts("handler read succeeded");
	pthread_cleanup_pop(0);
}

static void handler(int sig)
{
	pthread_cleanup_push(cleanup, (void *)2L);
	handler_body();
	pthread_cleanup_pop(0);
}

static void __attribute__((noinline)) reader_body(void)
{
	char c;
	pthread_cleanup_push(cleanup, (void *)3L);
	pthread_barrier_wait(&barrier);
	if (read(fd[0], &c, 1) == 1)
		puts("read succeeded");
	pthread_cleanup_pop(0);
}

static void *reader(void *arg)
{
	pthread_cleanup_push(cleanup, (void *)4L);
	reader_body();
	pthread_cleanup_pop(0);
	return NULL;
}

/* target is blocked in reader_body's read: signal it, wait for the handler's read, cancel it */
static int signal_and_cancel(pthread_t target)
{
	usleep(50 * 1000);
	pthread_kill(target, SIGHUP);
	double t0 = mono();
	while (!in_handler_read) {
		if (mono() - t0 > 5) {
			puts("the signal handler did not run");
			return 1;
		}
		usleep(1000);
	}
	usleep(20 * 1000);
	pthread_cancel(target);
	void *result;
	pthread_join(target, &result);
	printf("result: %s, cleanups %lx\n", result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "not cancelled",
	       cleanups);
	return 0;
}

static void open_pipes(void)
{
	in_handler_read = 0;
	cleanups = 0;
	if (pipe(fd) != 0 || pipe(fd + 2) != 0)
		exit(1);
}

static void close_pipes(void)
{
	for (int i = 0; i < 4; i++)
		close(fd[i]);
}

static int thread_round(void)
{
	open_pipes();
	pthread_t t;
	pthread_create(&t, NULL, reader, NULL);
	pthread_barrier_wait(&barrier);
	int r = signal_and_cancel(t);
	close_pipes();
	return r;
}

static void *canceller_of_main(void *arg)
{
	pthread_barrier_wait(&barrier);
	int r = signal_and_cancel((pthread_t)arg);
	close_pipes();
	fflush(stdout);
	_exit(r);
}

/* In a fork child: the main thread is the one signalled and cancelled. */
static int main_round(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		open_pipes();
		pthread_t t;
		pthread_create(&t, NULL, canceller_of_main, (void *)pthread_self());
		reader(NULL);
		puts("main thread was not cancelled");
		fflush(stdout);
		_exit(1);
	}
	int status;
	waitpid(pid, &status, 0);
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

int main(void)
{
	watchdog_start(40);
	pthread_barrier_init(&barrier, NULL, 2);
	struct sigaction sa = {.sa_handler = handler};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	for (int i = 0; i < 6; i++)
		if (thread_round())
			return 1;
	for (int i = 0; i < 3; i++)
		if (main_round())
			return 1;
	return 0;
}
