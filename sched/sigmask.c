/*
 * Per-G signal masks. Each G has the mask the program gave it (inherited
 * from its creator as NPTL does; the main G starts with the process's mask),
 * and an M's OS thread carries the mask of the G it runs: execute() sets it
 * when the next G's differs from the M's cached copy, so Gs with equal masks
 * switch without a system call. The OS mask never blocks goro's preemption
 * signal nor the fault signals (signal_os_mask), but the program reads back
 * exactly what it set.
 *
 * Why the OS thread carries the G's mask: the kernel then decides, as it
 * would natively, whether a signal is delivered now on the running G (its
 * handler interrupts the right thread, a blocking call gets its EINTR) or
 * stays pending. Rejected: keeping every M's mask at "all blocked" and
 * delivering everything through sysmon (a hop and a wake-up for every
 * signal, and kernel-generated thread signals such as SIGPIPE would never
 * reach the thread that caused them); and leaving the OS mask alone while
 * emulating masks in the trampoline (a blocked signal would already have
 * been taken from the kernel: sigwait, signalfd and sigpending would not
 * see it).
 *
 * Process-directed signals. The kernel delivers one to any OS thread that
 * does not block it; that is right for an M running a G that accepts it.
 * An M with no G (scheduling, or asleep: m_block_while_idle blocks
 * everything there unless every G shares the mask it carries) passes a
 * signal that reaches it to sysmon (signal.c). The Gs that accept it may
 * all be parked, though, with no OS thread of their own: so sysmon's OS
 * thread leaves unblocked every signal that some live G accepts and that
 * has a handler (signals_sysmon_mask), catches it in goro's trampoline, and
 * routes it to such a G (the main G first, as the kernel prefers the main
 * thread). When no G accepts it any more, sysmon blocks it too and it stays
 * pending for the process, where sigpending, sigwait and signalfd find it,
 * until a G unblocks it (the kernel then delivers it on that G's M at once)
 * or sigwaits for it (shim/sigwait.c).
 *
 * Only signals with a handler (SIGQUIT always has goro's dump action at
 * least): a default action strikes the moment the kernel picks sysmon, and
 * sysmon's mask trails a G's mask change by a wake-up, so a signal a G has
 * just blocked could kill the process. A default-action signal that only
 * parked Gs accept (SIGTERM to a server whose threads all wait) is let
 * through once sysmon sees it pending for the process and finds a G that
 * accepts it, within a sysmon round (at most about 10 ms).
 *
 * Goro's OS threads are born with every signal blocked
 * (thread_create_signals_blocked): a new M may not run for a while on a
 * busy machine, and until it sets its own mask the kernel would take it for
 * a thread that accepts everything.
 *
 * Rejected: a signal thread that takes every process signal with
 * sigwaitinfo and forwards it (every signal would be blocked everywhere, so
 * signalfd and sigwait in the program would race with it, and the kernel's
 * own choice of a running thread would be lost); finding every process
 * signal by polling the pending set from sysmon (up to a round late each
 * time; kept only for default actions, which a handler cannot catch).
 *
 * sig_blockers[] counts, per signal, the live Gs blocking it; a program
 * that blocks nothing never touches it, so creating and ending threads
 * costs nothing more.
 */
#include "sched/internal.h"
#include "preempt/preempt.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#define BIT(sig) (1ULL << ((sig) - 1))

/* glibc's own (cancellation, setxid) and the unblockable ones: never in a mask */
#define SIGSETXID_NUMBER 33
#define NEVER_BLOCKED (BIT(32) | BIT(SIGSETXID_NUMBER) | BIT(SIGKILL) | BIT(SIGSTOP))
#define FAULTS (BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGFPE) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGSYS))

static _Atomic int sig_blockers[65];   /* live Gs whose mask blocks the signal */

uint64_t signal_os_mask(uint64_t program_mask)
{
	uint64_t mask = program_mask & ~(NEVER_BLOCKED | FAULTS);
	int preempt = preempt_signal_number();
	if (preempt)
		mask &= ~BIT(preempt);
	return mask;
}

void m_set_os_mask(struct m *m, uint64_t os_mask)
{
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &os_mask, NULL, 8);
	m->os_mask = os_mask;
}

/* The mask every live G has, if they all have the same one. */
static bool masks_uniform(uint64_t *mask)
{
	int live = atomic_load(&sched.live_gs);
	uint64_t common = 0;
	for (int sig = 1; sig <= 64; sig++) {
		int n = atomic_load(&sig_blockers[sig]);   /* after asleep_with_mask (seq_cst) */
		if (n == live)
			common |= BIT(sig);
		else if (n != 0)
			return false;
	}
	*mask = common;
	return true;
}

