/*
 * The program's signal handlers go through goro's trampoline (sched/signal.c):
 * a handler that calls into goro (sem_post is the classic) must not run
 * while the runtime holds a lock or is halfway through a run-queue update on
 * the same OS thread. sigaction and signal are interposed for that; what the
 * program reads back is always its own handler. Faults (SIGSEGV & co.) and
 * glibc's internal signals are left alone. The signal goro preempts with is
 * handed over to the program the moment it sets an action for it. SIGQUIT
 * at its default gets goro's thread dump (see sched/dump.c); SIGSEGV at its
 * default gets goro's overflow report (sched/overflow.c), which then dies of
 * it. Program handlers never run on the alternate stack goro gives each M
 * (SA_ONSTACK is dropped): every G on the M would share it.
 */
#include "shim/shim.h"
#include "preempt/preempt.h"

#include <link.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);

static bool is_handler(const struct sigaction *act)
{
	return (act->sa_flags & SA_SIGINFO) ? act->sa_sigaction != NULL
					    : act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN;
}

static int sigaction_wrapped(int sig, const struct sigaction *act, struct sigaction *old);
static int vfork_child_sigaction(int sig, const struct sigaction *act, struct sigaction *old);
static void sigquit_dump_install(void);

static bool is_dump_action(const struct sigaction *sa)
{
	return (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == dump_signal_handler;
}

static int install_dump_action(struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = dump_signal_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return real_sigaction(SIGQUIT, &sa, old);
}

/* SIGQUIT: while the program leaves it at the default (or ignores it, as a
 * background job of a shell does), goro's dump action stands in for it:
 * dump, then die of SIGQUIT (ignored: only `goro dump` requests count). The
 * program reads back SIG_DFL or SIG_IGN, and an action of its own replaces
 * goro's. */
static int sigquit_action(const struct sigaction *act, struct sigaction *old)
{
	struct sigaction kernel;
	if (real_sigaction(SIGQUIT, NULL, &kernel) != 0)
		return -1;
	bool dumping = is_dump_action(&kernel);
	bool was_ignored = atomic_load(&sigquit_ignored);
	int r = 0;
	if (act && !is_handler(act)) {
		atomic_store(&sigquit_ignored, act->sa_handler == SIG_IGN);
		r = dumping ? 0 : install_dump_action(NULL);
	} else if (act) {
		r = sigaction_wrapped(SIGQUIT, act, NULL);
	}
	if (r == 0 && old) {
		if (dumping) {
			memset(old, 0, sizeof *old);
			old->sa_handler = was_ignored ? SIG_IGN : SIG_DFL;
		} else {
			*old = kernel;
			struct sigaction wrapped;
			if (signal_handler_get(SIGQUIT, &wrapped))
				*old = wrapped;
		}
	}
	return r;
}

/* exec: the new program inherits SIG_IGN if the program ignored SIGQUIT
 * (exec itself resets goro's handler to the default). */
void sigquit_before_exec(void)
{
	struct sigaction kernel, ignore;
	if (atomic_load(&sigquit_ignored) && real_sigaction(SIGQUIT, NULL, &kernel) == 0 && is_dump_action(&kernel)) {
		memset(&ignore, 0, sizeof ignore);
		ignore.sa_handler = SIG_IGN;
		real_sigaction(SIGQUIT, &ignore, NULL);
	}
}

void sigquit_after_failed_exec(void)
{
	struct sigaction kernel;
	if (atomic_load(&sigquit_ignored) && real_sigaction(SIGQUIT, NULL, &kernel) == 0 && !is_handler(&kernel))
		install_dump_action(NULL);
}

static void sigquit_dump_install(void)
{
	struct sigaction kernel;
	if (real_sigaction(SIGQUIT, NULL, &kernel) == 0 && !is_handler(&kernel)) {
		atomic_store(&sigquit_ignored, kernel.sa_handler == SIG_IGN);
		install_dump_action(NULL);
	}
}

/* Fault signals go to the kernel as the program gives them, but without
 * SA_ONSTACK: the alternate stack is its OS thread's (goro's overflow
 * report), shared by every G the M runs, and a handler that parks there
 * would be overwritten by the next. The program reads SA_ONSTACK back. */
static _Atomic uint64_t onstack_asked;   /* bit sig-1 */

static bool is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP || sig == SIGSYS;
}

