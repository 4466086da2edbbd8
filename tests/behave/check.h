/*
 * Helpers shared by the behaviour tests (each test stays an ordinary pthread
 * program that knows nothing of goro). Include after the system headers,
 * with _GNU_SOURCE defined first.
 */
#ifndef GORO_BEHAVE_CHECK_H
#define GORO_BEHAVE_CHECK_H
#include <string.h>
#include <time.h>

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

#endif
