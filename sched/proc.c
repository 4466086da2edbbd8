/*
 * The scheduler: Gs run on Ms that hold Ps, as in Go's runtime/proc.go.
 *
 * Every M runs a loop on its own stack and TCB (g0): take a runnable G,
 * switch to it, and when the G switches back, finish what it asked for
 * (park: mark it waiting and release the lock it parked under; yield: queue
 * it again; exit: hand it to its joiner or the pool). Finishing on g0, off the
 * G's stack, is what lets another M ready a parked G the moment its lock is
 * released without ever running a G whose registers are not saved yet.
 *
 * Idle Ms sleep on a futex. An M that runs out of work first spins briefly
 * (cross-CPU wake-ups cost ~20 µs on this kind of VM), then gives its P back
 * and sleeps; wakep() starts one spinning M when work appears and there is an
 * idle P and no M already looking (Go's spinning-M rule), so a busy program
 * never sleeps on work and an idle one uses no CPU.
 *
 * Rejected: one scheduler thread handing out work (a lock on every switch);
 * switching G to G directly without g0 (then the park/exit bookkeeping runs
 * on a stack that may already be running on another M).
 */
#include "sched/internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SPIN_BEFORE_SLEEP_NS 50000
#define G0_STACK_SIZE (256 * 1024)
#define MAX_MS 8192
#define MAX_MS_TEXT "8192"
#define M_STACK_SIZE (256 * 1024)   /* scheduler, signal handlers and syscall wrappers only */

int sched_procs;
long sched_max_threads;
bool sched_active;
__thread struct g *g_self;
__thread struct m *m_self;
struct sched sched;
struct p *allp[MAX_PROCS];

static struct p p_storage[MAX_PROCS];
static struct m m_storage[MAX_MS];
static _Atomic int m_next_id;
static struct g main_g;

struct g *sched_main_g(void)
{
	return &main_g;
}

static _Atomic int next_fake_tid = 0x20000000;
static _Atomic uint64_t next_goid = 1;

/* for schedtrace */
int sched_m_count(void)
{
	return atomic_load(&m_next_id);
}

struct m *sched_m_at(int i)
{
	return &m_storage[i];
}

int sched_idle_m_count(void)
{
	int n = 0, count = atomic_load(&m_next_id);
	for (int i = 0; i < count; i++)
		n += __atomic_load_n(&m_storage[i].idle_wait, __ATOMIC_RELAXED);
	return n;
}

uint64_t sched_gs_created(void)
{
	return atomic_load(&next_goid) - 1;   /* the main G is number 1 */
}
static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static void (*call_tls_dtors)(void);

/* all live Gs, for dumps and the dlopen TLS fix-up */
static spinlock_t allg_lock;
static struct g *allg;

_Noreturn void fatal(const char *msg)
{
	debug_write("goro: fatal error: ");
	debug_write(msg);
	debug_write("\n");
	abort();
}

void debug_write(const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = SYS3(SYS_write, 2, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void spin_acquire(spinlock_t *l)
{
	int spins = 0;
	while (atomic_exchange_explicit(&l->v, 1, memory_order_acquire)) {
		while (atomic_load_explicit(&l->v, memory_order_relaxed)) {
			if (++spins < 1000)
				cpu_relax();
			else
				SYS0(SYS_sched_yield);
		}
	}
	struct m *m = m_current();
	if (m)
		m->locks++;
}

int futex_wait(_Atomic uint32_t *addr, uint32_t val, int64_t deadline)
{
	struct timespec ts, *tsp = NULL;
	if (deadline != NO_DEADLINE) {
		ts.tv_sec = deadline / 1000000000;
		ts.tv_nsec = deadline % 1000000000;
		tsp = &ts;
	}
	long r = SYS6(SYS_futex, addr, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, val, tsp, NULL, FUTEX_BITSET_MATCH_ANY);
	return r == 0 ? 0 : errno;
}

void futex_wake(_Atomic uint32_t *addr, int n)
{
	SYS6(SYS_futex, addr, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n, NULL, NULL, 0);
}

/*
 * A G inside a syscall_enter/exit bracket does not own its P (sysmon may have
 * handed it off). If it comes back into the runtime before the bracket ends
 * (a libc call goro wrapped whole, such as printf, running a callback that
 * takes a mutex), it takes a P back first; the bracket's own exit then has
 * nothing left to do.
 */
void own_p(struct g *g)
{
	if (__builtin_expect(atomic_load_explicit(&g->status, memory_order_relaxed) == G_SYSCALL, 0))
		syscall_leave(g);
}

struct p *current_p(void)
{
	struct g *g = g_self;
	if (g) {
		own_p(g);
		return g->m->p;
	}
	return m_self ? m_self->p : NULL;
}

static void globrunq_put_locking(struct g *g)
{
	spin_acquire(&sched.lock);
	globrunq_put(g);
	spin_release(&sched.lock);
}

/* ---- idle Ps and Ms (sched.lock held) ---- */

void pidle_put(struct p *p)
{
	atomic_store(&p->status, P_IDLE);
	p->link = sched.pidle;
	sched.pidle = p;
	atomic_fetch_add(&sched.npidle, 1);
}

struct p *pidle_get(void)
{
	struct p *p = sched.pidle;
	if (p) {
		sched.pidle = p->link;
		atomic_fetch_sub(&sched.npidle, 1);
	}
	return p;
}

static void midle_put(struct m *m)
{
	m->link = sched.midle;
	sched.midle = m;
}

static struct m *midle_get(void)
{
	struct m *m = sched.midle;
	if (m)
		sched.midle = m->link;
	return m;
}

static bool midle_remove(struct m *m)
{
	for (struct m **pp = &sched.midle; *pp; pp = &(*pp)->link)
		if (*pp == m) {
			*pp = m->link;
			return true;
		}
	return false;
}

void acquirep(struct m *m, struct p *p)
{
	if (p->m)
		fatal("acquirep: P already has an M");
	m->p = p;
	p->m = m;
	atomic_store(&p->status, P_RUNNING);
}

static struct p *releasep(struct m *m)
{
	struct p *p = m->p;
	p->m = NULL;
	m->p = NULL;
	return p;
}

/* ---- starting and stopping Ms ---- */

static void g0_loop(struct m *m);

/* The signal mask the program started with: the main G's, at first. */
static uint64_t base_sigmask;

static void *m_main(void *arg)
{
	struct m *m = arg;
	m->os_mask = ~0ULL;
	m_block_while_idle(m);   /* no G yet: a program signal is not for this OS thread */
	m->host_tcb = tcb_current();
	m->g0ctx.fs = (uint64_t)m->host_tcb;   /* context_switch saves rsp only */
	m->ktid = (pid_t)SYS0(SYS_gettid);
	overflow_altstack_setup();
	m_self = m;
	g0_loop(m);
	return NULL;
}

/*
 * Ms are never destroyed: an M whose system call returned finds no P and
 * sleeps on the idle list for the next hand-off. Their number is bounded
 * (MAX_MS, well under pid_max); past it, or when the kernel refuses a
 * thread, the P waits on the idle list for an M to come back and the
 * program is told once why it slows down.
 */
static atomic_flag m_limit_warned = ATOMIC_FLAG_INIT;

static void newm_failed(struct p *p, bool spinning, const char *why)
{
	if (!atomic_flag_test_and_set(&m_limit_warned)) {
		debug_write("goro: warning: ");
		debug_write(why);
		debug_write("; threads blocked in system calls now delay the others\n");
	}
	if (spinning)
		atomic_fetch_sub(&sched.nmspinning, 1);
	if (p) {
		spin_acquire(&sched.lock);
		pidle_put(p);
		spin_release(&sched.lock);
	}
}

void newm(struct p *p, bool spinning)
{
	int id = atomic_load(&m_next_id);
	do {
		if (id >= MAX_MS) {
			newm_failed(p, spinning, "the limit of " MAX_MS_TEXT " OS threads (Ms) is reached");
			return;
		}
	} while (!atomic_compare_exchange_weak(&m_next_id, &id, id + 1));
	struct m *m = &m_storage[id];
	m->id = id;
	m->nextp = p;
	m->spinning = spinning;
	m->rand = 0x9e3779b97f4a7c15ULL * (uint64_t)(id + 1);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, M_STACK_SIZE);
	int r = os_thread_create(real_pthread_create, &attr, m_main, m, m);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		if (id == 1)
			fatal("newm: cannot create the first OS thread (M)");
		newm_failed(p, spinning, "the kernel refused a new OS thread (M)");
	}
}

