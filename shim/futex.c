/*
 * syscall(): goro exports it to see futex calls (Rust's std, libstdc++'s
 * atomic wait and hand-written code use syscall(SYS_futex, ...)).
 *
 * A G's FUTEX_WAIT / WAIT_BITSET on a process-private word parks it in the
 * wait table. Because threads goro did not create still wait in the kernel,
 * a private FUTEX_WAKE / WAKE_BITSET wakes Gs in the table first and passes
 * whatever is left of its count to the kernel. Every other system call made
 * through syscall() by a G runs inside syscall enter/exit, so a blocking
 * one hands its P off.
 */
#include "shim/shim.h"

#include <linux/futex.h>
#include <stdarg.h>
#include <sys/syscall.h>

static long futex_result(int r)
{
	if (r == 0)
		return 0;
	errno = r == EAGAIN ? EAGAIN : r;
	return -1;
}

/* FUTEX_WAIT's timeout is relative (CLOCK_MONOTONIC), WAIT_BITSET's absolute. */
static long futex_wait_g(_Atomic uint32_t *addr, int op, uint32_t val, const struct timespec *t, uint32_t bitset)
{
	int64_t deadline = NO_DEADLINE;
	if (t) {
		if (t->tv_sec < 0 || t->tv_nsec < 0 || t->tv_nsec >= 1000000000)
			return futex_result(EINVAL);
		if ((op & FUTEX_CMD_MASK) == FUTEX_WAIT) {
			deadline = nanotime() + (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
		} else {
			clockid_t clock = (op & FUTEX_CLOCK_REALTIME) ? CLOCK_REALTIME : CLOCK_MONOTONIC;
			int r = deadline_from_abstime(clock, t, &deadline);
			if (r)
				return futex_result(r);
		}
	}
	if (bitset == 0)
		return futex_result(EINVAL);
	/* As the kernel: only an untimed wait restarts under SA_RESTART. */
	int r;
	do
		r = wait_on_bitset(addr, val, deadline, "futex", bitset);
	while (r == EINTR && g_restart_after_signal() && deadline == NO_DEADLINE);
	return futex_result(r == EAGAIN || r == ETIMEDOUT || r == EINTR ? r : 0);
}

static long futex_wake_all_kinds(_Atomic uint32_t *addr, int op, int n, uint32_t bitset)
{
	if (bitset == 0)
		return futex_result(EINVAL);
	int woken = sched_active ? wake_on_bitset(addr, n, bitset) : 0;
	if (woken >= n)
		return woken;
	long k = SYS6(SYS_futex, addr, op, n - woken, NULL, NULL, bitset);
	return k < 0 ? (woken ? woken : -1) : woken + k;
}

EXPORT long syscall(long number, ...)
{
	va_list ap;
	va_start(ap, number);
	long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long);
	long d = va_arg(ap, long), e = va_arg(ap, long), f = va_arg(ap, long);
	va_end(ap);
	if (number == SYS_futex && (b & FUTEX_PRIVATE_FLAG)) {
		int cmd = (int)b & FUTEX_CMD_MASK;
		_Atomic uint32_t *addr = (_Atomic uint32_t *)a;
		if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && g_current()) {
			g_cancel_async_point();
			long r = futex_wait_g(addr, (int)b, (uint32_t)c, (const struct timespec *)d,
					      cmd == FUTEX_WAIT ? ~0u : (uint32_t)f);
			g_cancel_async_point();   /* pthread_cancel ended the wait (EINTR) */
			return r;
		}
		if (cmd == FUTEX_WAKE)
			return futex_wake_all_kinds(addr, (int)b, (int)c, ~0u);
		if (cmd == FUTEX_WAKE_BITSET)
			return futex_wake_all_kinds(addr, (int)b, (int)c, (uint32_t)f);
	}
	if (!g_current())
		return sys_call(number, a, b, c, d, e, f);
	/* a request that came while this G waited for a P (no M to signal) acts before the call */
	g_cancel_async_point();
	syscall_enter("syscall");
	long r = sys_call(number, a, b, c, d, e, f);
	int saved_errno = errno;
	syscall_exit();
	/* not a cancellation point; but asynchronous cancellation acts anywhere,
	 * and pthread_cancel's SIGCANCEL ended the call (glibc's tst-cancel30) */
	g_cancel_async_point();
	errno = saved_errno;
	return r;
}
