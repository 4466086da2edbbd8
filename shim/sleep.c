/* Sleeps: a G parks on a timer and its M runs other Gs meanwhile. Each is a
 * cancellation point, on the way in and when a signal ended it early. */
#include "shim/shim.h"

#include <errno.h>

static int64_t deadline_after(const struct timespec *d)
{
	__int128 t = (__int128)nanotime() + (__int128)d->tv_sec * 1000000000 + d->tv_nsec;
	return t >= (__int128)INT64_MAX ? INT64_MAX - 1 : (int64_t)t;
}

/* What is left of a sleep a signal ended early. */
static void remaining(int64_t deadline, struct timespec *rem)
{
	int64_t left = deadline - nanotime();
	if (left < 0)
		left = 0;
	if (rem) {
		rem->tv_sec = left / 1000000000;
		rem->tv_nsec = left % 1000000000;
	}
}

static bool bad_duration(const struct timespec *d)
{
	return d->tv_sec < 0 || d->tv_nsec < 0 || d->tv_nsec >= 1000000000;
}

EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!g_current())
		return real.nanosleep(req, rem);
	cancel_point();
	if (bad_duration(req)) {
		errno = EINVAL;
		return -1;
	}
	int64_t deadline = deadline_after(req);
	if (g_sleep_until(deadline) == EINTR) {
		cancel_point();
		remaining(deadline, rem);
		errno = EINTR;
		return -1;
	}
	return 0;
}

EXPORT int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	if (!g_current())
		return real.clock_nanosleep(clock, flags, req, rem);
	cancel_point();
	if (clock == CLOCK_THREAD_CPUTIME_ID)
		return EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME && clock != CLOCK_TAI)
		return real.clock_nanosleep(clock, flags, req, rem);
	if (req->tv_nsec < 0 || req->tv_nsec >= 1000000000)
		return EINVAL;
	int64_t deadline;
	if (flags & TIMER_ABSTIME) {
		int r = deadline_from_abstime(clock, req, &deadline);
		if (r)
			return r;
	} else {
		if (req->tv_sec < 0)
			return EINVAL;
		deadline = deadline_after(req);
	}
	if (g_sleep_until(deadline) == EINTR) {
		cancel_point();
		if (!(flags & TIMER_ABSTIME))
			remaining(deadline, rem);
		return EINTR;
	}
	return 0;
}

EXPORT int usleep(useconds_t usec)
{
	if (!g_current())
		return real.usleep(usec);
	cancel_point();
	struct timespec d = {usec / 1000000, (long)(usec % 1000000) * 1000};
	if (g_sleep_until(deadline_after(&d)) == EINTR) {
		cancel_point();
		errno = EINTR;
		return -1;
	}
	return 0;
}

EXPORT unsigned sleep(unsigned seconds)
{
	if (!g_current())
		return real.sleep(seconds);
	cancel_point();
	struct timespec d = {seconds, 0};
	int64_t deadline = deadline_after(&d);
	if (g_sleep_until(deadline) == EINTR) {
		cancel_point();
		struct timespec rem;
		remaining(deadline, &rem);
		return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
	}
	return 0;
}