static void notewakeup(struct m *m)
{
	atomic_store(&m->park, 1);
	futex_wake(&m->park, 1);
}

/* Gives p (or an idle P) to an idle M, starting one if none sleeps. */
void startm(struct p *p, bool spinning)
{
	spin_acquire(&sched.lock);
	if (!p) {
		p = pidle_get();
		if (!p) {
			spin_release(&sched.lock);
			if (spinning)
				atomic_fetch_sub(&sched.nmspinning, 1);
			return;
		}
	}
	struct m *m = midle_get();
	spin_release(&sched.lock);
	if (!m) {
		newm(p, spinning);
		return;
	}
	m->spinning = spinning;
	m->nextp = p;
	notewakeup(m);
}

static void wakep(void)
{
	if (atomic_load(&sched.npidle) == 0)
		return;
	int zero = 0;
	if (atomic_load(&sched.nmspinning) != 0 ||
	    !atomic_compare_exchange_strong(&sched.nmspinning, &zero, 1))
		return;
	startm(NULL, true);
}

void sched_timers_changed(void)
{
	netpoll_break();
	if (atomic_load(&sched.npidle) > 0 && atomic_load(&sched.nmspinning) == 0)
		startm(NULL, false);
}

/* Sleeps until handed a P, or until the next timer is due and a P is free. */
void stopm(struct m *m)
{
	for (;;) {
		spin_acquire(&sched.lock);
		midle_put(m);
		spin_release(&sched.lock);
		bool watch_timers = true;
		for (;;) {
			int64_t deadline = watch_timers ? timers_next() : NO_DEADLINE;
			signals_run_deferred(m);
			m_block_while_idle(m);
			m->idle_wait = true;
			int r = futex_wait(&m->park, 0, deadline);
			m->idle_wait = false;
			atomic_store(&m->asleep_with_mask, false);
			if (atomic_load(&m->park))
				break;
			if (r != ETIMEDOUT)
				continue;
			spin_acquire(&sched.lock);
			if (atomic_load(&m->park)) {
				spin_release(&sched.lock);
				break;
			}
			if (!midle_remove(m)) {
				/* startm took us off the list and is about to hand us a P */
				spin_release(&sched.lock);
				watch_timers = false;
				continue;
			}
			struct p *p = pidle_get();
			spin_release(&sched.lock);
			if (p) {
				acquirep(m, p);
				return;
			}
			/* Every P is busy; their Ms run the timers when they schedule. */
			watch_timers = false;
			spin_acquire(&sched.lock);
			midle_put(m);
			spin_release(&sched.lock);
		}
		atomic_store(&m->park, 0);
		acquirep(m, m->nextp);
		m->nextp = NULL;
		return;
	}
}

/* ---- finding work ---- */

static uint32_t fastrand(struct m *m)
{
	m->rand ^= m->rand << 13;
	m->rand ^= m->rand >> 7;
	m->rand ^= m->rand << 17;
	return (uint32_t)m->rand;
}

static struct g *try_local_and_global(struct p *p)
{
	struct g *g = runq_get(p);
	if (g)
		return g;
	if (atomic_load(&sched.runq_size) > 0) {
		spin_acquire(&sched.lock);
		g = globrunq_get(p, 0);
		spin_release(&sched.lock);
	}
	return g;
}

