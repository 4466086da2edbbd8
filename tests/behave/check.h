/*
 * Helpers shared by the behaviour tests (each test stays an ordinary pthread
 * program that knows nothing of goro). Include after the system headers,
 * with _GNU_SOURCE defined first.
 */
#ifndef GORO_BEHAVE_CHECK_H
#define GORO_BEHAVE_CHECK_H
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* An error number by name ("EBUSY"), "0" for success. */
static inline const char *en(int e)
{
	if (e == 0)
		return "0";
	const char *s = strerrorname_np(e);
	return s ? s : "?";
}

/* Seconds on the monotonic clock. */
static inline double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An absolute time ms milliseconds from now on clock clk. */
static inline struct timespec deadline(clockid_t clk, long ms)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	} else if (ts.tv_nsec < 0) {
		ts.tv_sec--;
		ts.tv_nsec += 1000000000L;
	}
	return ts;
}

/* Starts threads from..to-1 running fn((void *)i); 0, or the first error (printed). */
static inline int start_threads(pthread_t *t, int from, int to, void *(*fn)(void *))
{
	for (int i = from; i < to; i++) {
		int rc = pthread_create(&t[i], NULL, fn, (void *)(intptr_t)i);
		if (rc) {
			printf("pthread_create: %d\n", rc);
			return rc;
		}
	}
	return 0;
}

/* Joins threads 0..n-1; 0, or the first error (printed). */
static inline int join_threads(pthread_t *t, int n)
{
	for (int i = 0; i < n; i++) {
		int rc = pthread_join(t[i], NULL);
		if (rc) {
			printf("pthread_join: %d\n", rc);
			return rc;
		}
	}
	return 0;
}

/* In a table of rows x cols addresses (one row per thread, one column per
 * variable), how many pairs of rows share an address in some column. */
static inline int shared_addresses(void *const *table, int rows, int cols)
{
	int same = 0;
	for (int v = 0; v < cols; v++)
		for (int i = 0; i < rows; i++)
			for (int j = i + 1; j < rows; j++)
				if (table[i * cols + v] == table[j * cols + v])
					same++;
	return same;
}

/* A watchdog for a test that could hang: after `seconds`, it says which
 * stage the test had reached and exits with status 3. */
static const char *watchdog_stage __attribute__((unused)) = "start";

static void watchdog_fired(int sig)
{
	(void)!write(2, "timed out (hang?) at: ", 22);
	(void)!write(2, watchdog_stage, strlen(watchdog_stage));
	(void)!write(2, "\n", 1);
	_exit(3);
}

static inline void watchdog_start(unsigned seconds)
{
	signal(SIGALRM, watchdog_fired);
	alarm(seconds);
}

/* Fills a pipe's buffer, or empties it, without blocking (the descriptor is
 * made non-blocking meanwhile, then blocking again). */
static inline void pipe_fill(int fd)
{
	char buf[4096] = {0};
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (write(fd, buf, sizeof buf) > 0)
		;
	fcntl(fd, F_SETFL, 0);
}

static inline void pipe_drain(int fd)
{
	char buf[4096];
	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (read(fd, buf, sizeof buf) > 0)
		;
	fcntl(fd, F_SETFL, 0);
}

/* A "Name: N kB" line of /proc/self/status (VmRSS, VmSize), in KiB; -1 if missing. */
static inline long status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;
	size_t n = strlen(field);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':' && sscanf(line + n + 1, "%ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

/* Recurses until about `bytes` of stack are written; returns the frame count. */
static inline long stack_recurse(long bytes)
{
	volatile char frame[4096];
	memset((char *)frame, 1, sizeof frame);
	return bytes <= (long)sizeof frame ? frame[7] : stack_recurse(bytes - (long)sizeof frame) + frame[9];
}

/* Waits up to 3 s for resident memory to come within 2 MiB of base_kib. */
static inline int rss_falls_back_to(long base_kib)
{
	for (int i = 0; i < 60; i++) {
		if (status_kib("VmRSS") < base_kib + 2048)
			return 1;
		usleep(50000);
	}
	fprintf(stderr, "VmRSS %ld kB, was %ld kB before\n", status_kib("VmRSS"), base_kib);
	return 0;
}

#endif
