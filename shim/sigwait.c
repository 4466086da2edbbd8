/*
 * sigwait, sigwaitinfo, sigtimedwait in a G: the G parks, holding neither
 * its P nor its M, until a signal of the set is sent to it (held for it:
 * sched/signal.c) or is pending for the process. The process side is
 * watched through a signalfd for the set in goro's netpoller, used only to
 * be woken: the signal itself is then taken with a zero-timeout
 * rt_sigtimedwait, which hands over the whole siginfo (si_value of a
 * sigqueue, a child's status). A signal sent to the G while it waits ends
 * the netpoller wait with EINTR (g->sigwait_set tells the sender to), and
 * the loop takes it; a handler that ran meanwhile (an unblocked signal not
 * in the set) ends the call with EINTR, as the kernel never restarts these.
 * Rejected: a system call bracket around the real call (the M blocks for
 * as long as the G waits, and a signal sent to the G before the call began
 * would sit in the G, unseen by the kernel).
 */
#include "shim/shim.h"

#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>

#define BIT(sig) (1ULL << ((sig) - 1))

static int take_now(struct g *g, uint64_t set, siginfo_t *info)
{
	int sig = g_sigwait_take(g, set, info);
	if (sig)
		return sig;
	struct timespec zero = {0, 0};
	long r = SYS4(SYS_rt_sigtimedwait, &set, info, &zero, 8);
	return r > 0 ? (int)r : 0;
}

/* The signal number, or -errno. */
static int wait_in_g(struct g *g, uint64_t set, siginfo_t *info, int64_t deadline)
{
	int fd = -1, result = 0;
	g->signals_raised = 0;
	for (;;) {
		if ((result = take_now(g, set, info)))
			break;
		if (fd < 0) {
			fd = (int)SYS4(SYS_signalfd4, -1, &set, 8, SFD_NONBLOCK | SFD_CLOEXEC);
			if (fd < 0) {
				result = -errno;
				break;
			}
		}
		atomic_store(&g->sigwait_set, set);
		if ((result = take_now(g, set, info))) {
			atomic_store(&g->sigwait_set, 0);
			break;
		}
		int moved = -1;
		int r = netpoll_wait_fd(fd, false, deadline, &moved);
		atomic_store(&g->sigwait_set, 0);
		if (moved >= 0)
			netpoll_release_fd(moved);
		if (r == ETIMEDOUT) {
			if ((result = take_now(g, set, info)))
				break;
			result = -EAGAIN;
			break;
		}
		if (r == EINTR && g->signals_raised) {
			if ((result = take_now(g, set, info)))
				break;
			result = -EINTR;
			break;
		}
		if (r != 0 && r != EINTR) {
			result = -r;
			break;
		}
	}
	if (fd >= 0)
		SYS1(SYS_close, fd);
	g->signals_raised = 0;
	return result;
}

static uint64_t wanted(const sigset_t *set)
{
	uint64_t bits;
	memcpy(&bits, set, sizeof bits);
	return bits & ~(BIT(SIGKILL) | BIT(SIGSTOP));
}

static int64_t deadline_of(const struct timespec *t)
{
	if (!t)
		return NO_DEADLINE;
	return nanotime() + (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int sigtimedwait_g(const sigset_t *set, siginfo_t *info, const struct timespec *t)
{
	if (t && (t->tv_nsec < 0 || t->tv_nsec >= 1000000000 || t->tv_sec < 0)) {
		errno = EINVAL;
		return -1;
	}
	siginfo_t own;
	preempt_point();
	int r = wait_in_g(g_current(), wanted(set), info ? info : &own, deadline_of(t));
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

EXPORT int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *t)
{
	if (!sched_active || !g_current()) {
		REAL(sigtimedwait);
		return real_sigtimedwait(set, info, t);
	}
	return sigtimedwait_g(set, info, t);
}

EXPORT int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
	if (!sched_active || !g_current()) {
		REAL(sigwaitinfo);
		return real_sigwaitinfo(set, info);
	}
	return sigtimedwait_g(set, info, NULL);
}

/* As glibc's: an error number, and EINTR is never returned. */
EXPORT int sigwait(const sigset_t *set, int *sig)
{
	if (!sched_active || !g_current()) {
		REAL(sigwait);
		return real_sigwait(set, sig);
	}
	int r;
	do
		r = sigtimedwait_g(set, NULL, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	*sig = r;
	return 0;
}
