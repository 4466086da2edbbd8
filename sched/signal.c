/*
 * Signals sent to one G (pthread_kill, pthread_sigqueue, and process
 * signals sysmon routes to a G). One the G blocks is held for it
 * (g->sigheld, with its siginfo in the held table below) until it unblocks
 * it (sched/sigmask.c) or takes it with sigwait; sigpending shows it. An
 * unblocked one, for a G that is running or blocked in the kernel inside a
 * syscall bracket, goes to its M's OS thread with its siginfo
 * (rt_tgsigqueueinfo): the kernel then interrupts or restarts the call
 * exactly as it would natively. A parked G cannot receive a kernel signal
 * (no OS thread is its own), so the signal is marked pending, an
 * interruptible wait is ended with EINTR, and the G raises the signal on its
 * own OS thread the moment it runs again, before the interrupted call
 * returns: the handler runs in the right thread, and the call then restarts
 * or fails with EINTR following the handler's SA_RESTART, as the kernel
 * would decide.
 *
 * The siginfo of a signal that waits in a G (its sender, si_value) is kept
 * in a fixed table, one entry per instance, so real-time signals queue as
 * the kernel queues them and standard ones coalesce; should the table fill
 * up, the signal still arrives, with pthread_kill's siginfo (g->sigbare
 * counts it; a bit alone never raises a signal: the instances it stood for
 * may have been taken already, and a handler then ran twice). A signal that
 * interrupted goro's code in a G is kept in the same table until the G's
 * next safe point, the last of which is on its way out (g_exit). Rejected: a
 * siginfo per signal inside struct g (8 KiB per G, and it must fit in 1).
 *
 * A running G's signal goes to its M's OS thread, but the G may leave the M
 * before the kernel delivers it there: the M notes what it was sent and for
 * whom (m->sent_here), and on g0 hands whatever is still pending to sysmon
 * for that G (m_take_stranded) instead of leaving it to the next G or to
 * nobody.
 *
 * Process-directed signals: see sched/sigmask.c and route_queue below.
 */
#include "sched/internal.h"
#include "preempt/preempt.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define BIT(sig) (1ULL << ((sig) - 1))
#define SIGRTMIN_KERNEL 32   /* real-time signals queue from here on */
#define SIGCANCEL_NUMBER 32  /* glibc's; cancel.c marks it pending with the bit alone */

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

/* ---- siginfo of signals waiting in a G ---- */

#define HELD_MAX 1024
struct held_signal {
	struct g *g;                 /* NULL: a free entry */
	siginfo_t info;
};
static struct held_signal held[HELD_MAX];
static int held_top;                 /* entries in use are below it */
static spinlock_t held_lock;
static __thread bool holding_held_lock;   /* the trampoline may not wait for it then */

static void held_lock_acquire(void)
{
	holding_held_lock = true;   /* first: a signal between the two must not wait */
	atomic_signal_fence(memory_order_seq_cst);
	spin_acquire(&held_lock);
}

static void held_lock_release(void)
{
	spin_release(&held_lock);
	atomic_signal_fence(memory_order_seq_cst);
	holding_held_lock = false;
}

