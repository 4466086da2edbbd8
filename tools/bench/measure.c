/*
 * measure [-o FILE] [-t SECONDS] PROGRAM [ARGS...]
 *
 * Runs PROGRAM (its standard output to FILE with -o), then prints one line:
 *   wall_s 1.234 cpu_s 2.345 maxrss_kib 12345 status 0
 * wall-clock time, user + system CPU time, peak resident memory (from wait4,
 * so it covers the program and anything it waited for), and its exit status
 * (128 + N when killed by signal N; "timeout" when -t ran out and it was
 * killed). Exits with the program's status, 124 on timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;
static pid_t child;

static void on_alarm(int sig)
{
	timed_out = 1;
	kill(child, SIGKILL);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	unsigned limit = 0;
	int opt;
	while ((opt = getopt(argc, argv, "+o:t:")) != -1) {
		if (opt == 'o')
			out = optarg;
		else if (opt == 't' && atoi(optarg) > 0)
			limit = atoi(optarg);
		else {
			fprintf(stderr, "usage: measure [-o FILE] [-t SECONDS] PROGRAM [ARGS...]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: measure [-o FILE] [-t SECONDS] PROGRAM [ARGS...]\n");
		return 2;
	}
	int fd = -1;
	if (out && (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		perror(out);
		return 2;
	}
	fflush(stdout);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = fork();
	if (child < 0) {
		perror("fork");
		return 2;
	}
	if (child == 0) {
		if (fd >= 0)
			dup2(fd, 1);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "measure: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	if (limit) {
		signal(SIGALRM, on_alarm);
		alarm(limit);
	}
	int status;
	struct rusage ru;
	while (wait4(child, &status, 0, &ru) < 0)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
	double cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("wall_s %.3f cpu_s %.3f maxrss_kib %ld status ", wall, cpu, ru.ru_maxrss);
	if (timed_out)
		printf("timeout\n");
	else
		printf("%d\n", code);
	return timed_out ? 124 : code;
}