/* Go's four rounds over the other Ps; the last may take a victim's runnext
 * (after giving its M a moment to run it) when steal_runnext is set. */
static struct g *steal_work(struct m *m, bool steal_runnext)
{
	struct p *p = m->p;
	for (int attempt = 0; attempt < 4; attempt++) {
		uint32_t start = fastrand(m);
		for (int i = 0; i < sched_procs; i++) {
			struct p *victim = allp[(start + (uint32_t)i) % (uint32_t)sched_procs];
			if (victim == p)
				continue;
			struct g *g = runq_steal(p, victim, steal_runnext && attempt == 3);
			if (g) {
				atomic_fetch_add_explicit(&sched_steals, 1, memory_order_relaxed);
				return g;
			}
		}
	}
	return NULL;
}

static void run_due_timers(void)
{
	if (timers_next() == INT64_MAX)
		return;
	int64_t now = nanotime();
	if (timers_due(now))
		timers_run(now);
}

/* Queues Gs the netpoller readied: on p if given (returning the first to run), else globally. */
static struct g *inject(struct g *list, struct p *p)
{
	struct g *first = NULL;
	int n = 0;
	if (p && list) {
		first = list;
		list = list->schedlink;
	}
	while (list) {
		struct g *g = list;
		list = g->schedlink;
		if (p) {
			runq_put(p, g, false);
		} else {
			globrunq_put_locking(g);
		}
		n++;
	}
	while (n-- > 0 && atomic_load(&sched.npidle) > 0)
		wakep();
	return first;
}

/* sysmon: Gs the netpoller readied while every P was too busy to poll. */
void sched_inject_global(struct g *list)
{
	inject(list, NULL);
}

static struct g *find_runnable(struct m *m)
{
	int64_t spin_until = 0;
top:;
	struct p *p = m->p;
	if (atomic_load_explicit(&p->gfree_flush, memory_order_relaxed))
		gpool_flush_local(p);   /* a create out of memory waits for it (gpool_collect) */
	run_due_timers();
	struct g *g = try_local_and_global(p);
	if (g)
		return g;
	if (netpoll_has_waiters()) {
		g = inject(netpoll(0), p);
		if (g)
			return g;
	}
	int busy = sched_procs - atomic_load(&sched.npidle);
	if (m->spinning || 2 * atomic_load(&sched.nmspinning) < busy) {
		if (!m->spinning) {
			m->spinning = true;
			atomic_fetch_add(&sched.nmspinning, 1);
		}
		/* Only the first look may take a runnext: a G just readied by a running
		 * G is best run on that G's P, and taking it on every spin round would
		 * move hand-off pairs across CPUs. */
		g = steal_work(m, spin_until == 0);
		if (g)
			return g;
		/* Spin briefly before sleeping: waking a sleeping M costs far more. */
		int64_t now = nanotime();
		if (!spin_until)
			spin_until = now + SPIN_BEFORE_SLEEP_NS;
		if (now < spin_until && sched_procs > 1 && busy > 1) {
			cpu_relax();
			goto top;
		}
	}

	/* An idle P keeps no dead Gs: the busy Ps' creators reuse them (under an
	 * address-space limit they may be all the stacks there are). */
	if (p->gfree)
		gpool_flush_local(p);
	spin_acquire(&sched.lock);
	if (atomic_load(&sched.runq_size) > 0) {
		g = globrunq_get(p, 0);
		spin_release(&sched.lock);
		return g;
	}
	pidle_put(releasep(m));
	spin_release(&sched.lock);

	bool was_spinning = m->spinning;
	if (m->spinning) {
		m->spinning = false;
		atomic_fetch_sub(&sched.nmspinning, 1);
	}
	/* Work may have been queued after we looked and before our P went idle. */
	for (int i = 0; i < sched_procs; i++) {
		if (runq_empty(allp[i]))
			continue;
		spin_acquire(&sched.lock);
		struct p *p2 = pidle_get();
		spin_release(&sched.lock);
		if (p2) {
			acquirep(m, p2);
			if (was_spinning) {
				m->spinning = true;
				atomic_fetch_add(&sched.nmspinning, 1);
			}
			goto top;
		}
		break;
	}
	/* Nothing to do: if Gs wait on descriptors, sleep in epoll_wait instead of on the futex. */
	if (netpoll_has_waiters() && netpoll_try_block()) {
		signals_run_deferred(m);
		m_block_while_idle(m);
		m->idle_wait = true;
		struct g *list = netpoll(timers_next() == INT64_MAX ? NO_DEADLINE : timers_next());
		m->idle_wait = false;
		atomic_store(&m->asleep_with_mask, false);
		netpoll_unblock();
		spin_acquire(&sched.lock);
		struct p *p2 = pidle_get();
		spin_release(&sched.lock);
		if (p2) {
			acquirep(m, p2);
			g = inject(list, p2);
			if (g)
				return g;
			spin_until = 0;
			goto top;
		}
		inject(list, NULL);
	}
	stopm(m);
	spin_until = 0;
	goto top;
}

static void reset_spinning(struct m *m)
{
	m->spinning = false;
	if (atomic_fetch_sub(&sched.nmspinning, 1) == 1)
		wakep();   /* we were the last one looking; there may be more work */
}