/* False if the table is full: the caller marks the instance in g->sigbare. */
static bool held_add(struct g *g, int sig, const siginfo_t *info)
{
	held_lock_acquire();
	int free_slot = -1;
	for (int i = 0; i < held_top; i++) {
		if (held[i].g == g && held[i].info.si_signo == sig && sig < 32)
			goto out;   /* a standard signal already waiting: they do not queue */
		if (!held[i].g && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0 && held_top < HELD_MAX)
		free_slot = held_top++;
	if (free_slot >= 0) {
		held[free_slot].g = g;
		held[free_slot].info = *info;
		held[free_slot].info.si_signo = sig;
	}
	held_lock_release();
	return free_slot >= 0;
out:
	held_lock_release();
	return true;
}

/* An instance of sig for g: in the table, else marked bare (before the
 * caller sets the bit that makes the G look: see send_held_to_self). */
static void held_keep(struct g *g, int sig, const siginfo_t *info)
{
	if (!held_add(g, sig, info))
		atomic_fetch_or(&g->sigbare, BIT(sig));
}

/* The oldest instance of sig waiting in g; *more: another one waits too. */
static bool held_take(struct g *g, int sig, siginfo_t *info, bool *more)
{
	bool found = false;
	*more = false;
	held_lock_acquire();
	for (int i = 0; i < held_top; i++) {
		if (held[i].g != g || held[i].info.si_signo != sig)
			continue;
		if (found) {
			*more = true;
			break;
		}
		*info = held[i].info;
		held[i].g = NULL;
		found = true;
	}
	while (held_top > 0 && !held[held_top - 1].g)
		held_top--;
	held_lock_release();
	return found;
}

void signal_drop_held(struct g *g)
{
	if (!atomic_load(&g->sigheld) && !atomic_load(&g->sigpending) && !atomic_load(&g->sigbare))
		return;
	held_lock_acquire();
	for (int i = 0; i < held_top; i++)
		if (held[i].g == g)
			held[i].g = NULL;
	held_lock_release();
	atomic_store(&g->sigheld, 0);
	atomic_store(&g->sigpending, 0);
	atomic_store(&g->sigbare, 0);
}

static void tkill_info(int sig, siginfo_t *info)
{
	memset(info, 0, sizeof *info);
	info->si_signo = sig;
	info->si_code = SI_TKILL;
	info->si_pid = (pid_t)SYS0(SYS_getpid);
	info->si_uid = (uid_t)SYS0(SYS_getuid);
}

/* ---- sending ---- */

/*
 * The kernel lets a thread forge a siginfo (rt_tgsigqueueinfo) only with a
 * negative si_code other than SI_TKILL, unless it is the main thread: a
 * kill's SI_USER or a child's CLD_EXITED, routed to a G, goes with tgkill,
 * and g->tkill_info carries the real siginfo to the trampoline on the G's
 * side. Only sysmon and the G itself send those, one at a time per G.
 */
static bool forgeable(const siginfo_t *info)
{
	return info->si_code < 0 && info->si_code != SI_TKILL;
}

/* Async-signal-safe; if the slot is taken the signal arrives as SI_TKILL. */
static void keep_tkill_info(struct g *g, int sig, const siginfo_t *info)
{
	int free_slot = 0;
	if (!atomic_compare_exchange_strong(&g->tkill_sig, &free_slot, -1))
		return;
	g->tkill_info = *info;
	g->tkill_info.si_signo = sig;
	atomic_store(&g->tkill_sig, sig);
}

static int send_to_thread(struct g *g, pid_t tid, int sig, const siginfo_t *info)
{
	pid_t pid = (pid_t)SYS0(SYS_getpid);
	if (forgeable(info))
		return SYS4(SYS_rt_tgsigqueueinfo, pid, tid, sig, info) == 0 ? 0 : errno;
	if (info->si_code != SI_TKILL && g)
		keep_tkill_info(g, sig, info);
	return SYS3(SYS_tgkill, pid, tid, sig) == 0 ? 0 : errno;
}

static int send_to_process(int sig, const siginfo_t *info)
{
	pid_t pid = (pid_t)SYS0(SYS_getpid);
	if (forgeable(info))
		return SYS3(SYS_rt_sigqueueinfo, pid, sig, info) == 0 ? 0 : errno;
	return SYS2(SYS_kill, pid, sig) == 0 ? 0 : errno;
}

/* The trampoline, on g: the real siginfo of a signal sent with tgkill. */
static const siginfo_t *real_siginfo(struct g *g, int sig, const siginfo_t *info, siginfo_t *copy)
{
	if (!g || !info || info->si_code != SI_TKILL || atomic_load(&g->tkill_sig) != sig)
		return info;
	*copy = g->tkill_info;
	atomic_store(&g->tkill_sig, 0);
	return copy;
}

/* Ends g's interruptible wait with EINTR (a signal, a cancellation: cancel.c). */
void g_interrupt_wait(struct g *g)
{
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
}

/* sig is not blocked by g: now on its OS thread, or when it runs. */
static int deliver(struct g *g, int sig, const siginfo_t *info)
{
	unsigned long flags;
	if (!disposition(sig, &flags)) {
		/* default action or ignored: it concerns the process, not this thread
		 * (sysmon, and a G that blocks it, send it to the process) */
		if ((!g_self && !m_self) || (g_self && (atomic_load(&g_self->sigmask) & BIT(sig))))
			return send_to_process(sig, info);
		return send_to_thread(NULL, (pid_t)SYS0(SYS_gettid), sig, info);
	}
	int status = atomic_load(&g->status);
	struct m *m = g->m;
	if ((status == G_RUNNING || status == G_SYSCALL) && m) {
		/* g may leave m before it arrives: m_take_stranded looks (the
		 * bit after the send: once it is seen, the signal is there) */
		atomic_store(&m->sent_for[sig], g);
		int r = send_to_thread(g, m->ktid, sig, info);
		atomic_fetch_or(&m->sent_here, BIT(sig));
		return r;
	}
	held_keep(g, sig, info);
	atomic_fetch_or(&g->sigpending, BIT(sig));
	g_interrupt_wait(g);
	return 0;
}

int g_signal(struct g *g, int sig, const siginfo_t *info)
{
	if (g_self)
		own_p(g_self);   /* the interrupts below ready Gs under runtime locks */
	siginfo_t own;
	if (!info) {
		tkill_info(sig, &own);
		info = &own;
	}
	uint64_t bit = BIT(sig);
	if (!(atomic_load(&g->sigmask) & bit))
		return deliver(g, sig, info);
	held_keep(g, sig, info);
	atomic_fetch_or(&g->sigheld, bit);
	/* the G may have unblocked it between our two looks and not seen the bit:
	 * whichever of us clears the bit delivers (g_sigmask does the same) */
	if (!(atomic_load(&g->sigmask) & bit) && (atomic_fetch_and(&g->sigheld, ~bit) & bit)) {
		siginfo_t taken;
		bool more = true;
		while (more && held_take(g, sig, &taken, &more))
			deliver(g, sig, &taken);
		if (atomic_fetch_and(&g->sigbare, ~bit) & bit) {
			tkill_info(sig, &taken);
			deliver(g, sig, &taken);
		}
		return 0;
	}
	if (atomic_load(&g->sigwait_set) & bit)
		g_interrupt_wait(g);   /* its sigwait takes it (shim/sigwait.c) */
	return 0;
}

/*
 * Sends each signal of bits to g's own OS thread, with the siginfo held for
 * it (every queued one of a real-time signal), and once more bare if an
 * instance came with no room in the table (g->sigbare; a standard one only
 * if none was sent). A bit without either is no instance: they were all
 * taken by an earlier look, between a sender's held_keep and its setting
 * the bit (sending it bare anyway ran a handler twice for one signal).
 */
static void send_held_to_self(struct g *g, uint64_t bits)
{
	pid_t pid = (pid_t)SYS0(SYS_getpid), tid = (pid_t)SYS0(SYS_gettid);
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		bits &= bits - 1;
		siginfo_t info;
		bool more = true, any = false;
		while (more && held_take(g, sig, &info, &more)) {
			any = true;
			send_to_thread(g, tid, sig, &info);
		}
		bool bare = (atomic_fetch_and(&g->sigbare, ~BIT(sig)) & BIT(sig)) || sig == SIGCANCEL_NUMBER;
		if (bare && (!any || sig >= SIGRTMIN_KERNEL))
			SYS3(SYS_tgkill, pid, tid, sig);
	}
}

