/*
 * kill and sigqueue of the program's own process from a G, for a signal the
 * program handles: goro routes it to a G that accepts it inside the call
 * (sched/signal.c, signal_process_from_g), as the kernel picks a thread
 * inside it natively; the handler then runs before the caller's next step
 * can be seen by the thread it runs in. Everything else (other processes,
 * process groups, default actions, no G accepting it now, callers that are
 * not Gs) goes to the kernel as it is. raise, pthread_kill and
 * pthread_sigqueue, which name a thread, are in shim/thread.c.
 */
#include "shim/shim.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static bool routed_now(pid_t pid, int sig, int code, const union sigval *value)
{
	struct g *g = sched_active && !vfork_child ? g_current() : NULL;
	if (!g || sig <= 0 || sig >= NSIG || pid != getpid())
		return false;
	siginfo_t info;
	memset(&info, 0, sizeof info);
	info.si_signo = sig;
	info.si_code = code;
	info.si_pid = pid;
	info.si_uid = getuid();
	if (value)
		info.si_value = *value;
	return signal_process_from_g(sig, &info);
}

EXPORT int kill(pid_t pid, int sig)
{
	if (routed_now(pid, sig, SI_USER, NULL)) {
		signals_sent_to_self_run();   /* it may have gone to this G */
		return 0;
	}
	REAL(kill);
	return real_kill(pid, sig);
}

EXPORT int sigqueue(pid_t pid, int sig, const union sigval value)
{
	if (routed_now(pid, sig, SI_QUEUE, &value)) {
		signals_sent_to_self_run();
		return 0;
	}
	REAL(sigqueue);
	return real_sigqueue(pid, sig, value);
}