static void execute(struct m *m, struct g *g)
{
	m->curg = g;
	g->m = m;
	if (m->p->m != m)
		fatal("execute: this M runs a P that names another M");
	atomic_store_explicit(&g->status, G_RUNNING, memory_order_relaxed);
	/* The scavenger claims only Gs it then still sees G_WAITING, and both ways
	 * out of G_WAITING (g_ready's exchange, netpoll's seq_cst store) are full
	 * fences before the G is queued: so either it saw the G readied and let
	 * go, or this load sees its claim. */
	for (int spins = 0; atomic_load_explicit(&g->scavenging, memory_order_acquire); spins++)
		if (spins < 1000)   /* sysmon is giving back its cold stack pages (gpool.c) */
			__builtin_ia32_pause();
		else
			SYS0(SYS_sched_yield);   /* sysmon lost its CPU meanwhile */
	g->stack_dirty = true;
	if (__builtin_expect(g->dtv_epoch != atomic_load_explicit(&tcb_dtv_epoch, memory_order_relaxed), 0)) {
		tcb_dtv_move_out(g->tcb);   /* malloc, on g0: once per G, in a program with very many TLS modules */
		g->dtv_epoch = atomic_load(&tcb_dtv_epoch);
	}
	atomic_store_explicit(&m->preempt, false, memory_order_relaxed);   /* a new time slice */
	if (__builtin_expect(atomic_load_explicit(&m->sent_here, memory_order_relaxed) != 0, 0))
		m_take_stranded(m);   /* signals sent here for the G that ran before: not this one's */
	if (__builtin_expect(g->os_mask != m->os_mask, 0))
		m_set_os_mask(m, g->os_mask);   /* the OS thread takes the G's mask; equal masks cost nothing */
	__atomic_store_n(&m->p->schedtick, m->p->schedtick + 1, __ATOMIC_RELAXED);   /* sysmon reads it */
	context_switch(&m->g0ctx, &g->ctx);
}

static void g_dead(struct m *m, struct g *g);

/*
 * Finishes, on g0, what the G that just switched out asked for.
 *
 * A G that switched out inside a handler of the program's (it parked in a
 * read, say) leaves its OS thread with the mask the kernel set for the
 * handler (the signal itself and sa_mask blocked), which m->os_mask does not
 * show: the M puts back the mask it records before it runs anything else.
 * Otherwise, should the G resume on another M or never come back (cancelled
 * there: glibc's tst-cancel20), this M would keep the handler's signal
 * blocked for every G it runs later, and one sent to them would wait in the
 * kernel for ever. The handler's own mask is not restored when the G runs
 * again (a mask change made in a handler persists: README).
 */
static void after_switch(struct m *m)
{
	struct g *g = m->curg;
	if (!g)
		return;
	m->curg = NULL;
	if (g->ctx.rsp < g->sp_low && g->ctx.rsp >= (uintptr_t)g->stack.lo)
		g->sp_low = g->ctx.rsp;   /* not on another stack (a coroutine's, an alternate signal stack) */
	if (stack_overflowed(&g->stack, g->ctx.rsp))
		stack_overflow_report(g, 0);
	if (__builtin_expect(g->in_handler > 0, 0) && m->action != ACT_EXIT)
		m_set_os_mask(m, m->os_mask);   /* see below */
	switch (m->action) {
	case ACT_PARK: {
		if (g->stack.arena)
			gpool_note_park();
		atomic_store(&g->status, G_WAITING);
		/* pthread_cancel saw it still running, or it parked right after: wake it (cancel.c) */
		bool canceled = cancel_check_parked(g);
		if (m->unlockf)
			m->unlockf(m->unlock_arg);
		if (canceled)
			cancel_wake_parked(g);
		break;
	}
	case ACT_YIELD:
		atomic_store(&g->status, G_RUNNABLE);
		runq_put(m->p, g, false);
		break;
	case ACT_PREEMPT:       /* to the global queue, as Go does: any P may take it next */
	case ACT_EXITSYSCALL:   /* its P was handed off during the call and none was free */
		atomic_store(&g->status, G_RUNNABLE);
		globrunq_put_locking(g);
		break;
	case ACT_EXIT:
		g_dead(m, g);
		break;
	default:
		fatal("after_switch: G switched out without saying why");
	}
	m->action = ACT_NONE;
	m->unlockf = NULL;
}

/*
 * The scheduler loop every M runs on g0. It first finishes what the G that
 * just switched out asked for (also on the M's very first entry: M0's g0
 * starts the first time the main G switches out, possibly from a system call
 * whose P was handed off); an M without a P then takes an idle one or sleeps.
 */
static void g0_loop(struct m *m)
{
	for (;;) {
		after_switch(m);
		if (atomic_load_explicit(&m->deferred_signals, memory_order_relaxed))
			signals_run_deferred(m);   /* a safe point: no lock held, no P half-updated */
		if (!m->p) {
			struct p *p = m->nextp;
			m->nextp = NULL;
			if (!p) {
				spin_acquire(&sched.lock);
				p = pidle_get();
				spin_release(&sched.lock);
			}
			if (p)
				acquirep(m, p);
			else
				stopm(m);
		}
		struct p *p = m->p;
		struct g *g = NULL;
		if (atomic_load_explicit(&p->gfree_flush, memory_order_relaxed))
			gpool_flush_local(p);
		if (p->schedtick % 61 == 0) {
			/* fairness: a P that always has local work still serves the
			 * global queue and the netpoller now and then */
			if (atomic_load(&sched.runq_size) > 0) {
				spin_acquire(&sched.lock);
				g = globrunq_get(p, 1);
				spin_release(&sched.lock);
			}
			if (netpoll_has_waiters()) {
				struct g *ready = inject(netpoll(0), p);
				if (!g)
					g = ready;
				else if (ready)
					runq_put(p, ready, false);
			}
		}
		if (!g)
			g = find_runnable(m);
		if (m->spinning)
			reset_spinning(m);
		execute(m, g);
	}
}

/* ---- park, ready, yield ---- */

void g_park(void (*unlockf)(void *), void *arg, const char *reason)
{
	struct g *g = g_self;
	own_p(g);
	struct m *m = g->m;
	g->wait_reason = reason;
	g->wait_since = atomic_load_explicit(&sched_coarse_now, memory_order_relaxed);
	m->action = ACT_PARK;
	m->unlockf = unlockf;
	m->unlock_arg = arg;
	context_switch(&g->ctx, &m->g0ctx);
	/* Signals that ended the wait are raised by the caller once its wait is
	 * undone (g_raise_if_pending): a handler may never return (a
	 * cancellation, siglongjmp), and must not leave a waiter queued on a
	 * stack that is gone. Not a tail call: a parked G's saved PC stays in
	 * g_park, where dumps and gdb's goroutine bt start. */
	__asm__ volatile("" ::: "memory");
}