/* sigsuspend(set) in g: the signals held for it that set unblocks go to its
 * OS thread (which still blocks them), where the kernel's sigsuspend takes them. */
void g_release_held(struct g *g, uint64_t set_unblocks)
{
	send_held_to_self(g, atomic_fetch_and(&g->sigheld, ~set_unblocks) & set_unblocks);
}

/* sigwait: one held signal of set, with its siginfo; 0 if none. The bit
 * goes first and comes back if more wait: a sender adds its instance, then
 * sets the bit. */
int g_sigwait_take(struct g *g, uint64_t set, siginfo_t *info)
{
	uint64_t bits = atomic_load(&g->sigheld) & set;
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		uint64_t bit = BIT(sig);
		bits &= bits - 1;
		atomic_fetch_and(&g->sigheld, ~bit);
		bool more;
		bool found = held_take(g, sig, info, &more);
		if (!found && (atomic_fetch_and(&g->sigbare, ~bit) & bit)) {
			tkill_info(sig, info);   /* the table was full when it came */
			found = true;
		}
		if (more || (atomic_load(&g->sigbare) & bit))
			atomic_fetch_or(&g->sigheld, bit);
		if (found)
			return sig;
	}
	return 0;
}

void g_raise_pending(struct g *g)
{
	uint64_t bits = atomic_exchange(&g->sigpending, 0);
	if (!bits)
		return;
	uint64_t blocked = bits & atomic_load(&g->sigmask);
	if (blocked)
		atomic_fetch_or(&g->sigheld, blocked);   /* blocked since it was sent: held, info kept */
	bits &= ~blocked;
	if (!bits)
		return;
	g->signals_raised |= bits;
	g->signals_no_restart &= ~bits;   /* call_user says again, for these handlers */
	struct m *m = g->m;
	m->raising = true;   /* no lock held here: the trampoline may run the handler at once */
	send_held_to_self(g, bits);
	m->raising = false;
}

