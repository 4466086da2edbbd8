/* Shared by the benchmark programs: plain pthread programs that know nothing of goro. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/* The iteration count: the first argument (a positive number), else fallback. */
static inline long bench_arg(int argc, char **argv, long fallback)
{
	if (argc < 2)
		return fallback;
	char *end;
	long n = strtol(argv[1], &end, 10);
	if (*end || n < 1) {
		fprintf(stderr, "%s: the argument is a count (a positive number), not '%s'\n", argv[0], argv[1]);
		exit(2);
	}
	return n;
}

/* One machine-readable line: the harness reads the number after the name. */
static inline void bench_report(const char *unit, double value)
{
	printf("%s %.1f\n", unit, value);
}

/* pthread_create, or exit 1 saying why: a benchmark never joins a thread it did not get. */
static inline void bench_spawn(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(t, attr, fn, arg);
	if (err) {
		fprintf(stderr, "pthread_create: %s\n", strerror(err));
		exit(1);
	}
}
