/*
 * Signal masks: the signal goro preempts with is never blocked, or threads
 * that block every signal (a common pattern: block all, sigwait in one
 * thread) could never be preempted. Nor are the fault signals (blocking
 * them changes nothing for a real fault, which the kernel delivers or
 * kills on anyway): so a fault signal blocked in an interrupted context
 * means a fault handler is running (preempt/handler.c). Every other signal is passed through;
 * per-thread masks for Gs are not kept yet, so a mask set by a G applies to
 * its OS thread.
 */
#include "shim/shim.h"
#include "preempt/preempt.h"

#include <signal.h>

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
	REAL(pthread_sigmask);
	sigset_t copy;
	return real_pthread_sigmask(how, keep_preempt_signal(how, set, &copy), old);
}

EXPORT int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	REAL(sigprocmask);
	sigset_t copy;
	return real_sigprocmask(how, keep_preempt_signal(how, set, &copy), old);
}