/*
 * Whether the call a handler interrupted restarts is decided by the flags
 * of the handler that ran, as the kernel decides it on delivery: not by the
 * disposition after it (a handler may reset itself to SIG_DFL, as glibc's
 * tst-sem6 does, or be SA_RESETHAND). call_user records them. A signal
 * raised with no handler to run (ignored by default) interrupts nothing.
 */
bool signal_restarts(struct g *g, uint64_t bits)
{
	if (bits & g->signals_no_restart)
		return false;
	/* the handlers that do not run through call_user (glibc's SIGCANCEL):
	 * the action as it is */
	while (bits) {
		int sig = __builtin_ctzll(bits) + 1;
		bits &= bits - 1;
		unsigned long flags;
		if (!signal_wrappable(sig) && disposition(sig, &flags) && !(flags & SA_RESTART))
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
	return signal_restarts(g, raised);
}

/* ---- the program's handlers ---- */

static struct sigaction user_handlers[65];
static _Atomic bool wrapped[65];
static _Atomic uint64_t wrapped_set;   /* the same, one bit a signal */
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
	if (user)
		atomic_fetch_or(&wrapped_set, BIT(sig));
	else
		atomic_fetch_and(&wrapped_set, ~BIT(sig));
}

uint64_t signal_handled_set(void)
{
	return atomic_load_explicit(&wrapped_set, memory_order_relaxed);
}

