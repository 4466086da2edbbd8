// signal_sem_wait_eintr: whether a sem_wait a handler interrupted fails with
// EINTR or goes on waiting depends on the flags of the handler that ran, not
// on the action the signal has afterwards. A process-directed signal reaches
// the main thread, parked in sem_wait (glibc's tst-sem6): a handler without
// SA_RESTART that resets the action to SIG_DFL, or an SA_RESETHAND one,
// ends it with EINTR; an SA_RESTART handler that installs one without it
// lets it go on waiting (the next signal's handler posts); sem_timedwait
// always ends with EINTR (signal(7)).
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sem_t sem;
static volatile sig_atomic_t handled;

static void set_action(void (*handler)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
}

static void resets_to_default(int sig)
{
	handled++;
	set_action(SIG_DFL, 0);
}

static void posts(int sig)
{
	handled++;
	sem_post(&sem);
}

static void installs_posting_without_restart(int sig)
{
	handled++;
	set_action(posts, 0);
}

static void counts(int sig)
{
	handled++;
}

/* Sends SIGALRM to the process (this thread blocks it: the main thread gets
 * it) the given number of times, 100 ms apart, then waits to be told the
 * wait ended. */
static volatile int stop_sending;
static void *sender(void *arg)
{
	int count = (int)(long)arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (int i = 0; i < count; i++) {
		usleep(100 * 1000);
		kill(getpid(), SIGALRM);
	}
	for (int waited = 0; !stop_sending; waited++) {
		if (waited == 1000) {
			printf("hang: the wait did not end\n");
			fflush(stdout);
			_exit(1);
		}
		usleep(10 * 1000);
	}
	return NULL;
}

static void run(const char *what, void (*handler)(int), int flags, int timed, int signals)
{
	handled = 0;
	stop_sending = 0;
	set_action(handler, flags);
	pthread_t t;
	pthread_create(&t, NULL, sender, (void *)(long)signals);
	int r;
	if (timed) {
		struct timespec deadline;
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 30;
		r = sem_timedwait(&sem, &deadline);
	} else {
		r = sem_wait(&sem);
	}
	int error = errno;
	stop_sending = 1;
	pthread_join(t, NULL);
	set_action(SIG_IGN, 0);
	printf("%s: returned %d%s, handlers run %d\n", what, r,
	       r == 0 ? "" : error == EINTR ? " EINTR" : " (other error)", (int)handled);
	fflush(stdout);
	while (sem_trywait(&sem) == 0)
		;
}

int main(void)
{
	sem_init(&sem, 0, 0);
	run("sem_wait, handler resets SIGALRM to SIG_DFL, no SA_RESTART", resets_to_default, 0, 0, 1);
	run("sem_wait, SA_RESETHAND, no SA_RESTART", counts, SA_RESETHAND, 0, 1);
	run("sem_wait, SA_RESTART handler installs one without it", installs_posting_without_restart, SA_RESTART, 0, 2);
	run("sem_timedwait, SA_RESTART", counts, SA_RESTART, 1, 1);
	return 0;
}
