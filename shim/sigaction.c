/*
 * The program's signal handlers go through goro's trampoline (sched/signal.c):
 * a handler that calls into goro (sem_post is the classic) must not run
 * while the runtime holds a lock or is halfway through a run-queue update on
 * the same OS thread. sigaction and signal are interposed for that; what the
 * program reads back is always its own handler. Faults (SIGSEGV & co.) and
 * glibc's internal signals are left alone. The signal goro preempts with is
 * handed over to the program the moment it sets an action for it.
 */
#include "shim/shim.h"
#include "preempt/preempt.h"

#include <link.h>
#include <signal.h>
#include <string.h>

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);

static bool is_handler(const struct sigaction *act)
{
	return (act->sa_flags & SA_SIGINFO) ? act->sa_sigaction != NULL
					    : act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN;
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!real_sigaction)
		real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
	if (!sched_active || !signal_wrappable(sig))
		return real_sigaction(sig, act, old);
	if (preempt_owns_signal(sig)) {
		/* goro preempts with it: the program sees, and gets, the signal as if goro were not there */
		if (!act) {
			if (old)
				preempt_program_view(sig, old);
			return 0;
		}
		preempt_give_up_signal(sig);
	}
	struct sigaction previous;
	bool was_wrapped = signal_handler_get(sig, &previous);
	int r;
	if (act && is_handler(act)) {
		struct sigaction k = *act;
		k.sa_sigaction = signal_trampoline;
		k.sa_flags |= SA_SIGINFO;
		signal_handler_set(sig, act);   /* before the kernel can deliver to the trampoline */
		r = real_sigaction(sig, &k, old);
		if (r != 0) {
			signal_handler_set(sig, was_wrapped ? &previous : NULL);
			return r;
		}
	} else {
		r = real_sigaction(sig, act, old);
		if (r == 0 && act)
			signal_handler_set(sig, NULL);
	}
	if (r == 0 && old && was_wrapped)
		*old = previous;
	return r;
}

/* glibc's signal(): BSD semantics (SA_RESTART, the signal blocked in its handler). */
EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
	struct sigaction act, old;
	memset(&act, 0, sizeof act);
	act.sa_handler = handler;
	sigemptyset(&act.sa_mask);
	if (sig >= 1 && sig < NSIG)
		sigaddset(&act.sa_mask, sig);
	act.sa_flags = SA_RESTART;
	if (sigaction(sig, &act, &old) != 0)
		return SIG_ERR;
	return old.sa_handler;
}

static int find_text(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t self = (uintptr_t)arg;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && self >= lo && self < hi) {
			signal_runtime_text(lo, hi);
			return 1;
		}
	}
	return 0;
}

/* Where goro's own code lives: a signal that lands there interrupted the runtime. */
void sigaction_init(void)
{
	dl_iterate_phdr(find_text, (void *)(uintptr_t)sigaction_init);
}