static int fault_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction k;
	const struct sigaction *use = act;
	if (act && (act->sa_flags & SA_ONSTACK)) {
		k = *act;
		k.sa_flags &= ~SA_ONSTACK;
		use = &k;
	}
	uint64_t bit = 1ULL << (sig - 1);
	bool asked = atomic_load(&onstack_asked) & bit;
	int r = real_sigaction(sig, use, old);
	if (r != 0)
		return r;
	if (old && asked && is_handler(old))
		old->sa_flags |= SA_ONSTACK;
	if (act && (act->sa_flags & SA_ONSTACK))
		atomic_fetch_or(&onstack_asked, bit);
	else if (act)
		atomic_fetch_and(&onstack_asked, ~bit);
	return 0;
}

/* SIGSEGV: goro's overflow action stands in for the default (the program
 * reads back SIG_DFL); an action of the program's own replaces it. */
static int sigsegv_action(const struct sigaction *act, struct sigaction *old)
{
	struct sigaction kernel, mine;
	if (fault_sigaction(SIGSEGV, NULL, &kernel) != 0)
		return -1;
	bool standing_in = overflow_is_action(&kernel);
	int r = 0;
	if (act && !is_handler(act) && act->sa_handler == SIG_DFL) {
		overflow_action(&mine);
		r = real_sigaction(SIGSEGV, &mine, NULL);
		if (r == 0)
			atomic_fetch_and(&onstack_asked, ~(1ULL << (SIGSEGV - 1)));
	} else if (act) {
		r = fault_sigaction(SIGSEGV, act, NULL);
	}
	if (r == 0 && old) {
		*old = kernel;
		if (standing_in) {
			memset(old, 0, sizeof *old);
			old->sa_handler = SIG_DFL;
		}
	}
	return r;
}

static void sigsegv_overflow_install(void)
{
	struct sigaction kernel, mine;
	if (real_sigaction(SIGSEGV, NULL, &kernel) == 0 && !is_handler(&kernel) && kernel.sa_handler == SIG_DFL) {
		overflow_action(&mine);
		real_sigaction(SIGSEGV, &mine, NULL);
	}
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!real_sigaction)
		real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
	if (sched_active && sig == SIGSEGV)
		return sigsegv_action(act, old);
	if (sched_active && is_fault_signal(sig))
		return fault_sigaction(sig, act, old);
	if (!sched_active || !signal_wrappable(sig))
		return real_sigaction(sig, act, old);
	if (vfork_child && act)
		return vfork_child_sigaction(sig, act, old);
	if (act)
		preempt_note_program_signal(sig);
	if (preempt_owns_signal(sig)) {
		/* goro preempts with it: the program sees, and gets, the signal as if goro were not there */
		struct sigaction view;
		preempt_program_view(sig, &view);
		if (act) {
			preempt_give_up_signal(sig);
			int r = sig == SIGQUIT ? sigquit_action(act, NULL) : sigaction_wrapped(sig, act, NULL);
			if (r != 0)
				return r;
		}
		if (old)
			*old = view;
		return 0;
	}
	if (sig == SIGQUIT)
		return sigquit_action(act, old);
	return sigaction_wrapped(sig, act, old);
}

/* A vfork child's actions are its own (it has a copy of the table), but goro's
 * records are its parent's memory: read them (act NULL changes nothing), and
 * change only the kernel's. */
static int vfork_child_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction view;
	if (old && sigaction(sig, NULL, &view) != 0)
		return -1;
	int r = real_sigaction(sig, act, NULL);
	if (r == 0 && old)
		*old = view;
	return r;
}

/* The program's action goes in through goro's trampoline; old is the program's own. */
static int sigaction_wrapped(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction previous;
	bool was_wrapped = signal_handler_get(sig, &previous);
	int r;
	if (act && is_handler(act)) {
		struct sigaction k = *act;
		k.sa_sigaction = signal_trampoline;
		k.sa_flags |= SA_SIGINFO;
		k.sa_flags &= ~SA_ONSTACK;
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
	if (!real_sigaction)
		real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
	dl_iterate_phdr(find_text, (void *)(uintptr_t)sigaction_init);
	sigquit_dump_install();
	sigsegv_overflow_install();
}
