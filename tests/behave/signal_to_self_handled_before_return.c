// signal_to_self_handled_before_return: a signal a thread sends itself
// (raise, pthread_kill and pthread_sigqueue of pthread_self, and kill or
// sigqueue of its own process when it is the only thread accepting the
// signal) has run its handler by the time the call returns, as glibc's
// tst-raise1 checks: under goro the handler used to run one call late.
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	(void)sig;
	handled++;
}

static void check(const char *who, const char *call, int before)
{
	printf("%s, %s: handler ran %d time(s) before it returned\n", who, call, handled - before);
}

static void send_each(const char *who)
{
	int before = handled;
	raise(SIGUSR1);
	check(who, "raise", before);
	before = handled;
	pthread_kill(pthread_self(), SIGUSR1);
	check(who, "pthread_kill", before);
	before = handled;
	pthread_sigqueue(pthread_self(), SIGUSR1, (union sigval){.sival_int = 1});
	check(who, "pthread_sigqueue", before);
	before = handled;
	kill(getpid(), SIGUSR1);
	check(who, "kill", before);
	before = handled;
	sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 2});
	check(who, "sigqueue", before);
	before = handled;
	for (int i = 0; i < 1000; i++)
		raise(SIGUSR1);
	check(who, "1000 raises", before);
}

static void *other_thread(void *arg)
{
	(void)arg;
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	send_each("second thread, main blocks it");
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGUSR1, &sa, NULL);
	send_each("main, only thread");

	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);   /* the second thread inherits it, then unblocks */
	pthread_t t;
	pthread_create(&t, NULL, other_thread, NULL);
	pthread_join(t, NULL);
	return 0;
}