bool signal_has_handler(int sig)
{
	return atomic_load_explicit(&wrapped[sig], memory_order_relaxed);
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
	if (g) {
		g->in_handler++;   /* not preemptible: its M's signal mask is the handler's */
		if (!(h->sa_flags & SA_RESTART))
			g->signals_no_restart |= BIT(sig);
	}
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
 * Routing. A program signal that reaches an OS thread with no G of its own
 * to run it on (sysmon, which catches process signals that only parked Gs
 * accept; an M between two Gs) is put in route_ring and sysmon hands it to
 * a G that accepts it, with its siginfo: the main G first (the kernel
 * prefers the main thread; the classic alarm() around a blocking read in
 * main relies on it), else any G that does not block it. The same happens
 * to a process signal that reached some other G while the main G, which
 * accepts it, is parked in an interruptible wait. When no G accepts it any
 * more, sysmon blocks it and queues it back to the process, where it stays
 * pending (sched/sigmask.c). A signal handler may not take runtime locks;
 * sysmon may.
 */
#define ROUTE_SLOTS 64
enum { SLOT_FREE, SLOT_WRITING, SLOT_FULL };
static struct {
	_Atomic int state;
	siginfo_t info;
	struct g *target;            /* the G it was sent to, if goro sent it (m_take_stranded) */
} route_ring[ROUTE_SLOTS];

static __thread bool on_sysmon;

void signals_sysmon_thread(void)
{
	on_sysmon = true;
	signals_sysmon_start();
}

/* Async-signal-safe. False if the ring is full. */
static bool route_queue_for(struct g *target, int sig, const siginfo_t *info)
{
	for (int i = 0; i < ROUTE_SLOTS; i++) {
		int expected = SLOT_FREE;
		if (!atomic_compare_exchange_strong(&route_ring[i].state, &expected, SLOT_WRITING))
			continue;
		if (info)
			route_ring[i].info = *info;
		else
			memset(&route_ring[i].info, 0, sizeof route_ring[i].info);
		route_ring[i].info.si_signo = sig;
		route_ring[i].target = target;
		atomic_store(&route_ring[i].state, SLOT_FULL);
		sysmon_wake();
		return true;
	}
	return false;
}

static bool route_queue(int sig, const siginfo_t *info)
{
	struct m *m = g_self ? NULL : m_self;
	struct g *target = NULL;
	if (m && (atomic_load(&m->sent_here) & BIT(sig)))
		target = atomic_load(&m->sent_for[sig]);   /* it came after its G left */
	return route_queue_for(target, sig, info);
}

/*
 * On g0, before the next G runs or the M sleeps: a signal deliver() sent to
 * this OS thread for the G it ran, that arrived after the G left, is still
 * pending here if the thread blocks it now; the next G, or nobody, would
 * take it (glibc's tst-signal3 lost real-time signals so). It goes to
 * sysmon, for the G it was meant for. Costs system calls only after such a
 * send. A process-directed signal of the same number pending for the
 * process may be taken instead: it then goes to that G (which accepted it
 * when it was sent), as the kernel might have chosen.
 */
void m_take_stranded(struct m *m)
{
	uint64_t bits = atomic_exchange(&m->sent_here, 0);
	if (!bits)
		return;
	uint64_t blocked = m->os_mask | bits;
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &blocked, NULL, 8);   /* what it accepts arrives on g0 now */
	uint64_t pending = 0;
	SYS2(SYS_rt_sigpending, &pending, 8);
	bits &= pending;
	struct timespec zero = {0, 0};
	siginfo_t info;
	while (bits) {
		long sig = SYS4(SYS_rt_sigtimedwait, &bits, &info, &zero, 8);
		if (sig <= 0)
			break;
		if (!route_queue_for(atomic_load(&m->sent_for[sig]), (int)sig, &info)) {
			atomic_fetch_or(&m->sent_here, BIT(sig));
			SYS3(SYS_tgkill, SYS0(SYS_getpid), m->ktid, sig);   /* the ring is full: later */
			break;
		}
	}
	SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &m->os_mask, NULL, 8);
}

static bool main_takes(int sig, const siginfo_t *info)
{
	struct g *main = sched_main_g();
	/* SIGPIPE and SIGXFSZ concern the thread that wrote; a SA_RESETHAND
	 * handler is already gone from the kernel by now: those run here. */
	if (!info || info->si_code == SI_TKILL || sig == SIGPIPE || sig == SIGXFSZ ||
	    (user_handlers[sig].sa_flags & SA_RESETHAND) || !main || main == g_self ||
	    (atomic_load(&main->sigmask) & BIT(sig)) ||
	    (atomic_load(&main->life) & LIFE_EXITED) || atomic_load(&main->status) != G_WAITING ||
	    atomic_load(&main->wait_kind) == WAIT_NONE)
		return false;
	return true;
}

void signals_reset_after_fork(void)
{
	for (int i = 0; i < ROUTE_SLOTS; i++)
		atomic_store(&route_ring[i].state, SLOT_FREE);
	for (int i = 0; i < held_top; i++)
		if (held[i].g != g_self)
			held[i].g = NULL;   /* the other Gs are gone in the child */
	atomic_store(&held_lock.v, 0);
	sigmask_reset_after_fork(g_self);
}