/*
 * An M asleep holds no G: it must not take a process signal that no G
 * accepts (a default action would strike; a handled one would bounce
 * between it and sysmon). When every G has the same mask and the M still
 * carries it, the M keeps it (no system call: a signal it takes goes to
 * sysmon, which hands it to a G, all of which accept it); a G that then
 * blocks more wakes it to look again (m_masks_changed). Otherwise it blocks
 * everything, a system call when it falls asleep and one when it next runs
 * a G, never between two Gs.
 */
void m_block_while_idle(struct m *m)
{
	if (atomic_load_explicit(&m->sent_here, memory_order_relaxed))
		m_take_stranded(m);
	atomic_store(&m->asleep_with_mask, true);   /* before looking: see m_masks_changed */
	uint64_t common;
	if (masks_uniform(&common) && m->os_mask == signal_os_mask(common))
		return;
	atomic_store(&m->asleep_with_mask, false);
	uint64_t idle = signal_os_mask(~0ULL);
	if (m->os_mask != idle)
		m_set_os_mask(m, idle);
}

/* A G blocked more signals: Ms asleep with a mask that accepts them look again. */
static void m_masks_changed(uint64_t newly_blocked)
{
	bool poller = false;
	for (int i = 0; i < sched_m_count(); i++) {
		struct m *m = sched_m_at(i);
		if (atomic_load(&m->asleep_with_mask) && (~m->os_mask & newly_blocked)) {
			atomic_store(&m->asleep_with_mask, false);
			futex_wake(&m->park, 1);   /* its park word stays 0: it loops and looks again */
			poller = true;
		}
	}
	if (poller)
		netpoll_break();   /* one of them may be asleep in the netpoller */
}

/* An OS thread of goro's (an M, sysmon) is born with every signal blocked:
 * until it sets its own mask, possibly long after (a busy machine), the
 * kernel would take it for one that accepts every signal. All but
 * SIGSETXID: a setuid() broadcast waits for it to answer (credentials.c). */
int thread_create_signals_blocked(int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *),
				  pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	uint64_t all = ~BIT(SIGSETXID_NUMBER), old;
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
	int r = create(t, attr, fn, arg);
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
	return r;
}

static void blockers_add(uint64_t bits, int delta)
{
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		bits &= bits - 1;
		atomic_fetch_add(&sig_blockers[sig], delta);
	}
}

static void mask_store(struct g *g, uint64_t mask)
{
	atomic_store(&g->sigmask, mask);
	g->os_mask = signal_os_mask(mask);
}

void g_mask_inherit(struct g *child, struct g *creator, const uint64_t *explicit_mask)
{
	uint64_t mask;
	if (explicit_mask)
		mask = *explicit_mask;
	else if (creator)
		mask = atomic_load(&creator->sigmask);
	else
		SYS4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &mask, 8);   /* not a G: its OS thread's */
	mask &= ~NEVER_BLOCKED;
	mask_store(child, mask);
	blockers_add(mask, 1);
	if (!creator && child->m)   /* the main G, running already */
		m_set_os_mask(child->m, child->os_mask);
}

void g_mask_forget(struct g *g)
{
	blockers_add(atomic_load(&g->sigmask), -1);
	signal_drop_held(g);
}

int g_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	struct g *g = g_self;
	uint64_t before = atomic_load(&g->sigmask), after = before;
	if (set) {
		uint64_t bits;
		memcpy(&bits, set, sizeof bits);
		bits &= ~NEVER_BLOCKED;
		switch (how) {
		case SIG_BLOCK: after |= bits; break;
		case SIG_UNBLOCK: after &= ~bits; break;
		case SIG_SETMASK: after = bits; break;
		default: return EINVAL;
		}
	}
	if (old) {
		memset(old, 0, sizeof *old);
		memcpy(old, &before, sizeof before);
	}
	if (after == before)
		return 0;
	blockers_add(after & ~before, 1);
	blockers_add(before & ~after, -1);
	mask_store(g, after);
	if (after & ~before)
		m_masks_changed(signal_os_mask(after & ~before));
	/* no switch can come between these: this is goro's code, never preempted */
	if (g->os_mask != g->m->os_mask)
		m_set_os_mask(g->m, g->os_mask);
	uint64_t unblocked = before & ~after;
	if (unblocked) {
		/* held ones are delivered before the call returns, as the kernel does */
		uint64_t freed = atomic_fetch_and(&g->sigheld, ~unblocked) & unblocked;
		if (freed)
			atomic_fetch_or(&g->sigpending, freed);
		if (atomic_load(&g->sigpending))
			g_raise_pending(g);
		sysmon_wake();   /* it may now have to catch these for this G */
	}
	return 0;
}

uint64_t g_sigpending(void)
{
	struct g *g = g_self;
	uint64_t kernel = 0;
	SYS2(SYS_rt_sigpending, &kernel, 8);   /* this OS thread's and the process's, blocked here */
	return ((kernel & atomic_load(&g->sigmask)) | atomic_load(&g->sigheld)) & ~NEVER_BLOCKED;
}

