/*
 * Signals sent to one G (pthread_kill). A G that is running, or blocked in
 * the kernel inside a syscall bracket, gets the signal on its M's OS thread:
 * the kernel then interrupts or restarts the call exactly as it would
 * natively. A parked G cannot receive a kernel signal (no OS thread is
 * its own), so the signal is marked pending, an interruptible wait is ended
 * with EINTR, and the G raises the signal on its own OS thread the moment it
 * runs again, before the interrupted call returns: the handler runs in the
 * right thread, and the call then restarts or fails with EINTR following the
 * handler's SA_RESTART, as the kernel would decide.
 *
 * Process-directed signals: see route_to_main. Per-thread masks are not kept
 * per G yet.
 */
#include "sched/internal.h"
#include "preempt/preempt.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static bool disposition(int sig, unsigned long *flags)
{
	struct kernel_sigaction sa;
	if (SYS4(SYS_rt_sigaction, sig, NULL, &sa, 8) != 0)
		return false;
	*flags = sa.flags;
	return sa.handler != SIG_DFL && sa.handler != SIG_IGN;
}

int g_signal(struct g *g, int sig)
{
	if (g_self)
		own_p(g_self);   /* the interrupts below ready Gs under runtime locks */
	pid_t pid = (pid_t)SYS0(SYS_getpid);
	unsigned long flags;
	if (!disposition(sig, &flags)) {
		/* default action or ignored: it concerns the process, not this thread (and
		 * sysmon, routing a signal, blocks everything: send it to the process) */
		if (!g_self && !m_self)
			return SYS2(SYS_kill, pid, sig) == 0 ? 0 : errno;
		return SYS3(SYS_tgkill, pid, SYS0(SYS_gettid), sig) == 0 ? 0 : errno;
	}
	int status = atomic_load(&g->status);
	struct m *m = g->m;
	if ((status == G_RUNNING || status == G_SYSCALL) && m)
		return SYS3(SYS_tgkill, pid, m->ktid, sig) == 0 ? 0 : errno;
	atomic_fetch_or(&g->sigpending, 1ULL << (sig - 1));
	switch (atomic_load(&g->wait_kind)) {
	case WAIT_TABLE:
		waittable_interrupt(g, g->wait_obj);
		break;
	case WAIT_NETPOLL:
		netpoll_interrupt(g, g->wait_obj);
		break;
	case WAIT_SLEEP:
		sleep_interrupt(g);
		break;
	}
	return 0;
}

void g_raise_pending(struct g *g)
{
	uint64_t bits = atomic_exchange(&g->sigpending, 0);
	if (!bits)
		return;
	g->signals_raised |= bits;
	pid_t pid = (pid_t)SYS0(SYS_getpid), tid = (pid_t)SYS0(SYS_gettid);
	struct m *m = g->m;
	m->raising = true;   /* no lock held here: the trampoline may run the handler at once */
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		bits &= bits - 1;
		SYS3(SYS_tgkill, pid, tid, sig);
	}
	m->raising = false;
}

bool signal_restarts(uint64_t bits)
{
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		bits &= bits - 1;
		unsigned long flags;
		if (disposition(sig, &flags) && !(flags & SA_RESTART))
			return false;
	}
	return true;
}

/* After a wait ended with EINTR: true if every handler that ran asked for SA_RESTART. */
bool g_restart_after_signal(void)
{
	struct g *g = g_self;
	uint64_t raised = g->signals_raised;
	g->signals_raised = 0;
	return signal_restarts(raised);
}

/* ---- the program's handlers ---- */

static struct sigaction user_handlers[65];
static _Atomic bool wrapped[65];
static uintptr_t runtime_lo, runtime_hi;

void signal_runtime_text(uintptr_t lo, uintptr_t hi)
{
	runtime_lo = lo;
	runtime_hi = hi;
}

void signal_runtime_range(uintptr_t *lo, uintptr_t *hi)
{
	*lo = runtime_lo;
	*hi = runtime_hi;
}

_Noreturn void signal_die_of(int sig)
{
	struct kernel_sigaction dfl = {.handler = SIG_DFL};
	SYS4(SYS_rt_sigaction, sig, &dfl, NULL, 8);
	uint64_t set = 1ULL << (sig - 1);
	SYS4(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, NULL, 8);
	SYS2(SYS_kill, SYS0(SYS_getpid), sig);
	for (;;)
		SYS0(SYS_pause);   /* the signal ends the process (on some OS thread) */
}

/* goro's own SIGQUIT action while the program has none: dump, then die of it
 * (or, if the program ignores SIGQUIT, only a `goro dump` request counts). */
_Atomic bool sigquit_ignored;

void dump_signal_handler(int sig, siginfo_t *info, void *ucontext)
{
	bool asked = info && info->si_code == SI_QUEUE && info->si_value.sival_int == DUMP_SIGNAL_VALUE;
	if (asked || !atomic_load(&sigquit_ignored))
		dump_request(!asked);
}

/* Faults must be handled where they happen; 32 and 33 are glibc's. */
bool signal_wrappable(int sig)
{
	switch (sig) {
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
	case SIGKILL: case SIGSTOP: case 32: case 33:
		return false;
	}
	return sig >= 1 && sig <= 64;
}

