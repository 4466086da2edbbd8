// posix_spawn_and_vfork: from threads, while 100 threads are blocked and
// others compute: posix_spawn a command, vfork and exec, vfork and _exit.
// The vfork children do what such children do before exec (reset a signal
// handler, close a descriptor, dup2 onto another), on a descriptor a thread
// of the parent is blocked reading. The parent reads each child's status,
// and afterwards everything still works: the blocked reader gets its data,
// the parent's signal handler still runs, threads are created and joined,
// a thread that spins is still interrupted so that the others run (checked
// with one CPU's worth of threads: the spinner waits for a flag only
// another thread sets).
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "crowd.h"

extern char **environ;

static int status_of(pid_t pid)
{
	int status;
	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

static char lines[7][80];
static int reader_pipe[2];
static volatile int usr1_handled;

static void on_usr1(int sig)
{
	usr1_handled++;
}

static void *reader(void *arg)
{
	char c = 0;
	return (void *)(long)(read(reader_pipe[0], &c, 1) == 1 && c == 'r');
}

static void *spawner(void *arg)
{
	long id = (long)arg;
	char cmd[32];
	snprintf(cmd, sizeof cmd, "exit %ld", 20 + id);
	char *argv[] = {"sh", "-c", cmd, NULL};
	pid_t pid;
	int r = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
	int spawned = r == 0 ? status_of(pid) : -r;

	pid = vfork();
	if (pid == 0) {
		signal(SIGUSR1, SIG_DFL);
		close(reader_pipe[0]);
		dup2(2, reader_pipe[1]);
		execv("/bin/sh", argv);
		_exit(127);
	}
	int vforked_exec = status_of(pid);

	pid = vfork();
	if (pid == 0)
		_exit(40 + (int)id);
	int vforked_exit = status_of(pid);
	snprintf(lines[id], sizeof lines[id], "thread %ld: posix_spawn %d, vfork+exec %d, vfork+_exit %d\n", id,
		 spawned, vforked_exec, vforked_exit);
	return NULL;
}

static volatile int flag;

static void *spin_until_flag(void *arg)
{
	while (!flag)
		;
	return NULL;
}

static void *set_flag(void *arg)
{
	flag = 1;
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	watchdog_start(20);
	signal(SIGUSR1, on_usr1);
	if (pipe(reader_pipe))
		return 1;
	pthread_t reader_thread;
	pthread_create(&reader_thread, NULL, reader, NULL);
	crowd_start();
	usleep(10000);   /* the reader is blocked */
	watchdog_stage = "spawning";
	for (long i = 0; i < 3; i++) {   /* one at a time: the lines come in order */
		pthread_t t;
		pthread_create(&t, NULL, spawner, (void *)i);
		pthread_join(t, NULL);
	}
	pthread_t t[4];
	for (long i = 0; i < 4; i++)   /* and several at once */
		pthread_create(&t[i], NULL, spawner, (void *)(3 + i));
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 7; i++)
		fputs(lines[i], stdout);
	watchdog_stage = "reader";
	void *got;
	(void)!write(reader_pipe[1], "r", 1);
	pthread_join(reader_thread, &got);
	kill(getpid(), SIGUSR1);
	for (int i = 0; i < 1000 && !usr1_handled; i++)
		usleep(1000);   /* it may be handled on another OS thread, a moment later */
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	printf("blocked reader got its data: %s, handler ran: %s, sigaction reports it: %s\n", got ? "yes" : "no",
	       usr1_handled == 1 ? "yes" : "no", now.sa_handler == on_usr1 ? "yes" : "no");
	watchdog_stage = "crowd_stop";
	crowd_stop();
	/* Threads that spin still give way (with one OS thread per CPU, a
	 * spinner that were never interrupted would keep set_flag from running). */
	watchdog_stage = "spinners after vfork";
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t spinners[64], setter;
	int n = cpus < 60 ? (int)cpus + 1 : 61;
	for (int i = 0; i < n; i++)
		pthread_create(&spinners[i], NULL, spin_until_flag, NULL);
	usleep(20000);
	pthread_create(&setter, NULL, set_flag, NULL);
	pthread_join(setter, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(spinners[i], NULL);
	printf("spinning threads gave way: yes\n");
	return 0;
}