void g_ready(struct g *g)
{
	if (atomic_exchange(&g->status, G_RUNNABLE) != G_WAITING)
		fatal("g_ready: G is not waiting");
	struct p *p = current_p();
	if (p) {
		runq_put(p, g, true);
	} else {
		globrunq_put_locking(g);
	}
	wakep();
}

void g_yield(void)
{
	struct g *g = g_self;
	own_p(g);
	struct m *m = g->m;
	/* Nothing else to run anywhere: keep going, as sched_yield would. */
	if (runq_empty(m->p) && atomic_load(&sched.runq_size) == 0 &&
	    atomic_load(&sched.npidle) == sched_procs - 1 && timers_next() == INT64_MAX &&
	    !netpoll_has_waiters())
		return;
	m->action = ACT_YIELD;
	context_switch(&g->ctx, &m->g0ctx);
	g_raise_if_pending(g);
}

_Atomic uint64_t sched_preemptions;

/* The running G's time slice is over: let the others run. Called with no
 * runtime lock held, from the preemption trampoline or a shim entry. */
void g_preempt_yield(void)
{
	struct g *g = g_self;
	if (g->in_handler > 0 || g->nopreempt > 0)
		return;   /* inside the program's signal handler (its M's mask is the handler's), dlopen or exit: later */
	own_p(g);
	struct m *m = g->m;
	atomic_store_explicit(&m->preempt, false, memory_order_relaxed);
	if (atomic_load_explicit(&m->deferred_signals, memory_order_relaxed))
		signals_run_deferred(m);   /* no lock held here either: handlers that hit the runtime run now */
	if (m->locks > 0)
		fatal("g_preempt_yield: preempted while holding a runtime lock");
	atomic_fetch_add_explicit(&sched_preemptions, 1, memory_order_relaxed);
	/* Nothing else waits for this P: the slice simply starts again. */
	if (runq_empty(m->p) && atomic_load(&sched.runq_size) == 0 && timers_next() > nanotime() &&
	    !netpoll_has_waiters()) {
		__atomic_store_n(&m->p->schedtick, m->p->schedtick + 1, __ATOMIC_RELAXED);
		return;
	}
	m->action = ACT_PREEMPT;
	context_switch(&g->ctx, &m->g0ctx);
	g_raise_if_pending(g);
}

/* ---- creating Gs ---- */

/*
 * A G's first frame. Like NPTL's start_thread it sets the outermost unwind
 * buffer: glibc's forced unwind (pthread_exit, cancellation; cancel.c) runs
 * the cleanup handlers and destructors of every frame above it, then
 * longjmps here. The buffer itself is in the G: this frame stays small, as
 * preempt/handler.c's look for runtime frames on a G's stack expects.
 */
static void g_main(void *arg)
{
	struct g *g = arg;
	tcb_enter(g->tcb, g->recycled);
	g_self = g;
	if (__sigsetjmp(g->unwind.jmp, 0) == 0) {
		g->unwind.buf.__pad[0] = NULL;   /* no previous buffer */
		g->unwind.buf.__pad[1] = NULL;   /* no old-style cleanup handlers */
		g->unwind.buf.__pad[2] = NULL;
		*tcb_unwind_buf(g->tcb) = &g->unwind.buf;
		g_exit(g->start(g->arg));
	}
	g_unwound();
}

/*
 * A G whose forced unwind ended: in g_main's frame, or, for the main G, on
 * the main stack where glibc's buffer was (cancel.c). The unwind may have
 * started anywhere a cancellation point is, glibc's own included: inside a
 * system call bracket (take the P back), in a wait (over by now), in a
 * handler of the program's (its M still has the handler's signal mask).
 */
_Noreturn void g_unwound(void)
{
	struct g *g = g_self;
	own_p(g);
	g->syscall_depth = 0;
	atomic_store(&g->wait_kind, WAIT_NONE);
	g->signals_raised = 0;
	if (g->in_handler > 0) {
		g->in_handler = 0;
		m_set_os_mask(g->m, g->os_mask);   /* the OS thread still has the handler's mask */
	}
	g_exit(tcb_result(g->tcb));
}

static void allg_add(struct g *g)
{
	spin_acquire(&allg_lock);
	g->all_prev = NULL;
	g->all_next = allg;
	if (allg)
		allg->all_prev = g;
	allg = g;
	spin_release(&allg_lock);
}

static struct g *scan_cursor;   /* where g_scan goes on (allg_lock) */

static void allg_remove(struct g *g)
{
	spin_acquire(&allg_lock);
	if (scan_cursor == g)
		scan_cursor = g->all_next;
	if (g->all_prev)
		g->all_prev->all_next = g->all_next;
	else
		allg = g->all_next;
	if (g->all_next)
		g->all_next->all_prev = g->all_prev;
	spin_release(&allg_lock);
}

/* Visits up to max Gs of allg under its lock, going on where the last call
 * stopped; true when it reached the end of the list (the next call starts over). */
bool g_scan(int max, void (*fn)(struct g *, void *), void *arg)
{
	spin_acquire(&allg_lock);
	struct g *g = scan_cursor ? scan_cursor : allg;
	for (; g && max-- > 0; g = g->all_next)
		fn(g, arg);
	scan_cursor = g;
	spin_release(&allg_lock);
	return g == NULL;
}

/* The G that g waits for, if its wait says: a mutex's owner, a join's target. allg_lock held. */
struct g *sched_g_waited_for(struct g *g)
{
	const char *reason = g->wait_reason;
	if (!reason || atomic_load(&g->wait_kind) != WAIT_TABLE)
		return NULL;
	if (strcmp(reason, "join") == 0)
		return container_of(g->wait_obj, struct g, life);
	if (strcmp(reason, "mutex lock") != 0)
		return NULL;
	int owner = ((pthread_mutex_t *)g->wait_obj)->__data.__owner;   /* the lock word is the mutex's first */
	for (struct g *o = allg; o && owner; o = o->all_next)
		if (o->tid == owner)
			return o;
	return NULL;
}