void signal_handler_set(int sig, const struct sigaction *user)
{
	if (user)
		user_handlers[sig] = *user;
	atomic_store(&wrapped[sig], user != NULL);
}

bool signal_any_handler(void)
{
	for (int sig = 1; sig <= 64; sig++)
		if (atomic_load_explicit(&wrapped[sig], memory_order_relaxed))
			return true;
	return false;
}

bool signal_handler_get(int sig, struct sigaction *user)
{
	if (!atomic_load(&wrapped[sig]))
		return false;
	*user = user_handlers[sig];
	return true;
}

static void call_user(int sig, siginfo_t *info, void *ucontext)
{
	struct sigaction *h = &user_handlers[sig];
	struct g *g = g_self;
	if (g)
		g->in_handler++;   /* not preemptible: its M's signal mask is the handler's */
	if (h->sa_flags & SA_SIGINFO) {
		if (h->sa_sigaction)
			h->sa_sigaction(sig, info, ucontext);
	} else if (h->sa_handler != SIG_DFL && h->sa_handler != SIG_IGN) {
		h->sa_handler(sig);
	}
	if (g)
		g->in_handler--;
}

static bool interrupted_runtime(void *ucontext)
{
	if (!ucontext)
		return false;
	uintptr_t pc = (uintptr_t)((ucontext_t *)ucontext)->uc_mcontext.gregs[REG_RIP];
	return pc >= runtime_lo && pc < runtime_hi;
}

/*
 * Process-directed signals (kill, alarm, a child's exit) go, natively, to
 * the main thread unless it blocks them: the classic alarm() around a
 * blocking read relies on it. The kernel picks an OS thread, which under
 * goro may be running any G; if the main G is parked in an interruptible
 * wait on another M, the signal is routed to it instead (as pthread_kill
 * would, with the original siginfo kept) by sysmon, which may take runtime
 * locks, as a signal handler may not. Per-thread masks are not kept yet.
 */
static siginfo_t routed_info[65];
static _Atomic uint64_t routed_valid;    /* routed_info[sig] is waiting to be raised in main */
static _Atomic uint64_t routed_pending;  /* sysmon has yet to signal main */

static bool route_to_main(int sig, const siginfo_t *info)
{
	struct g *main = sched_main_g();
	/* SIGPIPE and SIGXFSZ concern the thread that wrote; a SA_RESETHAND
	 * handler is already gone from the kernel by now: those run here. */
	if (!info || info->si_code == SI_TKILL || sig == SIGPIPE || sig == SIGXFSZ ||
	    (user_handlers[sig].sa_flags & SA_RESETHAND) || !main || main == g_self ||
	    (atomic_load(&main->life) & LIFE_EXITED) || atomic_load(&main->status) != G_WAITING ||
	    atomic_load(&main->wait_kind) == WAIT_NONE)
		return false;
	uint64_t bit = 1ULL << (sig - 1);
	if (atomic_fetch_or(&routed_valid, bit) & bit)
		return false;   /* one is already on its way: run this one here */
	routed_info[sig] = *info;
	atomic_fetch_or(&routed_pending, bit);
	sysmon_wake();
	return true;
}

void signals_reset_after_fork(void)
{
	atomic_store(&routed_valid, 0);
	atomic_store(&routed_pending, 0);
}

/* sysmon: hand routed signals to the main G (g_signal never loses one). */
void signals_route_pending(void)
{
	uint64_t bits = atomic_exchange(&routed_pending, 0);
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		bits &= bits - 1;
		g_signal(sched_main_g(), sig);
	}
}

void signal_trampoline(int sig, siginfo_t *info, void *ucontext)
{
	if (sig == SIGQUIT && info && info->si_code == SI_QUEUE && info->si_value.sival_int == DUMP_SIGNAL_VALUE) {
		dump_request(false);   /* `goro dump`: not the program's SIGQUIT */
		return;
	}
	if (preempt_signal_is_stamped(info))
		return;   /* goro's preemption signal, sent before the program took this number over */
	struct m *m = m_current();
	if (m)
		m->handlers_run++;
	siginfo_t routed;
	uint64_t bit = 1ULL << (sig - 1);
	if (info && info->si_code == SI_TKILL && (atomic_load(&routed_valid) & bit) && g_self &&
	    g_self == sched_main_g()) {
		routed = routed_info[sig];   /* a routed signal reaching the main G: its original siginfo */
		atomic_fetch_and(&routed_valid, ~bit);
		info = &routed;
	} else if (route_to_main(sig, info)) {
		if (m)
			m->handlers_run--;
		return;
	}
	if (m && !m->idle_wait && !(m->raising && m->locks == 0) &&
	    (m->locks > 0 || interrupted_runtime(ucontext))) {
		atomic_fetch_or(&m->deferred_signals, 1ULL << (sig - 1));
		return;
	}
	call_user(sig, info, ucontext);
}

/* On g0 with no lock held: run the handlers whose signals hit the runtime. */
void signals_run_deferred(struct m *m)
{
	uint64_t bits = atomic_exchange(&m->deferred_signals, 0);
	if (!bits)
		return;
	int saved_errno = errno;
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		bits &= bits - 1;
		siginfo_t info = {.si_signo = sig, .si_code = SI_KERNEL};
		call_user(sig, &info, NULL);
	}
	errno = saved_errno;
}