struct route_search {
	int sig;
	siginfo_t *info;
	struct g *only;              /* if set: that G or none */
	bool done;
};

static void route_to_first_accepting(struct g *g, void *arg)
{
	struct route_search *search = arg;
	if (search->done || (search->only && g != search->only) || (atomic_load(&g->sigmask) & BIT(search->sig)) ||
	    (atomic_load(&g->life) & LIFE_EXITED) || atomic_load(&g->status) == G_DEAD)
		return;
	g_signal(g, search->sig, search->info);   /* the list lock keeps g alive */
	search->done = true;
}

/* To the main G if it accepts sig, else to the first G that does; false if none does. */
static bool route_to_accepting(int sig, siginfo_t *info)
{
	struct g *main = sched_main_g();
	if (main && !(atomic_load(&main->sigmask) & BIT(sig)) && !(atomic_load(&main->life) & LIFE_EXITED)) {
		g_signal(main, sig, info);
		return true;
	}
	struct route_search search = {.sig = sig, .info = info};
	g_for_each(route_to_first_accepting, &search);
	return search.done;
}

/* The G a stranded signal was sent to, if it still lives and accepts it. */
static bool route_to_target(struct g *target, int sig, siginfo_t *info)
{
	struct route_search search = {.sig = sig, .info = info, .only = target};
	if (target)
		g_for_each(route_to_first_accepting, &search);
	return search.done;
}

static void route_one(siginfo_t *info, struct g *target)
{
	int sig = info->si_signo;
	if (route_to_target(target, sig, info) || route_to_accepting(sig, info))
		return;
	/* nobody accepts it now: pending for the process until someone does */
	signals_sysmon_mask(BIT(sig));
	send_to_process(sig, info);
}

/*
 * kill() or sigqueue() of its own process by a G, of a signal the program
 * handles: routed at once, in the caller, as route_one would. Natively the
 * kernel picks the thread inside the call: the handler has run, or is on
 * its way to a running thread, before the caller's next step. Left to the
 * kernel, the signal reached an OS thread with no G of its own or sysmon,
 * and the hop through sysmon let the caller's next steps overtake it: the
 * main thread saw a sem_post made after the kill before the kill's handler
 * ran, so it ran late, after the program had moved on (CPython's
 * test_threadsignals counted it twice). False: no G accepts it now; the
 * caller hands it to the kernel, pending for the process.
 */
bool signal_process_from_g(int sig, const siginfo_t *info)
{
	if (!signal_has_handler(sig) || (user_handlers[sig].sa_flags & SA_RESETHAND))
		return false;
	siginfo_t copy = *info;
	copy.si_signo = sig;
	return route_to_accepting(sig, &copy);
}

/*
 * A round of sysmon that a G asked for (signals_sync_with_sysmon) and
 * waits on: requests counted in sync_requested, the last one a round has
 * answered in sync_done (the G's wait word).
 */
static _Atomic uint32_t sync_requested, sync_done;

/* sysmon: its mask follows the Gs' masks, then the routed signals go out. */
void signals_route_pending(void)
{
	/* Read before the ring: a signal the kernel gave sysmon before a G's
	 * request is in the ring by now (its handler ran before this line). */
	uint32_t requested = atomic_load(&sync_requested);
	signals_sysmon_mask(0);
	for (int i = 0; i < ROUTE_SLOTS; i++) {
		if (atomic_load(&route_ring[i].state) != SLOT_FULL)
			continue;
		siginfo_t info = route_ring[i].info;
		struct g *target = route_ring[i].target;
		atomic_store(&route_ring[i].state, SLOT_FREE);
		route_one(&info, target);
	}
	if (atomic_load(&sync_done) != requested) {
		atomic_store(&sync_done, requested);
		wake_on(&sync_done, INT32_MAX);
	}
}

