// cancel_not_at_spawn: calls that are not cancellation points in NPTL do not
// act on a pending cancellation: a thread cancelled before it runs spawns a
// child with posix_spawn and posix_spawnp, takes and drops a flock, opens
// and closes a popen stream, and is cancelled only at pthread_testcancel.
// As glibc's tst-exec5.
// (waitpid is a point: main reaps the children.)
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static pthread_barrier_t started;
static int fd = -1;   /* opened by main: open is a point */
static int spawned, spawned_p, flocked, popened;

static void *cancelled_while_waiting(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&started);   /* not a point: the cancel is pending after it */
	char *argv[] = {"true", NULL};
	pid_t pid;
	if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0)
		spawned = 1;
	if (posix_spawnp(&pid, "true", NULL, NULL, argv, environ) == 0)
		spawned_p = 1;
	if (fd >= 0 && flock(fd, LOCK_EX) == 0 && flock(fd, LOCK_UN) == 0)
		flocked = 1;
	FILE *f = popen("true", "r");
	if (f) {
		popened = 1;
		pclose(f);
	}
	pthread_testcancel();
	return NULL;
}

int main(void)
{
	pthread_barrier_init(&started, NULL, 2);
	fd = open("/dev/null", O_RDONLY);
	pthread_t t;
	if (pthread_create(&t, NULL, cancelled_while_waiting, NULL) != 0)
		return 1;
	pthread_cancel(t);
	pthread_barrier_wait(&started);
	void *result;
	pthread_join(t, &result);
	while (waitpid(-1, NULL, 0) > 0)   /* the thread's children */
		;
	printf("posix_spawn ran: %d, posix_spawnp ran: %d, flock ran: %d, popen ran: %d, cancelled: %s\n",
	       spawned, spawned_p, flocked, popened, result == PTHREAD_CANCELED ? "yes" : "no");
	return 0;
}