/*
 * A G on its way out, before it raises its pending signals the last time.
 * sysmon catches a process signal for the Gs that accept it (the head
 * comment) and routes it on its next round: should the last G that accepts
 * it finish meanwhile, the signal went to the next thread to accept it, or
 * stayed pending, after the thread it was for had been joined (natively a
 * thread takes a signal it accepts when it is sent, or when it unblocks it;
 * sysmon, descheduled on a busy machine, routed one of
 * signal_realtime_queued_to_process's a whole round late). Invariant: a
 * signal sysmon took from the kernel while a G accepted it is routed before
 * that G is gone. So the G stops counting as one that accepts the handled
 * signals (its mask stays: routing still finds it), and if no other G
 * accepts one of them it waits for a sysmon round, which blocks those on
 * sysmon and routes to this G every signal sysmon took before (the handler
 * of a signal the kernel gave sysmon runs before sysmon's next step). What
 * is still pending for the process comes to the G's own OS thread, which
 * accepts it, at its next system call. Costs nothing unless the G is the
 * last to accept a signal the program handles. Returns the signals whose
 * count g_exit_signals_release gives back (after live_gs, as g_mask_forget).
 */
uint64_t g_exit_signals_settle(struct g *g)
{
	uint64_t catchable = signal_handled_set() & ~atomic_load(&g->sigmask) & ~(NEVER_BLOCKED | FAULTS);
	if (!catchable)
		return 0;
	blockers_add(catchable, 1);
	int live = atomic_load(&sched.live_gs);
	bool last = false;
	for (uint64_t bits = catchable; bits; bits &= bits - 1)
		if (atomic_load(&sig_blockers[__builtin_ctzll(bits) + 1]) >= live)
			last = true;
	if (last) {
		signals_sync_with_sysmon();
		uint64_t pending;
		SYS2(SYS_rt_sigpending, &pending, 8);   /* on its return the kernel delivers them here */
	}
	return catchable;
}

void g_exit_signals_release(uint64_t settled)
{
	blockers_add(settled, -1);
}

/* sysmon: leave unblocked what some live G accepts (see the head comment). */
static uint64_t sysmon_mask = ~0ULL;

static void add_accepted(struct g *g, void *arg)
{
	if (!(atomic_load(&g->life) & LIFE_EXITED) && atomic_load(&g->status) != G_DEAD)
		*(uint64_t *)arg |= ~atomic_load(&g->sigmask);
}

static uint64_t sysmon_wanted_mask(void)
{
	int live = atomic_load(&sched.live_gs);
	uint64_t blocked = ~0ULL, pending = 0, default_action = 0;
	/* for the process, blocked here; a system call, so once a millisecond at most */
	static int64_t pending_checked;
	int64_t now = atomic_load_explicit(&sched_coarse_now, memory_order_relaxed);
	if (now - pending_checked >= 1000000) {
		pending_checked = now;
		SYS2(SYS_rt_sigpending, &pending, 8);
	}
	for (int sig = 1; sig <= 64; sig++) {
		if (atomic_load_explicit(&sig_blockers[sig], memory_order_relaxed) >= live)
			continue;
		if (sig == SIGQUIT || signal_has_handler(sig))
			blocked &= ~BIT(sig);
		else if (pending & BIT(sig))
			default_action |= BIT(sig);
	}
	/* The counts can be a thread's creation or exit behind: a wrong guess
	 * costs a handled signal a trip through routing, but a default action
	 * must not strike because of it. Ask the Gs themselves. */
	if (default_action) {
		uint64_t accepted = 0;
		g_for_each(add_accepted, &accepted);
		blocked &= ~(default_action & accepted);
	}
	/* faults, glibc's and goro's preemption signal are never meant for sysmon;
	 * but glibc's setuid() and friends signal every thread it knows with
	 * SIGSETXID and wait for each to answer: blocked here, they hung for ever */
	blocked |= NEVER_BLOCKED | FAULTS;
	blocked &= ~BIT(SIGSETXID_NUMBER);
	int preempt = preempt_signal_number();
	if (preempt)
		blocked |= BIT(preempt);
	return blocked;
}

void signals_sysmon_mask(uint64_t also_block)
{
	uint64_t want = sysmon_wanted_mask() | also_block;
	if (want != sysmon_mask) {
		sysmon_mask = want;
		SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &want, NULL, 8);
	}
}

void signals_sysmon_start(void)
{
	sysmon_mask = ~0ULL & ~BIT(SIGSETXID_NUMBER);   /* see sysmon_wanted_mask */
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &sysmon_mask, NULL, 8);
}

/* fork child: only the forking G is left */
void sigmask_reset_after_fork(struct g *self)
{
	for (int sig = 1; sig <= 64; sig++)
		atomic_store(&sig_blockers[sig], (atomic_load(&self->sigmask) & BIT(sig)) ? 1 : 0);
}