/* A G: returns after a sysmon round that began after the call routed the
 * signals sysmon had caught; one routed to the calling G meanwhile ends its
 * wait and is raised (waittable.c). */
void signals_sync_with_sysmon(void)
{
	uint32_t want = atomic_fetch_add(&sync_requested, 1) + 1;
	sysmon_wake();
	for (;;) {
		uint32_t done = atomic_load(&sync_done);
		if ((int32_t)(done - want) >= 0)
			return;
		wait_on(&sync_done, done, NO_DEADLINE, "signal routing");
	}
}

/*
 * A signal that interrupted goro's code on g, kept for g to raise at its
 * next safe point: queued with its siginfo in the held table, as one sent
 * to a parked G is (an instance of a real-time signal is never merged into
 * another: glibc's tst-signal3 lost some when only a pending bit was kept).
 * Only if this thread was interrupted inside the held table itself does the
 * siginfo go to the G's single tkill slot instead.
 */
static void keep_for_later(struct g *g, int sig, const siginfo_t *info)
{
	if (!info || holding_held_lock || !held_add(g, sig, info)) {
		if (info)
			keep_tkill_info(g, sig, info);
		atomic_fetch_or(&g->sigbare, BIT(sig));
	}
	atomic_fetch_or(&g->sigpending, BIT(sig));
}

/*
 * An SA_RESETHAND action is reset by the kernel when it delivers the signal:
 * to sysmon or to an M between two Gs, which only pass it on. The G that
 * gets it must still find the handler, so the kernel's action is put back
 * until the signal reaches that G, where the kernel resets it again.
 */
static bool rearm_reset_handler(int sig)
{
	struct kernel_sigaction sa;
	if (!(user_handlers[sig].sa_flags & SA_RESETHAND) ||
	    SYS4(SYS_rt_sigaction, sig, NULL, &sa, 8) != 0 || sa.handler != SIG_DFL)
		return false;
	sa.handler = (void (*)(int))(uintptr_t)signal_trampoline;
	return SYS4(SYS_rt_sigaction, sig, &sa, NULL, 8) == 0;
}

static void reset_handler(int sig)
{
	struct kernel_sigaction sa;
	if (SYS4(SYS_rt_sigaction, sig, NULL, &sa, 8) != 0)
		return;
	sa.handler = SIG_DFL;
	SYS4(SYS_rt_sigaction, sig, &sa, NULL, 8);
}

void signal_trampoline(int sig, siginfo_t *info, void *ucontext)
{
	if (sig == SIGQUIT && info && info->si_code == SI_QUEUE && info->si_value.sival_int == DUMP_SIGNAL_VALUE) {
		dump_request(false);   /* `goro dump`: not the program's SIGQUIT */
		return;
	}
	if (preempt_signal_is_stamped(info))
		return;   /* goro's preemption signal, sent before the program took this number over */
	struct g *g = g_self;
	struct m *m = m_current();
	if (!g && (m || on_sysmon)) {
		/* no G here to run it: sysmon hands it to one (if the ring is full, run it here) */
		bool rearmed = rearm_reset_handler(sig);
		if (route_queue(sig, info))
			return;
		if (rearmed)
			reset_handler(sig);
	} else if (g && !(m && m->raising) && main_takes(sig, info)) {
		/* the waiting main G should have it (a G whose mask blocks it gets it only
		 * while sigsuspend, ppoll, pselect or epoll_pwait unblock it: it is its) */
		if (route_queue(sig, info))
			return;
	}
	siginfo_t real;
	info = (siginfo_t *)real_siginfo(g, sig, info, &real);
	if (m)
		m->handlers_run++;
	if (m && !m->idle_wait && !(m->raising && m->locks == 0) &&
	    (m->locks > 0 || interrupted_runtime(ucontext))) {
		if (g) {
			/* goro's code was interrupted: the G raises it again at its
			 * next safe point (g_raise_pending), in its own thread */
			keep_for_later(g, sig, info);
		} else {
			atomic_fetch_or(&m->deferred_signals, BIT(sig));
		}
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
