/* Sleeps: a G parks on a timer and its M runs other Gs meanwhile. */
#include "shim/shim.h"

#include <errno.h>

static int64_t deadline_after(const struct timespec *d)
{
	__int128 t = (__int128)nanotime() + (__int128)d->tv_sec * 1000000000 + d->tv_nsec;
	return t >= (__int128)INT64_MAX ? INT64_MAX - 1 : (int64_t)t;
}

static bool bad_duration(const struct timespec *d)
{
	return d->tv_sec < 0 || d->tv_nsec < 0 || d->tv_nsec >= 1000000000;
}

EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!g_current())
		return real.nanosleep(req, rem);
	if (bad_duration(req)) {
		errno = EINVAL;
		return -1;
	}
	g_sleep_until(deadline_after(req));
	return 0;
}

EXPORT int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	if (!g_current())
		return real.clock_nanosleep(clock, flags, req, rem);
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
	g_sleep_until(deadline);
	return 0;
}

EXPORT int usleep(useconds_t usec)
{
	if (!g_current())
		return real.usleep(usec);
	struct timespec d = {usec / 1000000, (long)(usec % 1000000) * 1000};
	g_sleep_until(deadline_after(&d));
	return 0;
}

EXPORT unsigned sleep(unsigned seconds)
{
	if (!g_current())
		return real.sleep(seconds);
	struct timespec d = {seconds, 0};
	g_sleep_until(deadline_after(&d));
	return 0;
}
