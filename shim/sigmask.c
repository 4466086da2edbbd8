/*
 * Signal masks: pthread_sigmask and sigprocmask from a G change that G's
 * own mask (sched/sigmask.c), which its OS thread carries while it runs;
 * sigpending shows what waits for the G and for the process. The signal
 * goro preempts with and the fault signals are never blocked in the OS mask
 * (a thread that blocks every signal, the common "block all, sigwait in
 * one thread" pattern, must still be preemptible; blocking a fault changes
 * nothing for a real fault, which the kernel delivers or kills on anyway,
 * so a fault signal blocked in an interrupted context means a fault handler
 * is running: preempt/handler.c); the program reads back what it set.
 * Threads goro did not create keep the kernel's own per-thread masks.
 */
#include "shim/shim.h"
#include "preempt/preempt.h"

#include <signal.h>
#include <string.h>

static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};

static const sigset_t *keep_preempt_signal(int how, const sigset_t *set, sigset_t *copy)
{
	int sig = preempt_signal_number();
	if (!set || !sig || how == SIG_UNBLOCK)
		return set;
	*copy = *set;
	sigdelset(copy, sig);
	for (size_t i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
		sigdelset(copy, fault_signals[i]);
	return copy;
}

EXPORT int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	if (sched_active && g_current())
		return g_sigmask(how, set, old);
	REAL(pthread_sigmask);
	sigset_t copy;
	return real_pthread_sigmask(how, keep_preempt_signal(how, set, &copy), old);
}

EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	if (sched_active && g_current()) {
		int r = g_sigmask(how, set, old);
		if (r) {
			errno = r;
			return -1;
		}
		return 0;
	}
	REAL(sigprocmask);
	sigset_t copy;
	return real_sigprocmask(how, keep_preempt_signal(how, set, &copy), old);
}

EXPORT int sigpending(sigset_t *set)
{
	if (sched_active && g_current()) {
		uint64_t bits = g_sigpending();
		memset(set, 0, sizeof *set);
		memcpy(set, &bits, sizeof bits);
		return 0;
	}
	REAL(sigpending);
	return real_sigpending(set);
}