void g_for_each(void (*fn)(struct g *, void *), void *arg)
{
	spin_acquire(&allg_lock);
	for (struct g *g = allg; g; g = g->all_next)
		fn(g, arg);
	spin_release(&allg_lock);
}

int g_create(const struct g_spec *spec)
{
	if (g_self)
		own_p(g_self);
	/* the thread counts from here (GORO_MAX_THREADS: a reservation, so
	 * concurrent creators cannot pass the cap); every failure gives it back */
	if (atomic_fetch_add(&sched.live_gs, 1) >= sched_max_threads && sched_max_threads) {
		atomic_fetch_sub(&sched.live_gs, 1);
		return EAGAIN;
	}
	bool yielded = false, any_size = false;
take:;
	unsigned dtv_epoch = atomic_load(&tcb_dtv_epoch);   /* before the TCB's DTV is placed */
	struct g *g = NULL;
	void *tp;
	int err;
	if (!spec->user_stack && (g = any_size ? pool_take_larger(spec->stack_size, spec->guard_size)
					       : pool_take(spec->stack_size, spec->guard_size))) {
		tp = g->tcb;
		g->recycled = true;
		err = tcb_recycle(tp, &g->stack, g->tid);
		if (err) {
			pool_put(g);
			goto fail;
		}
	} else {
		if (any_size)
			goto fail;   /* no dead G's stack is big enough either */
		struct stack s;
		if (spec->user_stack) {
			tp = stack_carve_user(&s, spec->user_stack, spec->user_stack_size);
			if (!tp) {
				atomic_fetch_sub(&sched.live_gs, 1);
				return EINVAL;
			}
		} else {
			tp = stack_alloc(&s, spec->stack_size, spec->guard_size);
			if (!tp) {
				/* Out of memory or address space. First the threads waiting
				 * for a P may exit and pool their stacks (natively they would
				 * run meanwhile): let them run once and look again. Then a
				 * dead G with a bigger stack will do (gpool.c). Then EAGAIN. */
				if (g_self && !yielded) {
					yielded = true;
					g_yield();
				} else {
					any_size = true;
					if (g_self)
						gpool_collect();
				}
				goto take;
			}
		}
		g = stack_g_of_tcb(tp);
		memset(g, 0, sizeof *g);
		g->stack = s;
		g->sp_low = (uintptr_t)s.hi;
		g->tid = atomic_fetch_add(&next_fake_tid, 1);
		if ((unsigned)g->tid > 0x3fffffffu)
			fatal("g_create: fake thread ids exhausted");
		err = tcb_setup(tp, &g->stack, g->tid, !s.user);
		if (err) {
			stack_free(&g->stack);
			goto fail;
		}
		g->recycled = false;
	}
	g->magic = G_MAGIC;
	g->tcb = tp;
	g->dtv_epoch = dtv_epoch;
	g->stack_size = spec->stack_size;
	g->guard_size = spec->guard_size;
	g->goid = atomic_fetch_add(&next_goid, 1);
	g->start = spec->start;
	g->created_at = spec->created_at;
	g->arg = spec->arg;
	g->result = NULL;
	g->wait_reason = NULL;
	g->is_main = false;
	g->timer.heap_index = -1;
	atomic_store(&g->timer.state, TIMER_IDLE);
	atomic_store(&g->sigpending, 0);
	atomic_store(&g->sigheld, 0);
	atomic_store(&g->sigbare, 0);
	atomic_store(&g->sigwait_set, 0);
	atomic_store(&g->tkill_sig, 0);
	g->nopreempt = 0;   /* a pooled G left g_exit with it raised: it would never be preempted again */
	g->in_handler = 0;
	g->signals_raised = 0;
	atomic_store(&g->wait_kind, WAIT_NONE);
	g->syscall_depth = 0;
	atomic_store(&g->life, spec->detached ? LIFE_DETACHED : 0);
	g->affinity_set = spec->affinity_set;
	g->affinity = spec->affinity;
	g->sched_policy = spec->sched_policy;
	g->sched_param = spec->sched_param;
	g->explicit_sched = spec->explicit_sched;
	struct g *creator = g_self;
	memcpy(g->name, creator ? creator->name : main_g.name, sizeof g->name);
	/* NPTL: the attribute's mask, else the creator's (a foreign creator: its OS thread's) */
	g_mask_inherit(g, creator, spec->sigmask_set ? &spec->sigmask : NULL);
	context_init(&g->ctx, g->stack.hi, g_main, g, tp);
	allg_add(g);
	atomic_store(&g->status, G_RUNNABLE);
	*spec->thread = (pthread_t)tp;
	struct p *p = current_p();
	if (p) {
		runq_put(p, g, true);
	} else {
		globrunq_put_locking(g);
	}
	wakep();
	return 0;
fail:
	atomic_fetch_sub(&sched.live_gs, 1);
	return EAGAIN;
}

struct g *g_of_thread(pthread_t t)
{
	if ((void *)t == main_g.tcb)
		return &main_g;
	if (!sched_active || !t)
		return NULL;
	struct g *g = stack_g_of_tcb((void *)t);
	if (g->magic != G_MAGIC || g->tcb != (void *)t)
		return NULL;
	return g;
}

bool g_handle_released(pthread_t t)
{
	if (!sched_active || !t || (void *)t == main_g.tcb)
		return false;
	struct g *g = stack_g_of_tcb((void *)t);
	return g->magic == G_MAGIC_RELEASED && g->tcb == (void *)t;
}

/* ---- exit and release ---- */

