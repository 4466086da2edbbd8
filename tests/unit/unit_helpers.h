/*
 * Helpers shared by the unit tests (header only).
 *
 * A test that needs "thread T is now asleep in the wait table" must not guess
 * with a sleep: a plain thread that waits in the table blocks in futex(2) on
 * its own wait record, so we poll /proc/self/task/TID/syscall until it shows
 * the futex system call (202 on x86-64).
 */
#ifndef GORO_UNIT_HELPERS_H
#define GORO_UNIT_HELPERS_H
#include <stdbool.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline int unit_gettid(void) { return (int)syscall(SYS_gettid); }

static inline int64_t unit_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void unit_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* True if thread tid of this process is inside futex(2) right now. */
static inline bool unit_in_futex(int tid)
{
	char path[64], buf[64] = {0};
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool in = fgets(buf, sizeof buf, f) && strncmp(buf, "202 ", 4) == 0;
	fclose(f);
	return in;
}

/* Waits (up to timeout_ms) until thread tid blocks in futex(2); false on timeout. */
static inline bool unit_wait_in_futex(int tid, int timeout_ms)
{
	int64_t until = unit_now_ns() + (int64_t)timeout_ms * 1000000;
	while (!unit_in_futex(tid)) {
		if (unit_now_ns() > until)
			return false;
		unit_sleep_ms(1);
	}
	return true;
}

/*
 * A hung test (a lost wake-up with no deadline, a lock that never returns)
 * fails the program after `seconds` with a message, instead of waiting for
 * make's `timeout 60`. cmocka's "[ RUN ]" line above it names the test.
 */
static void unit_watchdog_fired(int sig)
{
	static const char msg[] = "\nunit: time limit exceeded; the test above hung\n";
	(void)!write(2, msg, sizeof msg - 1);
	_exit(3);
}

static inline void unit_watchdog(unsigned seconds)
{
	signal(SIGALRM, unit_watchdog_fired);
	alarm(seconds);
}

#endif
