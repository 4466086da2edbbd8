/* Shared by the benchmark programs: plain pthread programs that know nothing of goro. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static inline long bench_arg(int argc, char **argv, long fallback)
{
	return argc > 1 ? atol(argv[1]) : fallback;
}

/* One machine-readable line: the harness reads the number after the name. */
static inline void bench_report(const char *unit, double value)
{
	printf("%s %.1f\n", unit, value);
}