_Noreturn void g_exit(void *result)
{
	struct g *g = g_self;
	own_p(g);
	/* signals sysmon caught for it are routed to it first (sigmask.c), then
	 * those that came for it while it was in goro's code on its way out
	 * run now, while it is still a thread that accepts them (tst-signal3) */
	uint64_t settled = g->in_handler == 0 ? g_exit_signals_settle(g) : 0;
	if (atomic_load(&g->sigpending) && g->in_handler == 0)
		g_raise_pending(g);
	g->result = result;
	g->nopreempt++;   /* the destructors run inside g_exit: its P must stay (preempt/handler.c) */
	if (call_tls_dtors)
		call_tls_dtors();
	tcb_exit_keys(g->tcb);
	own_p(g);   /* a destructor may have made a blocking call */
	mutex_owner_died(g);   /* what the kernel's robust list does for NPTL */
	tcb_robust_owner_died(g->tcb);   /* ...and for glibc's process-shared ones */
	if (atomic_fetch_sub(&sched.live_gs, 1) == 1)
		exit(0);   /* the last thread ended after main called pthread_exit, as NPTL does */
	/* A stack the program gave (pthread_attr_setstack) is the program's again
	 * once the thread is joined: its DTV and dynamic TLS go now, as under NPTL,
	 * and the G is never pooled (gpool.c), so goro reads none of it later. */
	if (g->stack.user)
		tcb_release(g->tcb);
	g_mask_forget(g);   /* after live_gs: sysmon never sees fewer blockers than there are */
	g_exit_signals_release(settled);
	struct m *m = g->m;
	m->action = ACT_EXIT;
	context_switch(&g->ctx, &m->g0ctx);
	fatal("g_exit: a dead G was resumed");
}

static void g_dead(struct m *m, struct g *g)
{
	atomic_store(&g->status, G_DEAD);
	/* It stays on allg until released: an exited thread nobody joined is a leak report's business. */
	uint32_t old = atomic_fetch_or(&g->life, LIFE_EXITED);
	/* From here a joiner or detacher may release g: touch it no more. */
	if (old & LIFE_DETACHED)
		g_release(g);
	else if (old & LIFE_JOINING)
		wake_on(&g->life, INT32_MAX);   /* the address only: a stale wake is harmless */
}

int g_detach(struct g *g)
{
	uint32_t old = atomic_load(&g->life);
	do {
		if (old & (LIFE_DETACHED | LIFE_JOINING))
			return EINVAL;
	} while (!atomic_compare_exchange_weak(&g->life, &old, old | LIFE_DETACHED));
	if (old & LIFE_EXITED)
		g_release(g);
	return 0;
}

int g_join(struct g *g, int64_t deadline, void **result, bool try_only)
{
	if (g == g_self)
		return EDEADLK;
	uint32_t old = atomic_load(&g->life);
	do {
		if (old & (LIFE_DETACHED | LIFE_JOINING))
			return EINVAL;
	} while (!atomic_compare_exchange_weak(&g->life, &old, old | LIFE_JOINING));
	for (;;) {
		uint32_t now = atomic_load(&g->life);
		if (now & LIFE_EXITED)
			break;
		int r = try_only ? EBUSY : wait_on(&g->life, now, deadline, "join");
		if (r == EINTR && !(g_self && g_cancel_requested(g_self)))
			continue;   /* a signal: join is never interrupted by one */
		if (r == ETIMEDOUT || r == EBUSY || r == EINTR) {   /* EINTR: the caller is to act on a cancellation */
			uint32_t joining = LIFE_JOINING;
			if (atomic_compare_exchange_strong(&g->life, &joining, 0))
				return r;
			break;   /* it exited just now: finish the join */
		}
	}
	if (result)
		*result = g->result;
	g_release(g);
	return 0;
}

void g_release(struct g *g)
{
	if (g->is_main)
		return;
	g->magic = G_MAGIC_RELEASED;
	allg_remove(g);
	pool_put(g);
}

/*
 * The descriptor glibc's SIGSETXID handler is to clear on this OS thread:
 * the one glibc's setuid() marked and whose tid names this thread. glibc
 * found it in its list of threads, which holds an M's own TCB, the initial
 * thread's (kept by the main G: it names M0's OS thread, or after a fork
 * the forking one's, whichever M that is) and the TCBs of threads goro did
 * not create. Clearing another would have glibc signal this thread for ever.
 * NULL when FS already points at it.
 */
void *sched_setxid_descriptor(void)
{
	pid_t tid = (pid_t)SYS0(SYS_gettid);
	struct m *m = credentials_m_of(tid);
	void *current = tcb_current();
	void *candidates[3] = {current, main_g.tcb, m ? m->host_tcb : NULL};
	for (int i = 0; i < 3; i++) {
		void *tcb = candidates[i];
		if (tcb && tcb_tid(tcb) == tid && (atomic_load(tcb_cancelhandling(tcb)) & CANCEL_SETXID))
			return tcb == current ? NULL : tcb;
	}
	/* none is marked: a copy of a signal already answered; glibc ignores it on any descriptor */
	void *native = !m ? NULL : m->id == 0 ? main_g.tcb : m->host_tcb;
	return native == current ? NULL : native;
}

static void g0_allocate(struct m *m);

/*
 * In the child of fork only the calling G exists, on the one OS thread that
 * forked (POSIX, and NPTL). Everything else in the scheduler is a copy of the
 * parent's and may even have been locked mid-update by another M at the
 * moment of the fork: reset it to "one G running on one M".
 */
void sched_after_fork_child(void)
{
	struct g *self = g_self;
	if (!sched_active || !self)
		return;
	struct m *m = self->m;
	sched.lock.v = 0;
	allg_lock.v = 0;
	gpool_reset_after_fork();
	stack_reset_after_fork();
	sched.runq_head = sched.runq_tail = NULL;
	atomic_store(&sched.runq_size, 0);
	sched.pidle = NULL;
	atomic_store(&sched.npidle, 0);
	sched.midle = NULL;
	atomic_store(&sched.nmspinning, 0);
	atomic_store(&sched.live_gs, 1);
	m->spinning = false;
	m->ktid = (pid_t)SYS0(SYS_gettid);
	credentials_after_fork_child(m);
	/* fork (CLONE_CHILD_SETTID) wrote the child's kernel tid into the G's TCB,
	 * as NPTL's child thread gets a new tid: mutexes it locks from now on name
	 * that one (and those locked before fork the old one, as with NPTL). */
	self->tid = tcb_tid(self->tcb);
	mutex_forget_held_after_fork(self);
	/* glibc's fork saw the G's TCB as "self" and put this M's own pthread
	 * stack and TCB in its stack cache for reuse: move the scheduler off it. */
	if (m->id != 0)
		g0_allocate(m);
	/* ...and linked the G's TCB into its thread list; a G's TCB may be
	 * unmapped one day, so take it out again (glibc-tls.md §4, "list"). */
	if (!self->is_main) {
		void **node = (void **)((char *)self->tcb + tls_layout.off_list);
		void **next = node[0], **prev = node[1];
		if (next != node) {
			next[1] = prev;
			prev[0] = next;
			node[0] = node[1] = node;
		}
	}
	for (int i = 0; i < sched_procs; i++) {
		struct p *p = allp[i];
		atomic_store(&p->runq_head, 0);
		atomic_store(&p->runq_tail, 0);
		atomic_store(&p->runnext, NULL);
		if (p != m->p) {
			p->m = NULL;
			pidle_put(p);
		}
	}
	allg = NULL;
	scan_cursor = NULL;
	allg_add(self);
	atomic_store(&m->libc_call, false);
	atomic_store(&m->preempt, false);
	atomic_store(&sched_libc_calls, 0);
	signals_reset_after_fork();
	waittable_reset();
	timers_reset();
	netpoll_reset_after_fork();
	sysmon_start(real_pthread_create);
}

/* ---- start-up ---- */

static void m0_g0_entry(void *arg);

/* Gives m a scheduler stack and TCB of its own (M0, and an M that forked). */
static void g0_allocate(struct m *m)
{
	struct stack s;
	void *tp = stack_alloc(&s, G0_STACK_SIZE, 4096);
	if (!tp || tcb_setup(tp, &s, atomic_fetch_add(&next_fake_tid, 1), false) != 0)
		fatal("g0_allocate: cannot allocate a scheduler stack");
	m->host_tcb = tp;
	context_init(&m->g0ctx, s.hi, m0_g0_entry, m, tp);
}

static void m0_g0_entry(void *arg)
{
	struct m *m = arg;
	tcb_enter(tcb_current(), false);
	m_self = m;
	g0_loop(m);
}

static void read_comm(char name[16])
{
	int fd = (int)SYS3(SYS_openat, AT_FDCWD, "/proc/self/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? SYS3(SYS_read, fd, name, 15) : 0;
	if (fd >= 0)
		SYS1(SYS_close, fd);
	if (n < 0)
		n = 0;
	name[n] = 0;
	if (n > 0 && name[n - 1] == '\n')
		name[n - 1] = 0;
}

void sched_init(int procs, int64_t schedtrace_ns)
{
	schedtrace_interval_ns = schedtrace_ns;
	atomic_store(&sched_coarse_now, nanotime());
	real_pthread_create = dlsym(RTLD_NEXT, "pthread_create");
	call_tls_dtors = (void (*)(void))dlsym(RTLD_DEFAULT, "__call_tls_dtors");
	if (!real_pthread_create)
		fatal("sched_init: cannot find glibc's pthread_create");
	sched_procs = procs;
	for (int i = 0; i < procs; i++) {
		allp[i] = &p_storage[i];
		allp[i]->id = i;
	}
	for (int i = procs - 1; i >= 1; i--)
		pidle_put(allp[i]);

	/* M0 is the initial thread; its scheduler gets a stack and TCB of its own. */
	struct m *m0 = &m_storage[atomic_fetch_add(&m_next_id, 1)];
	m0->rand = 0x2545F4914F6CDD1DULL;
	m0->ktid = (pid_t)SYS0(SYS_gettid);
	SYS4(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &base_sigmask, 8);
	overflow_altstack_setup();
	m0->os_mask = base_sigmask;
	acquirep(m0, allp[0]);
	g0_allocate(m0);

	/* The running code becomes the main G, keeping the initial thread's TCB. */
	struct g *g = &main_g;
	g->magic = G_MAGIC;
	g->tcb = tcb_current();
	g->tid = tcb_tid(g->tcb);
	g->ctx.fs = (uint64_t)g->tcb;   /* context_switch saves rsp only */
	g->goid = atomic_fetch_add(&next_goid, 1);
	g->is_main = true;
	g->m = m0;
	g->timer.heap_index = -1;
	g->sched_policy = SCHED_OTHER;
	read_comm(g->name);
	g_mask_inherit(g, NULL, NULL);   /* the process mask it started with */
	atomic_store(&g->status, G_RUNNING);
	atomic_store(&sched.live_gs, 1);
	m0->curg = g;
	allg_add(g);
	g_self = g;
	cancel_main_init(g->tcb);

	/* The kernel updates the rseq area of the OS thread that registered it;
	 * the main G moves between Ms, so it reads its CPU through the vDSO. */
	char *rseq_area = (char *)g->tcb + tls_layout.rseq_offset;
	if (*(int *)(rseq_area + 4) >= 0)
		SYS4(334 /* SYS_rseq */, rseq_area, 32, 1 /* RSEQ_FLAG_UNREGISTER */, 0x53053053);
	*(int *)(rseq_area + 4) = -2;

	if (netpoll_init() != 0)
		fatal("sched_init: cannot create the netpoller's epoll instance");

	/* A real pthread_create before any G runs flips glibc's single-threaded fast paths off. */
	newm(NULL, false);
	sysmon_start(real_pthread_create);
}
